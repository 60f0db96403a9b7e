// One line, in plain words, for an account-level event (account_events: template, quality, account
// and value-level error updates from Meta). PURE: no I/O, no clock; the payload is untrusted JSON and
// the result is shown as text only.

export interface AccountEventInput {
  field: string;
  eventType: string | null;
  payload: unknown;
}

export type AccountEventTone = 'info' | 'good' | 'warning' | 'bad';

export interface AccountEventSummary {
  /** A short heading: "Template status", "Phone number quality", ... */
  title: string;
  /** The one-line summary. */
  text: string;
  tone: AccountEventTone;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (o: unknown, key: string): unknown => (isObj(o) && Object.hasOwn(o, key) ? o[key] : undefined);

/** A short, printable string from a scalar; null for anything else or blank. */
function str(v: unknown, max = 300): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (!s) return null;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** "APPROVED" → "approved", "ACCOUNT_RESTRICTION" → "account restriction". */
const words = (s: string) => s.replace(/_/g, ' ').toLowerCase();

function templateName(value: unknown): string {
  const name = str(get(value, 'message_template_name'));
  const language = str(get(value, 'message_template_language'));
  const id = str(get(value, 'message_template_id'));
  const label = name ? `"${name}"` : id ? `#${id}` : 'a template';
  return language ? `${label} (${language})` : label;
}

const BAD_TEMPLATE_STATES = new Set(['REJECTED', 'DISABLED', 'PAUSED', 'FLAGGED', 'PENDING_DELETION', 'DELETED', 'LOCKED', 'ARCHIVED']);
const GOOD_STATES = new Set(['APPROVED', 'REINSTATED', 'UNFLAGGED', 'UPGRADE', 'UNLOCKED', 'GREEN']);

function toneOf(state: string | null): AccountEventTone {
  if (!state) return 'info';
  const s = state.toUpperCase();
  if (GOOD_STATES.has(s)) return 'good';
  if (
    BAD_TEMPLATE_STATES.has(s) ||
    s === 'RED' ||
    s.includes('BAN') ||
    s.includes('RESTRICT') ||
    s.includes('VIOLATION') ||
    s === 'DOWNGRADE'
  )
    return 'bad';
  if (s === 'YELLOW' || s === 'FLAGGED' || s === 'WARNING') return 'warning';
  return 'info';
}

function templateStatus(e: AccountEventInput, value: unknown): AccountEventSummary {
  const event = str(get(value, 'event')) ?? e.eventType ?? 'UPDATED';
  const parts = [`Template ${templateName(value)} ${event.toUpperCase()}`];
  const reason = str(get(value, 'reason'));
  if (reason && reason.toUpperCase() !== 'NONE') parts.push(`reason: ${words(reason)}`);
  const otherInfo = get(value, 'other_info');
  const detail = str(get(otherInfo, 'description')) ?? str(get(otherInfo, 'title'));
  if (detail) parts.push(detail);
  const disableDate = str(get(get(value, 'disable_info'), 'disable_date'));
  if (disableDate) parts.push(`disabled on ${disableDate}`);
  return { title: 'Template status', text: parts.join(' — '), tone: toneOf(event) };
}

function phoneQuality(e: AccountEventInput, value: unknown): AccountEventSummary {
  const number = str(get(value, 'display_phone_number'));
  const who = number ? `Phone number +${number.replace(/^\+/, '')}` : 'Phone number';
  const event = str(get(value, 'event')) ?? e.eventType;
  const quality = str(get(value, 'current_quality')) ?? str(get(value, 'quality_rating')) ?? str(get(value, 'new_quality_score'));
  const current = str(get(value, 'current_limit'));
  const old = str(get(value, 'old_limit'));
  const parts: string[] = [];
  if (quality) parts.push(`${who} quality changed to ${quality.toUpperCase()}`);
  else if (event) parts.push(`${who} quality update: ${words(event)}`);
  else parts.push(`${who} quality update`);
  if (current) parts.push(old && old !== current ? `messaging limit ${old} → ${current}` : `messaging limit ${current}`);
  return { title: 'Phone number quality', text: parts.join(', '), tone: toneOf(quality ?? event) };
}

function accountUpdate(e: AccountEventInput, value: unknown): AccountEventSummary {
  const event = str(get(value, 'event')) ?? e.eventType ?? 'UPDATE';
  const label = words(event);
  const parts = [label.startsWith('account ') ? `Account ${label.slice('account '.length)}` : `Account update: ${label}`];
  const restrictions = get(value, 'restriction_info');
  if (Array.isArray(restrictions)) {
    const types = restrictions.map((r) => str(get(r, 'restriction_type'))).filter((t): t is string => t !== null);
    if (types.length > 0) parts.push(types.map(words).join(', '));
  }
  const violation = str(get(get(value, 'violation_info'), 'violation_type'));
  if (violation) parts.push(`violation: ${words(violation)}`);
  const ban = get(value, 'ban_info');
  const banState = str(get(ban, 'waba_ban_state'));
  if (banState) parts.push(`ban state: ${words(banState)}`);
  const banDate = str(get(ban, 'waba_ban_date'));
  if (banDate) parts.push(`since ${banDate}`);
  const number = str(get(value, 'phone_number'));
  if (number) parts.push(`number +${number.replace(/^\+/, '')}`);
  return { title: 'Account', text: parts.join(' — '), tone: toneOf(event) };
}

function valueError(e: AccountEventInput): AccountEventSummary {
  const error = get(e.payload, 'error');
  const code = str(get(error, 'code')) ?? e.eventType;
  const message = str(get(error, 'message')) ?? str(get(error, 'title'));
  const details = str(get(get(error, 'error_data'), 'details')) ?? str(get(error, 'details'));
  const where = str(get(e.payload, 'field'));
  const parts = [`Error${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`];
  if (details && details !== message) parts.push(details);
  if (where) parts.push(`in ${where}`);
  return { title: 'Webhook error', text: parts.join(' — '), tone: 'bad' };
}

/** The summary of one account event. Never throws, never empty. */
export function summarizeAccountEvent(e: AccountEventInput): AccountEventSummary {
  const value = e.payload;
  switch (e.field) {
    case 'message_template_status_update':
      return templateStatus(e, value);
    case 'message_template_quality_update': {
      const next = str(get(value, 'new_quality_score')) ?? e.eventType ?? 'UNKNOWN';
      const previous = str(get(value, 'previous_quality_score'));
      return {
        title: 'Template quality',
        text: `Template ${templateName(value)} quality changed${previous ? ` from ${previous.toUpperCase()}` : ''} to ${next.toUpperCase()}`,
        tone: toneOf(next),
      };
    }
    case 'template_category_update': {
      const next = str(get(value, 'new_category')) ?? e.eventType ?? 'UNKNOWN';
      const previous = str(get(value, 'previous_category'));
      return {
        title: 'Template category',
        text: `Template ${templateName(value)} category changed${previous ? ` from ${previous.toUpperCase()}` : ''} to ${next.toUpperCase()}`,
        tone: 'warning',
      };
    }
    case 'phone_number_quality_update':
      return phoneQuality(e, value);
    case 'phone_number_name_update': {
      const decision = str(get(value, 'decision')) ?? e.eventType ?? 'UPDATED';
      const name = str(get(value, 'requested_verified_name'));
      const reason = str(get(value, 'rejection_reason'));
      return {
        title: 'Display name',
        text: `Display name${name ? ` "${name}"` : ''} ${decision.toUpperCase()}${reason ? ` — reason: ${words(reason)}` : ''}`,
        tone: toneOf(decision),
      };
    }
    case 'account_update':
      return accountUpdate(e, value);
    case 'account_alerts': {
      const info = get(value, 'alert_info');
      const type = str(get(info, 'alert_type')) ?? e.eventType ?? 'ALERT';
      const description = str(get(info, 'alert_description'));
      const severity = str(get(info, 'alert_severity'));
      return {
        title: 'Account alert',
        text: `Alert ${words(type)}${description ? ` — ${description}` : ''}`,
        tone: severity?.toUpperCase() === 'CRITICAL' ? 'bad' : 'warning',
      };
    }
    case 'business_capability_update': {
      const limit = str(get(value, 'max_daily_conversation_per_phone'));
      return {
        title: 'Business capability',
        text: limit ? `Messaging limit now ${limit} conversations a day per number` : 'Business capabilities changed',
        tone: 'info',
      };
    }
    case 'security': {
      const event = str(get(value, 'event')) ?? e.eventType ?? 'UPDATE';
      return { title: 'Security', text: `Security event: ${words(event)}`, tone: 'warning' };
    }
    case 'history': {
      // One chunk of the Business app's shared chat history (lib/whatsapp/normalize.ts readHistoryChunk).
      const progress = str(get(value, 'progress'));
      const messages = str(get(value, 'messages'));
      const phase = str(get(value, 'phase'));
      const parts = [`Chat history sync${progress ? ` ${progress}% done` : ''}`];
      if (messages) parts.push(`${messages} past message${messages === '1' ? '' : 's'} added`);
      if (phase) parts.push(`phase ${phase}`);
      return { title: 'Chat history', text: parts.join(' — '), tone: 'info' };
    }
    case 'errors':
      return valueError(e);
    case 'invalid_item': {
      const where = str(get(e.payload, 'field'));
      return {
        title: 'Unreadable item',
        text: `An item${where ? ` in ${where}` : ''} could not be read${e.eventType ? ` (${words(e.eventType)})` : ''}; the raw body is kept`,
        tone: 'warning',
      };
    }
    default: {
      const field = str(e.field) ?? 'unknown';
      return { title: 'Other event', text: `${field}${e.eventType ? `: ${e.eventType}` : ''}`, tone: 'info' };
    }
  }
}
