import { z } from 'zod';
import { contentSchema, defineMessageType, longText, NO_STORED_FIELDS, shortText } from './message-type';
import { cleanString, firstText, isRecord, MAX_TEXT_LENGTH, ownValue } from './read';
import { firstPresent, present } from './view';

export type ReplyKind = 'button_reply' | 'list_reply' | 'flow_reply' | 'interactive';

export const REPLY_LABELS: Record<ReplyKind, string> = {
  button_reply: 'Button reply',
  list_reply: 'List reply',
  flow_reply: 'Flow reply',
  interactive: 'Interactive reply',
};

/** The customer's answer as the thread shows it (interactive replies, and a template's quick-reply button). */
export interface ReplyBody {
  kind: 'reply';
  replyKind: ReplyKind;
  title: string;
  /** list_reply only. */
  description: string | null;
  /** flow_reply only: the answers from response_json (flow_token left out). */
  fields: { label: string; value: string }[];
}

export function replyBody(
  replyKind: ReplyKind,
  title: string,
  description: string | null = null,
  fields: { label: string; value: string }[] = [],
): ReplyBody {
  return { kind: 'reply', replyKind, title, description, fields };
}

/** A completed Flow's answers: WhatsApp forms are short; a hostile response_json is cut or skipped. */
export const MAX_FLOW_FIELDS = 20;
const MAX_FLOW_JSON_LENGTH = 20_000;
const MAX_FLOW_LABEL_LENGTH = 256;

const flowSchema = z.object({
  name: shortText.nullable(),
  body: longText.nullable(),
  /** The answers from response_json, flow_token left out. */
  fields: z.array(z.object({ label: z.string().max(MAX_FLOW_LABEL_LENGTH), value: longText })).max(MAX_FLOW_FIELDS),
});

const BEST_EFFORT_TEXT_KEYS = ['body', 'text', 'caption', 'title', 'name'];

/** For shapes we have never seen: the obvious text if there is one (a string, or a known key, or its `body`). */
export function bestEffortText(value: unknown): string | null {
  if (typeof value === 'string') return cleanString(value, MAX_TEXT_LENGTH);
  if (!isRecord(value)) return null;
  for (const key of BEST_EFFORT_TEXT_KEYS) {
    const candidate = ownValue(value, key);
    if (typeof candidate === 'string' && candidate !== '') return cleanString(candidate, MAX_TEXT_LENGTH);
    const body = ownValue(candidate, 'body');
    if (typeof body === 'string' && body !== '') return cleanString(body, MAX_TEXT_LENGTH);
  }
  return null;
}

/** The answers of a completed Flow: response_json is a JSON string of (mostly) flat key/values. */
function flowFields(responseJson: unknown): { label: string; value: string }[] {
  if (typeof responseJson !== 'string' || responseJson.length > MAX_FLOW_JSON_LENGTH) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(responseJson);
  } catch {
    return [];
  }
  if (!isRecord(parsed)) return [];
  const fields: { label: string; value: string }[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (key === 'flow_token') continue;
    const label = cleanString(key, MAX_FLOW_LABEL_LENGTH);
    let text: string | null = null;
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      text = String(value);
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
      text = value.join(', ');
    }
    if (label !== null && text !== null) fields.push({ label, value: cleanString(text, MAX_TEXT_LENGTH) ?? '' });
    if (fields.length >= MAX_FLOW_FIELDS) break;
  }
  return fields;
}

const schema = contentSchema('interactive', {
  /** interactive.type: button_reply, list_reply, nfm_reply (a completed Flow), or a kind we do not know. */
  kind: shortText.nullable(),
  /** The chosen button or row. */
  id: shortText.nullable(),
  /** The chosen title; for a kind we do not know, its best-effort text. */
  title: longText.nullable(),
  /** list_reply only. */
  description: longText.nullable(),
  /** nfm_reply only. */
  flow: flowSchema.nullable(),
});
type InteractiveContent = { kind: string | null; title: string | null; flow: z.infer<typeof flowSchema> | null };

/** What the reply says: the chosen title, or for a Flow its body (usually "Sent") or name. */
export function interactiveText(content: InteractiveContent): string | null {
  return content.kind === 'nfm_reply' ? firstText(content.flow?.body, content.flow?.name) : content.title;
}

/** The customer's answer to an interactive message: a button, a list row, a Flow. */
export const interactiveMessage = defineMessageType(schema, {
  type: 'interactive',
  media: false,
  modifier: false,
  fromMeta: (item, raw) => {
    const interactive = item.interactive;
    const kind = cleanString(interactive?.type);
    const base = { v: 1 as const, type: 'interactive' as const, kind, id: null, title: null, description: null, flow: null };
    switch (kind) {
      case 'button_reply':
        return { ...base, id: cleanString(interactive?.button_reply?.id), title: cleanString(interactive?.button_reply?.title) };
      case 'list_reply': {
        const reply = interactive?.list_reply;
        return {
          ...base,
          id: cleanString(reply?.id),
          title: cleanString(reply?.title),
          description: cleanString(reply?.description, MAX_TEXT_LENGTH),
        };
      }
      case 'nfm_reply': {
        const reply = interactive?.nfm_reply;
        return {
          ...base,
          flow: {
            name: cleanString(reply?.name),
            body: cleanString(reply?.body, MAX_TEXT_LENGTH),
            fields: flowFields(reply?.response_json),
          },
        };
      }
      default: {
        const reply = kind ? ownValue(ownValue(raw, 'interactive'), kind) : undefined;
        return { ...base, id: cleanString(ownValue(reply, 'id')), title: bestEffortText(reply) };
      }
    }
  },
  stored: (content) => ({ ...NO_STORED_FIELDS, text: interactiveText(content), subtype: content.kind }),
  preview: (summary, content) => ({ icon: 'reply', text: summary.text ?? (content ? interactiveText(content) : null) ?? 'Reply' }),
  view: (content, row): ReplyBody => {
    switch (firstPresent(row.subtype, content?.kind)) {
      case 'button_reply':
        return replyBody('button_reply', firstPresent(row.text, content?.title) ?? 'Button');
      case 'list_reply':
        return replyBody('list_reply', firstPresent(row.text, content?.title) ?? 'List item', present(content?.description));
      case 'nfm_reply':
        return replyBody(
          'flow_reply',
          firstPresent(row.text, content?.flow?.body, content?.flow?.name) ?? 'Form submitted',
          null,
          content?.flow?.fields ?? [],
        );
      default:
        return replyBody('interactive', firstPresent(row.text, content?.title) ?? 'Interactive reply');
    }
  },
});
