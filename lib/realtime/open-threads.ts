// Which conversations someone has open on this instance, as far as it can tell: a browser showing a
// thread reads its newest page on opening it and after every change, here or on another instance.
// The change hub sends the new messages of these threads along with the notice, so the page shows them
// without waiting for its refetch; notices about threads nobody reads cost nothing more.
// A guess, and safe either way: a thread missed here is simply refetched, as before.

/** A thread not read for this long is taken as closed (the next change makes its page read it again). */
export const OPEN_THREAD_TTL_MS = 30 * 60_000;
/** Bounds the memory: the least recently read threads go first. */
export const MAX_OPEN_THREADS = 2_000;

export class OpenThreads {
  /** Conversation id → when its newest page was last read; in order of reading (a Map keeps insertion order). */
  private readonly readAt = new Map<number, number>();

  constructor(private readonly options: { ttlMs?: number; max?: number; now?: () => number } = {}) {}

  /** Its newest page was just read. */
  touch(conversationId: number): void {
    this.readAt.delete(conversationId);
    this.readAt.set(conversationId, this.now());
    const max = this.options.max ?? MAX_OPEN_THREADS;
    for (const oldest of this.readAt.keys()) {
      if (this.readAt.size <= max) break;
      this.readAt.delete(oldest);
    }
  }

  /** Those of `conversationIds` that someone read lately. */
  openAmong(conversationIds: readonly number[]): number[] {
    const since = this.now() - (this.options.ttlMs ?? OPEN_THREAD_TTL_MS);
    return conversationIds.filter((id) => (this.readAt.get(id) ?? Number.NEGATIVE_INFINITY) >= since);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
