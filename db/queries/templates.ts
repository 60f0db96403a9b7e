import { and, asc, desc, eq, ilike, isNotNull, sql } from 'drizzle-orm';
import { jsonb, queryRows, type Executor } from '../client';
import { businessNumbers, messageTemplates, type MessageTemplateRow, templateSyncs } from '../schema';

type TemplateSyncRow = typeof templateSyncs.$inferSelect;
export type { MessageTemplateRow };

// Message templates as synced from Meta (lib/templates/), and the bookkeeping of each account's sync.

/**
 * The stored template a send names: by account, name and language (Meta keeps one template per name and
 * language in an account; its id differs per language). Null when the sync has not seen it.
 */
export async function findTemplate(
  db: Executor,
  { wabaId, name, language }: { wabaId: string; name: string; language: string },
): Promise<MessageTemplateRow | null> {
  const [row] = await db
    .select()
    .from(messageTemplates)
    .where(and(eq(messageTemplates.wabaId, wabaId), eq(messageTemplates.name, name), eq(messageTemplates.language, language)))
    // Meta could delete and recreate a template under a new id between two syncs: the newest copy wins.
    .orderBy(desc(messageTemplates.syncedAt))
    .limit(1);
  return row ?? null;
}

// ---- Listing (GET /api/templates) ----

/** The business number's account, or null when the number is unknown (wabaId null: no webhook has named it yet). */
export async function findNumberAccount(db: Executor, phoneNumberId: string): Promise<{ wabaId: string | null } | null> {
  const [row] = await db
    .select({ wabaId: businessNumbers.wabaId })
    .from(businessNumbers)
    .where(eq(businessNumbers.phoneNumberId, phoneNumberId));
  return row ?? null;
}

/** An account's templates by name (then language), optionally those whose name contains `q` and of one status. */
export async function listTemplates(
  db: Executor,
  { wabaId, q, status }: { wabaId: string; q?: string; status?: string },
): Promise<MessageTemplateRow[]> {
  const conditions = [eq(messageTemplates.wabaId, wabaId)];
  if (q) conditions.push(ilike(messageTemplates.name, `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (status) conditions.push(eq(sql`upper(${messageTemplates.status})`, status.toUpperCase()));
  return db
    .select()
    .from(messageTemplates)
    .where(and(...conditions))
    .orderBy(asc(messageTemplates.name), asc(messageTemplates.language), asc(messageTemplates.id));
}

/** When an account's templates were last synced, and the last sync's error. */
export async function getTemplateSync(db: Executor, wabaId: string): Promise<Pick<TemplateSyncRow, 'syncedAt' | 'lastError'> | null> {
  const [row] = await db
    .select({ syncedAt: templateSyncs.syncedAt, lastError: templateSyncs.lastError })
    .from(templateSyncs)
    .where(eq(templateSyncs.wabaId, wabaId));
  return row ?? null;
}

// ---- Syncing (lib/templates/sync.ts) ----

/** Every WhatsApp Business Account the inbox knows of (from webhooks), in order. */
export async function listKnownAccounts(db: Executor): Promise<string[]> {
  const rows = await db
    .selectDistinct({ wabaId: businessNumbers.wabaId })
    .from(businessNumbers)
    .where(isNotNull(businessNumbers.wabaId))
    .orderBy(asc(businessNumbers.wabaId));
  return rows.map((r) => r.wabaId!);
}

/** How soon syncs may run: the spacing of asked-for syncs, and the age at which a copy is refreshed unasked. */
export interface SyncSpacing {
  /** A sync asked for by a webhook or a start-up waits until this long after the last one. */
  minIntervalMs: number;
  /** A copy this old is synced again without being asked. */
  refreshMs: number;
}

const interval = (ms: number) => sql`${`${Math.round(ms)} milliseconds`}::interval`;

/**
 * Asks for a sync of each account. `at once` (an admin): due now. `spaced` (a template webhook, a start-up):
 * due `minIntervalMs` after the account's last sync at the earliest, and an earlier request stands.
 * requested_at holds when the asked-for sync may run.
 */
export async function requestTemplateSyncs(
  db: Executor,
  wabaIds: readonly string[],
  { atOnce, minIntervalMs }: { atOnce: boolean; minIntervalMs: number },
): Promise<Date | null> {
  if (wabaIds.length === 0) return null;
  const due = atOnce
    ? sql`least(coalesce(s.requested_at, now()), now())`
    : sql`coalesce(s.requested_at, greatest(now(), s.synced_at + ${interval(minIntervalMs)}))`;
  const [row] = await queryRows<{ requested_at: string | Date }>(
    db,
    sql`insert into template_syncs as s (waba_id, requested_at)
        select x.w, now() from jsonb_array_elements_text(${jsonb([...new Set(wabaIds)].sort())}) as x(w)
        on conflict (waba_id) do update set requested_at = ${due}
        returning now() as requested_at`,
  );
  // When it was asked: a sync whose synced_at is this or later lists what Meta had by then.
  return row ? new Date(row.requested_at) : null;
}

/** Whether a template_syncs row (as `s`) is due: asked for and its time has come, or never or long ago synced. */
const isDue = (refreshMs: number) =>
  sql`(s.requested_at <= now() or (s.requested_at is null and (s.synced_at is null or s.synced_at <= now() - ${interval(refreshMs)})))`;

/**
 * Accounts whose sync is due, soonest first: those asked for, those not synced within `refreshMs`, and known
 * accounts never synced. Only candidates: claimTemplateSync decides, under the account's lock.
 */
export async function listDueTemplateSyncs(db: Executor, { limit, refreshMs }: { limit: number; refreshMs: number }): Promise<string[]> {
  const rows = await queryRows<{ waba_id: string }>(
    db,
    sql`select waba_id from (
          select s.waba_id, coalesce(s.requested_at, s.synced_at) as at from template_syncs s where ${isDue(refreshMs)}
          union
          select distinct b.waba_id, null::timestamptz from business_numbers b
          where b.waba_id is not null and not exists (select 1 from template_syncs t where t.waba_id = b.waba_id)
        ) due
        order by at nulls first, waba_id
        limit ${limit}`,
  );
  return rows.map((r) => r.waba_id);
}

/**
 * Takes an account's due sync: the moment it was taken when it was due (its request is cleared, so a
 * request made while the sync runs asks for another), null when it is not due (another instance has just
 * synced it). Call it holding the account's lock. The moment is what the sync records as synced_at: the
 * list it stores is Meta's as of then, so a request made after it is answered only by a later sync.
 */
export async function claimTemplateSync(db: Executor, wabaId: string, { refreshMs }: { refreshMs: number }): Promise<Date | null> {
  const rows = await queryRows<{ claimed_at: string | Date }>(
    db,
    sql`insert into template_syncs as s (waba_id) values (${wabaId})
        on conflict (waba_id) do update set requested_at = null where ${isDue(refreshMs)}
        returning now() as claimed_at`,
  );
  return rows[0] ? new Date(rows[0].claimed_at) : null;
}

/** A template as Meta lists it, to store. */
export interface TemplateUpsert {
  id: string;
  name: string;
  language: string;
  category: string | null;
  status: string;
  parameterFormat: string;
  components: unknown[];
}

/**
 * Stores a successful sync of an account in one transaction's worth of statements (pass a transaction):
 * upserts every listed template by Meta's id, deletes the account's templates Meta no longer lists when
 * the list is `complete`, and records the sync. Returns how many were stored and deleted.
 */
export async function storeTemplateSync(
  tx: Executor,
  { wabaId, templates, complete, listedAt }: { wabaId: string; templates: TemplateUpsert[]; complete: boolean; listedAt: Date },
): Promise<{ stored: number; deleted: number }> {
  if (templates.length > 0) {
    const rows = templates.map((t) => ({
      id: t.id,
      name: t.name,
      language: t.language,
      category: t.category,
      status: t.status,
      parameter_format: t.parameterFormat,
      components: t.components,
    }));
    await tx.execute(sql`
      insert into message_templates (id, waba_id, name, language, category, status, parameter_format, components, synced_at)
      select x.id, ${wabaId}, x.name, x.language, x.category, x.status, x.parameter_format, x.components, now()
      from jsonb_to_recordset(${jsonb(rows)}) as x(id text, name text, language text, category text, status text,
        parameter_format text, components jsonb)
      on conflict (id) do update set waba_id = excluded.waba_id, name = excluded.name, language = excluded.language,
        category = excluded.category, status = excluded.status, parameter_format = excluded.parameter_format,
        components = excluded.components, synced_at = excluded.synced_at`);
  }
  let deleted = 0;
  if (complete) {
    const gone = await queryRows<{ id: string }>(
      tx,
      sql`delete from message_templates
          where waba_id = ${wabaId} and not (id = any(select jsonb_array_elements_text(${jsonb(templates.map((t) => t.id))})))
          returning id`,
    );
    deleted = gone.length;
  }
  await tx
    .insert(templateSyncs)
    .values({ wabaId, syncedAt: listedAt, lastError: null })
    .onConflictDoUpdate({ target: templateSyncs.wabaId, set: { syncedAt: listedAt, lastError: null } });
  return { stored: templates.length, deleted };
}

/** Records a failed sync, and asks for another after `retryMs` unless one is asked for already. */
export async function recordTemplateSyncFailure(
  db: Executor,
  wabaId: string,
  { error, retryMs }: { error: string; retryMs: number },
): Promise<void> {
  await db.execute(sql`
    insert into template_syncs as s (waba_id, last_error, requested_at) values (${wabaId}, ${error}, now() + ${interval(retryMs)})
    on conflict (waba_id) do update set last_error = excluded.last_error,
      requested_at = coalesce(s.requested_at, excluded.requested_at)`);
}
