import { createHmac, timingSafeEqual } from 'node:crypto';

// Meta signs the exact bytes it sends: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`.
// Verify those bytes, never a re-serialization of the parsed JSON (key order, escapes and spacing differ).

const SIGNATURE_SHAPE = /^sha256=[0-9a-fA-F]{64}$/;

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'no_secret' };

export function signBody(body: Uint8Array | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type SignatureHeader = { ok: true; digest: Buffer } | { ok: false; reason: 'missing' | 'malformed' | 'no_secret' };

/**
 * The digest the header claims, if a body could match it at all: judged before any byte of the body is
 * read, so a request that can never be valid is refused without buffering it.
 */
export function readSignatureHeader(header: string | null | undefined, secrets: readonly string[]): SignatureHeader {
  if (secrets.length === 0) return { ok: false, reason: 'no_secret' };
  if (!header) return { ok: false, reason: 'missing' };
  // Checking the shape first matters: Buffer.from(hex) stops silently at the first non-hex character,
  // and timingSafeEqual throws when lengths differ.
  if (!SIGNATURE_SHAPE.test(header)) return { ok: false, reason: 'malformed' };
  return { ok: true, digest: Buffer.from(header.slice(7).toLowerCase(), 'hex') };
}

/** Constant-time check of the body against every configured secret (several during a rotation). */
export function signatureMatches(body: Uint8Array, digest: Buffer, secrets: readonly string[]): boolean {
  let match = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(body).digest();
    // No early exit: the time taken does not reveal which secret matched.
    if (timingSafeEqual(digest, expected)) match = true;
  }
  return match;
}

/** The header and the body together. Never throws. */
export function verifySignature(body: Uint8Array, header: string | null | undefined, secrets: readonly string[]): SignatureCheck {
  const signed = readSignatureHeader(header, secrets);
  if (!signed.ok) return signed;
  return signatureMatches(body, signed.digest, secrets) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
