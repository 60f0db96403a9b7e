import { and, asc, eq, getTableName, sql, type SQL } from 'drizzle-orm';
import { hasSqlState, queryRows, type Executor } from '../client';
import { conversationLabels, conversations, labels, type LabelRow } from '../schema';

// Labels: admins define them (a name unique whatever its case, a colour of the palette), anyone puts them
// on conversations. The list's filter by label is in conversations.ts (labelFilter); a conversation's
// labels come with its list row (labelsOfConversation).

export type LabelColour = LabelRow['colour'];
export interface Label {
  id: number;
  name: string;
  colour: LabelColour;
}

/** Names sort the way people read them: case aside, then exactly. */
const byName = [asc(sql`lower(${labels.name})`), asc(labels.name)];

/** Every label with how many conversations carry it, by name. */
export async function listLabels(db: Executor): Promise<(Label & { conversationCount: number })[]> {
  // One count per label along conversation_labels_label_idx (index-only), not a join of every pair.
  return db
    .select({
      id: labels.id,
      name: labels.name,
      colour: labels.colour,
      conversationCount: db.$count(conversationLabels, eq(conversationLabels.labelId, labels.id)),
    })
    .from(labels)
    .orderBy(...byName);
}

export async function findLabel(db: Executor, id: number): Promise<Label | null> {
  const [row] = await db.select({ id: labels.id, name: labels.name, colour: labels.colour }).from(labels).where(eq(labels.id, id));
  return row ?? null;
}

/** A new label, or 'duplicate' when another has its name whatever the case (labels_name_key). */
export async function createLabel(db: Executor, input: { name: string; colour: LabelColour }): Promise<Label | 'duplicate'> {
  const [row] = await db
    .insert(labels)
    .values(input)
    .onConflictDoNothing()
    .returning({ id: labels.id, name: labels.name, colour: labels.colour });
  return row ?? 'duplicate';
}

/** Renames or recolours a label: null when there is none, 'duplicate' when another has the name. */
export async function updateLabel(
  db: Executor,
  id: number,
  patch: { name?: string; colour?: LabelColour },
): Promise<Label | 'duplicate' | null> {
  if (patch.name === undefined && patch.colour === undefined) return findLabel(db, id);
  if (patch.name !== undefined && (await nameTakenByAnother(db, patch.name, id))) return 'duplicate';
  try {
    const [row] = await db
      .update(labels)
      .set(patch)
      .where(eq(labels.id, id))
      .returning({ id: labels.id, name: labels.name, colour: labels.colour });
    return row ?? null;
  } catch (err) {
    // Another admin took the name between the check and the update.
    if (isUniqueViolation(err)) return 'duplicate';
    throw err;
  }
}

async function nameTakenByAnother(db: Executor, name: string, id: number): Promise<boolean> {
  const [row] = await db
    .select({ id: labels.id })
    .from(labels)
    .where(and(sql`lower(${labels.name}) = lower(${name})`, sql`${labels.id} <> ${id}`));
  return row !== undefined;
}

/** Deletes a label (its conversations lose it: ON DELETE CASCADE); false when there was none. */
export async function deleteLabel(db: Executor, id: number): Promise<boolean> {
  const rows = await db.delete(labels).where(eq(labels.id, id)).returning({ id: labels.id });
  return rows.length > 0;
}

/** The conversations that carry a label (whose browsers hear of its change). */
export async function conversationsWithLabel(db: Executor, labelId: number): Promise<number[]> {
  const rows = await db
    .select({ id: conversationLabels.conversationId })
    .from(conversationLabels)
    .where(eq(conversationLabels.labelId, labelId));
  return rows.map((r) => r.id);
}

export type LabelingResult = 'changed' | 'unchanged' | 'no-conversation' | 'no-label';

/** Puts a label on a conversation; 'unchanged' when it was there already. */
export async function addConversationLabel(db: Executor, conversationId: number, labelId: number): Promise<LabelingResult> {
  const added = await db
    .insert(conversationLabels)
    .select(
      db
        .select({ conversationId: conversations.id, labelId: labels.id, addedAt: sql`now()`.as('added_at') })
        .from(conversations)
        .innerJoin(labels, eq(labels.id, labelId))
        .where(eq(conversations.id, conversationId)),
    )
    .onConflictDoNothing()
    .returning({ labelId: conversationLabels.labelId });
  return added.length > 0 ? 'changed' : whichIsMissing(db, conversationId, labelId);
}

/** Takes a label off a conversation; 'unchanged' when it was not there. */
export async function removeConversationLabel(db: Executor, conversationId: number, labelId: number): Promise<LabelingResult> {
  const removed = await db
    .delete(conversationLabels)
    .where(and(eq(conversationLabels.conversationId, conversationId), eq(conversationLabels.labelId, labelId)))
    .returning({ labelId: conversationLabels.labelId });
  return removed.length > 0 ? 'changed' : whichIsMissing(db, conversationId, labelId);
}

/** Nothing changed: because the conversation or the label does not exist, or because it was already so. */
async function whichIsMissing(db: Executor, conversationId: number, labelId: number): Promise<LabelingResult> {
  const [conversation] = await db.select({ id: conversations.id }).from(conversations).where(eq(conversations.id, conversationId));
  if (!conversation) return 'no-conversation';
  return (await findLabel(db, labelId)) ? 'unchanged' : 'no-label';
}

/**
 * A conversation's labels by name, as one JSON array for its list row: a correlated subquery that runs
 * once per row the page returns (a primary-key range of conversation_labels each).
 */
export function labelsOfConversation(conversationId: SQL | typeof conversations.id) {
  return sql<Label[]>`(select coalesce(json_agg(json_build_object('id', ${labels.id}, 'name', ${labels.name}, 'colour', ${labels.colour})
      order by lower(${labels.name}), ${labels.name}), '[]')
    from ${conversationLabels} join ${labels} on ${labels.id} = ${conversationLabels.labelId}
    where ${conversationLabels.conversationId} = ${conversationId})`.mapWith(parseLabels);
}

const parseLabels = (value: unknown): Label[] => {
  const list = (typeof value === 'string' ? JSON.parse(value) : value) as Label[];
  return list.map((l) => ({ id: Number(l.id), name: l.name, colour: l.colour }));
};

/**
 * At most this many conversations carry a label whose list is read from the label's side (or more, on a
 * larger table: fewLabelledFor); more, and the list walks its activity index instead. The label's side
 * costs a primary-key fetch for each of its conversations however few the page wants; walking costs a
 * probe of conversation_labels per conversation passed, about page size ÷ the label's share of them. They
 * cross where a label's conversations number about √(9 × all conversations): near 1,000 at 100,000
 * conversations (bench:list: p95 under 20 ms either side of it), near 3,000 at 1,000,000 (bench:scale: a
 * label on 2,000 took 55 ms from its side and 270 ms walking; one on 5,000, 130 ms and 30 ms).
 */
export const FEW_LABELLED = 1000;

/** FEW_LABELLED for the table's size (PostgreSQL's estimate of its rows, kept by ANALYZE: no count). */
async function fewLabelledFor(db: Executor): Promise<number> {
  const [row] = await queryRows<{ few: number | string }>(
    db,
    sql`select greatest(${FEW_LABELLED}, sqrt(9 * greatest(reltuples, 0)))::int as few from pg_class where oid = ${getTableName(conversations)}::regclass`,
  );
  return Number(row?.few ?? FEW_LABELLED);
}

/** Whether few conversations carry the label, for the table's size (reads at most that many index entries). */
export async function fewCarryLabel(db: Executor, labelId: number): Promise<boolean> {
  const few = await fewLabelledFor(db);
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(
    db
      .select({ one: sql`1` })
      .from(conversationLabels)
      .where(eq(conversationLabels.labelId, labelId))
      .limit(few + 1)
      .as('carried'),
  );
  return (row?.n ?? 0) <= few;
}

/**
 * Whether a conversation carries a label (the list's filter), in one of two shapes with the same meaning:
 * - the walk: a probe of conversation_labels' primary key per conversation the list passes along its
 *   activity index, stopping once the page is full. OFFSET 0 keeps PostgreSQL from making it a semi-join,
 *   which it would plan as a hash join over the whole index range (60 ms for a rare label on the Open tab).
 * - the label's side: its conversations read once (an InitPlan over conversation_labels_label_idx), fetched
 *   by primary key and sorted. `= any(array(…))` keeps that shape for the same reason.
 */
export function hasLabel(labelId: number, fromLabelSide: boolean): SQL {
  if (fromLabelSide)
    return sql`${conversations.id} = any(array(select ${conversationLabels.conversationId} from ${conversationLabels} where ${conversationLabels.labelId} = ${labelId}))`;
  return sql`exists (select 1 from ${conversationLabels} where ${conversationLabels.conversationId} = ${conversations.id} and ${conversationLabels.labelId} = ${labelId} offset 0)`;
}

/** PostgreSQL's unique_violation, wherever drizzle put the driver's error. */
export function isUniqueViolation(err: unknown): boolean {
  return hasSqlState(err, '23505');
}
