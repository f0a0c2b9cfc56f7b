// The output gate (src/terminal/output.ts): the only writer to stdout and stderr. What reaches the
// real streams is read at their write(), the bytes the terminal would get.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  cursor,
  exitQuietlyOnBrokenPipe,
  exitWhenFlushed,
  print,
  printError,
  printJson,
  printStyled,
  readlineOutput,
  stdoutFlow,
  terminal,
  writeStyled,
} from '../../src/terminal/output.ts';
import { HOSTILE_STRINGS } from '../support/hostile-corpus.ts';

type Stream = NodeJS.WriteStream;

/** Runs `action` with `stream`'s writes recorded (and answered with `accept`), then restores it. */
function written(stream: Stream, action: () => unknown, accept = true): { text: string; returned: unknown } {
  const chunks: string[] = [];
  const original = stream.write;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return accept;
  }) as Stream['write'];
  try {
    const returned = action();
    return { text: chunks.join(''), returned };
  } finally {
    stream.write = original;
  }
}

// Any C0 or C1 control, DEL, bidi control, separator or lone surrogate: what a terminal obeys.
const OBEYED = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]|\p{Cs}/u;

describe('the output gate', () => {
  it('print and printError: one line each, every control escaped, line breaks kept', () => {
    assert.equal(written(process.stdout, () => print('a\x1b[2Jb\nc\u202ed')).text, 'a\\x1b[2Jb\nc\\u202ed\n');
    assert.equal(written(process.stderr, () => printError('e\rf\ng\x07')).text, 'e\\rf\ng\\x07\n');
    assert.equal(written(process.stdout, () => printError('x')).text, '', 'printError writes to stderr only');
    assert.equal(written(process.stderr, () => print('x')).text, '', 'print writes to stdout only');
  });

  it('property: whatever the text, nothing a terminal obeys reaches stdout or stderr but the newlines', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(...HOSTILE_STRINGS)), (text) => {
        for (const [stream, write, styled] of [
          [process.stdout, () => print(text), false],
          [process.stderr, () => printError(text), false],
          [process.stdout, () => printStyled(text), true],
          [process.stderr, () => printStyled(text, 'stderr'), true],
          [process.stdout, () => writeStyled(text), true],
        ] as const) {
          const out = written(stream, write).text.replace(/\n/g, '');
          // The styled forms keep dhlab's own colour codes (SGR) and nothing else.
          // eslint-disable-next-line no-control-regex -- SGR is the one sequence allowed
          assert.doesNotMatch(styled ? out.replace(/\x1b\[[0-9;]*m/g, '') : out, OBEYED, JSON.stringify(text));
          // Text without controls passes unchanged: the gate shows, it does not rewrite.
          if (!OBEYED.test(text)) assert.equal(out, text.replace(/\n/g, ''));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("printStyled keeps dhlab's own colours on the stream asked for; writeStyled adds no newline and reports backpressure", () => {
    assert.equal(
      written(process.stdout, () => printStyled('\x1b[31mred\x1b[0m \x1b]0;t\x07')).text,
      '\x1b[31mred\x1b[0m \\x1b]0;t\\x07\n',
    );
    assert.equal(
      written(process.stderr, () => printStyled('\x1b[2mdim\x1b[0m\nnext', 'stderr')).text,
      '\x1b[2mdim\x1b[0m\nnext\n',
    );
    assert.equal(written(process.stdout, () => printStyled('x', 'stderr')).text, '');
    const styled = written(process.stdout, () => writeStyled('\x1b[1mb\x1b[0m\x1b[2J'), false);
    assert.equal(styled.text, '\x1b[1mb\x1b[0m\\x1b[2J');
    assert.equal(styled.returned, false);
    assert.equal(written(process.stdout, () => writeStyled('ok')).returned, true);
  });

  it('printJson: one line per value that parses back, escaped for a terminal, with the write result', () => {
    const value = { text: 'a\u202eb\x9b\u2028', n: 1 };
    const out = written(process.stdout, () => printJson(value), false);
    assert.equal(out.text, '{"text":"a\\u202eb\\u009b\\u2028","n":1}\n');
    assert.deepEqual(JSON.parse(out.text), value);
    assert.equal(out.returned, false);
    assert.equal(written(process.stdout, () => stdoutFlow.writeJson([1])).text, '[1]\n');
    assert.equal(written(process.stdout, () => stdoutFlow.writeJson([1])).returned, true);
  });

  it("stdoutFlow waits for stdout's drain", () => {
    let drained = 0;
    stdoutFlow.onceDrain(() => drained++);
    process.stdout.emit('drain');
    process.stdout.emit('drain');
    assert.equal(drained, 1);
  });

  it('the cursor moves with ECMA-48 sequences on stdout', () => {
    assert.equal(written(process.stdout, () => cursor.clearLine()).text, '\x1b[2K');
    assert.equal(written(process.stdout, () => cursor.to(3)).text, '\x1b[4G');
    assert.equal(written(process.stdout, () => cursor.move(0, -2)).text, '\x1b[2A');
    assert.equal(written(process.stdout, () => cursor.clearDown()).text, '\x1b[0J');
    assert.equal(readlineOutput(), process.stdout);
  });

  it('terminal: what the CLI knows of its terminal, with 80x24 when it is not one', () => {
    const saved = {
      outTTY: process.stdout.isTTY,
      inTTY: process.stdin.isTTY,
      columns: process.stdout.columns,
      rows: process.stdout.rows,
      errColumns: process.stderr.columns,
    };
    const set = (stream: NodeJS.ReadStream | NodeJS.WriteStream, key: string, value: unknown) =>
      Object.defineProperty(stream, key, { value, configurable: true, writable: true });
    try {
      for (const [outTTY, inTTY] of [
        [true, true],
        [true, false],
        [false, true],
        [undefined, undefined],
      ] as const) {
        set(process.stdout, 'isTTY', outTTY);
        set(process.stdin, 'isTTY', inTTY);
        assert.equal(terminal.interactive, outTTY === true && inTTY === true, `${outTTY} ${inTTY}`);
        assert.equal(terminal.stdoutIsTTY, outTTY === true);
      }
      set(process.stdout, 'columns', undefined);
      set(process.stdout, 'rows', undefined);
      set(process.stderr, 'columns', undefined);
      assert.deepEqual([terminal.columns, terminal.rows, terminal.stderrColumns], [80, 24, 80]);
      set(process.stdout, 'columns', 132);
      set(process.stdout, 'rows', 50);
      set(process.stderr, 'columns', 100);
      assert.deepEqual([terminal.columns, terminal.rows, terminal.stderrColumns], [132, 50, 100]);
    } finally {
      set(process.stdout, 'isTTY', saved.outTTY);
      set(process.stdin, 'isTTY', saved.inTTY);
      set(process.stdout, 'columns', saved.columns);
      set(process.stdout, 'rows', saved.rows);
      set(process.stderr, 'columns', saved.errColumns);
    }
  });

  it('a reader that went away (EPIPE) ends the process quietly with 0; any other error is thrown', () => {
    const stream = new EventEmitter();
    const exits: number[] = [];
    exitQuietlyOnBrokenPipe(stream, (code) => void exits.push(code));
    stream.emit('error', Object.assign(new Error('broken'), { code: 'EPIPE' }));
    assert.deepEqual(exits, [0]);
    assert.throws(() => stream.emit('error', Object.assign(new Error('disk'), { code: 'EIO' })), /disk/);
    assert.deepEqual(exits, [0]);
  });

  it('exitWhenFlushed exits with the code only once every stream has written what it held', async () => {
    const streams = [new PassThrough(), new PassThrough()];
    streams[1]?.cork(); // stderr still holds a line
    const exits: number[] = [];
    const done = exitWhenFlushed(3, streams, ((code: number) => {
      exits.push(code);
      return undefined as never;
    }) as (code: number) => never);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(exits, [], 'not before the corked stream flushed');
    streams[1]?.uncork();
    await done;
    assert.deepEqual(exits, [3]);
    assert.deepEqual(
      streams.map((stream) => stream.read()),
      [null, null],
      'it adds nothing to what was printed',
    );
  });

  it('by default exitWhenFlushed waits for both stdout and stderr', async () => {
    const held: Array<() => void> = [];
    const originals = [process.stdout.write, process.stderr.write] as const;
    // Only the gate's empty flush writes are held: the test runner reports through stdout too.
    for (const [i, stream] of [process.stdout, process.stderr].entries()) {
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        if (chunk !== '')
          return (originals[i] as NodeJS.WriteStream['write']).call(stream, chunk as string, ...(rest as []));
        if (callback) held.push(callback);
        return true;
      }) as NodeJS.WriteStream['write'];
    }
    try {
      const exits: number[] = [];
      const done = exitWhenFlushed(4, undefined, ((code: number) => {
        exits.push(code);
        return undefined as never;
      }) as (code: number) => never);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(held.length, 2, 'one flush per stream');
      assert.deepEqual(exits, []);
      held.splice(0).forEach((release) => release());
      await done;
      assert.deepEqual(exits, [4]);
    } finally {
      [process.stdout.write, process.stderr.write] = originals;
    }
  });
});
