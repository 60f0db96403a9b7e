'use client';

import { useEffect, useState } from 'react';
import { retryMediaDownload } from '@/app/_components/api/use-media';
import { useViewer } from '@/app/_components/viewer';
import { Icon } from '@/app/_components/icon';
import { Button, buttonClass } from '@/app/_components/ui/button';
import { Spinner } from '@/app/_components/ui/states';
import { documentTypeLabel, type MediaBody, type MediaFileView } from '@/lib/inbox/message-view';

// The file of a media message: the image, sticker, player or document card once it is downloaded,
// a clear note while it is not. Message content is untrusted: it reaches the DOM only as React text,
// and the only URLs used are the view model's, which are our own /api/media/... paths.

/** A media message's body, or a template header's file. */
type MediaView = MediaBody;

export interface MediaAttachmentProps {
  view: MediaView;
  /** Who sent it, for accessible names: "Image from Erin". */
  from: string;
}

export function MediaAttachment({ view, from }: MediaAttachmentProps) {
  const file = view.file;
  if (!file) return <InfoCard view={view} note="File not available" />;
  switch (file.status) {
    case 'ready':
      return <ReadyMedia view={view} file={file} from={from} />;
    case 'pending':
      return <InfoCard view={view} testId="media-pending" note={file.note} busy />;
    case 'waiting-for-token':
      return <InfoCard view={view} testId="media-waiting" note={file.note} />;
    case 'failed':
      // A new failure (after a retry) starts a fresh card: its Retry button comes back at once.
      return <FailedCard key={file.failedAt ?? ''} view={view} file={file} />;
  }
}

function ReadyMedia({ view, file, from }: { view: MediaView; file: Extract<MediaFileView, { status: 'ready' }>; from: string }) {
  const [broken, setBroken] = useState(false);
  if (broken) return <UnplayableCard view={view} file={file} />;
  switch (view.mediaKind) {
    case 'image': {
      const alt = view.caption ?? `Image from ${from}`;
      return (
        <a
          href={file.url}
          target="_blank"
          rel="noopener"
          data-testid="media-image"
          aria-label={`Open the image full size: ${alt}`}
          title="Open full size"
          className="block overflow-hidden rounded-md focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
        >
          {/* eslint-disable-next-line @next/next/no-img-element -- our own authenticated file route, not next/image */}
          <img
            src={file.url}
            alt={alt}
            loading="lazy"
            onError={() => setBroken(true)}
            className="block max-h-80 w-[260px] max-w-full bg-black/5 object-cover"
          />
        </a>
      );
    }
    case 'sticker':
      return (
        // eslint-disable-next-line @next/next/no-img-element -- our own authenticated file route, not next/image
        <img
          src={file.url}
          alt={`${view.animated ? 'Animated sticker' : 'Sticker'} from ${from}`}
          loading="lazy"
          data-testid="media-sticker"
          onError={() => setBroken(true)}
          className="block h-32 w-32 object-contain"
        />
      );
    case 'audio':
    case 'voice':
      return (
        <audio
          controls
          preload="metadata"
          src={file.url}
          data-testid="media-audio"
          aria-label={`${view.label} from ${from}`}
          onError={() => setBroken(true)}
          className="w-[260px] max-w-full"
        >
          <a href={file.url} download>
            Download the {view.label.toLowerCase()}
          </a>
        </audio>
      );
    case 'video':
      return (
        <video
          controls
          preload="metadata"
          src={file.url}
          data-testid="media-video"
          aria-label={view.caption ? `Video from ${from}: ${view.caption}` : `Video from ${from}`}
          onError={() => setBroken(true)}
          className="block max-h-80 w-[260px] max-w-full rounded-md bg-black"
        >
          <a href={file.url} download>
            Download the video
          </a>
        </video>
      );
    case 'document': {
      const type = documentTypeLabel(view.filename, file.mimeType ?? view.mimeType);
      const name = view.filename ?? 'Document';
      return (
        <div data-testid="media-document" className="flex w-[260px] max-w-full items-center gap-2 rounded-md bg-black/5 p-2">
          <Icon name="document" className="size-7 shrink-0 text-slate-500" />
          <div className="min-w-0 flex-1 text-xs">
            <p className="truncate font-medium text-slate-800" title={name}>
              {name}
            </p>
            <p className="truncate text-slate-500">{[type, file.sizeLabel].filter(Boolean).join(' · ') || 'Document'}</p>
          </div>
          <a
            href={file.url}
            download={view.filename ?? true}
            aria-label={`Download ${name}`}
            className={`shrink-0 ${buttonClass('secondary', 'xs')}`}
          >
            Download
          </a>
        </div>
      );
    }
  }
}

/** A codec this browser lacks, or a damaged file: say so, and still hand over the file itself. */
function UnplayableCard({ view, file }: { view: MediaView; file: Extract<MediaFileView, { status: 'ready' }> }) {
  const playable = view.mediaKind === 'audio' || view.mediaKind === 'voice' || view.mediaKind === 'video';
  const note = playable
    ? 'This browser cannot play this file (its format is not supported, or the file is damaged)'
    : 'This browser cannot show this file (its format is not supported, or the file is damaged)';
  return (
    <div data-testid="media-unplayable">
      <InfoCard view={view} note={note}>
        <a href={file.url} download className={`mt-1 inline-block ${buttonClass('secondary', 'xs')}`}>
          Download the {view.label.toLowerCase()}
          {file.sizeLabel && <span className="font-normal text-slate-500"> ({file.sizeLabel})</span>}
        </a>
      </InfoCard>
    </div>
  );
}

function InfoCard({
  view,
  note,
  testId,
  busy = false,
  tone = 'muted',
  children,
}: {
  view: MediaView;
  note: string;
  testId?: string;
  busy?: boolean;
  tone?: 'muted' | 'error';
  children?: React.ReactNode;
}) {
  return (
    <div
      data-testid={testId}
      role={busy ? 'status' : undefined}
      className={`flex w-[260px] max-w-full items-center gap-2 rounded-md p-2 ${tone === 'error' ? 'bg-red-50' : 'bg-black/5'}`}
    >
      <Icon name={view.mediaKind} className="size-7 shrink-0 text-slate-500" />
      <div className="min-w-0 flex-1 text-xs">
        <p className="font-medium text-slate-700">
          {view.label}
          {view.animated && <span className="font-normal text-slate-500"> (animated)</span>}
        </p>
        {view.filename && <p className="truncate text-slate-700">{view.filename}</p>}
        {view.mimeType && <p className="truncate font-mono text-slate-500">{view.mimeType}</p>}
        <p className={`flex items-center gap-1.5 ${tone === 'error' ? 'text-red-700' : 'text-slate-500'}`}>
          {busy && <Spinner />}
          <span>{note}</span>
        </p>
        {children}
      </div>
    </div>
  );
}

/** After a 202 the download is queued again; the live notice refreshes the thread when it ends. */
const RETRY_SETTLE_MS = 30_000;

function FailedCard({ view, file }: { view: MediaView; file: Extract<MediaFileView, { status: 'failed' }> }) {
  const { role } = useViewer();
  const [state, setState] = useState<{ phase: 'idle' | 'sending' | 'queued'; error: string | null }>({ phase: 'idle', error: null });

  // Queued: if the next attempt fails the same way the thread may not change; offer the button again later.
  useEffect(() => {
    if (state.phase !== 'queued') return;
    const timer = setTimeout(() => setState({ phase: 'idle', error: null }), RETRY_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [state.phase]);

  const retry = async () => {
    setState({ phase: 'sending', error: null });
    try {
      await retryMediaDownload(file.retryUrl);
      setState({ phase: 'queued', error: null });
    } catch (err) {
      setState({ phase: 'idle', error: err instanceof Error ? err.message : 'The retry could not be started.' });
    }
  };

  return (
    <div data-testid="media-failed" data-reason={file.reason ?? ''}>
      <InfoCard view={view} note={file.text} tone="error">
        {role === 'admin' && (
          <div className="mt-1">
            {state.phase === 'queued' ? (
              <p role="status" className="flex items-center gap-1.5 text-slate-600">
                <Spinner />
                Retrying the download…
              </p>
            ) : (
              <Button size="xs" onClick={retry} disabled={state.phase === 'sending'}>
                {state.phase === 'sending' ? 'Retrying…' : 'Retry download'}
              </Button>
            )}
            {state.error && (
              <p role="alert" className="mt-1 text-red-700">
                {state.error}
              </p>
            )}
          </div>
        )}
      </InfoCard>
    </div>
  );
}
