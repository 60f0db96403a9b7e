import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, TOO_DEEP, safeJson, safeText } from '@/lib/whatsapp/sanitize';

const FFFD = '\ufffd';

/** What Postgres would reject: NUL or a lone surrogate anywhere in the JSON text. */
function hasUnsafeText(v: unknown): boolean {
  const json = JSON.stringify(v);
  // JSON.stringify escapes lone surrogates as \udXXX and NUL as \u0000 (a real pair stays raw).
  return /\\u0000|\\ud[89a-f][0-9a-f]{2}/i.test(json);
}

describe('safeText', () => {
  it('returns the very same string when nothing needs fixing', () => {
    const s = 'Hola! ¿Tienen envío? 👍🏽 中文';
    expect(safeText(s)).toBe(s);
    expect(safeText('')).toBe('');
  });

  it('replaces NUL with U+FFFD', () => {
    expect(safeText('a\u0000b\u0000')).toBe(`a${FFFD}b${FFFD}`);
  });

  it('replaces a lone high surrogate, a lone low surrogate and a reversed pair', () => {
    expect(safeText('x\ud800y')).toBe(`x${FFFD}y`);
    expect(safeText('x\udc00y')).toBe(`x${FFFD}y`);
    expect(safeText('\udc00\ud800')).toBe(`${FFFD}${FFFD}`);
    expect(safeText('end\ud83d')).toBe(`end${FFFD}`);
  });

  it('keeps real surrogate pairs (emoji) next to broken ones', () => {
    expect(safeText('👍\ud800👎\u0000')).toBe(`👍${FFFD}👎${FFFD}`);
  });

  it('fixes what JSON.parse makes of escaped NUL and lone surrogates', () => {
    const parsed = JSON.parse('"nul:\\u0000 lone:\\ud800 low:\\udfff pair:\\ud83d\\udc4d"') as string;
    expect(safeText(parsed)).toBe(`nul:${FFFD} lone:${FFFD} low:${FFFD} pair:👍`);
  });
});

describe('safeJson', () => {
  it('passes primitives through and fixes a top-level string', () => {
    expect(safeJson(null)).toBe(null);
    expect(safeJson(undefined)).toBe(undefined);
    expect(safeJson(42)).toBe(42);
    expect(safeJson(true)).toBe(true);
    expect(safeJson('a\u0000')).toBe(`a${FFFD}`);
  });

  it('returns the same object when nothing needs fixing (no copy on the hot path)', () => {
    const v = { a: [1, 'two', { three: 'drei 👍' }], b: null };
    expect(safeJson(v)).toBe(v);
  });

  it('fixes strings at any depth, in arrays and in object keys', () => {
    const v = JSON.parse(
      '{"text":{"body":"hi\\u0000"},"list":["ok","\\ud800"],"k\\udc00ey":{"deep":[[{"x":"\\u0000"}]]},"n":5}',
    ) as unknown;
    const result = safeJson(v);
    expect(result).toEqual({
      text: { body: `hi${FFFD}` },
      list: ['ok', FFFD],
      [`k${FFFD}ey`]: { deep: [[{ x: FFFD }]] },
      n: 5,
    });
    expect(hasUnsafeText(result)).toBe(false);
  });

  it('does not modify its input', () => {
    const v = JSON.parse('{"a":"\\u0000","b":["\\ud800"]}') as { a: string; b: string[] };
    safeJson(v);
    expect(v.a).toBe('\u0000');
    expect(v.b[0]).toBe('\ud800');
  });

  it('keeps a "__proto__" key as a plain key instead of setting the prototype', () => {
    const v = JSON.parse('{"__proto__":{"polluted":"yes"},"x":"\\u0000"}') as unknown;
    const result = safeJson(v) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['__proto__', 'x']);
    expect(result.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives nesting far deeper than the call stack, cutting it at MAX_JSON_DEPTH', () => {
    const depth = 200_000;
    const deep = JSON.parse(`${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}`) as unknown;
    let cursor = safeJson(deep);
    for (let i = 0; i < MAX_JSON_DEPTH; i++) cursor = (cursor as unknown[])[0];
    expect(cursor).toBe(TOO_DEEP);

    const clean = JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown;
    expect(() => JSON.stringify(safeJson(clean))).not.toThrow();
  });

  it('terminates on cyclic structures', () => {
    const v: Record<string, unknown> = { name: 'x\u0000' };
    v.self = v;
    const result = safeJson(v) as Record<string, unknown>;
    expect(result.name).toBe(`x${FFFD}`);
    expect(result.self).toBe(result);

    const cleanCycle: Record<string, unknown> = { ok: true };
    cleanCycle.self = cleanCycle;
    expect(safeJson(cleanCycle)).toBe(cleanCycle);
  });

  it('leaves non-JSON objects such as Dates alone', () => {
    const when = new Date(0);
    const result = safeJson({ when, s: '\u0000' }) as { when: Date; s: string };
    expect(result.when).toBe(when);
    expect(result.s).toBe(FFFD);
  });
});

describe('deeply nested values', () => {
  it('cuts nesting past MAX_JSON_DEPTH so JSON.stringify and jsonb can take it', () => {
    const deep = JSON.parse(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)},"b":"kept"}`);
    const safe = safeJson(deep) as { a: unknown; b: string };
    expect(safe.b).toBe('kept');
    expect(() => JSON.stringify(safe)).not.toThrow();
    let depth = 0;
    let v: unknown = safe;
    while (typeof v === 'object' && v !== null) {
      v = Array.isArray(v) ? v[0] : (v as { a: unknown }).a;
      depth++;
    }
    expect(depth).toBe(MAX_JSON_DEPTH);
    expect(v).toBe(TOO_DEEP);
  });

  it('leaves ordinary nesting untouched and returns the same object', () => {
    const body = { a: [{ b: { c: [1, 2, { d: 'x' }] } }] };
    expect(safeJson(body)).toBe(body);
  });
});
