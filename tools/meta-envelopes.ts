// Webhook bodies in Meta's format, signed the way Meta signs them: the one builder that the simulator,
// the benchmarks and the tests share. The shapes follow tests/fixtures/payloads, which follow Meta's
// Cloud API webhook reference. Signing uses production's signBody; verifying stays in production
// (lib/whatsapp/signature.ts).
//
// Relative imports only: Playwright's loader reads this file for tests/e2e.

import { signBody } from '../lib/whatsapp/signature';

export { signBody };

/** The WhatsApp Business Account every built body belongs to unless told otherwise. */
export const TEST_WABA_ID = '102290129340398';

export interface BusinessNumber {
  phoneNumberId: string;
  displayPhoneNumber: string;
}

/** The business number a `messages` change is about unless told otherwise. */
export const TEST_BUSINESS_NUMBER: BusinessNumber = { phoneNumberId: '106540352242922', displayPhoneNumber: '15551234567' };

export interface WebhookChange {
  field: string;
  value: Record<string, unknown>;
}

export interface WebhookPayload {
  object: 'whatsapp_business_account';
  entry: Array<{ id: string; time?: number; changes: WebhookChange[] }>;
}

/** The outer shape Meta posts: one entry (the business account, with `time` for account-level events) and its changes. */
export function envelope(changes: WebhookChange[], options: { waba?: string; time?: number } = {}): WebhookPayload {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: options.waba ?? TEST_WABA_ID, ...(options.time !== undefined ? { time: options.time } : {}), changes }],
  };
}

/** Which business number a `messages` change is about. */
export function metadata(number: BusinessNumber) {
  return { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId };
}

/** The value of a `messages` change: the product, the number, then what it carries (messages, statuses, contacts ...). */
export function messagesValue(number: BusinessNumber, carried: Record<string, unknown>): Record<string, unknown> {
  return { messaging_product: 'whatsapp', metadata: metadata(number), ...carried };
}

export interface MessagesBodyOptions {
  /** Default TEST_BUSINESS_NUMBER. */
  number?: BusinessNumber;
  /** Shorthands for `number`'s parts. */
  phoneNumberId?: string;
  display?: string;
  waba?: string;
  /** The change's field; default `messages` (`smb_message_echoes` carries echoes the same way). */
  field?: string;
}

/** A body with one change around `carried`, parsed. */
export function messagesPayload(carried: Record<string, unknown>, options: MessagesBodyOptions = {}): WebhookPayload {
  const number = {
    phoneNumberId: options.phoneNumberId ?? options.number?.phoneNumberId ?? TEST_BUSINESS_NUMBER.phoneNumberId,
    displayPhoneNumber: options.display ?? options.number?.displayPhoneNumber ?? TEST_BUSINESS_NUMBER.displayPhoneNumber,
  };
  return envelope([{ field: options.field ?? 'messages', value: messagesValue(number, carried) }], { waba: options.waba });
}

/** The same body as the text Meta posts (compact JSON). */
export function messagesBody(carried: Record<string, unknown>, options: MessagesBodyOptions = {}): string {
  return JSON.stringify(messagesPayload(carried, options));
}

/** An inbound text message item (`ts` in seconds since the epoch; Meta sends it as a string). */
export const textMessage = (wamid: string, from: string, body: string, ts = 1767000000) => ({
  from,
  id: wamid,
  timestamp: String(ts),
  type: 'text',
  text: { body },
});

/** A status item of an outbound message. */
export const status = (wamid: string, value: string, ts: number, recipient = '819012345678', extra: Record<string, unknown> = {}) => ({
  id: wamid,
  status: value,
  timestamp: String(ts),
  recipient_id: recipient,
  ...extra,
});

/** The headers Meta posts a body with: its type and `X-Hub-Signature-256`, the HMAC-SHA256 of the exact bytes. */
export function signedHeaders(body: string | Uint8Array, secret: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, secret) };
}

/** POSTs a body to a webhook endpoint (the full URL) as Meta would: compact JSON, signed with `secret`. */
export function postWebhook(
  url: string,
  body: WebhookPayload | string,
  secret: string,
  init: { signal?: AbortSignal } = {},
): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(url, { method: 'POST', headers: signedHeaders(raw, secret), body: raw, signal: init.signal });
}
