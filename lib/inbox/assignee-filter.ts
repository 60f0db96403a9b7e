import type { AssigneeFilter } from '@/db/queries/assignment';
import type { Principal } from '@/lib/auth/access';
import { badRequest } from '@/lib/http/errors';

// `assignee` of GET /api/conversations: `me` is whoever calls (the Mine view), `unassigned` nobody's,
// anything else one user's id. An API key is nobody, so it has no `me`.

export function assigneeFilterOf(raw: string | undefined, principal: Principal): AssigneeFilter | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'unassigned') return { unassigned: true };
  if (raw !== 'me') return { userId: raw };
  if (principal.kind !== 'user') throw badRequest('Invalid assignee: an API key is nobody\'s "me"; pass a user id or "unassigned".');
  return { userId: principal.userId };
}
