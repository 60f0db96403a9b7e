import { describe, expect, it } from 'vitest';
import { normalizeWebhook } from '@/lib/whatsapp/normalize';
import { webhookBodySchema } from '@/lib/whatsapp/payload';
import { SCENARIO_COVERAGE, SIMULATED_NUMBERS, buildScenario, mixedBenchBody, type SimulatedBody } from '../../tools/simulated-traffic';

const NOW = Date.UTC(2026, 11, 1, 10, 0, 0);
const NOW_SEC = NOW / 1000;
const scenario = buildScenario({ now: NOW });

const allMessages = scenario.flatMap((b) => b.messages);
const allStatuses = scenario.flatMap((b) => b.statuses);

function timestampsOf(body: string): number[] {
  return [...body.matchAll(/"timestamp":"(\d+)"/g)].map((m) => Number(m[1]));
}

describe('buildScenario: Meta envelopes', () => {
  it('builds a few dozen bodies whose text is their payload', () => {
    expect(scenario.length).toBeGreaterThan(40);
    for (const item of scenario) {
      expect(JSON.parse(item.body)).toEqual(item.payload);
      expect(item.label).not.toBe('');
    }
  });

  it('every body is a whatsapp_business_account envelope with entry → changes → field/value', () => {
    for (const item of scenario) {
      const body: unknown = JSON.parse(item.body);
      expect(webhookBodySchema.safeParse(body).success).toBe(true);
      expect(item.payload.object).toBe('whatsapp_business_account');
      expect(item.payload.entry.length).toBeGreaterThan(0);
      for (const entry of item.payload.entry) {
        expect(entry.id).toMatch(/^\d+$/);
        expect(entry.changes.length).toBeGreaterThan(0);
        for (const change of entry.changes) {
          expect(typeof change.field).toBe('string');
          if (change.field === 'messages') {
            expect(change.value.messaging_product).toBe('whatsapp');
            expect(change.value.metadata).toMatchObject({ phone_number_id: expect.stringMatching(/^\d+$/) });
          }
        }
      }
    }
  });

  it('every body is unique, and so is every inbound wamid; a second run shares nothing with the first', () => {
    expect(new Set(scenario.map((b) => b.body)).size).toBe(scenario.length);
    const wamids = allMessages.map((m) => m.wamid);
    expect(new Set(wamids).size).toBe(wamids.length);
    for (const w of wamids) expect(w).toMatch(/^wamid\.[A-Za-z0-9+/]+=*$/);

    const again = buildScenario({ now: NOW });
    const firstBodies = new Set(scenario.map((b) => b.body));
    expect(again.some((b) => firstBodies.has(b.body))).toBe(false);
    const firstIds = new Set([...wamids, ...allStatuses.map((s) => s.wamid)]);
    expect(again.flatMap((b) => b.messages).some((m) => firstIds.has(m.wamid))).toBe(false);
  });

  it('timestamps are current: within the last hour, none in the future, in posting order for messages', () => {
    for (const item of scenario) {
      for (const t of timestampsOf(item.body)) {
        expect(t).toBeLessThanOrEqual(NOW_SEC);
        expect(t).toBeGreaterThan(NOW_SEC - 3600);
      }
    }
    const messageTimes = scenario.filter((b) => b.kind === 'message').map((b) => timestampsOf(b.body)[0]!);
    expect([...messageTimes].sort((a, b) => a - b)).toEqual(messageTimes);
  });
});

describe('buildScenario: coverage', () => {
  it('covers every listed message type', () => {
    const covered = new Set(allMessages.map((m) => m.covers));
    for (const name of SCENARIO_COVERAGE) expect(covered, name).toContain(name);
  });

  it('has every Meta type the inbox must show', () => {
    const types = new Set(allMessages.map((m) => m.type));
    for (const type of [
      'text',
      'image',
      'audio',
      'video',
      'document',
      'sticker',
      'location',
      'contacts',
      'interactive',
      'button',
      'reaction',
      'order',
      'system',
      'unsupported',
      'edit',
      'revoke',
    ]) {
      expect(types, type).toContain(type);
    }
    const subtypes = new Set(allMessages.filter((m) => m.type === 'interactive').map((m) => m.subtype));
    expect([...subtypes].sort()).toEqual(['button_reply', 'list_reply', 'nfm_reply']);
  });

  it('writes to two business numbers, from a BSUID-only customer and from customers with wa_id and name', () => {
    const numbers = new Set(
      scenario.flatMap((b) =>
        b.payload.entry.flatMap((e) =>
          e.changes.map((c) => (c.value.metadata as { phone_number_id?: string } | undefined)?.phone_number_id),
        ),
      ),
    );
    expect(numbers).toContain(SIMULATED_NUMBERS.sales.phoneNumberId);
    expect(numbers).toContain(SIMULATED_NUMBERS.support.phoneNumberId);

    const contacts = scenario.flatMap((b) => normalizeWebhook(JSON.parse(b.body)).contacts);
    const bsuidOnly = contacts.filter((c) => c.waId === null && c.userId !== null);
    expect(bsuidOnly.length).toBeGreaterThan(0);
    expect(bsuidOnly[0]!.userId).toMatch(/^[A-Z]{2}\.\d+$/);
    const named = new Set(contacts.filter((c) => c.waId !== null && c.name !== null).map((c) => c.waId));
    expect(named.size).toBeGreaterThanOrEqual(3);

    const bsuidItem = scenario.find((b) => b.messages.some((m) => m.covers === 'bsuid_only'))!;
    const message = (bsuidItem.payload.entry[0]!.changes[0]!.value.messages as Array<Record<string, unknown>>)[0]!;
    expect(message.from).toBeUndefined();
    expect(message.from_user_id).toBe(bsuidOnly[0]!.userId);
  });

  it('sends sent → delivered → read, some out of order, and the three failures with details', () => {
    const byWamid = new Map<string, string[]>();
    for (const s of allStatuses) byWamid.set(s.wamid, [...(byWamid.get(s.wamid) ?? []), s.status]);
    const sequences = [...byWamid.values()].map((s) => s.join('>'));
    expect(sequences).toContain('sent>delivered>read');
    const rank = { sent: 1, delivered: 2, read: 3, failed: 4 } as Record<string, number>;
    const outOfOrder = [...byWamid.values()].filter((s) => s.some((x, i) => i > 0 && rank[x]! < rank[s[i - 1]!]!));
    expect(outOfOrder.length).toBeGreaterThanOrEqual(1);

    const failures = allStatuses.filter((s) => s.status === 'failed').map((s) => s.errorCode);
    expect(failures.sort()).toEqual([130429, 131026, 131047]);
    const normalizedFailures = scenario
      .filter((b) => b.statuses.some((s) => s.status === 'failed'))
      .flatMap((b) => normalizeWebhook(JSON.parse(b.body)).statuses);
    for (const status of normalizedFailures) {
      expect(status.errors).toHaveLength(1);
      expect(status.errors[0]!.details?.length ?? 0).toBeGreaterThan(20);
    }
  });

  it('has a template status update, an account update and a text that looks like XSS', () => {
    expect(
      scenario
        .map((b) => b.accountField)
        .filter(Boolean)
        .sort(),
    ).toEqual(['account_update', 'message_template_status_update']);
    const xss = scenario.find((b) => b.messages.some((m) => m.covers === 'xss'))!;
    const [message] = normalizeWebhook(JSON.parse(xss.body)).messages;
    expect(message!.text).toContain('<img src=x onerror=alert(1)>');
  });

  it('edits, revokes, reactions and replies point at messages of the same scenario', () => {
    const known = new Set([...allMessages.map((m) => m.wamid), ...allStatuses.map((s) => s.wamid)]);
    const batches = scenario.map((b) => normalizeWebhook(JSON.parse(b.body)));
    const targets = batches.flatMap((b) => b.messages).filter((m) => ['edit', 'revoke', 'reaction'].includes(m.type));
    expect(targets.length).toBeGreaterThanOrEqual(4);
    for (const m of targets) expect(known, `${m.type} target`).toContain(m.targetWamid);
    const replies = batches.flatMap((b) => b.messages).filter((m) => m.replyToWamid !== null);
    expect(replies.length).toBeGreaterThanOrEqual(4);
    for (const m of replies) expect(known).toContain(m.replyToWamid);
  });
});

describe('buildScenario: what normalizeWebhook makes of it', () => {
  it.each(scenario.map((b): [string, SimulatedBody] => [b.label, b]))('%s', (_label, item) => {
    const batch = normalizeWebhook(JSON.parse(item.body), new Date(NOW));
    expect(batch.accountEvents.filter((e) => e.field === 'invalid_item')).toEqual([]);
    expect(batch.messages.map((m) => ({ wamid: m.wamid, type: m.type, subtype: m.subtype }))).toEqual(
      item.messages.map((m) => ({ wamid: m.wamid, type: m.type, subtype: m.subtype })),
    );
    for (const m of batch.messages) {
      expect(m.direction).toBe('inbound');
      expect(m.customer.waId ?? m.customer.userId).not.toBeNull();
      expect(m.timestamp.getTime()).toBeLessThanOrEqual(NOW);
    }
    expect(batch.statuses.map((s) => ({ wamid: s.wamid, status: s.status }))).toEqual(
      item.statuses.map((s) => ({ wamid: s.wamid, status: s.status })),
    );
    expect(batch.accountEvents.map((e) => e.field)).toEqual(item.accountField ? [item.accountField] : []);
  });
});

describe('mixedBenchBody', () => {
  const COUNT = 5_000;
  const bodies = Array.from({ length: COUNT }, (_, i) => mixedBenchBody(i, { runId: 'testrun1', now: NOW }));

  it('weighs about 1 KB and is unique for every i', () => {
    const sizes = bodies.map((b) => Buffer.byteLength(b.body));
    const average = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(average).toBeGreaterThan(700);
    expect(average).toBeLessThan(1300);
    expect(Math.max(...sizes)).toBeLessThan(2048);
    expect(new Set(bodies.map((b) => b.body)).size).toBe(COUNT);
  });

  it('is 60% text messages from ~500 customers, 40% statuses of outbound messages', () => {
    const messages = bodies.filter((b) => b.kind === 'message');
    expect(messages.length / COUNT).toBeCloseTo(0.6, 2);
    const inboundWamids = messages.flatMap((b) => b.wamids);
    expect(new Set(inboundWamids).size).toBe(messages.length);

    const customers = new Set<string>();
    for (const b of bodies) {
      const batch = normalizeWebhook(JSON.parse(b.body), new Date(NOW));
      expect(batch.accountEvents).toEqual([]);
      if (b.kind === 'message') {
        expect(batch.messages.map((m) => [m.wamid, m.type])).toEqual([[b.wamids[0], 'text']]);
        customers.add(batch.messages[0]!.customer.waId!);
      } else {
        expect(batch.messages).toEqual([]);
        expect(batch.statuses.map((s) => s.wamid)).toEqual(b.wamids);
      }
    }
    expect(customers.size).toBeGreaterThanOrEqual(450);
    expect(customers.size).toBeLessThanOrEqual(500);
  });

  it('takes every outbound message through sent, delivered and read', () => {
    const byWamid = new Map<string, string[]>();
    for (const b of bodies.filter((x) => x.kind === 'status')) {
      const [status] = normalizeWebhook(JSON.parse(b.body)).statuses;
      byWamid.set(status!.wamid, [...(byWamid.get(status!.wamid) ?? []), status!.status]);
    }
    const complete = [...byWamid.values()].filter((s) => s.join('>') === 'sent>delivered>read');
    // All but possibly the last one, cut off by COUNT.
    expect(complete.length).toBeGreaterThanOrEqual(byWamid.size - 1);
  });

  it('differs between runs', () => {
    expect(mixedBenchBody(0, { runId: 'aaaa0001', now: NOW }).body).not.toBe(mixedBenchBody(0, { runId: 'bbbb0002', now: NOW }).body);
  });
});
