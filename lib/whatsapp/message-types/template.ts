// A template message: an approved text with variables, the only thing a business may send outside the
// customer service window. Meta never sends us one, so its content is made by our own code from a
// stored template and the agent's values (templateContent, for the outbox); an echo of one (or a shape
// Meta adds later) is read best-effort. Components and placeholders follow Meta's template pages:
// HEADER (TEXT with one variable, IMAGE, VIDEO, DOCUMENT, LOCATION), BODY, FOOTER, BUTTONS; variables
// `{{1}}` (POSITIONAL, Meta's default) or `{{first_name}}` (NAMED), header and body in one style.

import { z } from 'zod';
import { mediaContentSchema } from '../payload';
import type { TemplateParameters } from '../send-requests';
import type { MediaInfo } from '../types';
import { type MediaBody, mediaBody, mediaInfoOf, mediaInfoSchema } from './media';
import { contentSchema, defineMessageType, longText, NO_STORED_FIELDS, shortText } from './message-type';
import { cleanString, firstEntries, isRecord, type JsonRecord, MAX_TEXT_LENGTH, ownValue, stringField } from './read';
import { EMPTY_ROW, firstPresent } from './view';

export const TEMPLATE_HEADER_FORMATS = ['text', 'image', 'video', 'document', 'location'] as const;
export type TemplateHeaderFormat = (typeof TEMPLATE_HEADER_FORMATS)[number];

/** Meta allows up to 10 buttons on a template. */
export const MAX_TEMPLATE_BUTTONS = 10;
/** Variables kept per message (Meta's bodies have a few dozen at most). */
const MAX_PARAMETERS = 100;

export const TEMPLATE_LABEL = 'Template';

const schema = contentSchema('template', {
  /** null only for an echo that did not say. */
  name: shortText.nullable(),
  /** e.g. en_US. */
  language: shortText.nullable(),
  /** MARKETING, UTILITY, AUTHENTICATION. */
  category: shortText.nullable(),
  header: z
    .object({
      format: z.enum(TEMPLATE_HEADER_FORMATS),
      /** A text header, its variable filled in. */
      text: longText.nullable(),
      /** The file of an image, video or document header. */
      media: mediaInfoSchema.nullable(),
    })
    .nullable(),
  /** The text with every variable filled in: what the customer reads (null only for an echo without it). */
  body: longText.nullable(),
  footer: longText.nullable(),
  /** quick_reply, url (with its final address), phone_number, copy_code, …: shown, never pressed here. */
  buttons: z.array(z.object({ type: shortText, text: shortText, url: shortText.nullable() })).max(MAX_TEMPLATE_BUTTONS),
  /** What the body's variables were filled with: in order (positional) or by name (named). */
  parameters: z.union([z.array(longText).max(MAX_PARAMETERS), z.record(shortText, longText)]),
  /** A sent template's text-header variable, as filled (Meta needs it again in the request). */
  headerParameters: z
    .union([z.array(longText).max(MAX_PARAMETERS), z.record(shortText, longText)])
    .nullable()
    .optional(),
  /** A sent template's URL-button suffixes, by the button's position (Meta needs them in the request). */
  buttonParameters: z.record(shortText, longText).nullable().optional(),
});
export type TemplateContent = z.infer<typeof schema>;

// ---- Meta's template components -----------------------------------------------------------------

/** A stored template as Meta lists it (GET /{waba_id}/message_templates); graph-api's MessageTemplate is one. */
export interface TemplateDefinition {
  name: string;
  language: string;
  category?: string | null;
  /** Meta's components as given: HEADER, BODY, FOOTER, BUTTONS with their text and examples. */
  components: readonly unknown[];
}

/** One variable the agent fills in, for the template picker. */
export interface TemplateVariable {
  /** Where it sits: the header's text, the body, or a URL button's address (its dynamic suffix). */
  component: 'header' | 'body' | 'button';
  /** `1`, `2`… (positional) or the name (named): what is inside the braces. */
  name: string;
  /** For a button variable: the button's position among the template's buttons. */
  buttonIndex: number | null;
  /** Meta's example value from the template, if it has one. */
  example: string | null;
}

/** The agent's values. Positional: `[value for {{1}}, value for {{2}}, …]`; named: `{ first_name: value }`. */
export interface TemplateValues {
  body?: TemplateParameters;
  /** A text header's variable, in the template's style. */
  header?: TemplateParameters;
  /** The file of an image, video or document header (the outbox's upload). */
  headerMedia?: MediaInfo | null;
  /** A URL button's dynamic suffix, by the button's position among the template's buttons. */
  buttons?: Readonly<Record<number, string>>;
}

/** A template that cannot be filled in as asked: says which variable (or file) is missing. */
export class TemplateValueError extends Error {
  constructor(
    message: string,
    /** `{{first_name}}`, `{{1}}`, or `header file`. */
    readonly variable: string,
  ) {
    super(message);
    this.name = 'TemplateValueError';
  }
}

// Meta's placeholders: `{{1}}` or `{{first_name}}`, nothing else between the braces. A name starts
// with a letter or digit, so `{{__proto__}}` is text, never a key.
const PLACEHOLDER = /\{\{([A-Za-z0-9][A-Za-z0-9_]*)\}\}/g;
const POSITIONAL = /^[0-9]+$/;
const PARAMETER_NAME = /^[A-Za-z0-9][A-Za-z0-9_]*$/;
/** Components read per template (Meta's have four at most). */
const MAX_COMPONENTS = 20;

interface Component {
  type: string;
  format: string | null;
  text: string | null;
  example: unknown;
  buttons: unknown[];
}

/** Meta's components by type (HEADER, BODY, … in any case); the first of each. */
function componentsOf(components: readonly unknown[]): Map<string, Component> {
  const byType = new Map<string, Component>();
  for (const component of firstEntries(components, MAX_COMPONENTS)) {
    const type = stringField(component, 'type')?.toLowerCase();
    if (!type || byType.has(type)) continue;
    byType.set(type, {
      type,
      format: stringField(component, 'format')?.toLowerCase() ?? null,
      text: stringField(component, 'text', MAX_TEXT_LENGTH),
      example: ownValue(component, 'example'),
      buttons: firstEntries(ownValue(component, 'buttons'), MAX_TEMPLATE_BUTTONS),
    });
  }
  return byType;
}

/** The names inside a text's placeholders, each once: positional ones by number, named ones as they come. */
function placeholdersOf(text: string | null): string[] {
  const names = [...new Set([...(text ?? '').matchAll(PLACEHOLDER)].map((match) => match[1]!))];
  return names.every((name) => POSITIONAL.test(name)) ? names.sort((a, b) => Number(a) - Number(b)) : names;
}

/** Meta's example for a variable: `header_text` / `body_text` (positional; the body's is a list of lists) or `*_named_params`. */
function exampleOf(example: unknown, component: 'header' | 'body', name: string): string | null {
  if (POSITIONAL.test(name)) {
    let values = ownValue(example, `${component}_text`);
    if (Array.isArray(values) && Array.isArray(values[0])) values = values[0];
    return Array.isArray(values) ? cleanString(values[Number(name) - 1]) : null;
  }
  const named = firstEntries(ownValue(example, `${component}_text_named_params`), MAX_PARAMETERS);
  const entry = named.find((param) => stringField(param, 'param_name') === name);
  return stringField(entry, 'example');
}

/** The variables a template needs, in order: the header's, the body's, then each URL button's. */
export function templateVariables(components: readonly unknown[]): TemplateVariable[] {
  const byType = componentsOf(components);
  const variables: TemplateVariable[] = [];
  for (const place of ['header', 'body'] as const) {
    const component = byType.get(place);
    if (!component || (place === 'header' && component.format !== 'text')) continue;
    for (const name of placeholdersOf(component.text)) {
      variables.push({ component: place, name, buttonIndex: null, example: exampleOf(component.example, place, name) });
    }
  }
  byType.get('buttons')?.buttons.forEach((button, index) => {
    const url = stringField(button, 'url');
    const example = ownValue(button, 'example');
    for (const name of placeholdersOf(url)) {
      variables.push({
        component: 'button',
        name,
        buttonIndex: index,
        example: cleanString(Array.isArray(example) ? example[0] : example),
      });
    }
  });
  return variables;
}

/** The value for a placeholder: by position from a list (`{{2}}` → the second), by name from a record. */
function valueFor(values: TemplateParameters | undefined, name: string): string | null {
  let value: unknown;
  if (Array.isArray(values)) value = POSITIONAL.test(name) ? values[Number(name) - 1] : undefined;
  else if (isRecord(values)) value = ownValue(values, name);
  // Meta refuses an empty text parameter; a blank one would read as a gap to the customer.
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/**
 * Every placeholder replaced by its value in one pass, so a value that itself reads `{{2}}` stays as
 * written. A placeholder without a value is refused, naming it.
 */
function fill(text: string, values: TemplateParameters | undefined, missing: (name: string) => TemplateValueError): string {
  return text.replace(PLACEHOLDER, (_placeholder, name: string) => {
    const value = valueFor(values, name);
    if (value === null) throw missing(name);
    return value;
  });
}

/** The URL buttons' suffixes the agent gave, by button position (only positions the template has). */
function urlButtonSuffixes(count: number, given: TemplateValues['buttons']): Record<string, string> | null {
  if (!given) return null;
  const entries = Object.entries(given).filter(([index]) => /^\d+$/.test(index) && Number(index) < count);
  return entries.length === 0
    ? null
    : Object.fromEntries(entries.map(([index, value]) => [index, cleanString(value, MAX_TEXT_LENGTH) ?? '']));
}

/** What the body's variables were filled with: positional ones in order, named ones by name. */
function usedParameters(text: string | null, values: TemplateParameters | undefined): TemplateContent['parameters'] {
  const names = placeholdersOf(text);
  if (names.length === 0 || names.every((name) => POSITIONAL.test(name))) {
    const count = Math.min(Math.max(0, ...names.map(Number)), MAX_PARAMETERS);
    return Array.from({ length: count }, (_, i) => cleanString(valueFor(values, String(i + 1)), MAX_TEXT_LENGTH) ?? '');
  }
  return Object.fromEntries(names.map((name) => [name, cleanString(valueFor(values, name), MAX_TEXT_LENGTH) ?? '']));
}

function headerFormatOf(format: string | null): TemplateHeaderFormat | null {
  // Meta's GIF headers are mp4 files, shown as videos.
  if (format === 'gif') return 'video';
  return TEMPLATE_HEADER_FORMATS.find((known) => known === format) ?? null;
}

/**
 * A template message's content from a stored template and the agent's values: the header, body and
 * URL buttons filled in. Pure. Throws TemplateValueError when a variable has no value or a media
 * header no file, naming which.
 */
export function templateContent(template: TemplateDefinition, values: TemplateValues): TemplateContent {
  const byType = componentsOf(template.components);
  const missing = (where: string) => (name: string) =>
    new TemplateValueError(`Template "${template.name}" needs a value for {{${name}}} in ${where}`, `{{${name}}}`);

  let header: TemplateContent['header'] = null;
  const headerComponent = byType.get('header');
  const format = headerFormatOf(headerComponent?.format ?? null);
  if (headerComponent && format) {
    let media: MediaInfo | null = null;
    if (format === 'image' || format === 'video' || format === 'document') {
      media = values.headerMedia ? cleanMedia(values.headerMedia) : null;
      if (!media) throw new TemplateValueError(`Template "${template.name}" needs a file for its ${format} header`, 'header file');
    }
    const text = format === 'text' && headerComponent.text ? fill(headerComponent.text, values.header, missing('its header')) : null;
    header = { format, text: cleanString(text, MAX_TEXT_LENGTH), media };
  }

  const bodyText = byType.get('body')?.text ?? null;
  const body = bodyText === null ? null : fill(bodyText, values.body, missing('its body'));

  const buttons = (byType.get('buttons')?.buttons ?? []).map((button, index) => {
    const type = stringField(button, 'type')?.toLowerCase() ?? 'button';
    const text = stringField(button, 'text') ?? type;
    const url = stringField(button, 'url');
    const suffix = values.buttons && Object.hasOwn(values.buttons, index) ? values.buttons[index] : undefined;
    const filled =
      url === null ? null : fill(url, suffix === undefined ? undefined : [suffix], missing(`the address of its button "${text}"`));
    return { type, text, url: cleanString(filled) };
  });

  return {
    v: 1,
    type: 'template',
    name: cleanString(template.name),
    language: cleanString(template.language),
    category: cleanString(template.category),
    header,
    body: cleanString(body, MAX_TEXT_LENGTH),
    footer: byType.get('footer')?.text ?? null,
    buttons,
    parameters: usedParameters(bodyText, values.body),
    headerParameters: header?.format === 'text' && headerComponent?.text ? usedParameters(headerComponent.text, values.header) : null,
    buttonParameters: urlButtonSuffixes(buttons.length, values.buttons),
  };
}

/** The header file as the content keeps it: cleaned and bounded like media from Meta. */
function cleanMedia(media: MediaInfo): MediaInfo | null {
  const cleaned: MediaInfo = {
    id: cleanString(media.id),
    mimeType: cleanString(media.mimeType),
    sha256: cleanString(media.sha256),
    caption: cleanString(media.caption, MAX_TEXT_LENGTH),
    filename: cleanString(media.filename),
    voice: false,
    animated: false,
    url: cleanString(media.url),
  };
  // Meta's id or address, or (a file the outbox is about to upload) our copy's type.
  return cleaned.id || cleaned.url || cleaned.mimeType ? cleaned : null;
}

// ---- An echo's template (best-effort) -----------------------------------------------------------

/** A send request's `template` (`name`, `language.code`, `components[].parameters`) as far as it goes. */
function fromEcho(raw: JsonRecord): TemplateContent {
  const template = ownValue(raw, 'template');
  const language = ownValue(template, 'language');
  let header: TemplateContent['header'] = null;
  let parameters: TemplateContent['parameters'] = [];
  for (const component of firstEntries(ownValue(template, 'components'), MAX_COMPONENTS)) {
    const type = stringField(component, 'type')?.toLowerCase();
    const params = firstEntries(ownValue(component, 'parameters'), MAX_PARAMETERS).filter(isRecord);
    if (type === 'header') {
      const first = params[0];
      const format = headerFormatOf(stringField(first, 'type'));
      if (format === 'image' || format === 'video' || format === 'document') {
        const parsed = mediaContentSchema.safeParse(ownValue(first, format));
        const media = parsed.success ? mediaInfoOf(parsed.data) : null;
        header = { format, text: null, media: media ? { ...media, url: media.url ?? stringField(ownValue(first, format), 'link') } : null };
      }
    } else if (type === 'body') {
      const texts = params.map((param) => ({
        name: stringField(param, 'parameter_name'),
        text: stringField(param, 'text', MAX_TEXT_LENGTH) ?? '',
      }));
      parameters =
        texts.length > 0 && texts.every((param) => param.name !== null && PARAMETER_NAME.test(param.name))
          ? Object.fromEntries(texts.map((param) => [param.name!, param.text]))
          : texts.map((param) => param.text);
    }
  }
  return {
    v: 1,
    type: 'template',
    name: stringField(template, 'name'),
    language: isRecord(language) ? stringField(language, 'code') : stringField(template, 'language'),
    category: null,
    header,
    body: null,
    footer: null,
    buttons: [],
    parameters,
  };
}

// ---- The module ---------------------------------------------------------------------------------

/** What the thread shows: the header (text, a file card or a place), the filled body, the footer and the buttons. */
export interface TemplateBody {
  kind: 'template';
  name: string | null;
  header: { kind: 'text'; text: string } | { kind: 'media'; media: MediaBody } | { kind: 'location' } | null;
  body: string | null;
  footer: string | null;
  buttons: { type: string; text: string; url: string | null }[];
}

const firstLine = (text: string | null) => text?.split('\n').find((line) => line.trim() !== '') ?? null;

/** A template message (sent by us; an echo of one read best-effort). */
export const templateMessage = defineMessageType(schema, {
  type: 'template',
  media: false,
  modifier: false,
  fromMeta: (_item, raw) => fromEcho(raw),
  stored: (content) => ({ ...NO_STORED_FIELDS, text: content.body }),
  preview: (summary, content) => ({
    icon: 'template',
    text: firstLine(summary.text ?? content?.body ?? null) ?? (content?.name ? `${TEMPLATE_LABEL} ${content.name}` : TEMPLATE_LABEL),
  }),
  view: (content, row): TemplateBody => {
    const header = content?.header ?? null;
    let headerView: TemplateBody['header'] = null;
    if (header?.format === 'text' && header.text) headerView = { kind: 'text', text: header.text };
    else if (header?.format === 'location') headerView = { kind: 'location' };
    else if (header && header.format !== 'text') {
      // The header's file card: the row's file is our copy of it; the row's text is the body, not a caption.
      headerView = { kind: 'media', media: mediaBody(header.format, header.media, { ...EMPTY_ROW, file: row.file }) };
    }
    return {
      kind: 'template',
      name: firstPresent(content?.name),
      header: headerView,
      body: firstPresent(row.text, content?.body),
      footer: firstPresent(content?.footer),
      buttons: content?.buttons ?? [],
    };
  },
});
