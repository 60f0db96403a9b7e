import type { ApiTemplate } from '@/lib/contracts/templates';
import type { PostMessageBody } from '@/lib/contracts/outbox';
import type { MediaInfo } from '@/lib/whatsapp/types';
import {
  type TemplateContent,
  templateContent,
  TemplateValueError,
  type TemplateVariable,
  templateVariables,
} from '@/lib/whatsapp/message-types/template';

// The template picker's form: one field per variable of a stored template (header, body, URL buttons),
// the customer's name filled in where a variable plainly asks for it, the preview of the filled-in text
// and the `template` of the send request. PURE.

/** One field of the form. */
export interface TemplateField {
  /** Unique within the template: where the variable sits and its name. */
  key: string;
  variable: TemplateVariable;
  /** "{{first_name}} in the body", "{{1}} in the header", "{{1}} in the address of button 2". */
  label: string;
  /** The value the field starts with ('' when there is nothing to guess). */
  prefill: string;
}

export type TemplateValuesByKey = Readonly<Record<string, string>>;

export type TemplateRequest = Extract<PostMessageBody, { type: 'template' }>['template'];

/** A header that carries a file needs one uploaded to send: which kind. */
export type TemplateHeaderFileKind = 'image' | 'video' | 'document';

const fieldKey = (v: TemplateVariable) => `${v.component}:${v.buttonIndex ?? ''}:${v.name}`;

function fieldLabel(v: TemplateVariable): string {
  const where = v.component === 'button' ? `the address of button ${(v.buttonIndex ?? 0) + 1}` : `the ${v.component}`;
  return `{{${v.name}}} in ${where}`;
}

// Variables named for the customer: {{name}}, {{first_name}}, {{customer_name}}, {{full_name}} … (any case).
const NAME_VARIABLE = /^(?:(first|full|customer|contact|client)_?)?name$/i;
const FIRST_NAME_VARIABLE = /^first_?name$/i;
// An example that reads like a person's name: one or two capitalised words of letters ("Maria", "John Smith").
const NAME_LIKE_EXAMPLE = /^\p{Lu}[\p{L}'-]*(?: \p{Lu}[\p{L}'-]*)?$/u;

/**
 * What a variable starts with: the customer's name when the variable is named for it, or when it is the
 * body's {{1}} and the template's own example for it looks like a name. A first name (the variable says
 * first name, or the example is one word) is the first word of the name. Nothing else is guessed.
 */
export function prefillFor(variable: TemplateVariable, contactName: string | null): string {
  const name = contactName?.trim() ?? '';
  if (name === '' || variable.component !== 'body') return '';
  const firstWord = name.split(/\s+/)[0] ?? name;
  if (NAME_VARIABLE.test(variable.name)) return FIRST_NAME_VARIABLE.test(variable.name) ? firstWord : name;
  const example = variable.example?.trim() ?? '';
  if (variable.name === '1' && NAME_LIKE_EXAMPLE.test(example)) return example.includes(' ') ? name : firstWord;
  return '';
}

/** The form's fields, in the template's order (header, body, buttons). */
export function templateFields(template: Pick<ApiTemplate, 'components'>, contactName: string | null): TemplateField[] {
  return templateVariables(template.components).map((variable) => ({
    key: fieldKey(variable),
    variable,
    label: fieldLabel(variable),
    prefill: prefillFor(variable, contactName),
  }));
}

/** Whether the template's header is a file (image, video, document), which the agent must attach. */
export function templateHeaderFileKind(template: Pick<ApiTemplate, 'components'>): TemplateHeaderFileKind | null {
  for (const component of template.components) {
    if (String(component.type ?? '').toUpperCase() !== 'HEADER') continue;
    const format = String(component.format ?? '').toLowerCase();
    if (format === 'image' || format === 'document') return format;
    if (format === 'video' || format === 'gif') return 'video';
    return null;
  }
  return null;
}

/** A component's values in the template's style: a list for {{1}}, {{2}} …, by name for named ones. */
function parametersOf(fields: readonly TemplateField[], values: TemplateValuesByKey): string[] | Record<string, string> | undefined {
  if (fields.length === 0) return undefined;
  if (fields.every((f) => /^\d+$/.test(f.variable.name))) {
    const count = Math.max(...fields.map((f) => Number(f.variable.name)));
    const byNumber = new Map(fields.map((f) => [Number(f.variable.name), values[f.key] ?? '']));
    return Array.from({ length: count }, (_, i) => byNumber.get(i + 1) ?? '');
  }
  return Object.fromEntries(fields.map((f) => [f.variable.name, values[f.key] ?? '']));
}

/** The send request's `template`: name, language and every variable's value; the header file by its upload. */
export function templateRequest(
  template: Pick<ApiTemplate, 'name' | 'language' | 'components'>,
  values: TemplateValuesByKey,
  headerUploadId: string | null = null,
): TemplateRequest {
  const fields = templateFields(template, null);
  const request: TemplateRequest = { name: template.name, language: template.language };
  const body = parametersOf(
    fields.filter((f) => f.variable.component === 'body'),
    values,
  );
  const header = parametersOf(
    fields.filter((f) => f.variable.component === 'header'),
    values,
  );
  const buttons = fields.filter((f) => f.variable.component === 'button');
  if (body) request.parameters = body;
  if (header) request.headerParameters = header;
  if (buttons.length > 0)
    request.buttonParameters = Object.fromEntries(buttons.map((f) => [String(f.variable.buttonIndex), values[f.key] ?? '']));
  if (headerUploadId) request.headerUploadId = headerUploadId;
  return request;
}

export type TemplatePreview = { ok: true; content: TemplateContent } | { ok: false; missing: string; message: string };

/**
 * The message as the customer will read it, filled in by the same code the outbox uses; or which value
 * (or the header file) is still missing.
 */
export function templatePreview(
  template: Pick<ApiTemplate, 'name' | 'language' | 'category' | 'components'>,
  values: TemplateValuesByKey,
  headerFile: Pick<MediaInfo, 'mimeType' | 'filename'> | null = null,
): TemplatePreview {
  const request = templateRequest(template, values);
  const buttons = Object.fromEntries(Object.entries(request.buttonParameters ?? {}).map(([i, v]) => [Number(i), v]));
  try {
    const content = templateContent(template, {
      body: request.parameters,
      header: request.headerParameters,
      buttons,
      headerMedia: headerFile
        ? {
            id: null,
            sha256: null,
            caption: null,
            voice: false,
            animated: false,
            url: null,
            mimeType: headerFile.mimeType,
            filename: headerFile.filename,
          }
        : null,
    });
    return { ok: true, content };
  } catch (err) {
    if (err instanceof TemplateValueError) return { ok: false, missing: err.variable, message: err.message };
    throw err;
  }
}
