/**
 * The fixed DER around a raw Ed25519 key (RFC 8410 s.7 and s.4): a 32-byte seed in a PKCS#8
 * PrivateKeyInfo, a 32-byte public key in a SubjectPublicKeyInfo. Host key files are the first.
 */
export const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
export const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
