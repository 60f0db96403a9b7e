// Many callers' writes in one transaction: each caller hands in its item and waits for the commit; items
// that arrive while a write is in flight go together in the next one. Alone, an item is written at once;
// under load one commit serves many, and every statement saved is a round trip to the database, which is
// what a busy instance runs short of. A batch that fails is written again item by item, so one item's
// trouble (or a deadlock with another transaction) costs no other item its write.

interface Waiting<T> {
  item: T;
  resolve(): void;
  reject(err: unknown): void;
}

export class GroupCommit<T> {
  private waiting: Waiting<T>[] = [];
  private writing = false;
  private lastWriteEnded = Number.NEGATIVE_INFINITY;
  private lingering: NodeJS.Timeout | null = null;

  /**
   * `lingerMs`: under load, a write starts at least this long after the last one ended, so more items share
   * it (fewer transactions, each with a commit to wait for). An item that comes after a quiet spell, or
   * that fills a batch, is written at once.
   */
  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly options: { maxBatch?: number; lingerMs?: number } = {},
  ) {}

  /** Resolves once `item` is committed; rejects with the error of its own write. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    if (this.writing || this.waiting.length === 0) return;
    const { maxBatch = 256, lingerMs = 0 } = this.options;
    if (this.waiting.length < maxBatch) {
      if (this.lingering) return;
      const wait = this.lastWriteEnded + lingerMs - performance.now();
      if (wait > 0) {
        this.lingering = setTimeout(() => {
          this.lingering = null;
          this.flush();
        }, wait);
        return;
      }
    }
    if (this.lingering) clearTimeout(this.lingering);
    this.lingering = null;
    this.writing = true;
    const batch = this.waiting.splice(0, maxBatch);
    void this.writeBatch(batch).finally(() => {
      this.writing = false;
      this.lastWriteEnded = performance.now();
      this.flush();
    });
  }

  private async writeBatch(batch: Waiting<T>[]): Promise<void> {
    try {
      await this.write(batch.map((w) => w.item));
      for (const w of batch) w.resolve();
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
    }
    for (const w of batch) {
      try {
        await this.write([w.item]);
        w.resolve();
      } catch (err) {
        w.reject(err);
      }
    }
  }
}
