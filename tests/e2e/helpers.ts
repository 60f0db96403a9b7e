import { randomInt } from 'node:crypto';
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { messagesPayload, postWebhook as postSigned, type WebhookPayload } from '../../tools/meta-envelopes';
import { SIMULATED_NUMBERS, WamidFactory, type SimulatedBusinessNumber } from '../../tools/simulated-traffic';
import { E2E_ENV, storageStatePath, type E2eRole } from './shared';

export { E2E_USERS, type E2eRole } from './shared';
export { expect };

// --- The test object ---------------------------------------------------------------------------------

/**
 * Playwright's `test`, pointed at the e2e server, signed out by default. In a describe block,
 * `test.use({ role: 'admin' })` or `'agent'` starts every page signed in as that user.
 * Never sign out in a test that uses a role: signing out ends the shared session for every test.
 */
export const test = base.extend<{ role: E2eRole | null }>({
  role: [null, { option: true }],
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern; this one has none
  baseURL: async ({}, use) => {
    await use(serverUrl());
  },
  storageState: async ({ role }, use) => {
    if (role === 'agent' && process.env[E2E_ENV.agentError]) throw new Error(process.env[E2E_ENV.agentError]);
    await use(role ? storageStatePath(role) : undefined);
  },
});

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e tests with \`npx playwright test\` (its global setup starts the server)`);
  return value;
}

export const serverUrl = () => required(E2E_ENV.url);

// --- Webhooks ----------------------------------------------------------------------------------------

/** POSTs a body to /api/webhook signed like Meta signs it: HMAC-SHA256 of the exact bytes. */
export async function postWebhook(body: WebhookPayload | string): Promise<Response> {
  return postSigned(`${serverUrl()}/api/webhook`, body, required(E2E_ENV.webhookSecret));
}

/** Posts and expects the 200 that means the body is stored. */
export async function deliver(body: WebhookPayload): Promise<void> {
  const response = await postWebhook(body);
  expect(response.status, await response.clone().text()).toBe(200);
}

// --- Meta-format bodies ------------------------------------------------------------------------------

const wamids = new WamidFactory();

/** A fresh wamid (unique across workers and runs), e.g. for an outbound message known by its statuses. */
export const newWamid = (phone: string | null = null) => wamids.next(phone);

/** A customer phone number nobody else in this run uses, so each test gets its own conversation. */
export const newCustomerNumber = () => `4915${randomInt(10 ** 9, 10 ** 10)}`;

export interface Customer {
  waId: string;
  name: string;
}

export const newCustomer = (name = 'Erin Example'): Customer => ({ waId: newCustomerNumber(), name });

export const BUSINESS_NUMBER: SimulatedBusinessNumber = SIMULATED_NUMBERS.sales;

/** A business number no other test uses: its counts and totals are this test's alone. */
export const uniqueBusinessNumber = (): SimulatedBusinessNumber => ({
  phoneNumberId: `1065${randomInt(10 ** 10, 10 ** 11)}`,
  displayPhoneNumber: `1555${randomInt(10 ** 6, 10 ** 7)}`,
});

const lowercase = (length: number) => Array.from({ length }, () => String.fromCharCode(97 + randomInt(26))).join('');

/** A customer whose name ends in a random word, so list filters and searches find only this test's row. */
export const uniqueCustomer = (first: string): Customer => newCustomer(`${first} ${lowercase(8)}`);

/**
 * A customer writes (at `timestamp`, Meta's seconds, default now; to business number `to`, default
 * BUSINESS_NUMBER); their conversation's id once it is stored.
 */
export async function customerWrites(
  customer: Customer,
  text: string,
  { timestamp, to }: { timestamp?: number; to?: SimulatedBusinessNumber } = {},
): Promise<string> {
  const message = inboundMessage('text', text, { customer, timestamp, to });
  await deliver(message.body);
  return String((await waitForProcessed(message.wamid)).conversationId);
}

export const isEventStream = (url: string) => new URL(url).pathname === '/api/events';

/** Opens a page of the inbox once its change stream is connected. */
export async function openLive(page: Page, path: string): Promise<void> {
  const stream = page.waitForResponse((r) => isEventStream(r.url()) && r.status() === 200);
  await page.goto(path);
  await stream;
}

/**
 * The list shows one business number's conversations only: a test that writes to a number of its own
 * (uniqueBusinessNumber) then sees its conversations alone, whatever other tests write meanwhile.
 */
export async function showOnlyNumber(page: Page, number: SimulatedBusinessNumber): Promise<void> {
  await page.getByRole('combobox', { name: /Business number/ }).selectOption(number.phoneNumberId);
}

export type InboundType =
  | 'text'
  | 'image'
  | 'video'
  | 'document'
  | 'audio'
  | 'sticker'
  | 'location'
  | 'button'
  | 'interactive'
  | 'reaction';

export interface InboundOptions {
  customer?: Customer;
  to?: SimulatedBusinessNumber;
  wamid?: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** For reactions: the message reacted to. */
  targetId?: string;
}

export interface BuiltMessage {
  wamid: string;
  customer: Customer;
  body: WebhookPayload;
}

/**
 * A body carrying one inbound message. `text` goes where the type keeps it: the body of a text, the
 * caption of media, the name of a location, a button's text, a button reply's title, a reaction's emoji.
 */
export function inboundMessage(type: InboundType, text: string, options: InboundOptions = {}): BuiltMessage {
  const customer = options.customer ?? newCustomer();
  const wamid = options.wamid ?? newWamid(customer.waId);
  const media = (mime: string) => ({
    mime_type: mime,
    sha256: 'q3Zk0bC1m8hY2v3fJ6k7sQ9uX1Zr5aT8wE4yP0oL2nM=',
    id: `10${randomInt(10 ** 13, 10 ** 14)}`,
  });
  const content: Record<string, unknown> = (() => {
    switch (type) {
      case 'text':
        return { text: { body: text } };
      case 'image':
        return { image: { caption: text, ...media('image/jpeg') } };
      case 'video':
        return { video: { caption: text, ...media('video/mp4') } };
      case 'document':
        return { document: { caption: text, filename: 'invoice.pdf', ...media('application/pdf') } };
      case 'audio':
        return { audio: { voice: true, ...media('audio/ogg; codecs=opus') } };
      case 'sticker':
        return { sticker: { animated: false, ...media('image/webp') } };
      case 'location':
        return { location: { latitude: 52.52, longitude: 13.405, name: text, address: 'Alexanderplatz, Berlin' } };
      case 'button':
        return { button: { text, payload: text.toUpperCase() } };
      case 'interactive':
        return { interactive: { type: 'button_reply', button_reply: { id: 'reply-1', title: text } } };
      case 'reaction':
        return { reaction: { message_id: options.targetId ?? newWamid(customer.waId), emoji: text } };
    }
  })();
  return inboundBody(type, content, customer, wamid, options);
}

/**
 * A body carrying one inbound message of any `type`, also one Meta has not invented yet. `content` goes
 * into the message item beside `type` as given: `{ contacts: [...] }`, `{ order: {...} }`,
 * `{ text: {...}, referral: {...} }`, `{ unsupported: {...}, errors: [...] }`, `{ hologram: {...} }` ...
 */
export function inboundOfType(
  type: string,
  content: Record<string, unknown>,
  options: Omit<InboundOptions, 'targetId'> = {},
): BuiltMessage {
  const customer = options.customer ?? newCustomer();
  const wamid = options.wamid ?? newWamid(customer.waId);
  return inboundBody(type, content, customer, wamid, options);
}

function inboundBody(
  type: string,
  content: Record<string, unknown>,
  customer: Customer,
  wamid: string,
  options: InboundOptions,
): BuiltMessage {
  const carried = {
    contacts: [{ profile: { name: customer.name }, wa_id: customer.waId }],
    messages: [{ from: customer.waId, id: wamid, timestamp: String(options.timestamp ?? nowSeconds()), type, ...content }],
  };
  return { wamid, customer, body: messagesPayload(carried, { number: options.to ?? BUSINESS_NUMBER }) };
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface MetaError {
  code: number;
  title: string;
  message?: string;
  error_data?: { details: string };
}

/** Meta's error for a message sent outside the 24-hour window: the usual failure. */
export const REENGAGEMENT_ERROR: MetaError = {
  code: 131047,
  title: 'Re-engagement message',
  message: 'Re-engagement message',
  error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
};

export interface StatusOptions {
  /** Who the message went to; default a fresh number. */
  recipient?: string;
  from?: SimulatedBusinessNumber;
  timestamp?: number;
  /** For `failed`; default REENGAGEMENT_ERROR. */
  errors?: MetaError[];
}

/** A body carrying one status of an outbound message (Meta sends these as the message travels). */
export function statusUpdate(wamid: string, status: DeliveryStatus, options: StatusOptions = {}): WebhookPayload {
  const recipient = options.recipient ?? newCustomerNumber();
  const item: Record<string, unknown> = {
    id: wamid,
    status,
    timestamp: String(options.timestamp ?? nowSeconds()),
    recipient_id: recipient,
  };
  if (status === 'failed') item.errors = options.errors ?? [REENGAGEMENT_ERROR];
  else item.pricing = { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' };
  return messagesPayload({ statuses: [item] }, { number: options.from ?? BUSINESS_NUMBER });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

// --- The read API ------------------------------------------------------------------------------------

/** GET on the read API with the server's INBOX_API_KEY. */
export function readApi(path: string): Promise<Response> {
  return fetch(`${serverUrl()}${path}`, { headers: { authorization: `Bearer ${required(E2E_ENV.apiKey)}` } });
}

/**
 * Waits until the background processor has stored this message (optionally: until it has this
 * status), and returns it as GET /api/messages/{wamid} shows it.
 */
export async function waitForProcessed(
  wamid: string,
  options: { status?: string; timeoutMs?: number } = {},
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const response = await readApi(`/api/messages/${encodeURIComponent(wamid)}`);
    if (response.ok) {
      const message = (await response.json()) as Record<string, unknown>;
      if (!options.status || message.status === options.status) return message;
      last = `status is ${String(message.status)}`;
    } else {
      last = `${response.status} ${await response.text()}`;
      if (response.status !== 404) break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`message ${wamid} was not processed${options.status ? ` to ${options.status}` : ''}: ${last}`);
}

// --- Browser notifications --------------------------------------------------------------------------

export interface ShownNotification {
  title: string;
  body: string;
}

/**
 * Makes every page of `context` record the notifications it shows instead (headless Chromium draws none),
 * with permission granted; shownNotifications(page) reads them, clickNotification(page, title) clicks one.
 */
export async function recordNotifications(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const shown: { title: string; body: string; onclick: (() => void) | null }[] = [];
    class RecordedNotification {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      onclick: (() => void) | null = null;
      constructor(
        readonly title: string,
        options?: { body?: string },
      ) {
        const entry = { title, body: options?.body ?? '', onclick: null as (() => void) | null };
        shown.push(entry);
        Object.defineProperty(this, 'onclick', { set: (fn: () => void) => (entry.onclick = fn), get: () => entry.onclick });
      }
      close() {}
    }
    Object.assign(window, { Notification: RecordedNotification, shownNotifications: shown });
  });
}

export function shownNotifications(page: Page): Promise<ShownNotification[]> {
  return page.evaluate(() =>
    (window as unknown as { shownNotifications: ShownNotification[] }).shownNotifications.map((n) => ({ title: n.title, body: n.body })),
  );
}

export function clickNotification(page: Page, title: string): Promise<void> {
  return page.evaluate((name) => {
    const all = (window as unknown as { shownNotifications: { title: string; onclick: (() => void) | null }[] }).shownNotifications;
    all.find((n) => n.title === name)?.onclick?.();
  }, title);
}
