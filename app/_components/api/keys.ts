// Every URL the browser reads, built in one place. A key is the URL itself (SWR's cache key and the
// fetcher's argument); a family is every key of one endpoint (all its pages and filters), which is what
// a mutation invalidates. PURE: no React.

import type { ConversationStatus } from '@/lib/contracts/conversation-status';

/** The query string of the defined values, in the order given: equal parameters give equal keys. */
function withQuery(path: string, params: Record<string, string | number | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

const segment = (value: string) => encodeURIComponent(value);

/** All keys of one endpoint: its path with any query string. */
export interface KeyFamily {
  path: string;
  matches(key: string): boolean;
}

function family(path: string): KeyFamily {
  return { path, matches: (key) => key === path || key.startsWith(`${path}?`) };
}

/**
 * The cache keys of a family among SWR's. A paged list is cached under "$inf$" + its first page's key
 * (SWR's own key filter skips those, so it would miss exactly the lists); its pages under their own keys.
 */
export function cacheKeysOf(family: KeyFamily, cacheKeys: Iterable<string>): string[] {
  return [...cacheKeys].filter((key) => family.matches(key.replace(/^\$inf\$/, '')));
}

// ---- The inbox ----

export const CONVERSATIONS = family('/api/conversations');
export const CONVERSATION_COUNTS = family('/api/conversations/counts');
export const BUSINESS_NUMBERS = family('/api/business-numbers');

export interface ConversationsParams {
  q?: string;
  businessPhoneNumberId?: string;
  status?: ConversationStatus;
  labelId?: string;
  /** me, unassigned, or a user's id (the Mine and Unassigned views). */
  assignee?: string;
}

export const conversationsKey = (params: ConversationsParams & { limit: number; cursor?: string | null }) =>
  withQuery(CONVERSATIONS.path, {
    limit: params.limit,
    q: params.q,
    businessPhoneNumberId: params.businessPhoneNumberId,
    status: params.status,
    labelId: params.labelId,
    assignee: params.assignee,
    cursor: params.cursor,
  });

/** Conversations per status (the list's tabs), on every number or one; the views' unread counts for `status`. */
export const conversationCountsKey = (params: { businessPhoneNumberId?: string; status?: ConversationStatus }) =>
  withQuery(CONVERSATION_COUNTS.path, { businessPhoneNumberId: params.businessPhoneNumberId, status: params.status });

export const conversationKey = (id: string) => `${CONVERSATIONS.path}/${segment(id)}`;

export const conversationMessagesKey = (id: string, params: { limit: number; before?: string | null }) =>
  withQuery(`${conversationKey(id)}/messages`, { limit: params.limit, before: params.before });

export const conversationReadUrl = (id: string) => `${conversationKey(id)}/read`;

/** POST: open, pending, resolved, or snoozed until a time. */
export const conversationStatusUrl = (id: string) => `${conversationKey(id)}/status`;

export const businessNumbersKey = () => BUSINESS_NUMBERS.path;

export const LABELS = family('/api/labels');
export const labelsKey = () => LABELS.path;

/** PUT adds the label to the conversation, DELETE takes it off. */
export const conversationLabelUrl = (id: string, labelId: string) => `${conversationKey(id)}/labels/${segment(labelId)}`;

export const messageKey = (wamid: string) => `/api/messages/${segment(wamid)}`;

/** A conversation's trail (notes, status changes, labels...), newest first; POST notes to write a note. */
export const conversationActivity = (id: string) => family(`${conversationKey(id)}/activity`);
export const conversationActivityKey = (id: string, params: { limit: number; before?: string | null }) =>
  withQuery(conversationActivity(id).path, { limit: params.limit, before: params.before });
export const conversationNotesUrl = (id: string) => `${conversationKey(id)}/notes`;

export const AGENTS = family('/api/agents');
export const agentsKey = () => AGENTS.path;

// ---- Sending ----

/** POST: write a message (the outbox sends it). */
export const conversationSendUrl = (id: string) => `${conversationKey(id)}/messages`;

/** POST: send a failed or unconfirmed message again. */
export const messageRetryUrl = (id: string) => `${messageKey(id)}/retry`;

/** POST: show the customer the typing indicator. */
export const conversationTypingUrl = (id: string) => `${conversationKey(id)}/typing`;

/** POST (multipart): a file to send. */
export const uploadsUrl = () => '/api/uploads';

export const TEMPLATES = family('/api/templates');

/** POST (admins): sync every account's templates from Meta now. */
export const templateSyncUrl = () => '/api/admin/templates/sync';

export const templatesKey = (params: { businessPhoneNumberId: string; status?: string }) =>
  withQuery(TEMPLATES.path, { businessPhoneNumberId: params.businessPhoneNumberId, status: params.status });

// ---- The error log ----

export const REJECTIONS = family('/api/errors/rejections');
export const FAILED_DELIVERIES = family('/api/errors/deliveries');
export const PROCESSING_FAILURES = family('/api/errors/processing');
export const ACCOUNT_EVENTS = family('/api/errors/account-events');

export interface FailedDeliveriesFilters {
  code?: string;
  businessPhoneNumberId?: string;
  from?: string;
  q?: string;
}

export const rejectionsKey = () => REJECTIONS.path;

export const failedDeliveriesKey = (filters: FailedDeliveriesFilters & { limit: number; cursor?: string | null }) =>
  withQuery(FAILED_DELIVERIES.path, {
    limit: filters.limit,
    code: filters.code,
    businessPhoneNumberId: filters.businessPhoneNumberId,
    from: filters.from,
    q: filters.q,
    cursor: filters.cursor,
  });

export const processingFailuresKey = (params: { limit: number; cursor?: string | null }) =>
  withQuery(PROCESSING_FAILURES.path, { limit: params.limit, cursor: params.cursor });

export const processingFailureKey = (id: string) => `${PROCESSING_FAILURES.path}/${segment(id)}`;

export const processingRetryUrl = () => `${PROCESSING_FAILURES.path}/retry`;
export const processingDiscardUrl = () => `${PROCESSING_FAILURES.path}/discard`;

export const accountEventsKey = (params: { limit: number; cursor?: string | null }) =>
  withQuery(ACCOUNT_EVENTS.path, { limit: params.limit, cursor: params.cursor });

// ---- Administration ----

export const usersKey = () => '/api/admin/users';
export const userUrl = (id: string) => `${usersKey()}/${segment(id)}`;

/** POST creates a label; labelUrl: PATCH renames or recolours, DELETE deletes. */
export const adminLabelsUrl = () => '/api/admin/labels';
export const labelUrl = (id: string) => `${adminLabelsUrl()}/${segment(id)}`;

export const AUDIT = family('/api/admin/audit');
export const auditKey = (params: { limit: number; before?: string | null }) =>
  withQuery(AUDIT.path, { limit: params.limit, before: params.before });

export const apiKeysKey = () => '/api/admin/api-keys';
export const apiKeyUrl = (id: string) => `${apiKeysKey()}/${segment(id)}`;

export interface AnalyticsParams {
  range: string;
  businessPhoneNumberId: string;
  tz: string;
  from?: string;
  to?: string;
}

export const analyticsKey = (params: AnalyticsParams) =>
  withQuery('/api/admin/analytics', {
    range: params.range,
    businessPhoneNumberId: params.businessPhoneNumberId,
    tz: params.tz,
    from: params.from,
    to: params.to,
  });

// ---- Assignment (the team itself: agentsKey above) ----

/** POST { assigneeId }: assign (or unassign, null). */
export const conversationAssigneeUrl = (id: string) => `${conversationKey(id)}/assignee`;

export const MY_AVAILABILITY = family('/api/me/availability');
export const myAvailabilityKey = () => MY_AVAILABILITY.path;

export const INBOX_SETTINGS = family('/api/admin/settings');
export const inboxSettingsKey = () => INBOX_SETTINGS.path;
// ---- Canned replies ----

/** GET: the shared ones and the caller's own; POST saves one. cannedReplyUrl: PATCH changes one, DELETE deletes it. */
export const CANNED_REPLIES = family('/api/canned-replies');
export const cannedRepliesKey = () => CANNED_REPLIES.path;
export const cannedReplyUrl = (id: string) => `${CANNED_REPLIES.path}/${segment(id)}`;
// ---- Presence and notifications (the signed-in person's own) ----

/** POST: this tab's heartbeat; presenceLeaveUrl: the tab closing. */
export const presenceUrl = () => '/api/presence';
export const presenceLeaveUrl = () => '/api/presence/leave';
export const conversationPresenceKey = (id: string) => `${conversationKey(id)}/presence`;
export const NOTIFICATIONS = family('/api/me/notifications');
export const notificationsKey = () => NOTIFICATIONS.path;
/** GET, PUT: whether unassigned conversations notify too. */
export const notificationSettingsKey = () => '/api/me/notification-settings';

// ---- Privacy: exports and erasure ----

/** GET: the conversation as a JSON file (a download). */
export const conversationExportUrl = (id: string) => `${conversationKey(id)}/export`;
/** GET: everything of the customer as a JSON file (a download). */
export const contactExportUrl = (contactId: string) => `/api/contacts/${segment(contactId)}/export`;
/** GET: what erasing the customer would delete; POST: erase them (admins). */
export const contactEraseUrl = (contactId: string) => `/api/contacts/${segment(contactId)}/erase`;
/** GET: every message of [from, to) as NDJSON (admins). */
export const adminExportUrl = (range: { from: string; to: string }) => withQuery('/api/admin/export', range);
