'use client';
import Link from 'next/link';
import { type FormEvent, useId, useState } from 'react';
import { createCannedReply, deleteCannedReply, updateCannedReply, useCannedReplies } from '@/app/_components/api/use-canned-replies';
import { ApiRequestError } from '@/app/_components/fetch-json';
import { Notice, useNotice } from '@/app/_components/notice';
import { useViewer } from '@/app/_components/viewer';
import { Button } from '@/app/_components/ui/button';
import { fieldClass, Input } from '@/app/_components/ui/input';
import { PageHeader } from '@/app/_components/ui/section';
import { EmptyState, LoadState } from '@/app/_components/ui/states';
import { type ApiCannedReply, CANNED_BODY_MAX, CANNED_SHORTCUT_MAX, type CannedReplyScope } from '@/lib/contracts/canned-replies';
import { CANNED_REPLY_VARIABLES } from '@/lib/inbox/canned-reply-variables';

// The pages that manage canned replies: /admin/canned-replies (the shared ones, admins) and
// /canned-replies (one's own). List, create, edit in place, delete after a confirmation; a taken
// shortcut (409) or a bad one (400) is shown on the shortcut field.

const COPY: Record<CannedReplyScope, { title: string; intro: string; empty: string; create: string }> = {
  shared: {
    title: 'Shared canned replies',
    intro: 'Everyone in the inbox can use these: type / in the composer and a few letters of the shortcut.',
    empty: 'No shared canned replies yet.',
    create: 'Create shared reply',
  },
  personal: {
    title: 'My canned replies',
    intro: 'Only you see these. Type / in the composer and a few letters of the shortcut to use one.',
    empty: 'You have no canned replies of your own yet.',
    create: 'Create reply',
  },
};

export function CannedRepliesManager({ scope }: { scope: CannedReplyScope }) {
  const { data, error, isLoading, mutate } = useCannedReplies();
  const [notice, show] = useNotice();
  const [editing, setEditing] = useState<string | null>(null);
  const [formKey, setFormKey] = useState(0);
  const viewer = useViewer();
  const copy = COPY[scope];
  const mine = data?.cannedReplies.filter((r) => r.scope === scope) ?? [];
  const shared = data?.cannedReplies.filter((r) => r.scope === 'shared') ?? [];

  async function onDelete(reply: ApiCannedReply) {
    if (!window.confirm(`Delete the canned reply “/${reply.shortcut}”?`)) return;
    try {
      await deleteCannedReply(reply.id);
      show({ kind: 'success', text: `Canned reply “/${reply.shortcut}” deleted.` });
    } catch (err) {
      show({ kind: 'error', text: (err as Error).message });
    }
    await mutate();
  }

  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <PageHeader title={copy.title}>{copy.intro}</PageHeader>
      <Notice notice={notice} />
      <section aria-label="New canned reply" className="rounded-lg border border-slate-200 bg-white p-4">
        <CannedReplyForm
          key={formKey}
          submitLabel={copy.create}
          pendingLabel="Creating…"
          onSave={async (fields) => {
            const reply = await createCannedReply({ ...fields, scope });
            show({ kind: 'success', text: `Canned reply “/${reply.shortcut}” created.` });
            setFormKey((k) => k + 1);
            await mutate();
          }}
        />
      </section>
      <section className="rounded-lg border border-slate-200 bg-white">
        <LoadState isLoading={isLoading && !data} error={error} what="canned replies" className="px-4 py-6" />
        {data && mine.length === 0 && <EmptyState>{copy.empty}</EmptyState>}
        {mine.length > 0 && (
          <ul className="divide-y divide-slate-100" aria-label="Canned replies">
            {mine.map((reply) =>
              editing === reply.id ? (
                <li key={reply.id} data-testid="canned-reply-row" data-reply-id={reply.id} className="px-4 py-3">
                  <CannedReplyForm
                    reply={reply}
                    submitLabel="Save"
                    pendingLabel="Saving…"
                    onCancel={() => setEditing(null)}
                    onSave={async (fields) => {
                      const patch = {
                        ...(fields.shortcut !== reply.shortcut && { shortcut: fields.shortcut }),
                        ...(fields.body !== reply.body && { body: fields.body }),
                      };
                      if (Object.keys(patch).length > 0) {
                        const saved = await updateCannedReply(reply.id, patch);
                        show({ kind: 'success', text: `Canned reply “/${saved.shortcut}” saved.` });
                      }
                      setEditing(null);
                      await mutate();
                    }}
                  />
                </li>
              ) : (
                <li key={reply.id} data-testid="canned-reply-row" data-reply-id={reply.id} className="flex items-start gap-3 px-4 py-3">
                  <ReplySummary reply={reply} />
                  <Button size="xs" onClick={() => setEditing(reply.id)} aria-label={`Edit canned reply ${reply.shortcut}`}>
                    Edit
                  </Button>
                  <Button size="xs" variant="danger" onClick={() => onDelete(reply)} aria-label={`Delete canned reply ${reply.shortcut}`}>
                    Delete
                  </Button>
                </li>
              ),
            )}
          </ul>
        )}
      </section>
      {scope === 'personal' && shared.length > 0 && (
        <section aria-labelledby="shared-replies-heading" className="rounded-lg border border-slate-200 bg-white">
          <div className="flex items-center justify-between border-b border-slate-200 px-4 py-3">
            <h2 id="shared-replies-heading" className="text-base font-semibold">
              Shared by the team
            </h2>
            {viewer.role === 'admin' && (
              <Link href="/admin/canned-replies" className="text-sm text-emerald-700 underline">
                Manage shared replies
              </Link>
            )}
          </div>
          <ul className="divide-y divide-slate-100" aria-label="Shared canned replies">
            {shared.map((reply) => (
              <li key={reply.id} className="flex px-4 py-3">
                <ReplySummary reply={reply} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function ReplySummary({ reply }: { reply: ApiCannedReply }) {
  return (
    <div className="min-w-0 flex-1">
      <p className="font-mono text-sm font-medium text-slate-800">/{reply.shortcut}</p>
      <p className="line-clamp-3 text-sm break-words whitespace-pre-wrap text-slate-600">{reply.body}</p>
    </div>
  );
}

/** A 409 (the shortcut is taken) or a 400 about the shortcut belongs on the shortcut field. */
function isShortcutError(err: unknown): boolean {
  if (!(err instanceof ApiRequestError)) return false;
  return err.status === 409 || (err.status === 400 && /\bshortcut\b/.test(err.message) && !/\bbody\b/.test(err.message));
}

function CannedReplyForm({
  reply,
  submitLabel,
  pendingLabel,
  onSave,
  onCancel,
}: {
  reply?: ApiCannedReply;
  submitLabel: string;
  pendingLabel: string;
  onSave: (fields: { shortcut: string; body: string }) => Promise<void>;
  onCancel?: () => void;
}) {
  const id = useId();
  const [shortcut, setShortcut] = useState(reply?.shortcut ?? '');
  const [body, setBody] = useState(reply?.body ?? '');
  const [shortcutError, setShortcutError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaving(true);
    setShortcutError(null);
    setFormError(null);
    try {
      await onSave({ shortcut: shortcut.trim(), body });
    } catch (err) {
      const message = (err as Error).message;
      if (isShortcutError(err)) setShortcutError(message.replace(/^(Invalid )?shortcut: /, ''));
      else setFormError(message);
    }
    setSaving(false);
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3">
      <div>
        <label htmlFor={`${id}-shortcut`} className="block text-sm font-medium text-slate-700">
          Shortcut
        </label>
        <div className="mt-1 flex items-center gap-1">
          <span aria-hidden="true" className="font-mono text-slate-500">
            /
          </span>
          <Input
            id={`${id}-shortcut`}
            value={shortcut}
            onChange={(e) => {
              setShortcut(e.target.value);
              setShortcutError(null);
            }}
            required
            maxLength={CANNED_SHORTCUT_MAX}
            placeholder="e.g. thanks"
            aria-invalid={shortcutError !== null}
            aria-describedby={shortcutError ? `${id}-shortcut-error` : undefined}
            className="w-64 font-mono"
            autoFocus={reply !== undefined}
          />
        </div>
        {shortcutError && (
          <p id={`${id}-shortcut-error`} role="alert" className="mt-1 text-sm text-red-700">
            {shortcutError}
          </p>
        )}
      </div>
      <div>
        <label htmlFor={`${id}-body`} className="block text-sm font-medium text-slate-700">
          Text
        </label>
        <textarea
          id={`${id}-body`}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          required
          maxLength={CANNED_BODY_MAX}
          rows={4}
          className={`${fieldClass()} mt-1 w-full`}
        />
        <p className="mt-1 text-xs text-slate-500">Filled in when used: {CANNED_REPLY_VARIABLES.map((v) => `{{${v}}}`).join(', ')}.</p>
      </div>
      {formError && (
        <p role="alert" className="text-sm text-red-700">
          {formError}
        </p>
      )}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" size="md" disabled={saving}>
          {saving ? pendingLabel : submitLabel}
        </Button>
        {onCancel && (
          <Button variant="quiet" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
