-- dhlab.lua: a Wireshark dissector for dhlab's chat protocol (docs/PROTOCOL.md), with decryption.
--
-- Install: copy this file into Wireshark's personal Lua plugins folder (Help > About Wireshark >
-- Folders), or run `tshark -X lua_script:dhlab.lua ...`. docs/WIRESHARK.md has the details.
--
-- Frames are a 4-byte big-endian length and a JSON object (PROTOCOL s.2), on TCP port 5068 or
-- found by their first bytes on any port. With a key log (preference dhlab.keylog_file, the file
-- `--keylog` writes, PROTOCOL s.10) each sealed frame is opened: AES-256-GCM (FIPS-197, NIST
-- SP 800-38D) written here in Lua 5.2 with bit32, because Wireshark 4.0 and 4.4 give Lua no
-- cipher. `tshark -X lua_script:dhlab.lua -X lua_script1:selftest` checks it against the
-- standards' test vectors.

local band, bor, bxor, lshift, rshift = bit32.band, bit32.bor, bit32.bxor, bit32.lshift, bit32.rshift
local byte, char, concat = string.byte, string.char, table.concat

---------------------------------------------------------------------------------------------
-- AES-256, encryption only (FIPS-197): GCM needs nothing else.

local SBOX = {}
do
  -- exp and log of GF(2^8) with generator 3, then each inverse through the affine map (s.5.1.1).
  local exp, log = {}, {}
  local x = 1
  for i = 0, 254 do
    exp[i] = x
    log[x] = i
    local doubled = band(lshift(x, 1), 0xff)
    if x >= 0x80 then doubled = bxor(doubled, 0x1b) end
    x = bxor(x, doubled)
  end
  local function rotl8(v, n) return band(bor(lshift(v, n), rshift(v, 8 - n)), 0xff) end
  for v = 0, 255 do
    local inv = v == 0 and 0 or exp[(255 - log[v]) % 255]
    SBOX[v] = bxor(inv, rotl8(inv, 1), rotl8(inv, 2), rotl8(inv, 3), rotl8(inv, 4), 0x63)
  end
end

local function xtime(a)
  local doubled = band(lshift(a, 1), 0xff)
  if a >= 0x80 then return bxor(doubled, 0x1b) end
  return doubled
end

--- The 15 round keys of a 32-byte key (s.5.2), as one array of 240 bytes (0-based).
local function expand_key(key)
  local w = {}
  for i = 0, 31 do w[i] = byte(key, i + 1) end
  local rcon = 1
  for i = 8, 59 do
    local t0, t1, t2, t3 = w[4 * i - 4], w[4 * i - 3], w[4 * i - 2], w[4 * i - 1]
    if i % 8 == 0 then
      t0, t1, t2, t3 = bxor(SBOX[t1], rcon), SBOX[t2], SBOX[t3], SBOX[t0]
      rcon = xtime(rcon)
    elseif i % 8 == 4 then
      t0, t1, t2, t3 = SBOX[t0], SBOX[t1], SBOX[t2], SBOX[t3]
    end
    w[4 * i] = bxor(w[4 * i - 32], t0)
    w[4 * i + 1] = bxor(w[4 * i - 31], t1)
    w[4 * i + 2] = bxor(w[4 * i - 30], t2)
    w[4 * i + 3] = bxor(w[4 * i - 29], t3)
  end
  return w
end

--- One 16-byte block (a Lua string) through the cipher (s.5.1): 14 rounds for AES-256.
local function encrypt_block(w, block)
  local s = {}
  for i = 0, 15 do s[i] = bxor(byte(block, i + 1), w[i]) end
  for round = 1, 14 do
    local t = {}
    -- SubBytes and ShiftRows: row r of column c comes from column c + r.
    for c = 0, 3 do
      for r = 0, 3 do t[r + 4 * c] = SBOX[s[r + 4 * ((c + r) % 4)]] end
    end
    if round < 14 then
      for c = 0, 3 do
        local a0, a1, a2, a3 = t[4 * c], t[4 * c + 1], t[4 * c + 2], t[4 * c + 3]
        local all = bxor(a0, a1, a2, a3)
        t[4 * c] = bxor(a0, all, xtime(bxor(a0, a1)))
        t[4 * c + 1] = bxor(a1, all, xtime(bxor(a1, a2)))
        t[4 * c + 2] = bxor(a2, all, xtime(bxor(a2, a3)))
        t[4 * c + 3] = bxor(a3, all, xtime(bxor(a3, a0)))
      end
    end
    for i = 0, 15 do s[i] = bxor(t[i], w[16 * round + i]) end
  end
  local out = {}
  for i = 0, 15 do out[i + 1] = char(s[i]) end
  return concat(out)
end

local INV_SBOX = {}
for v = 0, 255 do INV_SBOX[SBOX[v]] = v end

--- The inverse cipher (s.5.3), for the AES-CBC teaching mode only (GCM never decrypts a block).
local function decrypt_block(w, block)
  local s = {}
  for i = 0, 15 do s[i] = bxor(byte(block, i + 1), w[224 + i]) end
  for round = 13, 0, -1 do
    local t = {}
    -- InvShiftRows and InvSubBytes: row r of column c comes from column c - r.
    for c = 0, 3 do
      for r = 0, 3 do t[r + 4 * c] = INV_SBOX[s[r + 4 * ((c - r) % 4)]] end
    end
    for i = 0, 15 do t[i] = bxor(t[i], w[16 * round + i]) end
    if round > 0 then
      for c = 0, 3 do
        local a0, a1, a2, a3 = t[4 * c], t[4 * c + 1], t[4 * c + 2], t[4 * c + 3]
        -- InvMixColumns: 14, 11, 13, 9 = x8+x4+x2, x8+x2+1, x8+x4+1, x8+1 (s.5.3.3).
        local function m(a)
          local a2x = xtime(a)
          local a4x = xtime(a2x)
          return a, a2x, a4x, xtime(a4x)
        end
        local b = { [0] = a0, a1, a2, a3 }
        local out = {}
        for r = 0, 3 do
          local p0, p1, p2, p3 = b[r], b[(r + 1) % 4], b[(r + 2) % 4], b[(r + 3) % 4]
          local _, x2, x4, x8 = m(p0)
          local e14 = bxor(x8, x4, x2)
          local q1, y2, _, y8 = m(p1)
          local e11 = bxor(y8, y2, q1)
          local q2, _, z4, z8 = m(p2)
          local e13 = bxor(z8, z4, q2)
          local q3, _, _, w8 = m(p3)
          local e9 = bxor(w8, q3)
          out[r] = bxor(e14, e11, e13, e9)
        end
        for r = 0, 3 do t[4 * c + r] = out[r] end
      end
    end
    s = t
  end
  local out = {}
  for i = 0, 15 do out[i + 1] = char(s[i]) end
  return concat(out)
end

---------------------------------------------------------------------------------------------
-- GCM (NIST SP 800-38D): GHASH in GF(2^128) on four 32-bit words, CTR with inc32.

local function words(block)
  local b = { byte(block, 1, 16) }
  local out = {}
  for i = 0, 3 do
    out[i + 1] = bor(lshift(b[4 * i + 1], 24), lshift(b[4 * i + 2], 16), lshift(b[4 * i + 3], 8), b[4 * i + 4])
  end
  return out
end

--- X * Y in GF(2^128), Algorithm 1 of s.6.3 (bits numbered from the left; R = 11100001 || 0^120).
local function gf_mult(x, y)
  local z1, z2, z3, z4 = 0, 0, 0, 0
  local v1, v2, v3, v4 = y[1], y[2], y[3], y[4]
  for i = 0, 127 do
    local word = x[math.floor(i / 32) + 1]
    if band(word, lshift(1, 31 - i % 32)) ~= 0 then
      z1, z2, z3, z4 = bxor(z1, v1), bxor(z2, v2), bxor(z3, v3), bxor(z4, v4)
    end
    local carry = band(v4, 1)
    v4 = bor(rshift(v4, 1), lshift(band(v3, 1), 31))
    v3 = bor(rshift(v3, 1), lshift(band(v2, 1), 31))
    v2 = bor(rshift(v2, 1), lshift(band(v1, 1), 31))
    v1 = rshift(v1, 1)
    if carry ~= 0 then v1 = bxor(v1, 0xe1000000) end
  end
  return { z1, z2, z3, z4 }
end

local function pad16(s)
  local extra = (16 - #s % 16) % 16
  return s .. string.rep("\0", extra)
end

local function be64(n)
  local out = {}
  for i = 8, 1, -1 do
    out[i] = char(n % 256)
    n = math.floor(n / 256)
  end
  return concat(out)
end

--- GHASH_H over A and C with their bit lengths (s.6.4 and the tag of s.7.2).
local function ghash(h, aad, ciphertext)
  local data = pad16(aad) .. pad16(ciphertext) .. be64(#aad * 8) .. be64(#ciphertext * 8)
  local y = { 0, 0, 0, 0 }
  for at = 1, #data, 16 do
    local x = words(data:sub(at, at + 15))
    y = gf_mult({ bxor(y[1], x[1]), bxor(y[2], x[2]), bxor(y[3], x[3]), bxor(y[4], x[4]) }, h)
  end
  local out = {}
  for i = 1, 4 do
    out[i] = char(band(rshift(y[i], 24), 0xff), band(rshift(y[i], 16), 0xff), band(rshift(y[i], 8), 0xff), band(y[i], 0xff))
  end
  return concat(out)
end

local function xor_strings(a, b)
  local out = {}
  for i = 1, #a do out[i] = char(bxor(byte(a, i), byte(b, i))) end
  return concat(out)
end

--- The 128-bit counter block J0 + i for a 96-bit nonce (s.7.1: J0 = IV || 0^31 || 1; inc32).
local function counter_block(iv, i)
  local n = (1 + i) % 4294967296
  return iv .. char(band(rshift(n, 24), 0xff), band(rshift(n, 16), 0xff), band(rshift(n, 8), 0xff), band(n, 0xff))
end

--- Opens ciphertext || 16-byte tag under a 32-byte key: the plaintext, or nil if the tag fails.
local function gcm_open(key, iv, sealed, aad)
  if #sealed < 16 or #iv ~= 12 then return nil end
  local w = expand_key(key)
  local h = words(encrypt_block(w, string.rep("\0", 16)))
  local ciphertext, tag = sealed:sub(1, -17), sealed:sub(-16)
  local expected = xor_strings(encrypt_block(w, counter_block(iv, 0)), ghash(h, aad, ciphertext))
  if expected ~= tag then return nil end
  local out = {}
  for at = 1, #ciphertext, 16 do
    local chunk = ciphertext:sub(at, at + 15)
    out[#out + 1] = xor_strings(chunk, encrypt_block(w, counter_block(iv, (at - 1) / 16 + 1)))
  end
  return concat(out)
end

--- Seals (for the self-test against SP 800-38D's vectors, which give ciphertext and tag).
local function gcm_seal(key, iv, plaintext, aad)
  local w = expand_key(key)
  local h = words(encrypt_block(w, string.rep("\0", 16)))
  local out = {}
  for at = 1, #plaintext, 16 do
    local chunk = plaintext:sub(at, at + 15)
    out[#out + 1] = xor_strings(chunk, encrypt_block(w, counter_block(iv, (at - 1) / 16 + 1)))
  end
  local ciphertext = concat(out)
  return ciphertext .. xor_strings(encrypt_block(w, counter_block(iv, 0)), ghash(h, aad, ciphertext))
end

--- IV || AES-256-CBC with PKCS#7 padding (SP 800-38A s.6.2), the teaching mode: no MAC, so
--- the only thing that can fail is the padding. Returns the plaintext or nil.
local function cbc_open(key, sealed)
  if #sealed < 32 or #sealed % 16 ~= 0 then return nil end
  local w = expand_key(key)
  local out, previous = {}, sealed:sub(1, 16)
  for at = 17, #sealed, 16 do
    local block = sealed:sub(at, at + 15)
    out[#out + 1] = xor_strings(decrypt_block(w, block), previous)
    previous = block
  end
  local plain = concat(out)
  local pad = byte(plain, #plain)
  if pad < 1 or pad > 16 or plain:sub(-pad) ~= string.rep(char(pad), pad) then return nil end
  return plain:sub(1, -pad - 1)
end

---------------------------------------------------------------------------------------------
-- Encodings: hex, base64 (RFC 4648), and JSON (RFC 8259) as far as dhlab's frames use it.

local function from_hex(s)
  if type(s) ~= "string" or #s % 2 ~= 0 or s:find("[^0-9a-fA-F]") then return nil end
  return (s:gsub("..", function(pair) return char(tonumber(pair, 16)) end))
end

local function to_hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", byte(c)) end))
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local B64_VALUE = {}
for i = 1, 64 do B64_VALUE[byte(B64, i)] = i - 1 end

local function from_base64(s)
  if type(s) ~= "string" or #s % 4 ~= 0 then return nil end
  local out = {}
  for at = 1, #s, 4 do
    local n, pads = 0, 0
    for i = 0, 3 do
      local c = byte(s, at + i)
      if c == 61 and at == #s - 3 then
        pads = pads + 1
        n = n * 64
      elseif B64_VALUE[c] and pads == 0 then
        n = n * 64 + B64_VALUE[c]
      else
        return nil
      end
    end
    local three = char(math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
    out[#out + 1] = three:sub(1, 3 - pads)
  end
  return concat(out)
end

local function utf8_char(cp)
  if cp < 0x80 then return char(cp) end
  if cp < 0x800 then return char(0xc0 + math.floor(cp / 64), 0x80 + cp % 64) end
  if cp < 0x10000 then return char(0xe0 + math.floor(cp / 4096), 0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64) end
  return char(0xf0 + math.floor(cp / 262144), 0x80 + math.floor(cp / 4096) % 64, 0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
end

local json_null = setmetatable({}, { __tostring = function() return "null" end })
local ESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

--- Parses one JSON value at `at`; returns the value and the next position, or nil on any error.
local function json_value(s, at, depth)
  if depth > 20 then return nil end
  at = s:find("[^ \t\r\n]", at)
  if not at then return nil end
  local c = s:sub(at, at)
  if c == "{" or c == "[" then
    local object, closing = c == "{", c == "{" and "}" or "]"
    local out, n = {}, 0
    at = s:find("[^ \t\r\n]", at + 1)
    if at and s:sub(at, at) == closing then return out, at + 1 end
    while at do
      local k
      if object then
        k, at = json_value(s, at, depth + 1)
        if type(k) ~= "string" then return nil end
        at = s:find("[^ \t\r\n]", at)
        if not at or s:sub(at, at) ~= ":" then return nil end
        at = at + 1
      end
      local v
      v, at = json_value(s, at, depth + 1)
      if at == nil then return nil end
      if object then out[k] = v else n = n + 1; out[n] = v end
      at = s:find("[^ \t\r\n]", at)
      if not at then return nil end
      local sep = s:sub(at, at)
      if sep == closing then return out, at + 1 end
      if sep ~= "," then return nil end
      at = at + 1
    end
    return nil
  elseif c == '"' then
    local out, i = {}, at + 1
    while true do
      local ch = s:sub(i, i)
      if ch == "" or byte(ch) < 0x20 then return nil end
      if ch == '"' then return concat(out), i + 1 end
      if ch == "\\" then
        local e = s:sub(i + 1, i + 1)
        if e == "u" then
          local cp = tonumber(s:sub(i + 2, i + 5), 16)
          if not cp or not s:sub(i + 2, i + 5):match("^%x%x%x%x$") then return nil end
          i = i + 6
          if cp >= 0xd800 and cp < 0xdc00 and s:sub(i, i + 1) == "\\u" then
            local low = tonumber(s:sub(i + 2, i + 5), 16)
            if low and low >= 0xdc00 and low < 0xe000 then
              cp = 0x10000 + (cp - 0xd800) * 1024 + (low - 0xdc00)
              i = i + 6
            end
          end
          out[#out + 1] = utf8_char(cp)
        elseif ESCAPES[e] then
          out[#out + 1] = ESCAPES[e]
          i = i + 2
        else
          return nil
        end
      else
        out[#out + 1] = ch
        i = i + 1
      end
    end
  else
    local literal = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", at)
    if literal and #literal > 0 then return tonumber(literal), at + #literal end
    for word, value in pairs({ ["true"] = true, ["false"] = false, ["null"] = json_null }) do
      if s:sub(at, at + #word - 1) == word then return value, at + #word end
    end
    return nil
  end
end

--- A whole JSON document, or nil.
local function json_decode(s)
  local value, at = json_value(s, 1, 0)
  if at == nil or s:find("[^ \t\r\n]", at) then return nil end
  return value
end

---------------------------------------------------------------------------------------------
-- The key log (PROTOCOL s.10): "DHLAB_CLIENT_TO_SERVER <first 16 bytes of y_c, hex> <key hex>".

local keylog = { path = nil, keys = {} }

local function load_keylog(path)
  keylog.path, keylog.keys = path, {}
  if not path or path == "" then return end
  local file = io.open(path, "r")
  if not file then return end
  for line in file:lines() do
    local label, id, key = line:match("^(DHLAB_[A-Z_]+) (%x+) (%x+)%s*$")
    if label and #key == 64 then
      local entry = keylog.keys[id:lower()] or {}
      if label == "DHLAB_CLIENT_TO_SERVER" then entry.c2s = from_hex(key) end
      if label == "DHLAB_SERVER_TO_CLIENT" then entry.s2c = from_hex(key) end
      keylog.keys[id:lower()] = entry
    end
  end
  file:close()
end

---------------------------------------------------------------------------------------------
-- The dissector.

local dhlab = Proto("dhlab", "dhlab chat protocol")
local f = {
  length = ProtoField.uint32("dhlab.length", "Length", base.DEC),
  type = ProtoField.string("dhlab.type", "Type"),
  seq = ProtoField.uint64("dhlab.seq", "Sequence number", base.DEC),
  name = ProtoField.string("dhlab.name", "Name"),
  group = ProtoField.string("dhlab.group", "Group"),
  y = ProtoField.string("dhlab.y", "Public value y (hex)"),
  host_key = ProtoField.string("dhlab.host_key", "Host key (hex)"),
  signature = ProtoField.string("dhlab.signature", "Signature of H (hex)"),
  box = ProtoField.string("dhlab.box", "Sealed box (base64)"),
  code = ProtoField.string("dhlab.code", "Error code"),
  message = ProtoField.string("dhlab.message", "Error message"),
  insecure = ProtoField.string("dhlab.insecure", "Announced weakenings"),
  plaintext = ProtoField.string("dhlab.plaintext", "Plaintext (opened with the key log)"),
  inner = ProtoField.string("dhlab.inner_type", "Inner type"),
  text = ProtoField.string("dhlab.text", "Text"),
  from = ProtoField.string("dhlab.from", "From"),
}
dhlab.fields = { f.length, f.type, f.seq, f.name, f.group, f.y, f.host_key, f.signature, f.box, f.code,
  f.message, f.insecure, f.plaintext, f.inner, f.text, f.from }

local e = {
  malformed = ProtoExpert.new("dhlab.malformed", "Not a dhlab frame: the payload is not a JSON object with a type",
    expert.group.MALFORMED, expert.severity.ERROR),
  tag = ProtoExpert.new("dhlab.tag_failed",
    "GCM tag does not verify under the logged key: the sealed box was changed on the way (or the key log is not this run's)",
    expert.group.SECURITY, expert.severity.WARN),
  order = ProtoExpert.new("dhlab.seq_out_of_order",
    "Sequence number out of order: a replayed, dropped or reordered frame (the receiver refuses it: ERR_DECRYPT)",
    expert.group.SEQUENCE, expert.severity.WARN),
  cbc = ProtoExpert.new("dhlab.cbc", "AES-CBC without a MAC (teaching mode): opened, but nothing can tell a changed frame",
    expert.group.SECURITY, expert.severity.NOTE),
  nokey = ProtoExpert.new("dhlab.no_key", "Sealed: the key log has no key for this connection",
    expert.group.DECRYPTION, expert.severity.NOTE),
}
dhlab.experts = { e.malformed, e.tag, e.order, e.cbc, e.nokey }

dhlab.prefs.keylog_file = Pref.string("Key log file", "",
  "The file dhlab's --keylog (or DHLAB_KEYLOGFILE) wrote: sealed frames are opened with its keys")

function dhlab.prefs_changed()
  load_keylog(dhlab.prefs.keylog_file)
end

local tcp_stream = Field.new("tcp.stream")

-- Per TCP stream: who the client is, the key log's id, the next seq each way (first pass).
local streams = {}
-- Per frame and offset, what the first pass decided (the GUI dissects a packet many times).
local seen = {}

local function stream_of(pinfo)
  local index = tcp_stream()
  local key = index and index.value or tostring(pinfo.src_port) .. "-" .. tostring(pinfo.dst_port)
  local s = streams[key]
  if not s then
    s = { next = { c2s = 0, s2c = 0 } }
    streams[key] = s
  end
  return s
end

local function shown(text, limit)
  text = tostring(text)
  if #text > limit then return text:sub(1, limit) .. "…" end
  return text
end

--- The Info column's words for an opened message, as the lab's frames pane writes them.
local function inner_summary(m)
  if type(m) ~= "table" then return "?" end
  local t = tostring(m.type)
  if t == "message" then return string.format('message #%s %s: "%s"', tostring(m.id), shown(m.from, 32), shown(m.text, 60)) end
  if t == "chat" then return string.format('chat "%s"', shown(m.text, 60)) end
  if t == "join" or t == "leave" then return t .. " " .. shown(m.name, 32) end
  if t == "batch" and type(m.events) == "table" then
    local parts = {}
    for i, event in ipairs(m.events) do
      if i > 3 then parts[#parts + 1] = "…"; break end
      parts[#parts + 1] = inner_summary(event)
    end
    return "batch [" .. table.concat(parts, "; ") .. "]"
  end
  if t == "bye" or t == "error" then return t .. " " .. tostring(m.code) end
  return t
end

local function add_inner(tree, range, m)
  if type(m) ~= "table" then return end
  tree:add(f.inner, range, tostring(m.type))
  if type(m.text) == "string" then tree:add(f.text, range, m.text) end
  if type(m.from) == "string" then tree:add(f.from, range, m.from) end
  if m.type == "batch" and type(m.events) == "table" then
    for _, event in ipairs(m.events) do
      local sub = tree:add(dhlab, range, "Event: " .. inner_summary(event))
      add_inner(sub, range, event)
    end
  end
end

--- A data frame: its seq checked against the order, its box opened with the key log.
local function dissect_data(frame, pinfo, tree, range, memo)
  local s = stream_of(pinfo)
  local dir = (s.client_port == pinfo.src_port) and "c2s" or "s2c"
  local seq = frame.seq
  if type(seq) ~= "number" then return "data (no seq)" end
  tree:add(f.seq, range, UInt64.new(seq % 4294967296, math.floor(seq / 4294967296)))
  if memo.expected == nil then
    memo.expected = s.next[dir]
    if seq == s.next[dir] then s.next[dir] = seq + 1 end
  end
  if seq ~= memo.expected then tree:add_proto_expert_info(e.order, "seq " .. seq .. ", expected " .. memo.expected) end
  local info = "data #" .. seq .. " " .. (range:len() + 4) .. " B"
  local entry = s.id and keylog.keys[s.id]
  local key = entry and entry[dir]
  local sealed = from_base64(frame.box)
  if not key or not sealed then
    if keylog.path and keylog.path ~= "" then tree:add_proto_expert_info(e.nokey) end
    return info
  end
  local nonce = string.rep("\0", 4) .. be64(seq)
  local plaintext = gcm_open(key, nonce, sealed, "dhlab/1 data " .. seq)
  local layout = ""
  if not plaintext then
    -- The AES-CBC teaching mode has no tag: its padding and its JSON are all that can say so.
    local cbc = cbc_open(key, sealed)
    local inner = cbc and json_decode(cbc)
    if type(inner) ~= "table" or type(inner.type) ~= "string" then
      tree:add_proto_expert_info(e.tag)
      return info .. " [tag does not verify]"
    end
    plaintext, layout = cbc, " (AES-CBC, no MAC: nothing checked it)"
    tree:add_proto_expert_info(e.cbc)
  end
  tree:add(f.plaintext, range, plaintext)
  local inner = json_decode(plaintext)
  add_inner(tree, range, inner)
  return "data #" .. seq .. " " .. inner_summary(inner) .. layout
end

local function dissect_frame(tvb, pinfo, tree)
  local length = tvb(0, 4):uint()
  local subtree = tree:add(dhlab, tvb(0, length + 4))
  subtree:add(f.length, tvb(0, 4))
  local range = tvb(4, length)
  local frame = json_decode(range:raw())
  if type(frame) ~= "table" or type(frame.type) ~= "string" then
    subtree:add_proto_expert_info(e.malformed)
    return length + 4, "malformed"
  end
  subtree:add(f.type, range, frame.type)
  local s = stream_of(pinfo)
  local key = tostring(pinfo.number) .. ":" .. tostring(tvb:offset())
  local memo = seen[key] or {}
  seen[key] = memo
  local t = frame.type
  local info = t
  if t == "hello" then
    s.client_port = s.client_port or pinfo.src_port
    subtree:add(f.name, range, tostring(frame.name))
    info = "hello " .. shown(frame.name, 32)
  elseif t == "server_key" then
    subtree:add(f.group, range, tostring(frame.group))
    subtree:add(f.y, range, tostring(frame.y))
    subtree:add(f.host_key, range, tostring(frame.host_key))
    if type(frame.insecure) == "table" then
      local words = {}
      for i, word in ipairs(frame.insecure) do words[i] = tostring(word) end
      subtree:add(f.insecure, range, table.concat(words, ", "))
    end
    info = "server_key " .. shown(frame.group, 20)
  elseif t == "client_key" then
    subtree:add(f.y, range, tostring(frame.y))
    local y = from_hex(frame.y)
    if y then s.id = to_hex(y:sub(1, 16)) end
  elseif t == "server_auth" then
    subtree:add(f.signature, range, tostring(frame.signature))
  elseif t == "error" then
    subtree:add(f.code, range, tostring(frame.code))
    subtree:add(f.message, range, tostring(frame.message))
    info = "error " .. shown(frame.code, 40)
  elseif t == "data" then
    subtree:add(f.box, range, tostring(frame.box))
    info = dissect_data(frame, pinfo, subtree, range, memo)
  end
  subtree:append_text(": " .. info)
  return length + 4, info
end

local info_of = {}

local function pdu_length(tvb, pinfo, offset)
  return tvb(offset, 4):uint() + 4
end

local function dissect_pdu(tvb, pinfo, tree)
  pinfo.cols.protocol = "dhlab"
  local consumed, info = dissect_frame(tvb, pinfo, tree)
  -- Several frames in one segment: their words in the order they sit, however often the
  -- packet is dissected again.
  local parts = info_of[pinfo.number] or {}
  info_of[pinfo.number] = parts
  parts[tvb:offset()] = info
  local offsets = {}
  for offset in pairs(parts) do offsets[#offsets + 1] = offset end
  table.sort(offsets)
  local words = {}
  for i, offset in ipairs(offsets) do words[i] = parts[offset] end
  pinfo.cols.info = table.concat(words, " | ")
  return consumed
end

function dhlab.dissector(tvb, pinfo, tree)
  if keylog.path ~= dhlab.prefs.keylog_file then load_keylog(dhlab.prefs.keylog_file) end
  dissect_tcp_pdus(tvb, tree, 4, pdu_length, dissect_pdu, true)
  return tvb:len()
end

--- dhlab on any port: a 4-byte length of at most 64 KiB, then `{"type":` (PROTOCOL s.2).
local function heuristic(tvb, pinfo, tree)
  if tvb:len() < 12 then return false end
  if tvb(0, 4):uint() > 65536 or tvb(4, 8):string() ~= '{"type":' then return false end
  pinfo.conversation = dhlab
  dhlab.dissector(tvb, pinfo, tree)
  return true
end

DissectorTable.get("tcp.port"):add(5068, dhlab)
dhlab:register_heuristic("tcp", heuristic)

---------------------------------------------------------------------------------------------
-- `-X lua_script1:selftest`: the cipher against FIPS-197 C.3 and SP 800-38D's GCM test cases.

local function selftest()
  local results = {}
  local function check(name, got, want)
    results[#results + 1] = (got == want and "ok " or "FAIL ") .. name
  end
  local key = from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
  check("FIPS-197 C.3 AES-256", to_hex(encrypt_block(expand_key(key), from_hex("00112233445566778899aabbccddeeff"))),
    "8ea2b7ca516745bfeafc49904b496089")
  check("FIPS-197 C.3 inverse cipher", to_hex(decrypt_block(expand_key(key), from_hex("8ea2b7ca516745bfeafc49904b496089"))),
    "00112233445566778899aabbccddeeff")
  local cbc_key = from_hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
  check("SP 800-38A F.2.6 CBC-AES256.Decrypt block 1",
    to_hex(xor_strings(decrypt_block(expand_key(cbc_key), from_hex("f58c4c04d6e5f1ba779eabfb5f7bfbd6")),
      from_hex("000102030405060708090a0b0c0d0e0f"))), "6bc1bee22e409f96e93d7e117393172a")
  local zero32 = string.rep("\0", 32)
  local iv0 = string.rep("\0", 12)
  check("GCM test case 13 (empty)", to_hex(gcm_seal(zero32, iv0, "", "")), "530f8afbc74536b9a963b4f1c4cb738b")
  check("GCM test case 14", to_hex(gcm_seal(zero32, iv0, string.rep("\0", 16), "")),
    "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919")
  local k16 = from_hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
  local iv16 = from_hex("cafebabefacedbaddecaf888")
  local p16 = from_hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
  local a16 = from_hex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
  check("GCM test case 16", to_hex(gcm_seal(k16, iv16, p16, a16)),
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
      .. "76fc6ece0f4e1768cddf8853bb2d551b")
  check("GCM open of test case 16", gcm_open(k16, iv16, gcm_seal(k16, iv16, p16, a16), a16), p16)
  check("GCM open refuses a flipped bit", tostring(gcm_open(k16, iv16, "\1" .. gcm_seal(k16, iv16, p16, a16):sub(2), a16)), "nil")
  check("JSON with escapes", (json_decode('{"t":"a\\u00e9\\ud83d\\ude00\\n","n":[1,2]}') or {}).t, "a\195\169\240\159\152\128\n")
  check("base64", from_base64("aGVsbG8="), "hello")
  for _, line in ipairs(results) do print("dhlab selftest: " .. line) end
end

local script_args = { ... }
if script_args[1] == "selftest" then selftest() end
