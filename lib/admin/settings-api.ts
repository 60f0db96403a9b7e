import { recordAudit } from '@/db/queries/audit';
import { getInboxSettings, updateInboxSettings } from '@/db/queries/assignment';
import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import { inboxSettingsSchema, putInboxSettingsBodySchema, type InboxSettings } from '@/lib/contracts/assignment';
import { defineRoute } from '@/lib/http/route';
import { notifyChanges } from '@/lib/realtime/changes';

// /api/admin/settings: the inbox-wide settings (auto-assignment and its cap). Admins only; each change is
// on the admin audit and a change notice (topic settings), which also wakes auto-assignment everywhere.

export type { InboxSettings, PutInboxSettingsBody } from '@/lib/contracts/assignment';

const settingsApiDeps = (app: App): AccessDeps => app.access;

export const getSettings = defineRoute(
  {
    method: 'GET',
    path: '/api/admin/settings',
    access: 'admin',
    summary: 'The inbox settings: auto-assignment (off by default) and its cap of open conversations per agent.',
    deps: settingsApiDeps,
    response: inboxSettingsSchema,
  },
  async ({ deps }): Promise<InboxSettings> => getInboxSettings(deps.db),
);

export const putSettings = defineRoute(
  {
    method: 'PUT',
    path: '/api/admin/settings',
    access: 'admin',
    summary: 'Changes the inbox settings (the fields given); answers them all.',
    deps: settingsApiDeps,
    body: putInboxSettingsBodySchema,
    response: inboxSettingsSchema,
  },
  async ({ deps, principal, body }): Promise<InboxSettings> =>
    deps.db.transaction(async (tx) => {
      const { before, after } = await updateInboxSettings(tx, body);
      const changed = before.autoAssign !== after.autoAssign || before.autoAssignCap !== after.autoAssignCap;
      if (changed) {
        await recordAudit(tx, {
          actor: { userId: principal.kind === 'user' ? principal.userId : null, name: principal.name },
          action: 'settings.changed',
          target: { kind: 'settings', id: null, name: 'Inbox settings' },
          details: { before, after },
        });
        await notifyChanges(tx, { conversationIds: [], messageIds: [], topics: ['settings'] });
      }
      return after;
    }),
);
