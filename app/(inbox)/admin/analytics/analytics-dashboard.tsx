'use client';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { AnalyticsResponse } from '@/lib/contracts/analytics';
import type { RangeKey } from '@/lib/analytics/range';
import type { Topic } from '@/lib/realtime/changes';
import { businessNumberLabel } from '@/app/_components/conversation-row';
import { formatDuration } from '@/lib/inbox/format-duration';
import { useAnalytics } from '@/app/_components/api/use-admin';
import { Button } from '@/app/_components/ui/button';
import { Input, Select } from '@/app/_components/ui/input';
import { useChanges, useCoalesced } from '@/app/_components/use-live-updates';
import { Lines, PALETTE, StackedBars, type ChartRow, type Series } from './charts';

// /admin/analytics: delivery failures, the delivery funnel, inbound volume and webhook health, for
// a range and one business number or all. Refetched when the live stream says deliveries, messages
// or webhook processing changed, at most about once a second.

const RELEVANT: ReadonlySet<Topic> = new Set<Topic>(['deliveries', 'messages', 'processing', 'rejections']);
/** Between two live refetches. */
const MIN_GAP_MS = 1000;

const RANGES: { key: Exclude<RangeKey, 'custom'>; label: string }[] = [
  { key: '24h', label: '24 hours' },
  { key: '7d', label: '7 days' },
  { key: '30d', label: '30 days' },
];

const WEBHOOK_SERIES: Series[] = [
  { key: 'received', name: 'Received', color: '#2563eb' },
  { key: 'processed', name: 'Processed', color: '#059669' },
  { key: 'failed', name: 'Failed', color: '#dc2626' },
  { key: 'rejected', name: 'Rejected', color: '#d97706' },
];

const fmt = (n: number) => n.toLocaleString();
const pct = (r: number | null) => (r === null ? '–' : `${(r * 100).toFixed(1)}%`);

/** "2026-01-10T10:00" in the browser's zone, for datetime-local inputs. */
function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function AnalyticsDashboard() {
  const [tz, setTz] = useState<string | null>(null);
  const [range, setRange] = useState<RangeKey>('24h');
  const [number, setNumber] = useState('all');
  const [custom, setCustom] = useState<{ from: string; to: string } | null>(null);

  // The browser's zone is known only in the browser: no request before it is.
  useEffect(() => setTz(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'), []);

  const ready = tz !== null && (range !== 'custom' || custom !== null);
  const { data, error, isLoading, mutate } = useAnalytics(
    ready
      ? { range, businessPhoneNumberId: number, tz, ...(range === 'custom' && custom ? { from: custom.from, to: custom.to } : {}) }
      : null,
  );

  const refresh = useCoalesced(async () => {
    await mutate();
    await new Promise((r) => setTimeout(r, MIN_GAP_MS));
  });
  useChanges((notice) => {
    if (!notice || notice.partial || notice.topics.some((t) => RELEVANT.has(t))) refresh();
  });

  const numberName = (id: string | null) => {
    if (!id) return 'all business numbers';
    const n = data?.numbers.find((x) => x.phoneNumberId === id);
    return businessNumberLabel(n?.displayPhoneNumber, id);
  };

  return (
    <div className="mx-auto max-w-6xl space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold">Analytics</h1>
          <p className="text-sm text-slate-600">
            Deliveries, failures and inbound volume{data ? ` for ${numberName(data.range.businessPhoneNumberId)}` : ''}; updates live.
          </p>
        </div>
        <div className="flex flex-wrap items-end gap-3">
          <div
            role="group"
            aria-label="Time range"
            className="inline-flex overflow-hidden rounded-md border border-slate-300 bg-white text-sm"
          >
            {RANGES.map((r) => (
              <button
                key={r.key}
                type="button"
                aria-pressed={range === r.key}
                onClick={() => setRange(r.key)}
                className={`px-3 py-1.5 ${range === r.key ? 'bg-emerald-600 text-white' : 'text-slate-700 hover:bg-slate-50'}`}
              >
                {r.label}
              </button>
            ))}
            <button
              type="button"
              aria-pressed={range === 'custom'}
              onClick={() => setRange('custom')}
              className={`px-3 py-1.5 ${range === 'custom' ? 'bg-emerald-600 text-white' : 'text-slate-700 hover:bg-slate-50'}`}
            >
              Custom
            </button>
          </div>
          <label className="text-sm">
            <span className="block text-xs font-medium text-slate-600">Business number</span>
            <Select fieldSize="sm" value={number} onChange={(e) => setNumber(e.target.value)} className="mt-1">
              <option value="all">All numbers</option>
              {data?.numbers.map((n) => (
                <option key={n.phoneNumberId} value={n.phoneNumberId}>
                  {businessNumberLabel(n.displayPhoneNumber, n.phoneNumberId)}
                </option>
              ))}
              {number !== 'all' && !data?.numbers.some((n) => n.phoneNumberId === number) && <option value={number}>{number}</option>}
            </Select>
          </label>
        </div>
      </div>

      {range === 'custom' && <CustomRangeForm initial={custom} onApply={setCustom} />}

      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          Could not load analytics: {(error as Error).message}
        </p>
      )}
      {!data && !error && (isLoading || !ready) && range !== 'custom' && <p className="text-sm text-slate-500">Loading analytics…</p>}
      {range === 'custom' && !custom && <p className="text-sm text-slate-500">Choose a start and an end, then Apply.</p>}
      {data && ready && <Dashboard data={data} stale={isLoading} />}
    </div>
  );
}

function CustomRangeForm({
  initial,
  onApply,
}: {
  initial: { from: string; to: string } | null;
  onApply: (r: { from: string; to: string }) => void;
}) {
  const [from, setFrom] = useState(() => (initial ? localInput(new Date(initial.from)) : localInput(new Date(Date.now() - 3 * 86400_000))));
  const [to, setTo] = useState(() => (initial ? localInput(new Date(initial.to)) : localInput(new Date())));
  const [problem, setProblem] = useState<string | null>(null);
  function submit(e: FormEvent) {
    e.preventDefault();
    const f = new Date(from);
    const t = new Date(to);
    if (Number.isNaN(f.getTime()) || Number.isNaN(t.getTime())) return setProblem('Enter a start and an end.');
    if (t <= f) return setProblem('The end must be after the start.');
    if (t.getTime() - f.getTime() > 400 * 86400_000) return setProblem('The range can be at most 400 days.');
    setProblem(null);
    onApply({ from: f.toISOString(), to: t.toISOString() });
  }
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3">
      <label className="text-sm">
        <span className="block text-xs font-medium text-slate-600">From</span>
        <Input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} fieldSize="sm" className="mt-1" required />
      </label>
      <label className="text-sm">
        <span className="block text-xs font-medium text-slate-600">To</span>
        <Input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} fieldSize="sm" className="mt-1" required />
      </label>
      <Button type="submit" variant="primary">
        Apply
      </Button>
      {problem && (
        <p role="alert" className="text-sm text-red-700">
          {problem}
        </p>
      )}
    </form>
  );
}

function bucketLabel(data: AnalyticsResponse, b: { key: string; start: string }): string {
  if (data.range.bucket === 'day') {
    return new Date(`${b.key}T00:00:00Z`).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  }
  const multiDay = Date.parse(data.range.to) - Date.parse(data.range.from) > 24 * 3600_000;
  return new Date(b.start).toLocaleString(
    undefined,
    multiDay ? { month: 'short', day: 'numeric', hour: '2-digit' } : { hour: '2-digit', minute: '2-digit' },
  );
}

function describeRange(data: AnalyticsResponse): string {
  const n = data.failures.buckets.length;
  const unit = data.range.bucket === 'hour' ? (n === 1 ? 'hour' : 'hours') : n === 1 ? 'day' : 'days';
  return `${n} ${data.range.bucket === 'hour' ? 'hourly' : 'daily'} buckets (${n} ${unit}${data.range.bucket === 'day' ? `, ${data.range.tz}` : ''})`;
}

function Dashboard({ data, stale }: { data: AnalyticsResponse; stale: boolean }) {
  const label = (b: { key: string; start: string }) => bucketLabel(data, b);
  const codeName = (code: number) => (code === 0 ? 'No code' : String(code));
  const codeSeries: Series[] = data.failures.codes.map((code, i) => ({
    key: `c${code}`,
    name: codeName(code),
    color: PALETTE[i % PALETTE.length]!,
  }));
  const failureRows: ChartRow[] = data.failures.buckets.map((b) => {
    const row: ChartRow = { label: label(b), rate: b.rate };
    for (const code of data.failures.codes) row[`c${code}`] = b.byCode[code] ?? 0;
    return row;
  });
  const typeSeries: Series[] = data.inbound.types.map((type, i) => ({
    key: `t_${type}`,
    name: type,
    color: PALETTE[(i + 4) % PALETTE.length]!,
  }));
  const inboundRows: ChartRow[] = data.inbound.buckets.map((b) => {
    const row: ChartRow = { label: label(b) };
    for (const type of data.inbound.types) row[`t_${type}`] = b.byType[type] ?? 0;
    return row;
  });
  const webhookRows: ChartRow[] = data.webhooks.buckets.map((b) => ({
    label: label(b),
    received: b.received,
    processed: b.processed,
    failed: b.failed,
    rejected: b.rejected,
  }));
  const { totals } = data.failures;
  const f = data.funnel;
  const span = describeRange(data);

  return (
    <div className={`space-y-6 ${stale ? 'opacity-70' : ''}`} aria-busy={stale}>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Stat label="Sent" value={fmt(totals.sent)} />
        <Stat label="Failed" value={fmt(totals.failed)} tone={totals.failed > 0 ? 'bad' : undefined} />
        <Stat label="Failure rate" value={pct(totals.rate)} tone={(totals.rate ?? 0) > 0.05 ? 'bad' : undefined} />
        <Stat label="Inbound messages" value={fmt(data.inbound.total)} />
      </dl>

      <Card title="Failed deliveries" id="failures-heading" note={`By error code · ${span}`}>
        <p data-testid="failure-totals" className="mb-2 text-sm text-slate-700">
          {fmt(totals.failed)} failed of {fmt(totals.sent)} sent ({pct(totals.rate)} failure rate)
        </p>
        {totals.failed === 0 ? (
          <Empty>No failed deliveries in this range.</Empty>
        ) : (
          <StackedBars rows={failureRows} series={codeSeries} label={`Failed deliveries per ${data.range.bucket}, stacked by error code`} />
        )}
        <DataTable
          caption="Failed deliveries per bucket"
          testId="failure-table"
          head={['Bucket', 'Sent', 'Failed', 'Failure rate', ...data.failures.codes.map(codeName)]}
          rows={data.failures.buckets.map((b) => [
            label(b),
            fmt(b.sent),
            fmt(b.failed),
            pct(b.rate),
            ...data.failures.codes.map((c) => fmt(b.byCode[c] ?? 0)),
          ])}
        />
      </Card>

      <Card title="Failure rate" id="rate-heading" note="Failed ÷ sent status events per bucket">
        {totals.sent === 0 && totals.failed === 0 ? (
          <Empty>Nothing sent in this range.</Empty>
        ) : (
          <Lines
            rows={failureRows}
            series={[{ key: 'rate', name: 'Failure rate', color: '#dc2626' }]}
            label={`Failure rate per ${data.range.bucket}`}
            percent
          />
        )}
      </Card>

      <Card title="Top error codes" id="errors-heading">
        {data.topErrors.length === 0 ? (
          <Empty>No errors in this range.</Empty>
        ) : (
          <div className="overflow-x-auto">
            <table data-testid="top-errors" className="w-full text-left text-sm">
              <thead className="text-xs text-slate-500 uppercase">
                <tr>
                  <th className="py-2 pr-3 font-medium">Code</th>
                  <th className="py-2 pr-3 text-right font-medium">Failures</th>
                  <th className="py-2 pr-3 text-right font-medium">Share</th>
                  <th className="py-2 font-medium">What it means</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {data.topErrors.map((e) => (
                  <tr key={e.code} data-code={e.code}>
                    <td className="py-2 pr-3 font-mono">{codeName(e.code)}</td>
                    <td className="py-2 pr-3 text-right tabular-nums">{fmt(e.count)}</td>
                    <td className="py-2 pr-3 text-right tabular-nums">{pct(e.share)}</td>
                    <td className="py-2 text-slate-700">
                      {e.summary ? (
                        <>
                          {e.summary} <span className="text-slate-500">{e.action}</span>
                        </>
                      ) : (
                        <span className="text-slate-400">Error {codeName(e.code)}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Delivery funnel" id="funnel-heading" note="Messages first sent in this range">
          {f.sent === 0 ? (
            <Empty>No messages sent in this range.</Empty>
          ) : (
            <div data-testid="funnel" className="space-y-2">
              <FunnelBar label="Sent" value={f.sent} of={f.sent} color="bg-slate-500" />
              <FunnelBar label="Delivered" value={f.delivered} of={f.sent} color="bg-emerald-500" />
              <FunnelBar label="Read" value={f.read} of={f.sent} color="bg-sky-500" />
              <FunnelBar label="Failed" value={f.failed} of={f.sent} color="bg-red-500" />
            </div>
          )}
          <dl className="mt-4 grid grid-cols-2 gap-3">
            <Stat label="Median time to delivered" value={formatDuration(f.medianDeliveredSeconds)} />
            <Stat label="Median time to read" value={formatDuration(f.medianReadSeconds)} />
          </dl>
        </Card>

        <Card title="Inbound messages by type" id="inbound-heading" note={span}>
          {data.inbound.total === 0 ? (
            <Empty>No inbound messages in this range.</Empty>
          ) : (
            <>
              <StackedBars rows={inboundRows} series={typeSeries} label={`Inbound messages per ${data.range.bucket}, stacked by type`} />
              <ul data-testid="inbound-totals" className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm text-slate-700">
                {data.inbound.totals.map((t) => (
                  <li key={t.type}>
                    {t.type}: <span className="tabular-nums">{fmt(t.count)}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </Card>
      </div>

      <Card title="Webhook health" id="webhooks-heading" note="All numbers: one webhook delivery can carry several business numbers">
        <dl className="mb-3 grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Stat label="Received" value={fmt(data.webhooks.totals.received)} />
          <Stat label="Processed" value={fmt(data.webhooks.totals.processed)} />
          <Stat label="Failed" value={fmt(data.webhooks.totals.failed)} tone={data.webhooks.totals.failed > 0 ? 'bad' : undefined} />
          <Stat label="Rejected" value={fmt(data.webhooks.totals.rejected)} tone={data.webhooks.totals.rejected > 0 ? 'bad' : undefined} />
        </dl>
        <p data-testid="processing-lag" className="mb-3 text-sm text-slate-700">
          Processing now: {fmt(data.webhooks.backlog.pending)} pending, {formatDuration(data.webhooks.backlog.lagSeconds)} behind,{' '}
          {fmt(data.webhooks.backlog.failed)} given up on.
        </p>
        {data.webhooks.totals.received + data.webhooks.totals.rejected === 0 ? (
          <Empty>No webhook deliveries in this range.</Empty>
        ) : (
          <Lines
            rows={webhookRows}
            series={WEBHOOK_SERIES}
            label={`Webhook deliveries per ${data.range.bucket}: received, processed, failed and rejected`}
          />
        )}
        <DataTable
          caption="Webhook deliveries per bucket"
          head={['Bucket', 'Received', 'Processed', 'Failed', 'Rejected']}
          rows={data.webhooks.buckets.map((b) => [label(b), fmt(b.received), fmt(b.processed), fmt(b.failed), fmt(b.rejected)])}
        />
      </Card>
    </div>
  );
}

function Card({ title, id, note, children }: { title: string; id: string; note?: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={id} className="text-sm font-semibold">
          {title}
        </h2>
        {note && <p className="text-xs text-slate-500">{note}</p>}
      </div>
      {children}
    </section>
  );
}

function Stat({ label, value, tone }: { label: string; value: string; tone?: 'bad' }) {
  return (
    <div className="rounded-md bg-slate-50 px-3 py-2">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={`text-lg font-semibold tabular-nums ${tone === 'bad' ? 'text-red-700' : 'text-slate-900'}`}>{value}</dd>
    </div>
  );
}

function Empty({ children }: { children: ReactNode }) {
  return <p className="rounded-md bg-slate-50 px-3 py-6 text-center text-sm text-slate-500">{children}</p>;
}

function FunnelBar({ label, value, of, color }: { label: string; value: number; of: number; color: string }) {
  const share = of > 0 ? value / of : 0;
  return (
    <div>
      <div className="flex justify-between text-sm">
        <span>{label}</span>
        <span className="tabular-nums text-slate-700">
          {fmt(value)} <span className="text-slate-500">({pct(of > 0 ? share : null)})</span>
        </span>
      </div>
      <div className="mt-1 h-2 rounded bg-slate-100" aria-hidden>
        <div className={`h-2 rounded ${color}`} style={{ width: `${Math.min(100, share * 100)}%` }} />
      </div>
    </div>
  );
}

/** The numbers behind a chart, for screen readers (and anyone who opens it). */
function DataTable({ caption, head, rows, testId }: { caption: string; head: string[]; rows: string[][]; testId?: string }) {
  return (
    <details className="mt-2 text-sm">
      <summary className="cursor-pointer text-xs text-slate-500">Show the numbers</summary>
      <div className="mt-2 max-h-72 overflow-auto">
        <table data-testid={testId} className="w-full text-left text-xs">
          <caption className="sr-only">{caption}</caption>
          <thead className="text-slate-500">
            <tr>
              {head.map((h) => (
                <th key={h} scope="col" className="py-1 pr-3 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 tabular-nums">
            {rows.map((r, i) => (
              <tr key={i}>
                {r.map((cell, j) =>
                  j === 0 ? (
                    <th key={j} scope="row" className="py-1 pr-3 font-normal">
                      {cell}
                    </th>
                  ) : (
                    <td key={j} className="py-1 pr-3">
                      {cell}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
