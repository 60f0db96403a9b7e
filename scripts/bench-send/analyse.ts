// The figures of one run, from what was posted (this process's clock) and what the fake Graph API received
// (its clock: the same machine's Date.now()). PURE: no I/O.

/** One API call. */
export interface Posted {
  /** Position in the posting order. */
  index: number;
  conversation: number;
  /** The message's place in its conversation: the order it was written in. */
  seq: number;
  phoneNumberId: string;
  /** Date.now() just before the call, and when the answer came. */
  calledAt: number;
  answeredAt: number;
  /** HTTP status; 0 when the call itself failed. */
  status: number;
  /** Our message id from the 202. */
  id: string | null;
}

/** One send request Meta received, in the order it received them. */
export interface Received {
  phoneNumberId: string;
  /** biz_opaque_callback_data: `ticks:<message id>`. */
  callbackData: string | null;
  receivedAt: number;
}

export interface SendFigures {
  posted: number;
  postFailures: number;
  /** Posts answered per second, first call to last answer. */
  postedPerSec: number;
  postP50: number;
  postP99: number;
  /** Requests Meta received for the posted messages. */
  received: number;
  /** Messages per second at Meta, from its first request to its last. */
  perSec: number;
  spanSeconds: number;
  latencyP50: number;
  latencyP99: number;
  latencyMax: number;
  /** Most requests to one number in a calendar second, and in any 1000 ms window. */
  maxPerSecond: number;
  maxPerWindow: number;
  /** Messages Meta never received, received more than once, and requests for messages never posted here. */
  missing: number;
  duplicated: number;
  strangers: number;
  /** Conversations whose messages reached Meta in another order than they were written. */
  outOfOrder: number;
  /** Per number: gaps between its requests (ms) and the time lost to gaps longer than a slot (s). */
  pacing: { phoneNumberId: string; requests: number; gapP50: number; gapP99: number; gapMax: number; lostSeconds: number }[];
  /** Second by second from the first call: posts answered and requests Meta received. */
  timeline: { second: number; posted: number; sent: number }[];
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The most of `times` (sorted) inside any half-open window [t, t + ms). */
export function maxInWindow(times: number[], ms: number): number {
  let best = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= ms) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

export function analyseSend(posted: Posted[], received: Received[], mps: number): SendFigures {
  const ok = posted.filter((p) => p.status === 202 && p.id !== null);
  const byId = new Map(ok.map((p) => [`ticks:${p.id}`, p]));
  const arrivals = new Map<string, number>();
  const ours: { post: Posted; receivedAt: number; order: number; phoneNumberId: string }[] = [];
  let strangers = 0;
  received.forEach((r, order) => {
    const post = r.callbackData === null ? undefined : byId.get(r.callbackData);
    if (!post) {
      strangers++;
      return;
    }
    const n = (arrivals.get(r.callbackData!) ?? 0) + 1;
    arrivals.set(r.callbackData!, n);
    if (n === 1) ours.push({ post, receivedAt: r.receivedAt, order, phoneNumberId: r.phoneNumberId });
  });
  const duplicated = [...arrivals.values()].filter((n) => n > 1).length;

  // Order: within a conversation, Meta's order of arrival must be the order the messages were written.
  const lastSeq = new Map<number, number>();
  const disordered = new Set<number>();
  for (const o of ours) {
    const before = lastSeq.get(o.post.conversation);
    if (before !== undefined && o.post.seq < before) disordered.add(o.post.conversation);
    lastSeq.set(o.post.conversation, o.post.seq);
  }

  const times = ours.map((o) => o.receivedAt);
  const first = Math.min(...times);
  const last = Math.max(...times);
  const spanSeconds = (last - first) / 1000;

  const numbers = [...new Set(ours.map((o) => o.phoneNumberId))].sort();
  const slotMs = 1000 / mps;
  let maxPerSecond = 0;
  let maxPerWindow = 0;
  const pacing = numbers.map((phoneNumberId) => {
    const at = ours
      .filter((o) => o.phoneNumberId === phoneNumberId)
      .map((o) => o.receivedAt)
      .sort((a, b) => a - b);
    const perSecond = new Map<number, number>();
    for (const t of at) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    maxPerSecond = Math.max(maxPerSecond, ...perSecond.values());
    maxPerWindow = Math.max(maxPerWindow, maxInWindow(at, 1000));
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    return {
      phoneNumberId,
      requests: at.length,
      gapP50: percentile(gaps, 50),
      gapP99: percentile(gaps, 99),
      gapMax: gaps.length ? Math.max(...gaps) : Number.NaN,
      lostSeconds: gaps.reduce((a, g) => a + Math.max(0, g - slotMs), 0) / 1000,
    };
  });

  const start = Math.min(...posted.map((p) => p.calledAt));
  const timeline: SendFigures['timeline'] = [];
  const bump = (t: number, key: 'posted' | 'sent') => {
    const second = Math.floor((t - start) / 1000);
    while (timeline.length <= second) timeline.push({ second: timeline.length, posted: 0, sent: 0 });
    timeline[second]![key]++;
  };
  for (const p of ok) bump(p.answeredAt, 'posted');
  for (const t of times) bump(t, 'sent');

  const postEnd = Math.max(...posted.map((p) => p.answeredAt));
  return {
    posted: posted.length,
    postFailures: posted.length - ok.length,
    postedPerSec: ok.length / ((postEnd - start) / 1000),
    postP50: percentile(
      ok.map((p) => p.answeredAt - p.calledAt),
      50,
    ),
    postP99: percentile(
      ok.map((p) => p.answeredAt - p.calledAt),
      99,
    ),
    received: ours.length,
    perSec: ours.length > 1 ? (ours.length - 1) / spanSeconds : Number.NaN,
    spanSeconds,
    latencyP50: percentile(
      ours.map((o) => o.receivedAt - o.post.calledAt),
      50,
    ),
    latencyP99: percentile(
      ours.map((o) => o.receivedAt - o.post.calledAt),
      99,
    ),
    latencyMax: Math.max(...ours.map((o) => o.receivedAt - o.post.calledAt)),
    maxPerSecond,
    maxPerWindow,
    missing: ok.length - ours.length,
    duplicated,
    strangers,
    outOfOrder: disordered.size,
    pacing,
    timeline,
  };
}
