// What the database benchmarks (bench:list, bench:analytics, bench:scale) seed alike: people's names, phone
// prefixes and phrases to search, the labels, the error mix, and the set-based SQL that fills the business
// numbers, the labels and the analytics rollups. Everything derives from hashes, never random(): the same
// data set on every run.

import { BENCH_BUSINESS_NUMBERS, MAX_BIGINT } from './scratch-database';

/** Runs one SQL statement. */
export type Exec = (text: string) => Promise<unknown>;

export const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;
export const sqlArray = (items: readonly string[]) => `array[${items.map(sqlText).join(', ')}]::text[]`;

/** `case when <expr> < 45 then 'a' when … end` over cumulative shares (of 100). */
export function pick(expr: string, mix: readonly (readonly [string | number, number, ...unknown[]])[], quote = true): string {
  let at = 0;
  const parts = mix.map(([value, share]) => {
    at += share;
    return `when ${expr} < ${at} then ${quote ? sqlText(String(value)) : String(value)}`;
  });
  return `case ${parts.join(' ')} end`;
}

/** A business number by its share of the traffic, for `expr` in 0..99. */
export const numberPick = (expr: string) =>
  pick(
    expr,
    BENCH_BUSINESS_NUMBERS.map(([id, , share]) => [id, share] as const),
  );

export async function insertBusinessNumbers(exec: Exec): Promise<void> {
  await exec(
    `insert into business_numbers (phone_number_id, display_phone_number, waba_id) values ${BENCH_BUSINESS_NUMBERS.map(
      ([id, display]) => `(${sqlText(id)}, ${sqlText(display)}, '102290129340398')`,
    ).join(', ')}`,
  );
}

export const FIRST_NAMES = [
  'María',
  'José',
  'Ana',
  'Luis',
  'Sofía',
  'Carlos',
  'Lucía',
  'Jorge',
  'Valentina',
  'Miguel',
  'Camila',
  'Pedro',
  'Emma',
  'Oliver',
  'Amelia',
  'Jack',
  'Olivia',
  'Harry',
  'Isla',
  'George',
  'Lena',
  'Jonas',
  'Mia',
  'Felix',
  'Priya',
  'Arjun',
  'Aiko',
  'Kenji',
  'Fatima',
  'Omar',
  'Chen',
  'Wei',
  'João',
  'Beatriz',
  'Kofi',
  'Amara',
  'Ivan',
  'Olga',
  'Mateo',
  'Zoe',
];
export const LAST_NAMES = [
  'García',
  'Hernández',
  'López',
  'Martínez',
  'González',
  'Rodríguez',
  'Pérez',
  'Sánchez',
  'Ramírez',
  'Torres',
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Sharma',
  'Patel',
  'Tanaka',
  'Suzuki',
  'Haddad',
  'Khan',
  'Wang',
  'Li',
  'Silva',
  'Santos',
  'Mensah',
  'Okafor',
  'Petrov',
  'Ivanova',
  'Rossi',
  'Moreau',
  'Novak',
  'Jensen',
  'Costa',
  'Dubois',
];
/** Country and area prefixes of customers' numbers; eight more digits follow. */
export const PHONE_PREFIXES = ['52155', '52133', '52181', '4477', '4915', '1415', '1212', '5511', '9198', '3460'];
export const PHRASES = [
  'Hola, ¿tienen envío a Monterrey?',
  'Buenos días, quisiera información sobre el catálogo',
  'Gracias!',
  'Perfecto, muchas gracias',
  '¿Cuál es el horario de atención?',
  'Sí, enviamos a todo México',
  'Tu pedido ya va en camino 🚚',
  'Hi, do you ship to Canada?',
  'Thanks a lot, that helps',
  'Can I change the delivery address?',
  'Your order has been dispatched',
  'We are open Monday to Friday, 9am to 6pm',
  'Is the blue one still in stock?',
  'Hallo, ist die Jacke noch verfügbar?',
  'Vielen Dank für Ihre Nachricht',
  'Olá, qual o prazo de entrega?',
  'Obrigado pelo contato!',
  'ok 👍',
  'Can you send me the invoice please?',
  'The payment link is not working',
  'Here is your payment link',
  '¿Aceptan pagos con tarjeta?',
  'Claro, aceptamos tarjeta y transferencia',
  'I would like to return an item',
  'Please share a photo of the damaged product',
];

/** Error codes of failures and their share (%): the usual mix, with some codes we cannot explain. */
export const ERROR_MIX = [
  [131047, 45],
  [131026, 25],
  [130429, 12],
  [131049, 10],
  [131000, 4],
  [470, 2],
  [135000, 2],
] as const;

/** Name, colour, and how many conversations in a thousand carry it. */
export const BENCH_LABELS: [string, string, number][] = [
  ['VIP', 'amber', 300],
  ['Legal', 'red', 5],
  ['Billing', 'sky', 80],
  ['Returns', 'violet', 50],
  ['Wholesale', 'indigo', 20],
  ['Complaint', 'pink', 30],
  ['Follow-up', 'emerald', 120],
  ['Spanish', 'slate', 150],
  ['Warranty', 'amber', 10],
  ['Press', 'slate', 2],
];
export const COMMON_LABEL = 1;
export const RARE_LABEL = 2;

/** The labels, and on each conversation those its hash picks: VIP (30%) is the common one, Legal (0.5%) the rare one. */
export async function seedLabels(exec: Exec): Promise<void> {
  await exec(
    `insert into labels (id, name, colour) values ${BENCH_LABELS.map(([name, colour], i) => `(${i + 1}, ${sqlText(name)}, ${sqlText(colour)})`).join(', ')}`,
  );
  await exec(`
    insert into conversation_labels (conversation_id, label_id)
    select c.id, l.id from conversations c
    cross join (values ${BENCH_LABELS.map(([, , perMille], i) => `(${i + 1}, ${perMille})`).join(', ')}) l(id, per_mille)
    where (hashint8extended(c.id * 16 + l.id, 4) & ${MAX_BIGINT}) % 1000 < l.per_mille`);
  await exec(`select setval(pg_get_serial_sequence('labels', 'id'), (select max(id) from labels))`);
}

/**
 * Contacts 1..n with names and numbers to search: 1 in 25 known by BSUID only (no phone number), 1 in 8
 * by both; 1 in 20 without a profile name.
 */
export async function insertContacts(exec: Exec, n: number): Promise<void> {
  await exec(`
    insert into contacts (id, wa_id, user_id, name)
    select g,
      case when h % 25 = 0 then null
        else (${sqlArray(PHONE_PREFIXES)})[1 + (h >> 8) % ${PHONE_PREFIXES.length}] || lpad(((g * 48271) % 100000000)::text, 8, '0') end,
      case when h % 25 = 0 or h % 8 = 1
        then (array['US', 'MX', 'GB', 'DE', 'BR', 'IN'])[1 + (h >> 16) % 6] || '.' || (1000000000000000000 + g * 7919)::text end,
      case when h % 20 = 3 then null
        else (${sqlArray(FIRST_NAMES)})[1 + (h >> 24) % ${FIRST_NAMES.length}] || ' ' || (${sqlArray(LAST_NAMES)})[1 + (h >> 32) % ${LAST_NAMES.length}] end
    from (select g, hashint8extended(g, 1) & ${MAX_BIGINT} as h from generate_series(1, ${n}::bigint) g) s`);
}

/** Agents bench-agent-1 … bench-agent-N. */
export async function insertAgents(exec: Exec, agents: number): Promise<void> {
  await exec(`
    insert into users (id, name, email, role)
    select 'bench-agent-' || g, 'Agent ' || g, 'agent' || g || '@bench.test', 'agent' from generate_series(1, ${agents}) g`);
}

/** The analytics rollups, from the rows, exactly as migration 0003 backfills them. */
export async function fillRollups(exec: Exec): Promise<void> {
  await exec(`
    insert into delivery_stats_hourly (hour, phone_number_id, status, error_code, count)
    select date_trunc('hour', occurred_at, 'UTC'), coalesce(phone_number_id, ''), status, coalesce(error_code, 0), count(*)
    from status_events group by 1, 2, 3, 4`);
  await exec(`
    insert into delivery_timings (wamid, phone_number_id, sent_at, delivered_at, read_at, failed_at)
    select wamid, coalesce(min(phone_number_id), ''),
      min(occurred_at) filter (where status = 'sent'), min(occurred_at) filter (where status = 'delivered'),
      min(occurred_at) filter (where status = 'read'), min(occurred_at) filter (where status = 'failed')
    from status_events where status in ('sent', 'delivered', 'read', 'failed') group by wamid`);
  await fillDeliveryTimingRollups(exec);
  await exec(`
    insert into message_stats_hourly (hour, phone_number_id, direction, type, count)
    select date_trunc('hour', m.sent_at, 'UTC'), c.phone_number_id, m.direction, m.type, count(*)
    from messages m join conversations c on c.id = m.conversation_id
    where not m.placeholder group by 1, 2, 3, 4`);
}

/**
 * The daily delivery-time rollups from delivery_timings, exactly as migration 0018 backfills them. From
 * empty: the triggers that keep them may have counted the rows already, or not (session_replication_role).
 */
export async function fillDeliveryTimingRollups(exec: Exec): Promise<void> {
  await exec(`delete from delivery_timing_buckets`);
  await exec(`delete from delivery_timing_seconds`);
  await exec(`
    insert into delivery_timing_buckets (day, phone_number_id, kind, bucket, count)
    select date_trunc('day', t.sent_at, 'UTC'), t.phone_number_id, k.kind, k.bucket, count(*)
    from delivery_timings t
    cross join lateral (values ('sent', 0), ('failed', case when t.failed_at is not null then 0 end),
      ('delivered', delivery_seconds_bucket(t.delivered_after_s)), ('read', delivery_seconds_bucket(t.read_after_s))) k(kind, bucket)
    where t.sent_at is not null and k.bucket is not null
    group by 1, 2, 3, 4`);
  await exec(`
    insert into delivery_timing_seconds (kind, bucket, day, phone_number_id, seconds, count)
    select k.kind, delivery_seconds_bucket(k.seconds), date_trunc('day', t.sent_at, 'UTC'), t.phone_number_id, k.seconds, count(*)
    from delivery_timings t
    cross join lateral (values ('delivered', t.delivered_after_s), ('read', t.read_after_s)) k(kind, seconds)
    where t.sent_at is not null and k.seconds is not null
    group by 1, 2, 3, 4, 5`);
}

/** Webhook deliveries over the last 30 days: no bodies are stored, only the hourly counts (8 shards). */
export async function fillWebhookStats(exec: Exec): Promise<void> {
  await exec(`
    insert into webhook_stats_hourly (hour, kind, reason, shard, count, last_at)
    select hour, kind, reason, shard, count, hour + interval '59 minutes'
    from generate_series(date_trunc('hour', now() - interval '30 days', 'UTC'), now(), interval '1 hour') hour,
      lateral (values ('received', ''), ('processed', ''), ('failed', ''), ('rejected', 'bad_signature'), ('rejected', 'too_large')) k(kind, reason),
      generate_series(0, 7) shard,
      lateral (select case kind when 'received' then 180 when 'processed' then 179
        when 'failed' then (hashint8extended(extract(epoch from hour)::bigint, 5) & 7) / 7
        else (hashint8extended(extract(epoch from hour)::bigint + shard, 6) & 3) end as count) c
    where count > 0`);
}
