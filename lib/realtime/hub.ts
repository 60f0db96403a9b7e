import type { Database } from '@/db/client';
import { log } from '@/lib/log';
import { CHANGES_CHANNEL, decodeNotice, type AccessNotice, type ChangeNotice } from './changes';

// One LISTEN per process, fanned out to every open event stream. The processor (this instance's or
// any other's on the same database) NOTIFYs after each commit, so every browser hears of every change.

export type ChangeListener = (notice: ChangeNotice) => void;
export type AccessListener = (notice: AccessNotice) => void;

interface Subscriber {
  change: ChangeListener;
  access?: AccessListener;
}

export class ChangeHub {
  private readonly subscribers = new Set<Subscriber>();
  private unlisten: (() => Promise<void>) | null = null;

  static async start(database: Database): Promise<ChangeHub> {
    const hub = new ChangeHub();
    hub.unlisten = await database.listen(CHANGES_CHANNEL, (payload) => hub.publish(payload));
    return hub;
  }

  /** Calls `listener` for every change (and `onAccess` for every access that ended) until the returned function is called. */
  subscribe(listener: ChangeListener, onAccess?: AccessListener): () => void {
    const subscriber: Subscriber = { change: listener, access: onAccess };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  private publish(payload: string): void {
    const notice = decodeNotice(payload);
    if (!notice) return;
    for (const subscriber of this.subscribers) {
      try {
        if (notice.kind === 'change') subscriber.change(notice.change);
        else subscriber.access?.(notice.access);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'change listener failed');
      }
    }
  }

  async stop(): Promise<void> {
    this.subscribers.clear();
    await this.unlisten?.().catch(() => {});
    this.unlisten = null;
  }
}
