import { findNumberAccount, getTemplateSync, listTemplates, type MessageTemplateRow } from '@/db/queries/templates';
import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import { SEND_REFUSALS } from '@/lib/contracts/outbox';
import {
  type ApiTemplate,
  type GetTemplatesResponse,
  getTemplatesResponseSchema,
  type PostTemplateSyncResponse,
  postTemplateSyncResponseSchema,
  templatesQuerySchema,
} from '@/lib/contracts/templates';
import { ApiError, notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';

// GET /api/templates: a business number's templates, from our copy (lib/templates/sync.ts), for the picker.
// POST /api/admin/templates/sync: an admin asks for a fresh copy of every account's templates now.

export interface TemplatesApiDeps extends AccessDeps {
  /** The sync, to ask for one at once; null or absent when there is no access token. */
  templateSync?: {
    enabled: boolean;
    request(options: { atOnce: boolean }): Promise<{ wabaIds: string[]; requestedAt: Date | null }>;
  } | null;
}

const templatesApiDeps = (app: App): TemplatesApiDeps => ({ ...app.access, templateSync: app.templateSync });

export const getTemplates = defineRoute(
  {
    method: 'GET',
    path: '/api/templates',
    access: 'inbox',
    summary: "A business number's message templates (its WhatsApp Business Account's), by name, as last synced from Meta.",
    deps: templatesApiDeps,
    query: templatesQuerySchema,
    response: getTemplatesResponseSchema,
  },
  async ({ deps, query }): Promise<GetTemplatesResponse> => {
    const number = await findNumberAccount(deps.db, query.businessPhoneNumberId);
    if (!number) throw notFound('Business number not found');
    // A number only ever seen without its account (no webhook named it yet) has no templates to show.
    if (number.wabaId === null) return { templates: [], syncedAt: null };
    const [rows, sync] = await Promise.all([
      listTemplates(deps.db, { wabaId: number.wabaId, q: query.q?.trim() || undefined, status: query.status?.trim() || undefined }),
      getTemplateSync(deps.db, number.wabaId),
    ]);
    return { templates: rows.map(toApiTemplate), syncedAt: sync?.syncedAt?.toISOString() ?? null };
  },
);

export const postTemplateSync = defineRoute(
  {
    method: 'POST',
    path: '/api/admin/templates/sync',
    access: 'admin',
    summary:
      "Asks for a sync of every known account's templates from Meta now (it runs in the background). 202 with the accounts; 409 sending_disabled without an access token.",
    deps: templatesApiDeps,
    response: postTemplateSyncResponseSchema,
    status: 202,
  },
  async ({ deps }): Promise<PostTemplateSyncResponse> => {
    if (!deps.templateSync?.enabled) {
      throw new ApiError(409, SEND_REFUSALS.sendingDisabled, 'Templates cannot be synced: an admin needs to set WHATSAPP_ACCESS_TOKEN.');
    }
    const { wabaIds, requestedAt } = await deps.templateSync.request({ atOnce: true });
    return { wabaIds, requestedAt: requestedAt?.toISOString() ?? null };
  },
);

function toApiTemplate(row: MessageTemplateRow): ApiTemplate {
  const components = Array.isArray(row.components)
    ? row.components.filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null && !Array.isArray(c))
    : [];
  return {
    id: row.id,
    name: row.name,
    language: row.language,
    category: row.category,
    status: row.status,
    // Meta: POSITIONAL unless the template was made with named parameters.
    parameterFormat: row.parameterFormat === 'NAMED' ? 'NAMED' : 'POSITIONAL',
    components,
  };
}
