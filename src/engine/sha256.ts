import * as crypto from 'node:crypto';

type OneShotHash = (algorithm: string, data: string, outputEncoding: 'hex') => string;

/**
 * Node's one-shot `crypto.hash` (Node 20.12 and later) is about three times faster than a
 * `createHash` object for short strings, and a reimport hashes every finding two or three times
 * (hash code, fingerprint, line hash). VS Code's extension host may run an older Node, so the
 * object form stays as the fallback; both encode the text as UTF-8, so the digests are equal.
 */
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

/** SHA-256 of `text` encoded as UTF-8, as lowercase hex. */
export const sha256Hex: (text: string) => string = oneShot
  ? (text) => oneShot('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
