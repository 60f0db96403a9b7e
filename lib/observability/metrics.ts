import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '@/db/client';
import { deliveryStatusTotals } from '@/db/queries/analytics';
import { getMediaBacklog } from '@/db/queries/media';
import { getProcessingBacklog } from '@/db/queries/webhook-events';
import { describeError, type Logger } from '@/lib/log';
import { withinDeadline } from './database-deadline';
import type { DeliveryOutcome } from '@/lib/whatsapp/webhook';
import type { ProcessingOutcome } from '@/lib/whatsapp/processor';
import type { MediaOutcome } from '@/lib/media/downloader';
import type { SendAttemptOutcome } from '@/lib/outbox/sender';
import type { PurgeReport } from '@/lib/retention/purger';

// Prometheus metrics for GET /api/metrics. Two kinds:
// - counted by this process as things happen: webhook requests by outcome and their duration, events
//   this instance's processor handled (per instance, as Prometheus expects: sum them across instances);
// - read from the database at scrape time: processing backlog and lag, delivery statuses by value and
//   error code (the same for every instance: the database is shared).

export interface Metrics {
  registry: Registry;
  observeWebhook(outcome: DeliveryOutcome, seconds: number): void;
  observeProcessing(outcome: ProcessingOutcome): void;
  observeMedia(outcome: MediaOutcome): void;
  observeSend(outcome: SendAttemptOutcome): void;
  observePurge(report: PurgeReport): void;
  /** The exposition text; database-derived series are refreshed first (or marked unavailable). */
  render(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(db: Db, log: Logger): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ticks_' });

  const webhookRequests = new Counter({
    name: 'ticks_webhook_requests_total',
    help: 'Webhook POSTs by outcome: accepted (new event stored), duplicate (stored before), rejected (with reason), unavailable (database down: 503).',
    labelNames: ['outcome', 'reason'] as const,
    registers: [registry],
  });
  const webhookDuration = new Histogram({
    name: 'ticks_webhook_request_duration_seconds',
    help: 'Time from receiving a webhook POST to answering it, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const processed = new Counter({
    name: 'ticks_events_processed_total',
    help: 'Webhook events normalized and stored by this instance.',
    registers: [registry],
  });
  const failed = new Counter({
    name: 'ticks_events_failed_total',
    help: 'Webhook events this instance gave up on after every retry (shown in the error log for an operator).',
    registers: [registry],
  });

  const mediaAttempts = new Counter({
    name: 'ticks_media_downloads_total',
    help: 'Media download attempts by this instance: downloaded, retrying (will try again) or failed (for good), with the reason.',
    labelNames: ['result', 'reason'] as const,
    registers: [registry],
  });
  const mediaBytes = new Counter({
    name: 'ticks_media_downloaded_bytes_total',
    help: 'Bytes of media downloaded by this instance.',
    registers: [registry],
  });
  const sendAttempts = new Counter({
    name: 'ticks_outbox_sends_total',
    help: 'Send requests by this instance: sent (Meta accepted), retrying (refused before Meta acted; will try again), failed (refused for good), unconfirmed (no answer: may have been sent), with the reason.',
    labelNames: ['result', 'reason'] as const,
    registers: [registry],
  });
  const purged = new Counter({
    name: 'ticks_retention_purged_total',
    help: "What this instance's retention sweeps removed: raw_event_months (monthly partitions of webhook events past RAW_EVENT_RETENTION_DAYS, dropped whole) and raw_events (the events they held), raw_event_bodies (processed webhook bodies past it in months that could not go whole), raw_event_hashes (hashes that recognized a retry), sessions (expired), sign_in_counters (stale).",
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const mediaPending = new Gauge({ name: 'ticks_media_pending', help: 'Media files waiting to be downloaded.', registers: [registry] });
  const mediaFailed = new Gauge({ name: 'ticks_media_failed', help: 'Media files whose download failed for good.', registers: [registry] });

  const databaseUp = new Gauge({
    name: 'ticks_database_up',
    help: '1 when the last scrape could read the database.',
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'ticks_processing_lag_seconds',
    help: 'How long the longest-waiting due event has waited to be processed (0: none waiting).',
    registers: [registry],
  });
  const pending = new Gauge({ name: 'ticks_events_pending', help: 'Events committed and not yet processed.', registers: [registry] });
  const failedNow = new Gauge({
    name: 'ticks_events_failed',
    help: 'Events currently failed for good, waiting for an operator to retry them.',
    registers: [registry],
  });
  const statuses = new Counter({
    name: 'ticks_delivery_statuses_total',
    help: 'Delivery status events stored, by status and error code (0: none). Database-wide.',
    labelNames: ['status', 'error_code'] as const,
    registers: [registry],
  });

  async function refreshFromDatabase(): Promise<void> {
    const backlog = await getProcessingBacklog(db);
    const totals = await deliveryStatusTotals(db);
    const media = await getMediaBacklog(db);
    mediaPending.set(media.pending);
    mediaFailed.set(media.failed);
    lag.set(backlog.lagSeconds);
    pending.set(backlog.pending);
    failedNow.set(backlog.failed);
    statuses.reset();
    for (const row of totals) statuses.inc({ status: row.status, error_code: String(row.errorCode) }, row.count);
  }

  return {
    registry,
    contentType: registry.contentType,
    observeWebhook(outcome, seconds) {
      webhookRequests.inc({ outcome: outcome.outcome, reason: outcome.outcome === 'rejected' ? outcome.reason : '' });
      webhookDuration.observe({ outcome: outcome.outcome }, seconds);
    },
    observeProcessing(outcome) {
      if (outcome.processed > 0) processed.inc(outcome.processed);
      if (outcome.failed > 0) failed.inc(outcome.failed);
    },
    observeMedia(outcome) {
      if (outcome.result === 'downloaded') {
        mediaAttempts.inc({ result: 'downloaded', reason: '' });
        mediaBytes.inc(outcome.bytes);
      } else mediaAttempts.inc({ result: outcome.result, reason: outcome.reason });
    },
    observePurge(report) {
      purged.inc({ kind: 'raw_event_months' }, report.rawEventMonths);
      purged.inc({ kind: 'raw_events' }, report.rawEvents);
      purged.inc({ kind: 'raw_event_bodies' }, report.rawEventBodies);
      purged.inc({ kind: 'raw_event_hashes' }, report.rawEventHashes);
      purged.inc({ kind: 'sessions' }, report.sessions);
      purged.inc({ kind: 'sign_in_counters' }, report.signInCounters);
    },
    observeSend(outcome) {
      sendAttempts.inc({ result: outcome.result, reason: outcome.result === 'sent' ? '' : outcome.reason });
    },
    async render() {
      try {
        await withinDeadline(refreshFromDatabase());
        databaseUp.set(1);
      } catch (err) {
        // Still answer: the in-process counters are what an operator needs most during an outage.
        databaseUp.set(0);
        // Unknown, not zero: a 0 lag during an outage would look healthy.
        for (const gauge of [lag, pending, failedNow, mediaPending, mediaFailed]) gauge.set(Number.NaN);
        statuses.reset();
        log.warn({ err: describeError(err) }, 'metrics: database unavailable');
      }
      return registry.metrics();
    },
  };
}
