'use client';
import { useEffect, useState, type FormEvent } from 'react';
import { putInboxSettings, useInboxSettings } from '@/app/_components/api/use-assignment';
import { Notice, useNotice } from '@/app/_components/notice';
import { Button } from '@/app/_components/ui/button';
import { Input } from '@/app/_components/ui/input';
import { PageHeader } from '@/app/_components/ui/section';
import { LoadState } from '@/app/_components/ui/states';
import { AUTO_ASSIGN_CAP_MAX } from '@/lib/contracts/assignment';

/** /admin/settings: auto-assignment, on or off, and the most open conversations it gives one agent. */
export function SettingsAdmin() {
  const { data, error, isLoading, mutate } = useInboxSettings();
  const [notice, show] = useNotice();
  const [autoAssign, setAutoAssign] = useState(false);
  const [cap, setCap] = useState('10');
  const [saving, setSaving] = useState(false);
  // The form starts from what is stored (and follows a change another admin saves).
  useEffect(() => {
    if (!data) return;
    setAutoAssign(data.autoAssign);
    setCap(String(data.autoAssignCap));
  }, [data]);

  async function onSave(event: FormEvent) {
    event.preventDefault();
    const autoAssignCap = Number(cap);
    if (!Number.isInteger(autoAssignCap) || autoAssignCap < 1 || autoAssignCap > AUTO_ASSIGN_CAP_MAX)
      return show({ kind: 'error', text: `The cap must be a whole number from 1 to ${AUTO_ASSIGN_CAP_MAX}.` });
    setSaving(true);
    try {
      await mutate(await putInboxSettings({ autoAssign, autoAssignCap }), { revalidate: false });
      show({ kind: 'success', text: 'Settings saved.' });
    } catch (err) {
      show({ kind: 'error', text: (err as Error).message });
    }
    setSaving(false);
  }

  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <PageHeader title="Settings">Inbox-wide settings; every change is on the admin audit.</PageHeader>
      <Notice notice={notice} />
      <LoadState isLoading={isLoading} error={error} what="the settings" />
      {data && (
        <form onSubmit={onSave} className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-medium">Auto-assignment</h2>
          <label className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              name="autoAssign"
              checked={autoAssign}
              onChange={(e) => setAutoAssign(e.target.checked)}
              className="mt-0.5 accent-emerald-600"
            />
            <span>
              <span className="font-medium">Assign new and reopened conversations automatically</span>
              <span className="block text-slate-600">
                Unassigned open conversations go round robin to agents who have the inbox open and are available (admins only when they say
                so). When nobody can take one, it waits unassigned until someone can.
              </span>
            </span>
          </label>
          <label className="block text-sm">
            <span className="font-medium">Most open conversations per agent</span>
            <Input
              type="number"
              name="autoAssignCap"
              min={1}
              max={AUTO_ASSIGN_CAP_MAX}
              value={cap}
              onChange={(e) => setCap(e.target.value)}
              className="mt-1 block w-28"
            />
            <span className="mt-1 block text-slate-600">Auto-assignment passes over anyone who has this many open conversations.</span>
          </label>
          <Button type="submit" variant="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </Button>
        </form>
      )}
    </div>
  );
}
