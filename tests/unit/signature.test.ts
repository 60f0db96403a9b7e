import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '@/lib/whatsapp/signature';

const SECRET = 'app-secret-current';
const OLD = 'app-secret-previous';
// Meta's bytes: spacing, key order and escapes that JSON.stringify would not reproduce.
const raw = Buffer.from('{"object": "whatsapp_business_account",\n "entry": [{"id": "1", "text": "caf\\u00e9 \\/ ok"}]}');
const hmac = (body: Uint8Array | string, secret: string) => createHmac('sha256', secret).update(body).digest('hex');

describe('X-Hub-Signature-256', () => {
  it('accepts sha256=<hex HMAC of the exact bytes>', () => {
    expect(verifySignature(raw, `sha256=${hmac(raw, SECRET)}`, [SECRET])).toEqual({ ok: true });
    expect(signBody(raw, SECRET)).toBe(`sha256=${hmac(raw, SECRET)}`);
  });

  it('accepts uppercase hex', () => {
    expect(verifySignature(raw, `sha256=${hmac(raw, SECRET).toUpperCase()}`, [SECRET]).ok).toBe(true);
  });

  it('refuses a signature made with another secret', () => {
    expect(verifySignature(raw, signBody(raw, 'somebody-else'), [SECRET])).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('accepts the old and the new secret during a rotation, and neither after it', () => {
    expect(verifySignature(raw, signBody(raw, OLD), [SECRET, OLD]).ok).toBe(true);
    expect(verifySignature(raw, signBody(raw, SECRET), [SECRET, OLD]).ok).toBe(true);
    expect(verifySignature(raw, signBody(raw, OLD), [SECRET]).ok).toBe(false);
  });

  it('refuses a signature over the re-serialized JSON (the spec snippet bug)', () => {
    const reserialized = JSON.stringify(JSON.parse(raw.toString()));
    expect(reserialized).not.toBe(raw.toString());
    expect(verifySignature(raw, signBody(reserialized, SECRET), [SECRET])).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a body changed by one byte', () => {
    const tampered = Buffer.from(raw);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 3) ^ 1, tampered.length - 3);
    expect(verifySignature(tampered, signBody(raw, SECRET), [SECRET]).ok).toBe(false);
  });

  it.each([
    ['missing', undefined, 'missing'],
    ['empty', '', 'missing'],
    ['without the prefix', hmac(raw, SECRET), 'malformed'],
    ['sha1', `sha1=${createHmac('sha1', SECRET).update(raw).digest('hex')}`, 'malformed'],
    ['too short: a length mismatch must not throw', `sha256=${hmac(raw, SECRET).slice(0, 63)}`, 'malformed'],
    ['too long', `sha256=${hmac(raw, SECRET)}00`, 'malformed'],
    ['not hex (Buffer.from would stop early)', `sha256=${hmac(raw, SECRET).slice(0, 60)}zzzz`, 'malformed'],
    ['padded with spaces', ` sha256=${hmac(raw, SECRET)}`, 'malformed'],
  ] as const)('refuses a signature that is %s, without throwing', (_label, header, reason) => {
    expect(verifySignature(raw, header, [SECRET])).toEqual({ ok: false, reason });
  });

  it('fails closed when no secret is configured', () => {
    expect(verifySignature(raw, signBody(raw, ''), [])).toEqual({ ok: false, reason: 'no_secret' });
  });
});
