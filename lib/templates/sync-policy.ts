// How often templates are fetched from Meta. Meta allows about 200 calls an hour per app and WhatsApp
// Business Account to the account's endpoints (GET /{waba_id}/message_templates among them; 5,000 for
// active accounts), so a sync runs on events and never in a loop (shared/meta/send-side.md §1.6). PURE.

/**
 * A sync asked for by a template webhook or a start-up runs at most once per account in this long: a burst
 * of status updates (ten templates approved at once) or a crash loop costs one sync, at most 12 an hour.
 * An admin's request is not held back.
 */
export const TEMPLATE_SYNC_MIN_INTERVAL_MS = 5 * 60_000;

/** A copy this old is refreshed without being asked (for accounts whose template webhooks are not subscribed). */
export const TEMPLATE_REFRESH_MS = 24 * 60 * 60_000;

/** After a failed sync (Meta down, a token without the permission), the next try waits this long. */
export const TEMPLATE_SYNC_RETRY_MS = 15 * 60_000;

/** Template pages asked for per request (Meta's lists are paged; a sync follows paging.next). */
export const TEMPLATE_PAGE_SIZE = 100;

/**
 * Whether an account event's field is about templates (message_template_status_update, …_quality_update,
 * …_components_update, template_category_update): then the account's templates changed on Meta's side.
 */
export function isTemplateField(field: string): boolean {
  return field.startsWith('message_template_') || field.startsWith('template_');
}

/** The accounts whose templates changed, by the account events of a webhook batch. */
export function accountsWithTemplateChanges(events: readonly { field: string; wabaId: string | null }[]): string[] {
  return [...new Set(events.filter((e) => e.wabaId !== null && isTemplateField(e.field)).map((e) => e.wabaId!))].sort();
}
