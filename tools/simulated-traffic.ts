// Realistic webhook traffic in Meta's format, for the simulator (`npm run simulate`), the ingest
// benchmark (`npm run bench:ingest`) and tests. PURE: no I/O. Every call mints fresh wamids and
// current timestamps, so every body is unique (the webhook deduplicates identical bodies by sha256).
//
// The envelopes come from tools/meta-envelopes.ts; the shapes of what they carry follow tests/fixtures/payloads,
// which follow Meta's Cloud API webhook reference.

import { randomBytes } from 'node:crypto';
import { envelope, messagesValue, TEST_WABA_ID, type BusinessNumber, type WebhookPayload } from './meta-envelopes';

export type { WebhookPayload };

// --- Shapes ------------------------------------------------------------------------------------

/** What a body mainly carries: inbound messages, delivery statuses, or an account-level event. */
export type SimulatedKind = 'message' | 'status' | 'account';

/** One message item of a body, with the type normalizeWebhook should give it. */
export interface SimulatedMessage {
  wamid: string;
  /** Meta's `type`. */
  type: string;
  /** interactive.type, system.type, 'removed' for a reaction taken back ... where there is one. */
  subtype: string | null;
  /** The scenario's name for what this message covers (text_link, reaction_removed, new_type ...). */
  covers: string;
}

export interface SimulatedStatus {
  wamid: string;
  status: string;
  /** The first error's code for failures. */
  errorCode: number | null;
}

export interface SimulatedBody {
  /** One line for humans: "Maria → text with a link". */
  label: string;
  kind: SimulatedKind;
  /** The JSON text to post (and sign), compact like Meta's. */
  body: string;
  /** The parsed form of `body`. */
  payload: WebhookPayload;
  messages: SimulatedMessage[];
  statuses: SimulatedStatus[];
  /** `field` of an account-level change (message_template_status_update, account_update). */
  accountField: string | null;
}

export interface ScenarioOptions {
  /** "Now" in ms since the epoch; message timestamps lead up to it. Default Date.now(). */
  now?: number;
  /** Distinguishes this run's ids from every other run's (default: random). */
  runId?: string;
}

/** Everything the scenario covers, for tests and the simulator's summary. */
export const SCENARIO_COVERAGE = [
  'text_link',
  'text_reply',
  'image',
  'audio_voice',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'button_reply',
  'list_reply',
  'nfm_reply',
  'button',
  'reaction',
  'reaction_removed',
  'order',
  'system',
  'text_referral',
  'unsupported',
  'edit',
  'revoke',
  'new_type',
  'bsuid_only',
  'xss',
] as const;
export type ScenarioCoverage = (typeof SCENARIO_COVERAGE)[number];

// --- Our business and our customers --------------------------------------------------------------

export const SIMULATED_WABA_ID = TEST_WABA_ID;

export type SimulatedBusinessNumber = BusinessNumber;

export const SIMULATED_NUMBERS = {
  sales: { phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881' },
  support: { phoneNumberId: '106540352242933', displayPhoneNumber: '15550783999' },
} as const satisfies Record<string, SimulatedBusinessNumber>;

interface Customer {
  /** Short name for labels. */
  short: string;
  name: string;
  waId: string | null;
  userId: string | null;
  username?: string;
}

const MARIA: Customer = { short: 'Maria', name: 'Maria Lopez', waId: '5215512345678', userId: 'MX.1290347756103845' };
const TOM: Customer = { short: 'Tom', name: 'Tom Becker', waId: '4915112345678', userId: 'DE.884201937465120' };
const AIKO: Customer = { short: 'Aiko', name: 'Aiko Tanaka', waId: '819012345678', userId: null };
const PRIYA: Customer = { short: 'Priya', name: 'Priya Sharma', waId: '919812345678', userId: null };
/** Reached us through her username: WhatsApp gives us her business-scoped user id only, no phone number. */
const SHEENA: Customer = {
  short: 'Sheena',
  name: 'Sheena Nelson',
  waId: null,
  userId: 'US.13491208655302741918',
  username: 'sheena.n',
};
const MALLORY: Customer = { short: 'Mallory', name: 'Mallory <b>Test</b>', waId: '15557654321', userId: null };

// --- Ids ---------------------------------------------------------------------------------------

/**
 * Mints wamids shaped like Meta's: "wamid." + base64 of a small binary record holding the phone number
 * and a 20-hex-digit message id. Unique per factory (a counter) and across runs (a random run id).
 */
export class WamidFactory {
  private counter = 0;
  readonly runId: string;

  constructor(runId?: string) {
    this.runId = (runId ?? randomBytes(4).toString('hex'))
      .toUpperCase()
      .replace(/[^0-9A-F]/g, '')
      .padEnd(8, '0')
      .slice(0, 8);
  }

  next(phone: string | null = null): string {
    const id = this.runId + (this.counter++).toString(16).toUpperCase().padStart(12, '0');
    return wamidFor(phone ?? '0', id);
  }
}

function wamidFor(phone: string, hexId: string): string {
  const digits = phone.replace(/\D/g, '').slice(0, 20) || '0';
  const record = Buffer.concat([
    Buffer.from([0x1c, 0x18, digits.length]),
    Buffer.from(digits, 'latin1'),
    Buffer.from([0x15, 0x02, 0x00, 0x12, 0x18, hexId.length]),
    Buffer.from(hexId, 'latin1'),
    Buffer.from([0x00]),
  ]);
  return `wamid.${record.toString('base64')}`;
}

/** A media id like Meta's (16 digits). */
function mediaId(seed: number, runId: string): string {
  const n = (parseInt(runId.slice(0, 6), 16) * 1000 + seed) % 1e15;
  return String(1_000_000_000_000_000 + n);
}

/** A base64 sha256-looking string (Meta sends the media's hash). */
function mediaSha(seed: string): string {
  let h = 2166136261;
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) {
    for (const ch of seed + i) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    out[i] = h & 0xff;
  }
  return out.toString('base64');
}

// --- What the envelopes carry ---------------------------------------------------------------------

function contactEntry(c: Customer): Record<string, unknown> {
  return {
    profile: { name: c.name, ...(c.username ? { username: c.username } : {}) },
    ...(c.waId ? { wa_id: c.waId } : {}),
    ...(c.userId ? { user_id: c.userId } : {}),
  };
}

function sender(c: Customer): Record<string, unknown> {
  return { ...(c.waId ? { from: c.waId } : {}), ...(c.userId ? { from_user_id: c.userId } : {}) };
}

function inboundValue(number: SimulatedBusinessNumber, customer: Customer, messages: Record<string, unknown>[]) {
  return messagesValue(number, { contacts: [contactEntry(customer)], messages });
}

function statusValue(number: SimulatedBusinessNumber, statuses: Record<string, unknown>[]) {
  return messagesValue(number, { statuses });
}

function recipient(c: Customer): Record<string, unknown> {
  return { ...(c.waId ? { recipient_id: c.waId } : {}), ...(c.userId ? { recipient_user_id: c.userId } : {}) };
}

const PRICING = {
  utility: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' },
  service: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
  marketing: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' },
} as const;

const ERRORS = {
  131047: {
    code: 131047,
    title: 'Re-engagement message',
    message: 'Re-engagement message',
    error_data: {
      details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  },
  131026: {
    code: 131026,
    title: 'Message undeliverable',
    message: 'Message undeliverable',
    error_data: {
      details:
        'Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number; the recipient has not accepted our new Terms of Service.',
    },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  },
  130429: {
    code: 130429,
    title: 'Rate limit hit',
    message: 'Rate limit hit',
    error_data: {
      details: 'Cloud API message throughput has been reached. Try again later or request a higher throughput.',
    },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  },
} as const;

// --- The scenario ------------------------------------------------------------------------------

/**
 * A morning in the inbox, as the ordered list of bodies Meta would post: five customers (one known only
 * by a BSUID) writing to two business numbers with every message type, replies from the business known
 * only by their statuses (some out of order, three kinds of failure), a template decision, an account
 * update, and a body that tries to inject HTML.
 */
export function buildScenario(options: ScenarioOptions = {}): SimulatedBody[] {
  const runId = new WamidFactory(options.runId).runId;
  const nowSec = Math.floor((options.now ?? Date.now()) / 1000);
  // Timestamps lead up to "now", ten seconds apart: a first pass measures how long the scenario spans,
  // the second starts that long ago so the last item lands a few seconds before now.
  const span = composeScenario(new WamidFactory(runId), nowSec, 0).lastTick;
  return composeScenario(new WamidFactory(runId), nowSec, nowSec - span - 5).bodies;
}

function composeScenario(ids: WamidFactory, nowSec: number, start: number): { bodies: SimulatedBody[]; lastTick: number } {
  const bodies: SimulatedBody[] = [];
  const STEP = 10;
  let clock = start;
  const tick = (n = 1) => {
    clock += STEP * n;
    return String(clock);
  };

  const sales = SIMULATED_NUMBERS.sales;
  const support = SIMULATED_NUMBERS.support;
  let mediaSeed = 0;
  const media = (mime: string, extra: Record<string, unknown> = {}) => {
    const id = mediaId(++mediaSeed, ids.runId);
    return { mime_type: mime, sha256: mediaSha(ids.runId + id), id, ...extra };
  };

  /** One inbound message in its own body. */
  const inbound = (
    label: string,
    number: SimulatedBusinessNumber,
    customer: Customer,
    covers: ScenarioCoverage | 'text',
    type: string,
    subtype: string | null,
    content: Record<string, unknown>,
  ): string => {
    const wamid = ids.next(customer.waId);
    const item = { ...sender(customer), id: wamid, timestamp: tick(), type, ...content };
    const payload = envelope([{ field: 'messages', value: inboundValue(number, customer, [item]) }]);
    bodies.push({
      label: `${customer.short} → ${label}`,
      kind: 'message',
      body: JSON.stringify(payload),
      payload,
      messages: [{ wamid, type, subtype, covers }],
      statuses: [],
      accountField: null,
    });
    return wamid;
  };

  /** Statuses of one outbound message, each in its own body, in the given posting order. */
  const statuses = (
    label: string,
    number: SimulatedBusinessNumber,
    customer: Customer,
    wamid: string,
    steps: Array<{ status: 'sent' | 'delivered' | 'read' | 'failed'; at: string; error?: keyof typeof ERRORS }>,
    pricing: (typeof PRICING)[keyof typeof PRICING] = PRICING.service,
  ) => {
    const conversationId = mediaSha(wamid)
      .replace(/[^a-zA-Z0-9]/g, '')
      .slice(0, 32)
      .toLowerCase();
    for (const step of steps) {
      const item: Record<string, unknown> = { id: wamid, status: step.status, timestamp: step.at, ...recipient(customer) };
      if (step.status === 'failed' && step.error !== undefined) {
        item.errors = [ERRORS[step.error]];
      } else if (step.status !== 'read') {
        item.conversation = {
          id: conversationId,
          ...(step.status === 'sent' ? { expiration_timestamp: String(Number(step.at) + 86_400) } : {}),
          origin: { type: pricing.category },
        };
        item.pricing = pricing;
      }
      const value = statusValue(number, [item]);
      // Meta names the recipient in contacts[] beside the status of a message sent to a BSUID.
      if (customer.userId && step.status === 'sent') {
        (value as Record<string, unknown>).contacts = [{ ...(customer.waId ? { wa_id: customer.waId } : {}), user_id: customer.userId }];
      }
      const payload = envelope([{ field: 'messages', value }]);
      bodies.push({
        label: `${label} → ${customer.short}: ${step.status}${step.error ? ` (${step.error})` : ''}`,
        kind: 'status',
        body: JSON.stringify(payload),
        payload,
        messages: [],
        statuses: [{ wamid, status: step.status, errorCode: step.error ?? null }],
        accountField: null,
      });
    }
  };

  /** Timestamps for an outbound message's life, starting now on the scenario clock. */
  /** One outbound message's statuses, posted in the order given, timed as they would really happen. */
  const lifecycle = (
    label: string,
    number: SimulatedBusinessNumber,
    customer: Customer,
    wamid: string,
    order: Array<'sent' | 'delivered' | 'read'>,
    pricing?: (typeof PRICING)[keyof typeof PRICING],
  ) => {
    const sent = Number(tick());
    const at = { sent: String(sent), delivered: String(sent + 2), read: String(sent + 9) };
    statuses(
      label,
      number,
      customer,
      wamid,
      order.map((status) => ({ status, at: at[status] })),
      pricing,
    );
  };

  // 1. Tom clicks a click-to-WhatsApp ad.
  inbound('text from a click-to-WhatsApp ad', sales, TOM, 'text_referral', 'text', null, {
    text: { body: 'Is the winter sale still on?' },
    referral: {
      source_url: 'https://fb.me/3cr4Wqqkv',
      source_id: '120226305854810726',
      source_type: 'ad',
      body: 'Winter sale: 30% off all jackets',
      headline: 'Chat with us',
      media_type: 'image',
      image_url: 'https://scontent.example.net/ad-image.jpg',
      ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a',
      welcome_message: { text: 'Hi! How can we help?' },
    },
  });

  // 2. Maria asks with a link.
  const mariaQuestion = inbound('text with a link', sales, MARIA, 'text_link', 'text', null, {
    text: { body: 'Hola! ¿Tienen envío a Monterrey? Me interesa esta chamarra: https://shop.example.com/p/jacket-m-blue?ref=wa' },
  });

  // 3. We answer Maria: sent → delivered → read.
  const toMaria = ids.next(MARIA.waId);
  lifecycle('reply', sales, MARIA, toMaria, ['sent', 'delivered', 'read']);

  // 4. Maria replies to our answer, then edits her first question.
  inbound('reply (context)', sales, MARIA, 'text_reply', 'text', null, {
    context: { from: sales.displayPhoneNumber, id: toMaria },
    text: { body: 'Perfecto, gracias. ¿Y cuánto tarda?' },
  });
  inbound('edit of her first message', sales, MARIA, 'edit', 'edit', 'text', {
    edit: {
      original_message_id: mariaQuestion,
      message: {
        context: { id: mariaQuestion },
        type: 'text',
        text: { body: 'Hola! ¿Tienen envío a Guadalajara? Me interesa esta chamarra: https://shop.example.com/p/jacket-m-blue?ref=wa' },
      },
    },
  });

  // 5. Media from several customers.
  const mariaImage = inbound('image with caption', sales, MARIA, 'image', 'image', null, {
    image: media('image/jpeg', { caption: 'Así llegó la caja 😕' }),
  });
  inbound('voice note', support, TOM, 'audio_voice', 'audio', null, {
    audio: media('audio/ogg; codecs=opus', { voice: true }),
  });
  inbound('video (forwarded)', support, AIKO, 'video', 'video', null, {
    video: media('video/mp4', { caption: 'Look at this!' }),
    context: { forwarded: true },
  });
  inbound('document', sales, MARIA, 'document', 'document', null, {
    document: media('application/pdf', { filename: 'factura-2026-0193.pdf', caption: 'La factura' }),
  });
  inbound('animated sticker', support, AIKO, 'sticker', 'sticker', null, {
    sticker: media('image/webp', { animated: true }),
  });
  inbound('location', support, AIKO, 'location', 'location', null, {
    location: { latitude: 35.6586, longitude: 139.7454, name: 'Tokyo Tower', address: '4-2-8 Shibakoen, Minato City, Tokyo' },
  });
  inbound('contact card', sales, TOM, 'contacts', 'contacts', null, {
    contacts: [
      {
        name: { formatted_name: 'Anna Schmidt', first_name: 'Anna', last_name: 'Schmidt' },
        phones: [{ phone: '+49 151 2345 6789', wa_id: '4915123456789', type: 'MOBILE' }],
        emails: [{ email: 'anna@example.com', type: 'WORK' }],
        org: { company: 'Schmidt GmbH' },
      },
    ],
  });

  // 6. Maria takes the image back.
  inbound('revoke of her image', sales, MARIA, 'revoke', 'revoke', null, {
    revoke: { original_message_id: mariaImage },
  });

  // 7. Interactive replies to messages we sent (known only from their statuses).
  const buttonsToTom = ids.next(TOM.waId);
  lifecycle('buttons', sales, TOM, buttonsToTom, ['sent', 'delivered']);
  inbound('button reply', sales, TOM, 'button_reply', 'interactive', 'button_reply', {
    context: { from: sales.displayPhoneNumber, id: buttonsToTom },
    interactive: { type: 'button_reply', button_reply: { id: 'confirm', title: '✅ Confirm' } },
  });

  const listToPriya = ids.next(PRIYA.waId);
  lifecycle('menu', support, PRIYA, listToPriya, ['sent', 'delivered', 'read']);
  inbound('list reply', support, PRIYA, 'list_reply', 'interactive', 'list_reply', {
    context: { from: support.displayPhoneNumber, id: listToPriya },
    interactive: { type: 'list_reply', list_reply: { id: 'pizza', title: '🍕 Pizza', description: '$12.99' } },
  });

  const flowToMaria = ids.next(MARIA.waId);
  lifecycle('flow', sales, MARIA, flowToMaria, ['sent', 'read']);
  inbound('flow answer (nfm_reply)', sales, MARIA, 'nfm_reply', 'interactive', 'nfm_reply', {
    context: { from: sales.displayPhoneNumber, id: flowToMaria },
    interactive: {
      type: 'nfm_reply',
      nfm_reply: {
        name: 'flow',
        body: 'Sent',
        response_json: JSON.stringify({ flow_token: `booking-${ids.runId}`, date: '2026-12-03', time: '15:00' }),
      },
    },
  });

  const templateToMaria = ids.next(MARIA.waId);
  lifecycle('template', sales, MARIA, templateToMaria, ['sent', 'delivered'], PRICING.marketing);
  inbound('template quick-reply button', sales, MARIA, 'button', 'button', null, {
    context: { from: sales.displayPhoneNumber, id: templateToMaria },
    button: { payload: 'STOP_PROMOTIONS', text: 'Stop promotions' },
  });

  // 8. Aiko reacts to a photo we sent, then takes the reaction back.
  const photoToAiko = ids.next(AIKO.waId);
  lifecycle('photo', support, AIKO, photoToAiko, ['sent', 'delivered', 'read']);
  inbound('reaction 👍', support, AIKO, 'reaction', 'reaction', null, {
    reaction: { message_id: photoToAiko, emoji: '👍' },
  });
  inbound('reaction removed', support, AIKO, 'reaction_removed', 'reaction', 'removed', {
    reaction: { message_id: photoToAiko },
  });

  // 9. An order from the catalog, and a system notice.
  inbound('order', sales, MARIA, 'order', 'order', null, {
    order: {
      catalog_id: '1493025811456521',
      text: 'Please deliver after 5pm',
      product_items: [
        { product_retailer_id: 'jacket-m-blue', quantity: 1, item_price: 89.9, currency: 'EUR' },
        { product_retailer_id: 'scarf-wool', quantity: 2, item_price: 19.5, currency: 'EUR' },
      ],
    },
  });
  inbound('system: changed number', support, PRIYA, 'system', 'system', 'user_changed_number', {
    system: {
      body: 'User Priya Sharma changed from 919812345678 to 919898765432',
      wa_id: '919898765432',
      type: 'user_changed_number',
    },
  });

  // 10. Something WhatsApp cannot deliver to the Cloud API, and a type Meta might add tomorrow.
  inbound('unsupported (poll_creation)', sales, TOM, 'unsupported', 'unsupported', 'poll_creation', {
    errors: [
      {
        code: 131051,
        title: 'Message type unknown',
        message: 'Message type unknown',
        error_data: { details: 'Message type is currently not supported.' },
      },
    ],
    unsupported: { type: 'poll_creation' },
  });
  inbound('brand-new type (event)', sales, TOM, 'new_type', 'event', null, {
    event: {
      name: 'Winter sale launch party',
      description: 'Drinks and 40% off for early birds',
      start_time: String(nowSec + 7 * 86_400),
      location: { name: 'Store Berlin Mitte' },
    },
  });

  // 11. A customer known only by their BSUID (came through a username, no phone number shared).
  inbound('text (BSUID only, no phone)', sales, SHEENA, 'bsuid_only', 'text', null, {
    text: { body: 'Hi, found you through your username. Do you ship to Canada?' },
  });
  const toSheena = ids.next(null);
  lifecycle('reply', sales, SHEENA, toSheena, ['sent', 'delivered', 'read']);

  // 12. Statuses out of order: Meta does not promise order; read may arrive before delivered and sent.
  const shippingToAiko = ids.next(AIKO.waId);
  lifecycle('shipping update', support, AIKO, shippingToAiko, ['read', 'sent', 'delivered'], PRICING.utility);
  const followUpToTom = ids.next(TOM.waId);
  lifecycle('follow-up', sales, TOM, followUpToTom, ['delivered', 'sent']);

  // 13. Three kinds of failure.
  statuses('late reply', sales, MARIA, ids.next(MARIA.waId), [{ status: 'failed', at: tick(), error: 131047 }]);
  statuses(
    'promo',
    support,
    PRIYA,
    ids.next(PRIYA.waId),
    [
      { status: 'sent', at: tick() },
      { status: 'failed', at: tick(), error: 131026 },
    ],
    PRICING.marketing,
  );
  statuses('broadcast', support, AIKO, ids.next(AIKO.waId), [{ status: 'failed', at: tick(), error: 130429 }]);

  // 14. Account-level events.
  {
    const templateId = 900_000_000 + (parseInt(ids.runId.slice(0, 6), 16) % 99_999_999);
    const time = Number(tick());
    const payload = envelope(
      [
        {
          field: 'message_template_status_update',
          value: {
            event: 'APPROVED',
            message_template_id: templateId,
            message_template_name: 'order_update',
            message_template_language: 'en_US',
            reason: 'NONE',
            message_template_category: 'UTILITY',
          },
        },
      ],
      { time },
    );
    bodies.push({
      label: 'template order_update → APPROVED',
      kind: 'account',
      body: JSON.stringify(payload),
      payload,
      messages: [],
      statuses: [],
      accountField: 'message_template_status_update',
    });
  }
  {
    const time = Number(tick());
    const payload = envelope(
      [
        {
          field: 'account_update',
          value: {
            phone_number: support.displayPhoneNumber,
            event: 'ACCOUNT_RESTRICTION',
            restriction_info: [
              {
                restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING',
                // The run id keeps this body unique even when two runs start within the same second.
                expiration: String(time + 7 * 86_400 + (parseInt(ids.runId.slice(0, 4), 16) % 3600)),
              },
            ],
          },
        },
      ],
      { time },
    );
    bodies.push({
      label: 'account update (ACCOUNT_RESTRICTION)',
      kind: 'account',
      body: JSON.stringify(payload),
      payload,
      messages: [],
      statuses: [],
      accountField: 'account_update',
    });
  }

  // 15. Someone tries to inject HTML: the inbox must show it as text.
  inbound('text that looks like XSS', support, MALLORY, 'xss', 'text', null, {
    text: { body: '<img src=x onerror=alert(1)> <script>alert("ticks")</script>' },
  });

  // lifecycle() stamps "read" up to 9 s after the tick it takes.
  return { bodies, lastTick: clock - start + 9 };
}

// --- The benchmark's traffic --------------------------------------------------------------------

export interface BenchBody {
  body: string;
  /** The wamids in the body: the inbound message's, or the outbound message a status is about. */
  wamids: string[];
  kind: 'message' | 'status';
}

export interface BenchOptions {
  /** Distinguishes this run's ids (default: one random id per process). */
  runId?: string;
  /** "Now" in ms (default Date.now()). */
  now?: number;
}

const BENCH_CUSTOMERS = 500;
const FIRST_NAMES = [
  'Ana',
  'Ben',
  'Chen',
  'Dara',
  'Emre',
  'Fatima',
  'Gus',
  'Hana',
  'Ivan',
  'Jade',
  'Kofi',
  'Lena',
  'Mateo',
  'Nia',
  'Omar',
  'Paula',
  'Quinn',
  'Ravi',
  'Sofia',
  'Tariq',
  'Uma',
  'Viktor',
  'Wen',
  'Yara',
  'Zoe',
];
const LAST_NAMES = [
  'Alves',
  'Brown',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lee',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Patel',
  'Rossi',
  'Silva',
  'Tanaka',
  'Novak',
];
const COUNTRY_PREFIXES = [
  { cc: '52', iso: 'MX' },
  { cc: '49', iso: 'DE' },
  { cc: '44', iso: 'GB' },
  { cc: '55', iso: 'BR' },
  { cc: '91', iso: 'IN' },
  { cc: '34', iso: 'ES' },
];
const BENCH_TEXTS = [
  'Hi! Is the blue jacket in size M still available? I would like to pick it up at the Mitte store on Saturday morning if possible.',
  'Thanks for the quick answer. Could you send me the tracking number for order 48213 please? It has been a week since I ordered.',
  'Hola, quería saber si hacen envíos a Monterrey y cuánto tarda en llegar. También si aceptan pago contra entrega. ¡Gracias!',
  'The package arrived but one of the two scarves is missing. What should I do? I can send a photo of the box if that helps.',
  'Can I change the delivery address for my order? I will not be home next week, please send it to my office instead.',
  'Good morning, do you have any discount for students? I saw the winter sale ad but the code does not work at checkout.',
];

let benchRunId: string | undefined;

function benchCustomer(index: number) {
  const country = COUNTRY_PREFIXES[index % COUNTRY_PREFIXES.length]!;
  // A scattered ten-digit mobile number per customer (7_919_423 and 10^9 are coprime: no two alike).
  const waId = country.cc + String(6_000_000_000 + ((index * 7_919_423) % 1_000_000_000));
  return {
    name: `${FIRST_NAMES[index % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length]}`,
    waId,
    // Every third customer also has a BSUID, as most do since 2026.
    userId: index % 3 === 0 ? `${country.iso}.${String(10_000_000_000_000 + index * 104_729)}` : null,
  };
}

/**
 * Body `i` of the benchmark's traffic (~1 KB): of every five bodies, three are text messages from one of
 * 500 customers and two are statuses (sent → delivered → read) of outbound messages. Unique for every i.
 */
export function mixedBenchBody(i: number, options: BenchOptions = {}): BenchBody {
  benchRunId ??= randomBytes(4).toString('hex');
  const runId = (options.runId ?? benchRunId).toUpperCase().slice(0, 8).padEnd(8, '0');
  const nowSec = Math.floor((options.now ?? Date.now()) / 1000);
  const slot = i % 5;
  const round = Math.floor(i / 5);
  if (slot === 0 || slot === 2 || slot === 4) {
    // The n-th message comes from customer n·263 mod 500: all 500 in a scattered order (263 and 500 are coprime).
    const messageIndex = round * 3 + slot / 2;
    const customerIndex = (messageIndex * 263) % BENCH_CUSTOMERS;
    const customer = benchCustomer(customerIndex);
    const number = customerIndex % 2 === 0 ? SIMULATED_NUMBERS.sales : SIMULATED_NUMBERS.support;
    const wamid = wamidFor(customer.waId, `${runId}A${i.toString(16).toUpperCase().padStart(11, '0')}`);
    const value = messagesValue(number, {
      contacts: [{ profile: { name: customer.name }, wa_id: customer.waId, ...(customer.userId ? { user_id: customer.userId } : {}) }],
      messages: [
        {
          from: customer.waId,
          ...(customer.userId ? { from_user_id: customer.userId } : {}),
          id: wamid,
          timestamp: String(nowSec),
          type: 'text',
          // Four sentences (~500 characters), so that the body weighs about 1 KB.
          text: { body: `${[0, 1, 3, 4].map((k) => BENCH_TEXTS[(i + k) % BENCH_TEXTS.length]).join(' ')} (#${i})` },
        },
      ],
    });
    return { body: JSON.stringify(envelope([{ field: 'messages', value }])), wamids: [wamid], kind: 'message' };
  }

  // Statuses: bodies 1 and 3 of each round of five; every outbound message gets sent, delivered, read.
  const statusIndex = round * 2 + (slot === 1 ? 0 : 1);
  const outbound = Math.floor(statusIndex / 3);
  const status = (['sent', 'delivered', 'read'] as const)[statusIndex % 3]!;
  const outCustomer = benchCustomer((outbound * 11) % BENCH_CUSTOMERS);
  const outNumber = ((outbound * 11) % BENCH_CUSTOMERS) % 2 === 0 ? SIMULATED_NUMBERS.sales : SIMULATED_NUMBERS.support;
  const wamid = wamidFor(outCustomer.waId, `${runId}B${outbound.toString(16).toUpperCase().padStart(11, '0')}`);
  const item: Record<string, unknown> = {
    id: wamid,
    status,
    timestamp: String(nowSec + (statusIndex % 3)),
    recipient_id: outCustomer.waId,
    ...(outCustomer.userId ? { recipient_user_id: outCustomer.userId } : {}),
    // Echoed back by Meta when the sender set it: what the sending system (a CRM ...) tagged the message with.
    biz_opaque_callback_data: JSON.stringify({
      campaign: 'winter-sale-2026',
      ticket: `T-${100_000 + outbound}`,
      agent: `${FIRST_NAMES[outbound % FIRST_NAMES.length]!.toLowerCase()}@support.example.com`,
      template: 'order_update_v3',
      locale: 'en_US',
      batch: `${runId.toLowerCase()}-${Math.floor(outbound / 100)}`,
    }),
  };
  if (status !== 'read') {
    item.conversation = {
      id: runId.toLowerCase() + outbound.toString(16).padStart(24, '0'),
      ...(status === 'sent' ? { expiration_timestamp: String(nowSec + 86_400) } : {}),
      origin: { type: 'utility' },
    };
    item.pricing = PRICING.utility;
  }
  const value = messagesValue(outNumber, { statuses: [item] });
  return { body: JSON.stringify(envelope([{ field: 'messages', value }])), wamids: [wamid], kind: 'status' };
}
