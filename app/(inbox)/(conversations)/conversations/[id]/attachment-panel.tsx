'use client';
import { FileText, X } from 'lucide-react';
import { useEffect, useState } from 'react';
import { uploadFile } from '@/app/_components/api/use-outbox';
import { Button } from '@/app/_components/ui/button';
import { Spinner } from '@/app/_components/ui/states';
import type { ApiMessage } from '@/lib/contracts/inbox';
import {
  checkOutboundFile,
  isAnimatedWebp,
  type OutboundMediaKind,
  outboundKindLabel,
  outboundKindOf,
} from '@/lib/contracts/outbound-media';
import type { PostUploadResponse } from '@/lib/contracts/uploads';
import { formatFileSize } from '@/lib/inbox/format-size';
import { CAPTION_MAX_CHARS } from '@/lib/whatsapp/send-requests';
import { useCollisionGuard } from './collision-warning';
import type { SendBody } from './use-send';

// A file the agent attached: checked against WhatsApp's limits before anything is uploaded, uploaded at
// once (with its progress) while the agent writes a caption, then sent by its upload id.

/** Kinds of message that carry a caption. */
const TAKES_CAPTION: ReadonlySet<OutboundMediaKind> = new Set(['image', 'video', 'document']);

type UploadState =
  | { state: 'checking' }
  | { state: 'refused'; message: string }
  | { state: 'uploading'; progress: number }
  | { state: 'uploaded'; upload: PostUploadResponse }
  | { state: 'failed'; message: string };

export interface AttachmentPanelProps {
  file: File;
  replyTo: ApiMessage | null;
  send: (body: SendBody) => Promise<boolean>;
  sending: boolean;
  /** The composer's collision check: true when it showed a warning first (`sendAnyway` is its Send anyway). */
  warnFirst: (sendAnyway: () => void) => boolean;
  onCancel: () => void;
  onSent: () => void;
}

export function AttachmentPanel({ file, replyTo, send, sending, warnFirst, onCancel, onSent }: AttachmentPanelProps) {
  const collision = useCollisionGuard();
  const kind = outboundKindOf(file.type);
  const [upload, setUpload] = useState<UploadState>({ state: 'checking' });
  const [caption, setCaption] = useState('');
  const [sendError, setSendError] = useState<string | null>(null);
  const thumbnail = useObjectUrl(kind === 'image' || kind === 'sticker' ? file : null);

  useEffect(() => {
    const abort = new AbortController();
    (async () => {
      const animated = kind === 'sticker' && isAnimatedWebp(new Uint8Array(await file.slice(0, 32).arrayBuffer()));
      const check = checkOutboundFile({ kind, mimeType: file.type, bytes: file.size, animated });
      if (!check.ok) return setUpload({ state: 'refused', message: check.message });
      setUpload({ state: 'uploading', progress: 0 });
      const uploaded = await uploadFile(file, {
        kind,
        signal: abort.signal,
        onProgress: (progress) => setUpload({ state: 'uploading', progress }),
      });
      setUpload({ state: 'uploaded', upload: uploaded });
    })().catch((err: unknown) => {
      if (abort.signal.aborted) return;
      setUpload({ state: 'failed', message: err instanceof Error ? err.message : String(err) });
    });
    return () => abort.abort();
  }, [file, kind]);

  const submit = async (anyway = false) => {
    if (upload.state !== 'uploaded') return;
    // Another agent answered meanwhile: the composer shows it first, and Send anyway comes back here.
    if (!anyway && warnFirst(() => void submit(true))) return;
    setSendError(null);
    const trimmed = caption.trim();
    const accepted = await send({
      type: 'media',
      uploadId: upload.upload.id,
      ...(TAKES_CAPTION.has(upload.upload.kind) && trimmed !== '' ? { caption: trimmed } : {}),
      ...(replyTo ? { replyToId: replyTo.id } : {}),
    });
    if (accepted) {
      collision.acknowledge();
      onSent();
    } else setSendError('Not sent; see the reason below the message box.');
  };

  return (
    <section
      data-testid="attachment"
      aria-label="Attachment"
      className="mb-2 rounded-lg border border-slate-200 bg-white p-2 text-sm shadow-sm"
    >
      <div className="flex items-start gap-3">
        {thumbnail ? (
          <img src={thumbnail} alt={`Preview of ${file.name}`} className="size-20 shrink-0 rounded object-cover" />
        ) : (
          <div className="flex size-20 shrink-0 items-center justify-center rounded bg-slate-100 text-slate-500">
            <FileText className="size-8" aria-hidden="true" />
          </div>
        )}
        <div className="min-w-0 flex-1">
          <p className="truncate font-medium" title={file.name}>
            {file.name}
          </p>
          <p className="text-xs text-slate-500">
            {formatFileSize(file.size)} · {file.type || 'unknown type'} · sent as {outboundKindLabel(kind)}
          </p>
          <UploadStatus upload={upload} />
          {TAKES_CAPTION.has(kind) && upload.state !== 'refused' && (
            <input
              aria-label="Caption"
              placeholder="Add a caption"
              value={caption}
              maxLength={CAPTION_MAX_CHARS}
              onChange={(event) => setCaption(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter') {
                  event.preventDefault();
                  void submit();
                }
              }}
              className="mt-1.5 w-full rounded-md border border-slate-300 px-2 py-1 text-sm focus:border-emerald-500 focus:ring-2 focus:ring-emerald-200 focus:outline-none"
            />
          )}
        </div>
        <button
          type="button"
          aria-label="Remove attachment"
          onClick={onCancel}
          className="rounded p-1 text-slate-500 hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none"
        >
          <X className="size-4" aria-hidden="true" />
        </button>
      </div>
      <div className="mt-2 flex items-center justify-end gap-2">
        {sendError && <span className="text-xs text-red-700">{sendError}</span>}
        <Button variant="primary" disabled={upload.state !== 'uploaded' || sending} onClick={() => void submit()}>
          Send file
        </Button>
      </div>
    </section>
  );
}

function UploadStatus({ upload }: { upload: UploadState }) {
  switch (upload.state) {
    case 'checking':
      return null;
    case 'refused':
    case 'failed':
      return (
        <p role="alert" className="mt-1 text-xs text-red-700">
          {upload.message}
        </p>
      );
    case 'uploading': {
      const percent = Math.round(upload.progress * 100);
      return (
        <div className="mt-1 flex items-center gap-2 text-xs text-slate-600">
          <Spinner />
          <progress aria-label="Upload progress" max={100} value={percent} className="h-1.5 w-32" />
          <span>Uploading… {percent}%</span>
        </div>
      );
    }
    case 'uploaded':
      return <p className="mt-1 text-xs text-emerald-700">Ready to send</p>;
  }
}

/** A blob: URL for a file while it is shown, revoked after. */
function useObjectUrl(file: File | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file) return setUrl(null);
    const made = URL.createObjectURL(file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [file]);
  return url;
}
