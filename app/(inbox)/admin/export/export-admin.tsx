'use client';
import { Download } from 'lucide-react';
import { useRef, useState } from 'react';
import { adminExportUrl } from '@/app/_components/api/keys';
import { ApiRequestError } from '@/app/_components/fetch-json';
import { Button } from '@/app/_components/ui/button';
import { PageHeader, Section } from '@/app/_components/ui/section';
import { type ExportProgress, exportProgressReader } from '@/lib/privacy/export-progress';

// /admin/export: every message of a date range (all conversations, by the messages' own timestamps) as
// NDJSON. The server streams it page by page; this page counts the lines as they come (received / total)
// and saves the file when the last one is in.

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

type Run =
  | { state: 'idle' }
  | { state: 'running'; progress: ExportProgress }
  | { state: 'done'; progress: ExportProgress; filename: string }
  | { state: 'failed'; message: string };

export function ExportAdmin() {
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 30 * DAY_MS)));
  const [to, setTo] = useState(isoDay(today));
  const [run, setRun] = useState<Run>({ state: 'idle' });
  const abort = useRef<AbortController | null>(null);

  async function start() {
    const controller = new AbortController();
    abort.current = controller;
    setRun({ state: 'running', progress: { total: null, received: 0, complete: false } });
    try {
      // The last day is included: the range ends at the start of the day after it (UTC).
      const end = isoDay(new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS));
      const res = await fetch(adminExportUrl({ from, to: end }), { signal: controller.signal, cache: 'no-store' });
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new ApiRequestError(res.status, body?.error?.message ?? `The server answered ${res.status}.`);
      }
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      const progress = exportProgressReader();
      const parts: Uint8Array<ArrayBuffer>[] = [];
      let latest: ExportProgress = { total: null, received: 0, complete: false };
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        latest = progress.push(decoder.decode(value, { stream: true }));
        setRun({ state: 'running', progress: latest });
      }
      if (!latest.complete) throw new Error('The export stopped before its end. Try again.');
      const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'ticks-messages.ndjson';
      save(new Blob(parts, { type: 'application/x-ndjson' }), filename);
      setRun({ state: 'done', progress: latest, filename });
    } catch (err) {
      if ((err as Error).name === 'AbortError') setRun({ state: 'idle' });
      else setRun({ state: 'failed', message: (err as Error).message });
    } finally {
      abort.current = null;
    }
  }

  const running = run.state === 'running';
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageHeader title="Export">
        Every message of every conversation sent within the dates, by the messages&apos; own timestamps, as NDJSON: a header line with the
        total, one line per message (the API&apos;s message shape, with its status history and media link), then an end line. A single
        customer or conversation is exported from its conversation&apos;s menu.
      </PageHeader>
      <Section id="export-range" title="Messages by date">
        <form
          className="flex flex-wrap items-end gap-3 px-4 py-4"
          onSubmit={(event) => {
            event.preventDefault();
            if (!running) void start();
          }}
        >
          <label className="text-sm text-slate-700">
            From
            <input
              type="date"
              required
              value={from}
              max={to}
              onChange={(e) => setFrom(e.target.value)}
              className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            />
          </label>
          <label className="text-sm text-slate-700">
            To (included)
            <input
              type="date"
              required
              value={to}
              min={from}
              onChange={(e) => setTo(e.target.value)}
              className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            />
          </label>
          <Button type="submit" variant="primary" disabled={running} className="inline-flex items-center gap-1.5">
            <Download className="size-4" aria-hidden="true" />
            {running ? 'Exporting…' : 'Export'}
          </Button>
          {running && <Button onClick={() => abort.current?.abort()}>Cancel</Button>}
        </form>
        <div className="px-4 pb-4" aria-live="polite">
          {run.state === 'running' && <ProgressBar progress={run.progress} />}
          {run.state === 'done' && (
            <p className="text-sm text-emerald-800" role="status">
              Saved {run.filename}: {run.progress.received.toLocaleString()} messages.
            </p>
          )}
          {run.state === 'failed' && (
            <p className="text-sm text-red-700" role="alert">
              {run.message}
            </p>
          )}
        </div>
      </Section>
    </div>
  );
}

function ProgressBar({ progress }: { progress: ExportProgress }) {
  const { total, received } = progress;
  const percent = total ? Math.min(100, Math.round((received / total) * 100)) : 0;
  return (
    <div>
      <div
        role="progressbar"
        aria-label="Export progress"
        aria-valuemin={0}
        aria-valuemax={total ?? undefined}
        aria-valuenow={received}
        className="h-2 overflow-hidden rounded bg-slate-100"
      >
        <div className="h-full bg-emerald-500 transition-[width]" style={{ width: `${percent}%` }} />
      </div>
      <p className="mt-1 text-sm text-slate-600 tabular-nums">
        {received.toLocaleString()} of {total === null ? '…' : total.toLocaleString()} messages
      </p>
    </div>
  );
}

/** Hands the finished file to the browser as a download. */
function save(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
