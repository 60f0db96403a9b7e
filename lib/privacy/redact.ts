// A raw webhook body without one customer's entries. PURE.
//
// A body Meta sent may carry several customers (a batch of statuses, messages from two people): erasing
// one must not lose the others while the body still waits to be processed. So the body is rewritten
// without every array entry that names the customer in one of its own fields: `contacts[]` ({ wa_id,
// user_id }), `messages[]` ({ from, from_user_id }), `statuses[]` ({ recipient_id, recipient_user_id }),
// echoes ({ to }), history threads ({ id }), a shared contact card's phone ({ wa_id }). What is left is
// the same envelope, processed as usual.

export type Redaction = { kind: 'unchanged' } | { kind: 'redacted'; body: Uint8Array } | { kind: 'unreadable' };

/** `body` without the entries naming any of `identities` (wa_ids, BSUIDs). */
export function redactCustomer(body: Uint8Array, identities: readonly string[]): Redaction {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return { kind: 'unreadable' };
  }
  const ids = new Set(identities.filter((id) => id.length > 0));
  let removed = 0;
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const kept = value.filter((entry) => !names(entry, ids));
      removed += value.length - kept.length;
      return kept.map(strip);
    }
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
    return value;
  };
  const redacted = strip(parsed);
  if (removed === 0) return { kind: 'unchanged' };
  return { kind: 'redacted', body: new TextEncoder().encode(JSON.stringify(redacted)) };
}

/** An entry that names the customer in one of its own string fields. */
function names(entry: unknown, ids: ReadonlySet<string>): boolean {
  return isRecord(entry) && Object.values(entry).some((v) => typeof v === 'string' && ids.has(v));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
