import type { Database } from '@/db/client';
import { log } from '@/lib/log';
import { CHANGES_CHANNEL, decodeChange, type ChangeNotice } from './changes';

// One LISTEN per process, fanned out to every open event stream. The processor (this instance's or
// any other's on the same database) NOTIFYs after each commit, so every browser hears of every change.

export type ChangeListener = (notice: ChangeNotice) => void;

export class ChangeHub {
  private readonly listeners = new Set<ChangeListener>();
  private unlisten: (() => Promise<void>) | null = null;

  static async start(database: Database): Promise<ChangeHub> {
    const hub = new ChangeHub();
    hub.unlisten = await database.listen(CHANGES_CHANNEL, (payload) => hub.publish(payload));
    return hub;
  }

  /** Calls `listener` for every change until the returned function is called. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  private publish(payload: string): void {
    const notice = decodeChange(payload);
    if (!notice) return;
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'change listener failed');
      }
    }
  }

  async stop(): Promise<void> {
    this.listeners.clear();
    await this.unlisten?.().catch(() => {});
    this.unlisten = null;
  }
}
