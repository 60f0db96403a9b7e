'use client';
import { Bell, BellOff } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { useSWRConfig } from 'swr';
import { notificationsKey } from '@/app/_components/api/keys';
import { putNotificationSettings, useNotificationSettings } from '@/app/_components/api/use-notifications';
import { Button } from '@/app/_components/ui/button';
import { useDismiss } from '@/app/_components/ui/use-dismiss';

// The header's bell: allow browser notifications (the browser asks once, on a click), and choose whether
// unassigned conversations notify too. The tab title counts either way.

type Permission = NotificationPermission | 'unsupported';

function currentPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export function NotificationsMenu() {
  const [open, setOpen] = useState(false);
  const [permission, setPermission] = useState<Permission>('default');
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  useDismiss(open, root, () => setOpen(false), button);
  // Read in the browser only: the server has no Notification.
  useEffect(() => setPermission(currentPermission()), []);

  const on = permission === 'granted';
  return (
    <div ref={root} className="relative">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        aria-label="Notifications"
        title="Notifications"
        onClick={() => {
          setPermission(currentPermission());
          setOpen(!open);
        }}
        className="rounded p-1.5 text-slate-600 hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none"
      >
        {on ? <Bell className="size-5" aria-hidden="true" /> : <BellOff className="size-5" aria-hidden="true" />}
      </button>
      {open && (
        <div
          id={panelId}
          role="group"
          aria-label="Notifications"
          className="absolute top-full right-0 z-40 mt-1 w-72 rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-lg"
        >
          <PermissionLine permission={permission} onAsk={async () => setPermission(await Notification.requestPermission())} />
          <UnassignedSetting />
        </div>
      )}
    </div>
  );
}

function PermissionLine({ permission, onAsk }: { permission: Permission; onAsk: () => void }) {
  switch (permission) {
    case 'granted':
      return <p className="text-slate-700">Browser notifications are on for this browser.</p>;
    case 'denied':
      return <p className="text-slate-700">This browser blocks notifications from Ticks: allow them in the site settings.</p>;
    case 'unsupported':
      return <p className="text-slate-700">This browser cannot show notifications; the tab title still counts.</p>;
    default:
      return (
        <Button variant="primary" onClick={onAsk}>
          Enable notifications
        </Button>
      );
  }
}

function UnassignedSetting() {
  const settings = useNotificationSettings();
  const { mutate } = useSWRConfig();
  const [error, setError] = useState<string | null>(null);
  const checked = settings.data?.notifyUnassigned ?? false;
  return (
    <div className="mt-3 border-t border-slate-100 pt-3">
      <label className="flex items-start gap-2 text-slate-700">
        <input
          type="checkbox"
          className="mt-0.5"
          checked={checked}
          disabled={!settings.data}
          onChange={async (event) => {
            const notifyUnassigned = event.target.checked;
            setError(null);
            try {
              await settings.mutate(putNotificationSettings({ notifyUnassigned }), {
                optimisticData: { notifyUnassigned },
                rollbackOnError: true,
              });
              // The title's count follows the setting at once.
              void mutate(notificationsKey());
            } catch (err) {
              setError(`Could not save: ${err instanceof Error ? err.message : String(err)}`);
            }
          }}
        />
        <span>Also notify me of new messages in unassigned conversations</span>
      </label>
      <p className="mt-1 text-xs text-slate-500">Always: your own conversations and notes that mention you.</p>
      {error && (
        <p role="alert" className="mt-1 text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
