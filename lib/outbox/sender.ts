import { commitNow, type Db, type Transaction } from '@/db/client';
import {
  acceptSends,
  advanceQueues,
  claimDueSends,
  markAccepted,
  markSendFailed,
  markUnconfirmed,
  releaseSend,
  reserveSendSlots,
  scheduleResend,
  setOutboundMediaId,
  type ClaimedSend,
} from '@/db/queries/outbox';
import { nameOutboundMessages, reconcileStatuses } from '@/db/writes/messages';
import { publicMessageId } from '@/lib/inbox/message-id';
import { exponentialBackoff } from '@/lib/jobs/backoff';
import { GroupCommit } from '@/lib/jobs/group-commit';
import { JobRunner } from '@/lib/jobs/runner';
import { describeError, type Logger } from '@/lib/log';
import type { MediaStorage } from '@/lib/media/storage';
import { notifyChanges } from '@/lib/realtime/changes';
import { type GraphApiClient, GraphApiError, MediaRefusedError } from '@/lib/whatsapp/graph-api';
import { classifySendFailure, type SendOutcome } from '@/lib/whatsapp/send-outcome';
import { buildMessageRequest, type MessageRequest } from '@/lib/whatsapp/send-requests';
import { DELIVERY_ORDER, deliveryRank } from '@/lib/whatsapp/status';
import { callbackDataFor } from './callback-data';
import { outboundMessageOf, recipientOf, SendRefused } from './send-request';

// The outbox's sender: every instance runs one. It leases due messages (lib/outbox's queue lives in the
// messages table, db/queries/outbox.ts), waits for its business number's next send slot (WHATSAPP_SEND_MPS,
// shared by every instance), makes exactly one request per attempt, and records what Meta said:
// - accepted: the wamid is stored and the message shows one grey tick; status webhooks take it from there.
// - refused before Meta could act (never reached it, a rate limit, "try again" 5xx codes): sent again later,
//   a bounded number of times (lib/whatsapp/send-outcome.ts);
// - any other refusal: failed, with Meta's error;
// - no answer (a timeout, a lost connection, a sender that died mid-request): `unconfirmed`. Never resent by
//   itself (Meta has no idempotency key): an agent decides, or a status webhook carrying our id settles it.

export interface OutboxSenderOptions {
  /** Null without WHATSAPP_ACCESS_TOKEN: nothing is sent (the API refuses new messages too). */
  graph: GraphApiClient | null;
  storage: MediaStorage;
  log: Logger;
  /** Requests per second per business number (WHATSAPP_SEND_MPS). */
  messagesPerSecond: number;
  /** Requests in flight at once on this instance. */
  concurrency?: number;
  /** How long one send request may take before its outcome counts as unknown. */
  requestTimeoutMs?: number;
  pollMs?: number;
  /** While messages keep coming due, claims are at least this far apart (JobRunner's lingerMs). Default 20. */
  lingerMs?: number;
  /** Told how each attempt ended (metrics, benchmarks). */
  onOutcome?: (outcome: SendAttemptOutcome, job: ClaimedSend) => void;
}

export type SendAttemptOutcome =
  | { result: 'sent'; wamid: string }
  | { result: 'retrying'; reason: string; retryInMs: number }
  | { result: 'failed'; reason: string }
  | { result: 'unconfirmed'; reason: string };

const DEFAULT_TIMEOUT_MS = 30_000;
/** Beyond the request's own timeout: waiting for the send slot, uploading a file, recording the outcome. */
const LEASE_MARGIN_MS = 60_000;
const PACING_MARGIN = 1.02;
const SENT_RANK = deliveryRank('sent');
const FAILED_RANK = deliveryRank('failed');

export class OutboxSender {
  private readonly runner: JobRunner<Slotted, SendAttemptOutcome>;
  /**
   * Meta's answers, many to a transaction under load (recordAccepted), one transaction per 20 ms at most:
   * each locks conversations that posts wait to queue into, and has a commit to wait for (bench:send: 10 ms
   * gave 288-294 messages/s, 20 ms 290-295, none 259-270).
   */
  private readonly accepted = new GroupCommit<{ job: ClaimedSend; wamid: string }>((items) => this.recordAccepted(items), {
    lingerMs: 20,
  });
  private readonly timeoutMs: number;
  private readonly slotMs: number;
  /** How late a request may leave after its slot; later than this, it takes a fresh slot. */
  private readonly lateMs: number;

  constructor(
    private readonly db: Db,
    private readonly options: OutboxSenderOptions,
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Spaced 2% wider than the limit: requests leave on their slots, but the network's jitter can bunch
    // them on Meta's side, and an 81st request in a second is a 130429.
    this.slotMs = (1000 / Math.max(1, options.messagesPerSecond)) * PACING_MARGIN;
    // Slots come 2% wider, so any second holds slots for MPS - 1 requests and 20 ms to spare: a request
    // that leaves up to 15 ms late keeps every second at MPS at most (one slot late is too many at 20 MPS).
    this.lateMs = Math.min(this.slotMs, 1000 * (PACING_MARGIN - 1) * 0.75);
    this.runner = new JobRunner({
      name: 'outbox',
      concurrency: options.concurrency ?? 256,
      claim: (limit) => this.claim(limit),
      run: (job, signal) => this.send(job, signal),
      onOutcome: options.onOutcome,
      pollMs: options.pollMs ?? 1000,
      // Under load, one claim (and one slot reservation a number) for what came due over 20 ms rather
      // than one for every answer from Meta: requests leave on their slots anyway, 12.5 ms apart at 80/s.
      lingerMs: options.lingerMs ?? 20,
      claimRetryMs: exponentialBackoff({ firstMs: 1000, factor: 2, maxMs: 30_000 }),
      log: options.log,
    });
  }

  get enabled(): boolean {
    return this.options.graph !== null;
  }

  start(): this {
    if (this.enabled) this.runner.start();
    return this;
  }

  /** A message was queued (here or, through a change notice, on another instance): look now. */
  notify(): void {
    this.runner.notify();
  }

  /** Stops claiming; requests already made are waited for (never cut short: their outcome would be unknown). */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** One round by hand (tests): claims what is due, sends it, resolves when those are done. */
  async sendDue(): Promise<number> {
    return (await this.runner.runDue()).length;
  }

  /** Due messages, each with its send slot (reserved per number for the whole claim, one statement for all). */
  private async claim(limit: number): Promise<Slotted[]> {
    const jobs = await claimDueSends(this.db, { limit, leaseMs: this.timeoutMs * 2 + LEASE_MARGIN_MS });
    const byNumber = new Map<string, ClaimedSend[]>();
    for (const job of jobs) {
      const group = byNumber.get(job.phoneNumberId);
      if (group) group.push(job);
      else byNumber.set(job.phoneNumberId, [job]);
    }
    const slotted: Slotted[] = [];
    try {
      const firsts = await reserveSendSlots(
        this.db,
        [...byNumber].map(([phoneNumberId, group]) => ({ phoneNumberId, count: group.length })),
        this.slotMs,
      );
      for (const [phoneNumberId, group] of byNumber) {
        const first = firsts.get(phoneNumberId)!.getTime();
        slotted.push(...group.map((job, i) => ({ ...job, slot: first + i * this.slotMs })));
      }
    } catch (err) {
      // Nothing was sent: give them back rather than let their leases run out (that would read as a crash).
      await Promise.allSettled(jobs.map((job) => releaseSend(this.db, job.id)));
      throw err;
    }
    return slotted;
  }

  private async send(job: Slotted, stopping: AbortSignal): Promise<SendAttemptOutcome | null> {
    try {
      return await this.attempt(job, stopping);
    } catch (err) {
      if (err instanceof RequestMade) throw err.cause;
      // Failed before any request (the database, our storage): not sent, so due again rather than a lease
      // left to run out, which would read as a crash mid-request.
      await releaseSend(this.db, job.id).catch(() => {});
      throw err;
    }
  }

  private async attempt(job: Slotted, stopping: AbortSignal): Promise<SendAttemptOutcome | null> {
    const graph = this.options.graph!;
    const { log } = this.options;
    if (job.interrupted) {
      // The last sender died holding it: its request may have reached Meta. Never guess.
      log.warn({ messageId: job.id, attempt: job.attempts }, 'outbox: a send was interrupted; its outcome is unknown');
      return this.unconfirmed(job, 'interrupted', [{ code: null, title: 'Interrupted', message: UNCONFIRMED_MESSAGE, details: null }]);
    }
    let request: MessageRequest;
    try {
      const recipient = recipientOf(job);
      const mediaId = job.media ? (job.media.mediaId ?? (await this.upload(job, graph))) : null;
      request = buildMessageRequest(recipient, outboundMessageOf(job, mediaId), callbackDataFor(job.id));
    } catch (err) {
      if (err instanceof SendRefused || err instanceof MediaRefusedError) return this.failed(job, 'refused', [ourError(err.message)]);
      if (err instanceof GraphApiError) return this.afterFailure(job, err, classifySendFailure(err, job.attempts, { idempotent: true }));
      throw err;
    }

    // Late for its slot (a busy event loop, an upload, a timer that fired late): a fresh slot, or late sends
    // would bunch up at Meta. Checked again after each wait: a loop that was busy for 50 ms fires every
    // timer due meanwhile at once, and those requests would leave together.
    let slot = job.slot;
    for (;;) {
      if (Date.now() - slot > this.lateMs) {
        const fresh = await reserveSendSlots(this.db, [{ phoneNumberId: job.phoneNumberId, count: 1 }], this.slotMs);
        slot = fresh.get(job.phoneNumberId)!.getTime();
      }
      const wait = slot - Date.now();
      if (wait <= 0 || stopping.aborted) break;
      await sleep(wait, stopping);
    }
    if (stopping.aborted) {
      // Nothing was sent: the next start (or another instance) sends it.
      await releaseSend(this.db, job.id);
      return null;
    }

    let wamid: string;
    try {
      // Not given the stop signal: a request cut short by a shutdown would leave its outcome unknown.
      ({ wamid } = await graph.sendMessage(job.phoneNumberId, request, { timeoutMs: this.timeoutMs }));
    } catch (err) {
      if (!(err instanceof GraphApiError)) throw new RequestMade(err);
      return this.afterFailure(job, err, classifySendFailure(err, job.attempts)).catch((e) => Promise.reject(new RequestMade(e)));
    }
    try {
      await this.accepted.add({ job, wamid });
    } catch (err) {
      // Sent, and not recorded (the database went away): its lease runs out and it becomes unconfirmed.
      throw new RequestMade(err);
    }
    log.info({ messageId: job.id, wamid, attempt: job.attempts }, 'outbox: sent');
    return { result: 'sent', wamid };
  }

  /**
   * Meta accepted these: each its wamid and one grey tick, statuses that came before Meta's answer applied,
   * each conversation's next message due, the pages told; one transaction for all of them.
   */
  private async recordAccepted(items: { job: ClaimedSend; wamid: string }[]): Promise<void> {
    const sends = items.map(({ job, wamid }) => ({ id: job.id, wamid }));
    await this.db.transaction(async (tx) => {
      const accepted = new Set(await acceptSends(tx, sends, SENT_RANK));
      // A placeholder made from statuses that came first holds the wamid: it gives way, as when a status names us.
      const held = sends.filter((s) => !accepted.has(s.id));
      if (held.length > 0) {
        await nameOutboundMessages(tx, held);
        for (const { id } of held) await markAccepted(tx, id, SENT_RANK);
      }
      // None of the rest needs an answer before the next: sent together with the commit, one round trip
      // (the connection runs them in order).
      await Promise.all([
        // Statuses that came before Meta's answer (without our id) were kept: they apply now.
        reconcileStatuses(
          tx,
          sends.map((s) => s.wamid),
          DELIVERY_ORDER,
        ),
        advanceQueues(
          tx,
          items.map(({ job }) => job.conversationId),
        ),
        notifyChanges(tx, {
          conversationIds: [...new Set(items.map(({ job }) => job.conversationId))],
          messageIds: items.map(({ job }) => this.idOf(job)),
          topics: ['messages'],
        }),
        commitNow(tx),
      ]);
    });
  }

  /** Our copy of an attached file goes to Meta first (a repeat only leaves an unused media id behind). */
  private async upload(job: ClaimedSend, graph: GraphApiClient): Promise<string> {
    const media = job.media!;
    const bytes = await readAll(await this.options.storage.read(media.storageKey));
    const kind = media.kind as Parameters<GraphApiClient['uploadMedia']>[1]['kind'];
    const { id } = await graph.uploadMedia(job.phoneNumberId, {
      kind,
      mimeType: media.mimeType ?? 'application/octet-stream',
      bytes,
      filename: media.filename ?? undefined,
    });
    await setOutboundMediaId(this.db, job.id, id);
    return id;
  }

  private async afterFailure(job: ClaimedSend, err: GraphApiError, outcome: SendOutcome): Promise<SendAttemptOutcome> {
    const errors = [metaErrorOf(err)];
    const { log } = this.options;
    switch (outcome.kind) {
      case 'retryable': {
        log.warn(
          { messageId: job.id, attempt: job.attempts, reason: outcome.reason, retryInMs: outcome.retryInMs, err: err.message },
          'outbox: will retry',
        );
        const conversationId = await scheduleResend(this.db, job.id, outcome.retryInMs, errors);
        if (conversationId !== null) await this.tell(job);
        return { result: 'retrying', reason: outcome.reason, retryInMs: outcome.retryInMs };
      }
      case 'final':
        log.warn(
          { messageId: job.id, attempt: job.attempts, reason: outcome.reason, code: err.code, err: err.message },
          'outbox: send failed',
        );
        return this.failed(job, outcome.lastReason ?? outcome.reason, errors);
      case 'unknown':
        log.warn({ messageId: job.id, attempt: job.attempts, reason: outcome.reason, err: err.message }, 'outbox: outcome unknown');
        return this.unconfirmed(job, outcome.reason, [{ ...errors[0]!, message: UNCONFIRMED_MESSAGE, details: err.message }]);
    }
  }

  private async failed(job: ClaimedSend, reason: string, errors: unknown[]): Promise<SendAttemptOutcome> {
    if (await this.end(job, (tx) => markSendFailed(tx, job.id, errors, FAILED_RANK))) await this.tell(job, ['deliveries']);
    return { result: 'failed', reason };
  }

  private async unconfirmed(job: ClaimedSend, reason: string, errors: unknown[]): Promise<SendAttemptOutcome> {
    if (await this.end(job, (tx) => markUnconfirmed(tx, job.id, errors))) await this.tell(job);
    return { result: 'unconfirmed', reason };
  }

  /**
   * Takes a message out of the queue as `mark` records it (null: it had left already), and makes its
   * conversation's next one due (lib/outbox's order rule), in one transaction. True when it ended here.
   */
  private async end(job: ClaimedSend, mark: (tx: Transaction) => Promise<number | null>): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if ((await mark(tx)) === null) return false;
      await advanceQueues(tx, [job.conversationId]);
      return true;
    });
  }

  private async tell(job: ClaimedSend, topics: ('messages' | 'deliveries')[] = ['messages']): Promise<void> {
    await notifyChanges(this.db, { conversationIds: [job.conversationId], messageIds: [this.idOf(job)], topics }).catch((err) =>
      this.options.log.warn({ err: describeError(err) }, 'outbox: could not notify'),
    );
  }

  private idOf(job: ClaimedSend): string {
    return publicMessageId({ id: job.id, wamid: job.wamid, clientId: job.clientId });
  }
}

const UNCONFIRMED_MESSAGE = 'Meta did not answer, so this message may or may not have been sent.';

/** A claimed message and the moment its number's pacing lets it go. */
type Slotted = ClaimedSend & { slot: number };

/** Thrown once a request went out: whatever fails after it must not make the message due again. */
class RequestMade extends Error {
  constructor(readonly cause: unknown) {
    super('failed after the request was made');
  }
}

/** Meta's error as the thread and the error log show errors: {code, title, message, details}. */
function metaErrorOf(err: GraphApiError) {
  const meta = err.metaError;
  return {
    code: meta?.code ?? null,
    title: meta?.title ?? (err.status === null ? 'No answer from Meta' : `HTTP ${err.status}`),
    message: meta?.message ?? err.message,
    details: meta?.details ?? null,
  };
}

/** A refusal of ours (no recipient, a file WhatsApp would refuse): no code, our words. */
function ourError(message: string) {
  return { code: null, title: 'Not sent', message, details: null };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
