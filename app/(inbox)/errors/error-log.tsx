'use client';
import Link from 'next/link';
import { useState } from 'react';
import type { ApiAccountEvent, ApiFailedDelivery, ApiProcessingFailure, PostRetryResponse } from '@/lib/contracts/error-log';
import { formatFileSize } from '@/lib/inbox/format-size';
import type { Topic } from '@/lib/realtime/changes';
import { businessNumberLabel, contactLabel } from '@/app/_components/conversation-row';
import type { FailedDeliveriesFilters } from '@/app/_components/api/keys';
import {
  discardProcessing,
  retryProcessing,
  useAccountEvents,
  useFailedDeliveries,
  useProcessingFailure,
  useProcessingFailures,
  useRejections,
} from '@/app/_components/api/use-error-log';
import { useBusinessNumbers } from '@/app/_components/api/use-inbox';
import { PreviewLine } from '@/app/_components/icon';
import { Button } from '@/app/_components/ui/button';
import { Field, Input, Select } from '@/app/_components/ui/input';
import { Section } from '@/app/_components/ui/section';
import { EmptyState, LoadState } from '@/app/_components/ui/states';
import { DateTime } from '@/app/_components/ui/time';
import { Notice, useNotice } from '@/app/_components/notice';
import { useDebounced } from '@/app/_components/use-debounced';
import { useChanges, useCoalesced } from '@/app/_components/use-live-updates';

// The error log: what went wrong with WhatsApp and what to do about it. Four sections, each refetched
// when a change notice names its topic (or after a gap in the stream). Everything from Meta or from
// customers is untrusted: shown as React text, never as HTML.

/** Refetches when a notice names `topic`, or on null / partial notices (something may have been missed). */
function useTopic(topic: Topic, refresh: () => Promise<unknown>): void {
  const run = useCoalesced(refresh);
  useChanges((notice) => {
    if (!notice || notice.partial || notice.topics.includes(topic)) run();
  });
}

/** The next page of a list: keyset pages, so "more" never repeats or skips a row. */
function LoadMore({ what, loading, onClick }: { what: string; loading: boolean; onClick: () => void }) {
  return (
    <div className="px-4 py-3">
      <Button disabled={loading} onClick={onClick}>
        {loading ? 'Loading…' : `Load more ${what}`}
      </Button>
    </div>
  );
}

export function ErrorLog({ isAdmin }: { isAdmin: boolean }) {
  return (
    <div className="h-full overflow-y-auto bg-slate-50">
      <div className="mx-auto max-w-5xl space-y-6 p-4 sm:p-6">
        <div>
          <h1 className="text-xl font-semibold">Errors</h1>
          <p className="text-sm text-slate-600">
            Failed deliveries, webhook events that could not be processed, rejected webhook requests, and account events from Meta.
          </p>
        </div>
        <Rejections />
        <FailedDeliveries />
        <ProcessingFailures isAdmin={isAdmin} />
        <AccountEvents />
      </div>
    </div>
  );
}

// ---- Rejected webhook requests ----

const REASON_LABELS: Record<string, string> = {
  too_large: 'Body too large',
  unreadable: 'Body could not be read',
  signature_missing: 'Signature missing',
  signature_malformed: 'Signature malformed',
  signature_mismatch: 'Signature does not match',
  no_app_secret: 'No app secret configured',
  not_json: 'Not JSON',
  not_envelope: 'Not a WhatsApp webhook',
};

function Rejections() {
  const { data, error, isLoading, mutate } = useRejections();
  useTopic('rejections', () => mutate());
  return (
    <>
      {data?.signatureWarning && (
        <div role="alert" className="rounded-lg border-2 border-red-400 bg-red-50 px-4 py-3 text-sm text-red-800">
          <p className="font-semibold">Webhook requests are being rejected for a bad signature.</p>
          <p>
            {data.signatureWarning.count} rejected in the last 24 hours, the latest at <DateTime iso={data.signatureWarning.lastAt} />. The
            app secret (WHATSAPP_APP_SECRET) is probably wrong: it must be the App Secret of the Meta app that sends the webhooks (App
            Dashboard → App settings → Basic). Until it is fixed, no messages or statuses arrive.
          </p>
        </div>
      )}
      <Section id="rejections" title="Rejected webhook requests" description="Requests refused before storing, in the last 24 hours.">
        <LoadState isLoading={isLoading} error={error} what="rejected requests" />
        {data && data.reasons.length === 0 && (
          <EmptyState className="px-4 py-4">No rejected webhook requests in the last 24 hours.</EmptyState>
        )}
        {data && data.reasons.length > 0 && (
          <table className="w-full text-left text-sm">
            <thead className="text-xs text-slate-500 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  Reason
                </th>
                <th scope="col" className="px-4 py-2 text-right font-medium">
                  Count
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Last seen
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {data.reasons.map((r) => (
                <tr key={r.reason} className={r.reason.startsWith('signature_') ? 'text-red-700' : undefined}>
                  <td className="px-4 py-2">
                    {REASON_LABELS[r.reason] ?? r.reason} <span className="text-xs text-slate-400">({r.reason})</span>
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">{r.count.toLocaleString()}</td>
                  <td className="px-4 py-2">
                    <DateTime iso={r.lastAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}

// ---- Failed deliveries ----

const RANGES = [
  { value: '1h', label: 'Last hour', ms: 3600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 24 * 3600_000 },
  { value: 'all', label: 'All time', ms: null },
] as const;
type RangeValue = (typeof RANGES)[number]['value'];

function FailedDeliveries() {
  const [code, setCode] = useState('');
  const [number, setNumber] = useState('');
  const [range, setRange] = useState<{ value: RangeValue; from: string | null }>({ value: 'all', from: null });
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const codeFilter = useDebounced(code.trim(), 250);
  const codeValid = codeFilter === '' || /^\d{1,9}$/.test(codeFilter);
  const numbers = useBusinessNumbers();
  const filters: FailedDeliveriesFilters = {};
  if (codeFilter) filters.code = codeFilter;
  if (number) filters.businessPhoneNumberId = number;
  if (range.from) filters.from = range.from;
  if (q) filters.q = q;
  const {
    items: failures,
    pages: data,
    error,
    isLoading,
    hasMore,
    loadingMore,
    loadMore,
    refresh,
  } = useFailedDeliveries(codeValid ? filters : null);
  useTopic('deliveries', refresh);
  const filtered = codeFilter !== '' || number !== '' || range.from !== null || q !== '';

  return (
    <Section id="deliveries" title="Failed deliveries" description="Messages WhatsApp could not deliver, newest first.">
      <form
        role="search"
        aria-label="Filter failed deliveries"
        className="grid gap-3 border-b border-slate-100 px-4 py-3 sm:grid-cols-4"
        onSubmit={(e) => e.preventDefault()}
      >
        <Field label="Recipient">
          <Input
            type="search"
            className="mt-1 block w-full"
            placeholder="Name or number"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </Field>
        <Field label="Error code">
          <Input
            type="text"
            inputMode="numeric"
            className="mt-1 block w-full"
            placeholder="e.g. 131047"
            value={code}
            aria-invalid={!codeValid}
            onChange={(e) => setCode(e.target.value)}
          />
        </Field>
        <Field label="Business number">
          <Select className="mt-1 block w-full" value={number} onChange={(e) => setNumber(e.target.value)}>
            <option value="">All numbers</option>
            {(numbers.data?.businessNumbers ?? []).map((n) => (
              <option key={n.id} value={n.id}>
                {businessNumberLabel(n.displayPhoneNumber, n.id)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Time range">
          <Select
            className="mt-1 block w-full"
            value={range.value}
            onChange={(e) => {
              const chosen = RANGES.find((r) => r.value === e.target.value) ?? RANGES[4];
              setRange({ value: chosen.value, from: chosen.ms === null ? null : new Date(Date.now() - chosen.ms).toISOString() });
            }}
          >
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </Select>
        </Field>
      </form>
      {!codeValid && (
        <p role="alert" className="px-4 py-2 text-sm text-red-700">
          An error code is a number, like 131047.
        </p>
      )}
      <LoadState isLoading={isLoading && !data} error={error} what="failed deliveries" />
      {data && failures.length === 0 && (
        <EmptyState>{filtered ? 'No failed deliveries match these filters.' : 'No failed deliveries in this range.'}</EmptyState>
      )}
      {failures.length > 0 && (
        <ul className="divide-y divide-slate-100" aria-label="Failed deliveries">
          {failures.map((f) => (
            <FailedDeliveryItem key={f.id} failure={f} />
          ))}
        </ul>
      )}
      {hasMore && <LoadMore what="failed deliveries" loading={loadingMore} onClick={loadMore} />}
    </Section>
  );
}

function FailedDeliveryItem({ failure: f }: { failure: ApiFailedDelivery }) {
  const who = contactLabel(f.contact);
  const first = f.errors[0];
  return (
    <li className="space-y-1 px-4 py-3 text-sm" data-testid="failed-delivery">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <div className="font-medium">
          To {who}
          {f.contact.name && f.contact.waId && <span className="ml-1 font-normal text-slate-500">+{f.contact.waId}</span>}
          <span className="ml-2 font-normal text-slate-500">from {businessNumberLabel(f.displayPhoneNumber, f.businessPhoneNumberId)}</span>
        </div>
        <div className="text-xs text-slate-500">
          <DateTime iso={f.failedAt} />
        </div>
      </div>
      <p className="truncate text-slate-600">
        <PreviewLine preview={f.preview} />
      </p>
      {f.errors.length === 0 && <p className="text-slate-600">Meta gave no error details.</p>}
      {f.errors.map((e, i) => (
        <div key={i} className="rounded-md bg-red-50 px-3 py-2 text-red-900">
          <p>
            <span className="mr-2 rounded bg-red-100 px-1.5 py-0.5 font-mono text-xs">{e.code ?? 'no code'}</span>
            <span className="font-medium">{e.title ?? 'Error'}</span>
            {e.message && e.message !== e.title && <span>: {e.message}</span>}
          </p>
          {e.details && <p className="mt-1 text-xs text-red-800">{e.details}</p>}
        </div>
      ))}
      {f.explanation ? (
        <div className="rounded-md bg-amber-50 px-3 py-2 text-amber-900" data-testid="explanation">
          <p>{f.explanation.summary}</p>
          <p>
            <span className="font-medium">What to do:</span> {f.explanation.action}
          </p>
        </div>
      ) : (
        first && <p className="text-xs text-slate-500">No explanation for this code yet: Meta’s own title and message are shown above.</p>
      )}
      <Link
        href={`/conversations/${encodeURIComponent(f.conversationId)}`}
        className="inline-block text-sm font-medium text-emerald-700 hover:underline focus:ring-2 focus:ring-emerald-300 focus:outline-none"
        aria-label={`Open the conversation with ${who}`}
      >
        Open conversation
      </Link>
    </li>
  );
}

// ---- Processing failures ----

function ProcessingFailures({ isAdmin }: { isAdmin: boolean }) {
  const { items: failures, pages: data, error, isLoading, refresh, hasMore, loadingMore, loadMore } = useProcessingFailures();
  useTopic('processing', refresh);
  const [notice, show] = useNotice();
  const [busy, setBusy] = useState(false);

  async function retry(body: { ids: string[] } | { all: true }) {
    setBusy(true);
    show(null);
    try {
      const result = await retryProcessing(body);
      show({ kind: result.failed > 0 ? 'error' : 'success', text: describeRetry(result) });
    } catch (err) {
      show({ kind: 'error', text: `Retry failed: ${(err as Error).message}` });
    } finally {
      setBusy(false);
      await refresh();
    }
  }

  async function discard(failure: ApiProcessingFailure) {
    if (
      !window.confirm(
        `Discard event ${failure.id}? It leaves the error log and is never processed; its raw body is deleted with retention.`,
      )
    )
      return;
    setBusy(true);
    show(null);
    try {
      const { discarded } = await discardProcessing({ ids: [failure.id] });
      show({ kind: 'success', text: discarded > 0 ? `Discarded event ${failure.id}.` : `Event ${failure.id} was no longer failed.` });
    } catch (err) {
      show({ kind: 'error', text: `Discard failed: ${(err as Error).message}` });
    } finally {
      setBusy(false);
      await refresh();
    }
  }

  return (
    <Section
      id="processing"
      title="Webhook processing failures"
      description="Webhook events that were received and stored but could not be processed."
      actions={
        isAdmin && failures.length > 0 ? (
          <Button disabled={busy} onClick={() => void retry({ all: true })}>
            {busy ? 'Retrying…' : 'Retry all'}
          </Button>
        ) : undefined
      }
    >
      <div className="px-4 pt-3 empty:hidden">
        <Notice notice={notice} />
      </div>
      <LoadState isLoading={isLoading && !data} error={error} what="processing failures" />
      {data && failures.length === 0 && <EmptyState>No processing failures: every webhook event was processed.</EmptyState>}
      {failures.length > 0 && (
        <ul className="divide-y divide-slate-100" aria-label="Processing failures">
          {failures.map((f) => (
            <ProcessingFailureItem
              key={f.id}
              failure={f}
              isAdmin={isAdmin}
              busy={busy}
              onRetry={() => void retry({ ids: [f.id] })}
              onDiscard={() => void discard(f)}
            />
          ))}
        </ul>
      )}
      {hasMore && <LoadMore what="processing failures" loading={loadingMore} onClick={loadMore} />}
    </Section>
  );
}

/** "Retried 3: 2 processed, 1 failed again: <error>". */
function describeRetry(r: PostRetryResponse): string {
  if (r.requeued === 0) return 'Nothing to retry: the events were no longer failed.';
  const parts = [`${r.processed} processed`];
  if (r.failed > 0) {
    const errors = [...new Set(r.failures.map((f) => f.error ?? 'unknown error'))];
    parts.push(`${r.failed} failed again: ${errors.slice(0, 3).join('; ')}${errors.length > 3 ? '…' : ''}`);
  }
  if (r.pending > 0) parts.push(`${r.pending} still processing`);
  return `Retried ${r.requeued}: ${parts.join(', ')}.`;
}

function ProcessingFailureItem({
  failure: f,
  isAdmin,
  busy,
  onRetry,
  onDiscard,
}: {
  failure: ApiProcessingFailure;
  isAdmin: boolean;
  busy: boolean;
  onRetry: () => void;
  onDiscard: () => void;
}) {
  const [open, setOpen] = useState(false);
  const detail = useProcessingFailure(open ? f.id : null);
  const bodyId = `event-${f.id}-body`;
  return (
    <li className="space-y-2 px-4 py-3 text-sm" data-testid="processing-failure">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <div className="font-medium">
          Event #{f.id}
          <span className="ml-2 font-normal text-slate-500">
            failed <DateTime iso={f.failedAt} /> after {f.attempts} {f.attempts === 1 ? 'attempt' : 'attempts'}
          </span>
        </div>
        <div className="text-xs text-slate-500">
          received <DateTime iso={f.receivedAt} /> · {formatFileSize(f.size)}
        </div>
      </div>
      <p className="rounded-md bg-red-50 px-3 py-2 font-mono text-xs break-words whitespace-pre-wrap text-red-900">
        {f.error ?? 'No error recorded'}
      </p>
      <div className="flex gap-2">
        <Button aria-expanded={open} aria-controls={bodyId} onClick={() => setOpen((o) => !o)}>
          {open ? `Hide raw body of event ${f.id}` : `Show raw body of event ${f.id}`}
        </Button>
        {isAdmin && (
          <>
            <Button disabled={busy} onClick={onRetry}>
              Retry event {f.id}
            </Button>
            <Button disabled={busy} onClick={onDiscard}>
              Discard event {f.id}
            </Button>
          </>
        )}
      </div>
      {open && (
        <div id={bodyId}>
          {detail.error && (
            <p role="alert" className="text-red-700">
              Could not load the body: {(detail.error as Error).message}
            </p>
          )}
          {!detail.data && !detail.error && <p className="text-slate-500">Loading the body…</p>}
          {detail.data && (
            <pre
              role="region"
              className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100"
              aria-label={`Raw body of event ${f.id}`}
            >
              {detail.data.body}
            </pre>
          )}
        </div>
      )}
    </li>
  );
}

// ---- Account events ----

const TONE_CLASSES: Record<ApiAccountEvent['summary']['tone'], string> = {
  info: 'bg-slate-400',
  good: 'bg-emerald-500',
  warning: 'bg-amber-500',
  bad: 'bg-red-500',
};

function AccountEvents() {
  const { items: events, pages: data, error, isLoading, hasMore, loadingMore, loadMore, refresh } = useAccountEvents();
  useTopic('account', refresh);

  return (
    <Section
      id="account-events"
      title="Account and template events"
      description="Template decisions, quality and account changes reported by Meta, newest first."
    >
      <LoadState isLoading={isLoading && !data} error={error} what="account events" />
      {data && events.length === 0 && <EmptyState>No account or template events yet.</EmptyState>}
      {events.length > 0 && (
        <ol className="divide-y divide-slate-100" aria-label="Account and template events">
          {events.map((e) => (
            <li key={e.id} className="flex gap-3 px-4 py-3 text-sm" data-testid="account-event">
              <span aria-hidden="true" className={`mt-1.5 h-2.5 w-2.5 shrink-0 rounded-full ${TONE_CLASSES[e.summary.tone]}`} />
              <div className="min-w-0 flex-1 space-y-1">
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <p className="font-medium">
                    {e.summary.title}
                    <span className="ml-2 font-normal text-slate-500">
                      {e.field}
                      {e.eventType ? ` · ${e.eventType}` : ''}
                    </span>
                  </p>
                  <span className="text-xs text-slate-500">
                    <DateTime iso={e.occurredAt ?? e.receivedAt} />
                  </span>
                </div>
                <p className="break-words">{e.summary.text}</p>
                <details>
                  <summary className="cursor-pointer text-xs text-slate-500">Payload</summary>
                  <pre className="mt-1 max-h-64 overflow-auto rounded-md bg-slate-100 p-2 font-mono text-xs">
                    {JSON.stringify(e.payload, null, 2)}
                  </pre>
                </details>
              </div>
            </li>
          ))}
        </ol>
      )}
      {hasMore && <LoadMore what="account events" loading={loadingMore} onClick={loadMore} />}
    </Section>
  );
}
