import { getErasePreview } from '@/db/queries/erase';
import type { App } from '@/lib/app';
import { conversationParamsSchema } from '@/lib/contracts/inbox';
import {
  adminExportQuerySchema,
  contactParamsSchema,
  customerExportSchema,
  getErasePreviewResponseSchema,
  postEraseResponseSchema,
  type CustomerExport,
  type GetErasePreviewResponse,
  type PostEraseResponse,
} from '@/lib/contracts/privacy';
import { notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { parseConversationId, parsePathId, readApiDeps, type ReadApiDeps } from '@/lib/inbox/read-api';
import { log, type Logger } from '@/lib/log';
import type { MediaStorage } from '@/lib/media/storage';
import { eraseContact } from './erase';
import { exportCustomer, exportRange } from './export';

// The privacy routes: what erasing a customer would delete, erasing them (admins only), and exports of a
// customer or a conversation (anyone in the inbox) and of a date range (admins, NDJSON streamed).

export interface PrivacyApiDeps extends ReadApiDeps {
  storage: Pick<MediaStorage, 'remove'>;
  log: Logger;
}

const privacyApiDeps = (app: App): PrivacyApiDeps => ({ ...readApiDeps(app), storage: app.mediaStorage, log });

const parseContactId = (raw: string): number => parsePathId(raw, 'Contact not found');

export const getErasePreviewRoute = defineRoute(
  {
    method: 'GET',
    path: '/api/contacts/{id}/erase',
    access: 'admin',
    summary:
      'What erasing this customer would delete: their name and number, and how many conversations, messages, statuses, files and notes.',
    deps: privacyApiDeps,
    params: contactParamsSchema,
    response: getErasePreviewResponseSchema,
  },
  async ({ deps, params }): Promise<GetErasePreviewResponse> => {
    const preview = await getErasePreview(deps.db, parseContactId(params.id));
    if (!preview) throw notFound('Contact not found');
    const { counts, ...contact } = preview;
    return { contact: { ...contact, id: String(contact.id) }, counts };
  },
);

export const postEraseRoute = defineRoute(
  {
    method: 'POST',
    path: '/api/contacts/{id}/erase',
    access: 'admin',
    summary:
      'Erases a customer for good (POST, not DELETE): contact, conversations, messages (queued ones are never sent), statuses, files, notes, and their part of raw webhook bodies. Audited without content.',
    deps: privacyApiDeps,
    params: contactParamsSchema,
    response: postEraseResponseSchema,
  },
  async ({ deps, params, principal }): Promise<PostEraseResponse> => {
    const contactId = parseContactId(params.id);
    const actor = principal.kind === 'user' ? { userId: principal.userId, name: principal.name } : { userId: null, name: principal.name };
    const erased = await eraseContact(deps, actor, contactId);
    if (!erased) throw notFound('Contact not found');
    return { contactId: String(contactId), erased };
  },
);

function attachment(body: CustomerExport, filename: string): Response {
  return new Response(JSON.stringify(body, null, 2), {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  });
}

export const getContactExport = defineRoute(
  {
    method: 'GET',
    path: '/api/contacts/{id}/export',
    access: 'inbox',
    summary:
      'Everything Ticks holds of a customer as one JSON file: contact, conversations, messages with statuses and media links, notes.',
    deps: readApiDeps,
    params: contactParamsSchema,
    response: customerExportSchema,
  },
  async ({ deps, params }) => {
    const contactId = parseContactId(params.id);
    const exported = await exportCustomer(deps, { contactId });
    if (!exported) throw notFound('Contact not found');
    return attachment(exported, `ticks-contact-${contactId}.json`);
  },
);

export const getConversationExport = defineRoute(
  {
    method: 'GET',
    path: '/api/conversations/{id}/export',
    access: 'inbox',
    summary: 'One conversation as a JSON file: its customer, messages with statuses and media links, notes.',
    deps: readApiDeps,
    params: conversationParamsSchema,
    response: customerExportSchema,
  },
  async ({ deps, params }) => {
    const conversationId = parseConversationId(params.id);
    const exported = await exportCustomer(deps, { conversationId });
    if (!exported) throw notFound('Conversation not found');
    return attachment(exported, `ticks-conversation-${conversationId}.json`);
  },
);

export const getAdminExport = defineRoute(
  {
    method: 'GET',
    path: '/api/admin/export',
    access: 'admin',
    summary:
      'Every message sent in [from, to) by its own timestamp, as they stand when the export begins, all conversations, as NDJSON streamed: a header line {kind:"export", total}, one {kind:"message", message} per message in time order, then {kind:"end", count}.',
    deps: (app: App) => ({ ...readApiDeps(app), log }),
    query: adminExportQuerySchema,
    responseType: 'application/x-ndjson',
  },
  async ({ deps, query }) => {
    const day = (d: Date) => d.toISOString().slice(0, 10);
    return new Response(exportRange(deps, query), {
      headers: {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="ticks-messages-${day(query.from)}-${day(query.to)}.ndjson"`,
        'cache-control': 'no-store',
        // Behind nginx: pass each page on as it is read rather than buffering the whole export.
        'x-accel-buffering': 'no',
      },
    });
  },
);
