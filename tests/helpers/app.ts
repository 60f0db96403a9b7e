import os from 'node:os';
import type { Db } from '@/db/client';
import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import type { Env } from '@/lib/env';
import { fileStorage } from '@/lib/media/storage';
import { createMetrics } from '@/lib/observability/metrics';
import type { ChangeHub } from '@/lib/realtime/hub';
import { EventStreamLimiter } from '@/lib/realtime/stream-limiter';
import { silentLog } from './pipeline';

/**
 * The app as a route's `deps` reads it, without its background parts (media downloads and the outbox
 * are on, and told nothing): for calling every route of the table in-process (lib/http/routes.ts).
 */
export function routeTableApp(db: Db, access: AccessDeps, env: Env, changes: ChangeHub): App {
  return {
    access,
    env,
    changes,
    eventStreams: new EventStreamLimiter(10),
    media: { enabled: true, notify() {} },
    outbox: { enabled: true, notify() {} },
    mediaStorage: fileStorage(os.tmpdir()),
    metrics: createMetrics(db, silentLog),
    processor: { notify() {} },
  } as unknown as App;
}
