import type { Database } from '@/db/client';
import type { ApiMessage } from '@/lib/contracts/inbox';
import { describeError, log } from '@/lib/log';
import { withinDeadline } from '@/lib/observability/database-deadline';
import { CHANGES_CHANNEL, decodeNotice, type AccessNotice, type ChangeNotice, type Notice } from './changes';

// One LISTEN per process, fanned out to every open event stream. The processor (this instance's or
// any other's on the same database) NOTIFYs after each commit, so every browser hears of every change.
//
// A notice says what changed, and the page refetches it: a round trip through the whole server (routing,
// the session, three queries), most of the time a new message takes at rest. So for threads someone has
// open here, the hub loads the changed messages once, for every stream, and sends them along
// (ChangeNotice.threadMessages). Streams get their notices in the order they came, each after its
// messages; the server's own listeners (the outbox, media downloads) never wait for that.

export type ChangeListener = (notice: ChangeNotice) => void;
export type AccessListener = (notice: AccessNotice) => void;
/** The messages to send along with a notice; null for none. */
export type ThreadMessagesLoader = (change: ChangeNotice) => Promise<ApiMessage[] | null> | null;

/**
 * A load slower than this sends the notice without messages (the page refetches them). Loads and refetches
 * ask the same database, so a slow load means a refetch would be no faster: this only bounds a database
 * that does not answer at all, during which every stream's notices wait.
 */
export const THREAD_MESSAGES_TIMEOUT_MS = 2_000;
/** With this many notices waiting for loads, the next go without: a burst is the refetches' job. */
const MAX_WAITING = 8;

interface Subscriber {
  change: ChangeListener;
  access?: AccessListener;
  /** An event stream: gets threadMessages, in order. */
  stream: boolean;
}

export class ChangeHub {
  private readonly subscribers = new Set<Subscriber>();
  private unlisten: (() => Promise<void>) | null = null;
  private loadThreadMessages: ThreadMessagesLoader | null = null;
  /** The streams' notices, one after another. */
  private line: Promise<void> = Promise.resolve();
  private waiting = 0;

  private constructor(private readonly threadMessagesTimeoutMs: number) {}

  static async start(database: Database, options: { threadMessagesTimeoutMs?: number } = {}): Promise<ChangeHub> {
    const hub = new ChangeHub(options.threadMessagesTimeoutMs ?? THREAD_MESSAGES_TIMEOUT_MS);
    hub.unlisten = await database.listen(CHANGES_CHANNEL, (payload) => hub.publish(payload));
    return hub;
  }

  /** From now on, streams get the messages `loader` finds for a notice along with it. */
  sendThreadMessagesWith(loader: ThreadMessagesLoader): void {
    this.loadThreadMessages = loader;
  }

  /** Calls `listener` for every change (and `onAccess` for every access that ended) until the returned function is called. */
  subscribe(listener: ChangeListener, onAccess?: AccessListener): () => void {
    return this.add({ change: listener, access: onAccess, stream: false });
  }

  /** As subscribe, for an event stream: its change notices carry threadMessages when there are any. */
  subscribeStream(listener: ChangeListener, onAccess?: AccessListener): () => void {
    return this.add({ change: listener, access: onAccess, stream: true });
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  private add(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  private publish(payload: string): void {
    const notice = decodeNotice(payload);
    if (!notice) return;
    this.deliver(notice, false);
    const load = notice.kind === 'change' ? this.threadMessagesFor(notice.change) : null;
    if (!load && this.waiting === 0) return this.deliver(notice, true);
    this.waiting += 1;
    // The load starts now, beside earlier ones still running; the notice waits for those before it.
    this.line = this.line
      .then(async () => {
        let threadMessages: ApiMessage[] | null = null;
        try {
          if (load) threadMessages = await load;
        } finally {
          this.waiting -= 1;
        }
        if (threadMessages?.length && notice.kind === 'change') {
          this.deliver({ kind: 'change', change: { ...notice.change, threadMessages } }, true);
        } else {
          this.deliver(notice, true);
        }
      })
      // Never left rejected: every later notice waits on this line.
      .catch((err: unknown) => log.warn({ err: describeError(err) }, 'could not hand a change notice to the event streams'));
  }

  private threadMessagesFor(change: ChangeNotice): Promise<ApiMessage[] | null> | null {
    if (!this.loadThreadMessages || change.messages.length === 0 || this.waiting >= MAX_WAITING || !this.hasStreams()) return null;
    let loading: Promise<ApiMessage[] | null> | null;
    try {
      loading = this.loadThreadMessages(change);
    } catch (err) {
      loading = Promise.reject(err);
    }
    if (!loading) return null;
    return withinDeadline(loading, this.threadMessagesTimeoutMs).catch((err: unknown) => {
      log.warn({ err: describeError(err) }, 'could not load the messages of a change notice in time: pages refetch them');
      return null;
    });
  }

  private hasStreams(): boolean {
    for (const subscriber of this.subscribers) if (subscriber.stream) return true;
    return false;
  }

  private deliver(notice: Notice, streams: boolean): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.stream !== streams) continue;
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
    this.loadThreadMessages = null;
    await this.unlisten?.().catch(() => {});
    this.unlisten = null;
  }
}
