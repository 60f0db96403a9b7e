import { describe, expect, it } from 'vitest';
import { exportProgressReader } from '@/lib/privacy/export-progress';

// The admin export page's progress, from NDJSON chunks cut anywhere.

describe('exportProgressReader', () => {
  it('reads the total from the header, counts messages across chunk boundaries, and sees the end', () => {
    const text = [
      JSON.stringify({ kind: 'export', exportedAt: 'x', from: 'a', to: 'b', total: 3 }),
      ...[1, 2, 3].map((n) => JSON.stringify({ kind: 'message', message: { id: String(n), text: 'a\\nb' } })),
      JSON.stringify({ kind: 'end', count: 3 }),
    ].join('\n');
    const reader = exportProgressReader();
    const seen = [];
    for (let i = 0; i < text.length; i += 17) seen.push(reader.push(text.slice(i, i + 17)));
    expect(seen.at(-1)).toEqual({ total: 3, received: 3, complete: false });
    expect(reader.push('\n')).toEqual({ total: 3, received: 3, complete: true });
    expect(seen[0]).toEqual({ total: null, received: 0, complete: false });
  });
});
