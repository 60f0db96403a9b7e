import { describe, expect, it } from 'vitest';
import { withRecent } from '@/app/(inbox)/(conversations)/conversations/[id]/use-live-messages';
import type { ApiMessage } from '@/lib/contracts/inbox';
import { OpenThreads } from '@/lib/realtime/open-threads';

// What an open thread shows before its refetch is answered, and which threads the server takes as open.

const message = (id: string, status: ApiMessage['status'] = 'delivered'): ApiMessage => ({ id, status }) as ApiMessage;
const shown = (messages: ApiMessage[]) => messages.map((m) => `${m.id}:${m.status}`);

describe('withRecent', () => {
  it('puts a newer copy of a loaded message in its place, and new ones after the pages', () => {
    const loaded = [message('a'), message('b'), message('c')];
    const merged = withRecent(loaded, [message('d', 'pending'), message('b', 'read'), message('e')]);
    expect(shown(merged)).toEqual(['a:delivered', 'b:read', 'c:delivered', 'd:pending', 'e:delivered']);
  });

  it('shows each message once, and the pages as they are when nothing came', () => {
    const loaded = [message('a'), message('b')];
    expect(withRecent(loaded, [])).toBe(loaded);
    expect(shown(withRecent(loaded, [message('a', 'read')]))).toEqual(['a:read', 'b:delivered']);
  });
});

describe('OpenThreads', () => {
  it('takes a thread as open for a while after its page was read', () => {
    let now = 0;
    const threads = new OpenThreads({ ttlMs: 1000, now: () => now });
    threads.touch(1);
    now = 600;
    threads.touch(2);
    expect(threads.openAmong([1, 2, 3])).toEqual([1, 2]);
    now = 1200;
    expect(threads.openAmong([1, 2, 3])).toEqual([2]);
    threads.touch(1);
    expect(threads.openAmong([1, 2])).toEqual([1, 2]);
  });

  it('forgets the least recently read threads beyond its bound', () => {
    const threads = new OpenThreads({ max: 2 });
    threads.touch(1);
    threads.touch(2);
    threads.touch(1);
    threads.touch(3);
    expect(threads.openAmong([1, 2, 3])).toEqual([1, 3]);
  });
});
