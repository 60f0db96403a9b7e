import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import { deleteApiKey, getApiKeys, postApiKey } from '@/lib/admin/api-keys-api';
import { getUsers, patchUser, postUser } from '@/lib/admin/users-api';
import { getAnalytics } from '@/lib/analytics/analytics-api';
import {
  getAccountEvents,
  getFailedDeliveries,
  getProcessingFailure,
  getProcessingFailures,
  getRejections,
  postProcessingDiscard,
  postProcessingRetry,
} from '@/lib/error-log/api';
import {
  getBusinessNumbers,
  getConversation,
  getConversationMessages,
  getConversations,
  getMessage,
  postConversationRead,
} from '@/lib/inbox/read-api';
import { deleteConversationLabel, deleteLabelRoute, getLabels, patchLabel, postLabel, putConversationLabel } from '@/lib/inbox/labels-api';
import { getConversationCounts, postConversationStatus } from '@/lib/inbox/status-api';
import { getAgents } from '@/lib/inbox/agents-api';
import { getMyAvailability, postConversationAssignee, putMyAvailability } from '@/lib/inbox/assignment-api';
import { getSettings, putSettings } from '@/lib/admin/settings-api';
import { deleteCannedReplyRoute, getCannedReplies, patchCannedReply, postCannedReply } from '@/lib/inbox/canned-replies-api';
import { getConversationPresence, postPresence, postPresenceLeave } from '@/lib/inbox/presence-api';
import { getMentions, getNotificationSettings, getNotifications, putNotificationSettings } from '@/lib/inbox/notifications-api';
import { getConversationActivity, postConversationNote } from '@/lib/inbox/activity-api';
import { getAudit } from '@/lib/admin/audit-api';
import { getMedia, postMediaRetry } from '@/lib/media/media-api';
import { postConversationMessage, postMessageRetry } from '@/lib/outbox/outbox-api';
import { getHealth } from '@/lib/observability/health-api';
import { getMetrics } from '@/lib/observability/metrics-api';
import { getEvents } from '@/lib/realtime/events-api';
import { getTemplates, postTemplateSync } from '@/lib/templates/templates-api';
import { postUpload } from '@/lib/uploads/uploads-api';
import { postConversationTyping } from '@/lib/customer-signals/typing-api';
import { getAdminExport, getContactExport, getConversationExport, getErasePreviewRoute, postEraseRoute } from '@/lib/privacy/privacy-api';
import { openApiDocument } from './openapi';
import { defineRoute, type AnyApiRoute } from './route';

// Every API route with its method, path and access rule: the access test calls each one as every kind
// of caller, and the OpenAPI document lists them. A route file serves one of these (app/api/**/route.ts:
// `export const GET = serve(route)`); the webhook (raw bytes, a signature instead of a caller) and
// better-auth's /api/auth/* are outside this layer.

let document: Record<string, unknown> | undefined;

export const getOpenApi = defineRoute(
  {
    method: 'GET',
    path: '/api/openapi.json',
    access: 'inbox',
    summary: 'This document: every route with its access rule, parameters and answers (OpenAPI 3.1).',
    deps: (app: App): AccessDeps => app.access,
  },
  async () => (document ??= openApiDocument(API_ROUTES)),
);

export const API_ROUTES: readonly AnyApiRoute[] = [
  getConversations,
  getConversationCounts,
  getConversation,
  getConversationMessages,
  postConversationRead,
  postConversationStatus,
  postConversationAssignee,
  putConversationLabel,
  deleteConversationLabel,
  postConversationMessage,
  postConversationTyping,
  postConversationNote,
  getConversationActivity,
  getConversationExport,
  getContactExport,
  getErasePreviewRoute,
  postEraseRoute,
  getMessage,
  postMessageRetry,
  getBusinessNumbers,
  getAgents,
  getMyAvailability,
  putMyAvailability,
  postPresence,
  postPresenceLeave,
  getConversationPresence,
  getNotifications,
  getMentions,
  getNotificationSettings,
  putNotificationSettings,
  getLabels,
  getCannedReplies,
  postCannedReply,
  patchCannedReply,
  deleteCannedReplyRoute,
  getTemplates,
  postTemplateSync,
  postUpload,
  getEvents,
  getMedia,
  postMediaRetry,
  getFailedDeliveries,
  getProcessingFailures,
  getProcessingFailure,
  postProcessingRetry,
  postProcessingDiscard,
  getRejections,
  getAccountEvents,
  getUsers,
  postUser,
  patchUser,
  getApiKeys,
  postApiKey,
  deleteApiKey,
  getSettings,
  putSettings,
  getAudit,
  postLabel,
  patchLabel,
  deleteLabelRoute,
  getAnalytics,
  getAdminExport,
  getMetrics,
  getHealth,
  getOpenApi,
];
