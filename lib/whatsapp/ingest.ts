import { createHash } from 'node:crypto';
import type { Db } from '@/db/client';
import { insertRawEvents, type RawEventInput } from '@/db/queries/webhook-events';
import { recognisedAcrossBundles } from '@/lib/bundle-identity';
import { describeError } from '@/lib/log';

// Commits raw webhook bodies durably before the 200 goes out, with group commit: bodies that arrive
// while a write is in flight go together in the next INSERT. Under load that turns N round-trips and
// N fsyncs into a few, and at rest a lone webhook still goes out at once.

export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    // Not drizzle's own error, whose message lists the query's parameters: the raw bodies of the whole
    // batch. The driver's error underneath says what went wrong (and keeps its code).
    super(`database unavailable: ${describeError(cause)}`, { cause: innermostCause(cause) });
    this.name = 'DatabaseUnavailableError';
  }
}
// Thrown by the app's RawEventLog, told apart by the webhook route: lib/bundle-identity.ts.
recognisedAcrossBundles(DatabaseUnavailableError, 'DatabaseUnavailableError');

function innermostCause(err: unknown): unknown {
  let e = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e;
}

export interface IngestResult {
  /** False when this exact body was stored before (a retry from Meta). */
  isNew: boolean;
}

interface Waiting extends RawEventInput {
  resolve(result: IngestResult): void;
  reject(err: Error): void;
  settled: boolean;
}

export interface RawEventLogOptions {
  /** Give up waiting after this long: the caller answers 503 and Meta retries. */
  timeoutMs: number;
  maxBatch?: number;
  /** Writes in flight at once; the next batch fills up behind them. */
  maxInFlight?: number;
  /** Called after each commit that stored new events. */
  onCommitted?: (newEventIds: number[]) => void;
}

export class RawEventLog {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly db: Db,
    private readonly options: RawEventLogOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  /** Resolves once the body is committed; rejects with DatabaseUnavailableError if it could not be. */
  append(body: Uint8Array, receivedAt = new Date()): Promise<IngestResult> {
    const sha256 = createHash('sha256').update(body).digest();
    return new Promise<IngestResult>((resolve, reject) => {
      const waiting: Waiting = { body, sha256, receivedAt, resolve, reject, settled: false };
      const timer = setTimeout(() => {
        if (waiting.settled) return;
        waiting.settled = true;
        // If the write still commits later, Meta's retry is recognized as a duplicate: nothing doubles.
        reject(new DatabaseUnavailableError(new Error(`no commit within ${this.options.timeoutMs} ms`)));
      }, this.options.timeoutMs);
      waiting.resolve = (r) => {
        clearTimeout(timer);
        if (waiting.settled) return;
        waiting.settled = true;
        resolve(r);
      };
      waiting.reject = (e) => {
        clearTimeout(timer);
        if (waiting.settled) return;
        waiting.settled = true;
        reject(e);
      };
      this.queue.push(waiting);
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.flush();
      });
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    // The same body twice in one batch: store it once, answer both.
    const unique = new Map<string, Waiting>();
    for (const w of batch) if (!w.settled) unique.set(Buffer.from(w.sha256).toString('hex'), w);
    if (unique.size === 0) return;
    try {
      const inserted = await insertRawEvents(this.db, [...unique.values()]);
      const fresh = new Set(inserted.map((r) => Buffer.from(r.sha256).toString('hex')));
      for (const [hex, w] of unique) w.resolve({ isNew: fresh.has(hex) });
      // Duplicates within the batch share their twin's answer: a retry, not new.
      for (const w of batch) w.resolve({ isNew: false });
      if (inserted.length > 0) this.options.onCommitted?.(inserted.map((r) => r.id));
    } catch (err) {
      const error = new DatabaseUnavailableError(err);
      for (const w of batch) w.reject(error);
    }
  }
}
