import { sql } from 'drizzle-orm';
import { jsonb, queryRows, type Executor } from '../client';

// Customers (contacts), known by wa_id (phone) and/or BSUID (user_id). Which sightings are the same
// person is decided in lib/whatsapp/store.ts; these are the statements it runs.

export interface ContactIds {
  id: number;
  waId: string | null;
  userId: string | null;
}

export interface ContactDetails {
  waId: string | null;
  userId: string | null;
  name: string | null;
  username: string | null;
}

/** The contacts known by any of these phones or BSUIDs, oldest first. */
export async function findContacts(tx: Executor, ids: { waIds: string[]; userIds: string[] }): Promise<ContactIds[]> {
  const rows = await queryRows<{ id: string | number; wa_id: string | null; user_id: string | null }>(
    tx,
    sql`select id, wa_id, user_id from contacts
        where wa_id in (select jsonb_array_elements_text(${jsonb(ids.waIds)}))
           or user_id in (select jsonb_array_elements_text(${jsonb(ids.userIds)}))
        order by id`,
  );
  return rows.map((r) => ({ id: Number(r.id), waId: r.wa_id, userId: r.user_id }));
}

/**
 * Creates contacts. ON CONFLICT DO NOTHING covers both unique keys, and another instance creating the
 * same contact at the same moment.
 */
export async function insertContacts(tx: Executor, contacts: ContactDetails[]): Promise<void> {
  if (contacts.length === 0) return;
  await tx.execute(sql`
    insert into contacts (wa_id, user_id, name, username)
    select wa_id, user_id, name, username
    from jsonb_to_recordset(${jsonb(contacts.map(toRow))}) as x(wa_id text, user_id text, name text, username text)
    on conflict do nothing`);
}

/** Gives a contact known by phone only its BSUID. */
export async function setContactUserId(tx: Executor, id: number, userId: string): Promise<void> {
  await tx.execute(sql`update contacts set user_id = ${userId}, updated_at = now() where id = ${id} and user_id is null`);
}

/** Gives a contact known by BSUID only its phone. */
export async function setContactWaId(tx: Executor, id: number, waId: string): Promise<void> {
  await tx.execute(sql`update contacts set wa_id = ${waId}, updated_at = now() where id = ${id} and wa_id is null`);
}

export interface ContactNames {
  id: number;
  name: string | null;
  username: string | null;
}

/** Learns names and usernames; a null keeps what is stored, and unchanged rows are not written. */
export async function updateContactNames(tx: Executor, contacts: ContactNames[]): Promise<void> {
  if (contacts.length === 0) return;
  // By contact id (store.ts has resolved every sighting): a join on "wa_id or user_id" cannot use an index.
  await tx.execute(sql`
    update contacts c set name = coalesce(x.name, c.name), username = coalesce(x.username, c.username), updated_at = now()
    from jsonb_to_recordset(${jsonb(contacts)}) as x(id bigint, name text, username text)
    where c.id = x.id
      and (c.name is distinct from coalesce(x.name, c.name) or c.username is distinct from coalesce(x.username, c.username))`);
}

const toRow = (c: ContactDetails) => ({ wa_id: c.waId, user_id: c.userId, name: c.name, username: c.username });

/** Folds contact `dropId` (known by BSUID only) into `keepId` (known by phone only): one customer, one thread per number. */
export async function mergeContacts(tx: Executor, keepId: number, dropId: number): Promise<void> {
  // Threads both contacts have on the same number become one: messages move, counts add up.
  const pairs = sql`select d.id as drop_conv, k.id as keep_conv from conversations d
    join conversations k on k.phone_number_id = d.phone_number_id and k.contact_id = ${keepId}
    where d.contact_id = ${dropId}`;
  await tx.execute(sql`update messages m set conversation_id = p.keep_conv from (${pairs}) p where m.conversation_id = p.drop_conv`);
  await tx.execute(sql`
    update conversations k set
      unread_count = k.unread_count + d.unread_count,
      last_message_at = greatest(k.last_message_at, d.last_message_at),
      last_inbound_at = greatest(k.last_inbound_at, d.last_inbound_at),
      last_message_id = case when k.last_message_at is null or d.last_message_at > k.last_message_at
        then d.last_message_id else k.last_message_id end
    from (${pairs}) p join conversations d on d.id = p.drop_conv
    where k.id = p.keep_conv`);
  await tx.execute(sql`delete from conversations where id in (select drop_conv from (${pairs}) p)`);
  await tx.execute(sql`update conversations set contact_id = ${keepId} where contact_id = ${dropId}`);
  const [dropped] = await queryRows<{ user_id: string; name: string | null; username: string | null }>(
    tx,
    sql`delete from contacts where id = ${dropId} returning user_id, name, username`,
  );
  await tx.execute(sql`
    update contacts set user_id = ${dropped?.user_id ?? null}, name = coalesce(name, ${dropped?.name ?? null}),
      username = coalesce(username, ${dropped?.username ?? null}), updated_at = now()
    where id = ${keepId}`);
}
