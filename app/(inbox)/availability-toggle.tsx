'use client';
import { useState } from 'react';
import { putMyAvailability, useMyAvailability } from '@/app/_components/api/use-assignment';
import type { Role } from '@/lib/auth/roles';
import type { Availability } from '@/lib/contracts/agents';

// Whether auto-assignment may give me conversations while my inbox is open. Agents are available unless
// they say Away; admins are away unless they tick "Available for assignment".

export function AvailabilityToggle({ role }: { role: Role }) {
  const current = useMyAvailability();
  const [saving, setSaving] = useState(false);
  const availability = current.data?.availability;
  if (!availability) return null;
  const available = availability === 'available';

  async function set(next: Availability) {
    setSaving(true);
    try {
      await current.mutate(putMyAvailability({ availability: next }), {
        optimisticData: { availability: next },
        rollbackOnError: true,
      });
    } catch {
      // Rolled back: the switch shows what the server holds.
    } finally {
      setSaving(false);
    }
  }

  if (role === 'admin')
    return (
      <label
        className="flex items-center gap-1.5 text-xs whitespace-nowrap text-slate-600"
        title="Auto-assignment may give you conversations"
      >
        <input
          type="checkbox"
          checked={available}
          disabled={saving}
          onChange={(e) => set(e.target.checked ? 'available' : 'away')}
          className="accent-emerald-600"
        />
        {/* Short in a crowded admin header; the whole name for screen readers and on wide screens. */}
        <span>
          Available<span className="sr-only 2xl:not-sr-only"> for assignment</span>
        </span>
      </label>
    );
  return (
    <button
      type="button"
      role="switch"
      aria-checked={available}
      disabled={saving}
      onClick={() => set(available ? 'away' : 'available')}
      title={available ? 'Auto-assignment may give you conversations: click to be away' : 'Away: click to be available'}
      className={`inline-flex items-center gap-1.5 rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap disabled:opacity-60 ${
        available ? 'border-emerald-200 bg-emerald-50 text-emerald-800' : 'border-slate-300 bg-slate-50 text-slate-600'
      }`}
    >
      <span aria-hidden="true" className={`size-2 rounded-full ${available ? 'bg-emerald-500' : 'bg-slate-400'}`} />
      {available ? 'Available' : 'Away'}
    </button>
  );
}
