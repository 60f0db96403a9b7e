'use client';
import { useState, type FormEvent } from 'react';
import { createLabel, deleteLabel, updateLabel } from '@/app/_components/api/use-admin';
import { useLabels } from '@/app/_components/api/use-inbox';
import { COLOUR_NAMES, ColourSwatch, LabelChip } from '@/app/_components/label-chip';
import { Notice, useNotice } from '@/app/_components/notice';
import { Button } from '@/app/_components/ui/button';
import { Input } from '@/app/_components/ui/input';
import { PageHeader } from '@/app/_components/ui/section';
import { EmptyState, LoadState } from '@/app/_components/ui/states';
import { LABEL_COLOURS, LABEL_NAME_MAX, type LabelColour, type LabelSummary } from '@/lib/contracts/labels';

const plural = (n: number) => `${n} conversation${n === 1 ? '' : 's'}`;

/** /admin/labels: every label with its colour and how many conversations carry it; create, edit, delete. */
export function LabelsAdmin() {
  const { data, error, isLoading, mutate } = useLabels();
  const [notice, show] = useNotice();
  const [pending, setPending] = useState(false);
  const [colour, setColour] = useState<LabelColour>('sky');
  const [editing, setEditing] = useState<string | null>(null);
  // Labels put on or taken off conversations anywhere move the counts: useLabels refetches on those notices.

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '');
    setPending(true);
    try {
      const label = await createLabel({ name, colour });
      show({ kind: 'success', text: `Label “${label.name}” created.` });
      form.reset();
      await mutate();
    } catch (err) {
      show({ kind: 'error', text: (err as Error).message });
    }
    setPending(false);
  }

  async function onDelete(label: LabelSummary) {
    const carried = label.conversationCount === 0 ? 'No conversation carries it.' : `${plural(label.conversationCount)} will lose it.`;
    if (!window.confirm(`Delete the label “${label.name}”? ${carried}`)) return;
    try {
      await deleteLabel(label.id);
      show({ kind: 'success', text: `Label “${label.name}” deleted.` });
    } catch (err) {
      show({ kind: 'error', text: (err as Error).message });
    }
    await mutate();
  }

  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <PageHeader title="Labels">
        Everyone in the inbox puts labels on conversations and filters the list by them; here admins create, rename, recolour and delete
        them.
      </PageHeader>
      <Notice notice={notice} />
      <form onSubmit={onCreate} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <div className="flex flex-wrap items-end gap-3">
          <label className="min-w-64 flex-1 text-sm text-slate-700">
            Name
            <Input name="name" required maxLength={LABEL_NAME_MAX} placeholder="e.g. Billing" className="mt-1 w-full" />
          </label>
          <Button type="submit" variant="primary" size="md" disabled={pending}>
            {pending ? 'Creating…' : 'Create label'}
          </Button>
        </div>
        <ColourChoice name="new-colour" value={colour} onChange={setColour} />
      </form>
      <section className="rounded-lg border border-slate-200 bg-white">
        <LoadState isLoading={isLoading && !data} error={error} what="labels" className="px-4 py-6" />
        {data && data.labels.length === 0 && <EmptyState>No labels yet.</EmptyState>}
        {data && data.labels.length > 0 && (
          <ul className="divide-y divide-slate-100" aria-label="Labels">
            {data.labels.map((label) =>
              editing === label.id ? (
                <LabelEditor
                  key={label.id}
                  label={label}
                  onDone={async (text) => {
                    setEditing(null);
                    if (text) show({ kind: 'success', text });
                    await mutate();
                  }}
                />
              ) : (
                <li key={label.id} data-testid="label-row" className="flex flex-wrap items-center gap-3 px-4 py-3">
                  <ColourSwatch colour={label.colour} className="size-4" />
                  <span className="min-w-0 flex-1">
                    <LabelChip label={label} />
                    <span className="ml-2 text-xs text-slate-500">
                      {COLOUR_NAMES[label.colour]} · {plural(label.conversationCount)}
                    </span>
                  </span>
                  <Button size="xs" onClick={() => setEditing(label.id)} aria-label={`Edit label ${label.name}`}>
                    Edit
                  </Button>
                  <Button size="xs" variant="danger" onClick={() => onDelete(label)} aria-label={`Delete label ${label.name}`}>
                    Delete
                  </Button>
                </li>
              ),
            )}
          </ul>
        )}
      </section>
    </div>
  );
}

/** Rename and recolour in place; Save sends only what changed. */
function LabelEditor({ label, onDone }: { label: LabelSummary; onDone: (notice: string | null) => void }) {
  const [name, setName] = useState(label.name);
  const [colour, setColour] = useState<LabelColour>(label.colour);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const patch = { ...(name.trim() !== label.name && { name }), ...(colour !== label.colour && { colour }) };
    if (Object.keys(patch).length === 0) return onDone(null);
    setSaving(true);
    try {
      const saved = await updateLabel(label.id, patch);
      onDone(`Label “${saved.name}” saved.`);
    } catch (err) {
      setError((err as Error).message);
      setSaving(false);
    }
  }

  return (
    <li data-testid="label-row" className="px-4 py-3">
      <form onSubmit={onSave} className="space-y-3">
        <div className="flex flex-wrap items-end gap-3">
          <label className="min-w-64 flex-1 text-sm text-slate-700">
            Name of “{label.name}”
            <Input
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              maxLength={LABEL_NAME_MAX}
              className="mt-1 w-full"
              autoFocus
            />
          </label>
          <Button type="submit" variant="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </Button>
          <Button variant="quiet" onClick={() => onDone(null)}>
            Cancel
          </Button>
        </div>
        <ColourChoice name={`colour-${label.id}`} value={colour} onChange={setColour} />
        {error && (
          <p role="alert" className="text-sm text-red-700">
            {error}
          </p>
        )}
      </form>
    </li>
  );
}

/** The palette as radio buttons, each named by its colour. */
function ColourChoice({ name, value, onChange }: { name: string; value: LabelColour; onChange: (colour: LabelColour) => void }) {
  return (
    <fieldset className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
      <legend className="mb-1 text-sm text-slate-700">Colour</legend>
      {LABEL_COLOURS.map((c) => (
        <label
          key={c}
          className="flex cursor-pointer items-center gap-1.5 rounded-full border border-slate-200 px-2 py-1 text-xs has-checked:border-slate-500 has-checked:bg-slate-50"
        >
          <input
            type="radio"
            name={name}
            value={c}
            checked={value === c}
            onChange={() => onChange(c)}
            className="size-3 accent-slate-700"
          />
          <ColourSwatch colour={c} />
          {COLOUR_NAMES[c]}
        </label>
      ))}
    </fieldset>
  );
}
