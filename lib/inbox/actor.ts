import type { Principal } from '@/lib/auth/access';
import type { ActivityActor } from '@/lib/contracts/activity';

/** The caller of a route as the trail names them: the agent, or the API key by its name. */
export function actorOf(principal: Principal): ActivityActor {
  return principal.kind === 'user'
    ? { kind: 'user', userId: principal.userId, name: principal.name }
    : { kind: 'api-key', name: principal.name };
}
