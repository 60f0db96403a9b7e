'use client';
import { X } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { requestTemplateSync, uploadFile, useApprovedTemplates } from '@/app/_components/api/use-outbox';
import { ApiRequestError } from '@/app/_components/fetch-json';
import { useViewer } from '@/app/_components/viewer';
import { formatDateTime } from '@/lib/inbox/format-time';
import { Button } from '@/app/_components/ui/button';
import { fieldClass } from '@/app/_components/ui/input';
import { EmptyState, LoadState } from '@/app/_components/ui/states';
import type { ApiMessage, GetConversationResponse } from '@/lib/contracts/inbox';
import type { ApiTemplate } from '@/lib/contracts/templates';
import type { PostUploadResponse } from '@/lib/contracts/uploads';
import { templateFields, templateHeaderFileKind, templatePreview, templateRequest } from '@/lib/inbox/template-form';
import { useSend } from './use-send';

// The template picker: the APPROVED templates of the conversation's business number, searched by name;
// the chosen one's text with a field per variable (the customer's name filled in where the variable asks
// for it), the message as the customer will read it, and Send.

export interface TemplatePickerProps {
  conversationId: string;
  conversation: GetConversationResponse;
  onClose: () => void;
  onSent: (message: ApiMessage) => void;
}

/** A sync asked for: the list is read again this often until Meta's answer is in, for at most SYNC_WAIT_MS. */
const SYNC_POLL_MS = 1000;
const SYNC_WAIT_MS = 60_000;

export function TemplatePicker({ conversationId, conversation, onClose, onSent }: TemplatePickerProps) {
  const [syncing, setSyncing] = useState<Syncing | null>(null);
  const { data, error, isLoading } = useApprovedTemplates(conversation.businessPhoneNumberId, syncing ? SYNC_POLL_MS : 0);
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<ApiTemplate | null>(null);
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [onClose]);

  const templates = useMemo(() => {
    const term = search.trim().toLowerCase();
    return (data?.templates ?? []).filter((t) => t.status === 'APPROVED' && t.name.toLowerCase().includes(term));
  }, [data, search]);

  return (
    <div className="fixed inset-0 z-40 flex items-center justify-center bg-black/30 p-4">
      <div
        ref={dialog}
        role="dialog"
        aria-modal="true"
        aria-labelledby="template-picker-title"
        className="flex max-h-[90vh] w-full max-w-2xl flex-col rounded-lg bg-white shadow-xl"
      >
        <header className="flex items-center justify-between border-b border-slate-200 px-4 py-3">
          <h2 id="template-picker-title" className="text-base font-semibold">
            {chosen ? `Template: ${chosen.name}` : 'Send a template'}
          </h2>
          <button type="button" aria-label="Close" onClick={onClose} className="rounded p-1 text-slate-500 hover:bg-slate-100">
            <X className="size-5" aria-hidden="true" />
          </button>
        </header>
        {chosen ? (
          <TemplateForm
            key={chosen.id}
            template={chosen}
            conversationId={conversationId}
            contactName={conversation.contact.name}
            onBack={() => setChosen(null)}
            onSent={onSent}
          />
        ) : (
          <div className="flex min-h-0 flex-1 flex-col p-4">
            <input
              type="search"
              aria-label="Search templates"
              placeholder="Search by name"
              // biome-ignore lint/a11y/noAutofocus: the dialog opens to search
              autoFocus
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              className={`${fieldClass('sm')} mb-3 w-full`}
            />
            <LoadState isLoading={isLoading} error={error} what="templates" className="py-2" />
            {data && templates.length === 0 && (
              <EmptyState className="py-2">
                {search.trim() ? 'No approved template has that in its name.' : 'This number has no approved templates yet.'}
              </EmptyState>
            )}
            <ul aria-label="Templates" className="min-h-0 flex-1 divide-y divide-slate-100 overflow-y-auto">
              {templates.map((t) => (
                <li key={t.id}>
                  <button
                    type="button"
                    onClick={() => setChosen(t)}
                    className="w-full px-2 py-2 text-left hover:bg-slate-50 focus-visible:bg-slate-50 focus-visible:outline-none"
                  >
                    <span className="font-medium">{t.name}</span>
                    <span className="ml-2 text-xs text-slate-500">
                      {t.language}
                      {t.category && ` · ${t.category.toLowerCase()}`}
                    </span>
                    <span className="mt-0.5 line-clamp-2 block text-xs text-slate-600">{bodyTextOf(t)}</span>
                  </button>
                </li>
              ))}
            </ul>
            <TemplateSyncStatus syncedAt={data?.syncedAt ?? null} syncing={syncing} onSyncing={setSyncing} />
          </div>
        )}
      </div>
    </div>
  );
}

function bodyTextOf(template: ApiTemplate): string {
  const body = template.components.find((c) => String(c.type ?? '').toUpperCase() === 'BODY');
  return typeof body?.text === 'string' ? body.text : '';
}

interface TemplateFormProps {
  template: ApiTemplate;
  conversationId: string;
  contactName: string | null;
  onBack: () => void;
  onSent: (message: ApiMessage) => void;
}

function TemplateForm({ template, conversationId, contactName, onBack, onSent }: TemplateFormProps) {
  const fields = useMemo(() => templateFields(template, contactName), [template, contactName]);
  const headerFileKind = templateHeaderFileKind(template);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fields.map((f) => [f.key, f.prefill])));
  const [headerFile, setHeaderFile] = useState<{ upload: PostUploadResponse } | { error: string } | { uploading: true } | null>(null);
  const { send, sending, error } = useSend(conversationId, onSent);
  const uploaded = headerFile && 'upload' in headerFile ? headerFile.upload : null;
  const preview = templatePreview(template, values, uploaded ? { mimeType: uploaded.mimeType, filename: uploaded.filename } : null);

  const submit = async () => {
    if (!preview.ok || sending) return;
    await send({ type: 'template', template: templateRequest(template, values, uploaded?.id ?? null) });
  };

  return (
    <form
      className="flex min-h-0 flex-1 flex-col"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div className="min-h-0 flex-1 space-y-3 overflow-y-auto p-4 text-sm">
        <div>
          <h3 className="mb-1 text-xs font-semibold text-slate-500 uppercase">Text</h3>
          <p className="rounded bg-slate-50 p-2 break-words whitespace-pre-wrap text-slate-700">{bodyTextOf(template)}</p>
        </div>
        {headerFileKind && (
          <label className="block">
            <span className="font-medium text-slate-700">Header {headerFileKind}</span>
            <input
              type="file"
              className="mt-1 block text-sm"
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (!file) return;
                setHeaderFile({ uploading: true });
                uploadFile(file, { kind: headerFileKind })
                  .then((upload) => setHeaderFile({ upload }))
                  .catch((err: unknown) => setHeaderFile({ error: err instanceof Error ? err.message : String(err) }));
              }}
            />
            {headerFile && 'error' in headerFile && (
              <span role="alert" className="text-xs text-red-700">
                {headerFile.error}
              </span>
            )}
            {headerFile && 'uploading' in headerFile && <span className="text-xs text-slate-500">Uploading…</span>}
          </label>
        )}
        {fields.length > 0 && (
          <fieldset className="space-y-2">
            <legend className="mb-1 text-xs font-semibold text-slate-500 uppercase">Values</legend>
            {fields.map((field) => (
              <label key={field.key} className="block">
                <span className="font-medium text-slate-700">{field.label}</span>
                {field.variable.example && <span className="ml-2 text-xs text-slate-500">e.g. {field.variable.example}</span>}
                <input
                  value={values[field.key] ?? ''}
                  onChange={(event) => setValues((v) => ({ ...v, [field.key]: event.target.value }))}
                  className={`${fieldClass('sm')} mt-0.5 w-full`}
                />
              </label>
            ))}
          </fieldset>
        )}
        <div>
          <h3 className="mb-1 text-xs font-semibold text-slate-500 uppercase">Preview</h3>
          {preview.ok ? (
            <div
              data-testid="template-preview"
              className="rounded-lg bg-[#d9fdd3] p-2 break-words whitespace-pre-wrap text-slate-900 shadow-sm"
            >
              {preview.content.header?.text && <p className="font-semibold">{preview.content.header.text}</p>}
              <p>{preview.content.body}</p>
              {preview.content.footer && <p className="mt-1 text-xs text-slate-500">{preview.content.footer}</p>}
            </div>
          ) : (
            <p data-testid="template-preview-missing" className="text-slate-500">
              {preview.missing === 'header file'
                ? 'Choose the header file to see the message.'
                : `Fill in ${preview.missing} to see the message.`}
            </p>
          )}
        </div>
        {error && (
          <p role="alert" className="text-red-700">
            {error}
          </p>
        )}
      </div>
      <footer className="flex justify-between gap-2 border-t border-slate-200 px-4 py-3">
        <Button onClick={onBack}>Back</Button>
        <Button type="submit" variant="primary" disabled={!preview.ok || sending}>
          {sending ? 'Sending…' : 'Send template'}
        </Button>
      </footer>
    </form>
  );
}

/** A sync an admin asked for: answered once the number's syncedAt reaches requestedAt; given up at `until`. */
type Syncing = { requestedAt: string; until: number };

/**
 * When the templates were last read from Meta, and for admins a way to read them again now (new or newly
 * approved templates); agents are told whom to ask. A sync runs in the background: the list is polled
 * until a sync that began after the request has stored it (one already running when the admin asked
 * would show the old list).
 */
function TemplateSyncStatus({
  syncedAt,
  syncing,
  onSyncing,
}: {
  syncedAt: string | null;
  syncing: Syncing | null;
  onSyncing: (syncing: Syncing | null) => void;
}) {
  const { role } = useViewer();
  const [failure, setFailure] = useState<string | null>(null);
  // Done when a sync that began after the request has stored; given up (with a word) after SYNC_WAIT_MS.
  useEffect(() => {
    if (!syncing) return;
    if (syncedAt !== null && Date.parse(syncedAt) >= Date.parse(syncing.requestedAt)) {
      onSyncing(null);
      return;
    }
    const timer = setTimeout(
      () => {
        onSyncing(null);
        setFailure('Meta has not answered yet: the templates will show once it does. Try again in a minute.');
      },
      Math.max(0, syncing.until - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [syncedAt, syncing, onSyncing]);

  const sync = async () => {
    setFailure(null);
    try {
      const { requestedAt } = await requestTemplateSync();
      if (requestedAt === null) setFailure('No WhatsApp Business Account is known yet: a webhook from this number introduces it.');
      else onSyncing({ requestedAt, until: Date.now() + SYNC_WAIT_MS });
    } catch (err) {
      setFailure(err instanceof ApiRequestError ? err.message : 'The sync could not be started: check the connection and try again.');
    }
  };

  return (
    <div
      data-testid="template-sync"
      className="mt-3 flex flex-wrap items-center justify-between gap-2 border-t border-slate-100 pt-2 text-xs text-slate-500"
    >
      <span role="status">
        {syncing ? 'Syncing templates from Meta…' : syncedAt ? `Synced from Meta ${formatDateTime(syncedAt)}` : 'Not synced from Meta yet'}
      </span>
      {role === 'admin' ? (
        <Button onClick={sync} disabled={syncing !== null}>
          Sync from Meta
        </Button>
      ) : (
        <span>A missing or new template? Ask an admin to sync templates from Meta.</span>
      )}
      {failure && (
        <p role="alert" className="w-full text-red-700">
          {failure}
        </p>
      )}
    </div>
  );
}
