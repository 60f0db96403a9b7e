import { describe, expect, it } from 'vitest';
import { linkify } from '@/lib/inbox/linkify';

// A customer's message is rendered in every agent's browser: no body may make linkify slow. The
// bodies below took seconds (some minutes) with a trim that recounted brackets per trailing character.

const KB = 1024;

function timed<T>(fn: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = fn();
  return { result, ms: performance.now() - start };
}

describe('linkify on adversarial bodies (64 KB)', () => {
  const bodies: [string, string][] = [
    ['unbalanced closers', `https://a.b/${')'.repeat(64 * KB)}`],
    ['balanced brackets', `https://a.b/${'('.repeat(32 * KB)}${')'.repeat(32 * KB)}`],
    ['closers of every kind', `https://a.b/${')]}'.repeat((64 * KB) / 3)}`],
    ['closers between punctuation', `https://a.b/${').'.repeat(32 * KB)}`],
    ['one opener, many closers', `https://a.b/(${')'.repeat(64 * KB)}`],
    ['a www. host with closers', `www.a.b/${')'.repeat(64 * KB)}`],
    ['many URLs', 'https://a.b/) '.repeat((64 * KB) / 14)],
    ['many near-URLs', 'http:/'.repeat((64 * KB) / 6)],
    ['many www. fragments', 'www.'.repeat(16 * KB)],
  ];

  // Warm up the regex and the JIT so the bound measures the algorithm, not the first call.
  linkify('https://a.b/(x)) www.c.d.');

  // Linear takes a few milliseconds here (0–25 ms per body on an idle 2-core machine); the quadratic trim
  // took 28–38 s. The bound sits far between the two, on the best of three runs, so a busy machine cannot
  // fail it and a quadratic trim cannot pass it.
  for (const [name, body] of bodies) {
    it(`${name}: in linear time (far under a second)`, () => {
      const runs = [1, 2, 3].map(() => timed(() => linkify(body)));
      expect(runs[0]!.result.map((s) => s.text).join('')).toBe(body);
      expect(Math.min(...runs.map((r) => r.ms))).toBeLessThan(1000);
    });
  }

  it('still trims what it trimmed before', () => {
    const [first] = linkify(`https://a.b/${')'.repeat(64 * KB)}`);
    expect(first).toEqual({ kind: 'link', text: 'https://a.b/', href: 'https://a.b/' });
    const balanced = `https://a.b/${'('.repeat(32 * KB)}${')'.repeat(32 * KB)}`;
    expect(linkify(`${balanced}).`)).toEqual([
      { kind: 'link', text: balanced, href: balanced },
      { kind: 'text', text: ').' },
    ]);
    expect(linkify(`https://a.b/(${')'.repeat(5)}`)[0]).toEqual({ kind: 'link', text: 'https://a.b/()', href: 'https://a.b/()' });
    expect(linkify('(see https://x.y/a_(b)], ok.')).toEqual([
      { kind: 'text', text: '(see ' },
      { kind: 'link', text: 'https://x.y/a_(b)', href: 'https://x.y/a_(b)' },
      { kind: 'text', text: '], ok.' },
    ]);
    expect(linkify('[https://x.y/{a}]!?')[1]).toEqual({ kind: 'link', text: 'https://x.y/{a}', href: 'https://x.y/{a}' });
    expect(linkify('https://x.y/a.,;:!?*_~')[0]).toEqual({ kind: 'link', text: 'https://x.y/a', href: 'https://x.y/a' });
  });
});
