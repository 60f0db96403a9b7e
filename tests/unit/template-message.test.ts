import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MessageBody } from '@/app/_components/message-types';
import type { ApiMessage } from '@/lib/contracts/inbox';
import { describeMessage, type MessageView, previewOfMessage } from '@/lib/inbox/message-view';
import { contentOf, messageContentSchema, previewOfType, storedFieldsOf } from '@/lib/whatsapp/message-types';
import {
  type TemplateContent,
  type TemplateDefinition,
  TemplateValueError,
  templateContent,
  templateVariables,
} from '@/lib/whatsapp/message-types/template';

// Templates in Meta's shape (GET /{waba_id}/message_templates): components with upper-case types and
// formats, positional examples as body_text (a list of lists) and header_text, named ones as *_named_params.

const POSITIONAL: TemplateDefinition = {
  name: 'order_shipped',
  language: 'en_US',
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['A-1042'] } },
    {
      type: 'BODY',
      // {{2}} comes first in the text and {{1}} twice: the picker still asks for {{1}}, then {{2}}, once each.
      text: 'Your parcel ships {{2}}, {{1}}. Thanks, {{1}}!\nTrack it below.',
      example: { body_text: [['Maria', 'tomorrow']] },
    },
    { type: 'FOOTER', text: 'Reply STOP to opt out' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'URL', text: 'Track', url: 'https://shop.example/track/{{1}}', example: ['https://shop.example/track/A-1042'] },
        { type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+15550783881' },
        { type: 'QUICK_REPLY', text: 'Stop updates' },
      ],
    },
  ],
};

const NAMED: TemplateDefinition = {
  name: 'appointment_reminder',
  language: 'de_DE',
  components: [
    {
      type: 'HEADER',
      format: 'TEXT',
      text: 'Hello {{first_name}}',
      example: { header_text_named_params: [{ param_name: 'first_name', example: 'Jonas' }] },
    },
    {
      type: 'BODY',
      text: 'See you on {{date}} at {{time}}, {{first_name}}.',
      example: {
        body_text_named_params: [
          { param_name: 'time', example: '10:00' },
          { param_name: 'date', example: 'Monday' },
          { param_name: 'first_name', example: 'Jonas' },
        ],
      },
    },
  ],
};

const IMAGE_HEADER: TemplateDefinition = {
  name: 'winter_sale',
  language: 'en_US',
  category: 'MARKETING',
  components: [
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2U='] } },
    { type: 'BODY', text: 'Winter sale: 30% off, {{1}}.' },
  ],
};

const HEADER_FILE = {
  id: '1375940025318901',
  mimeType: 'image/jpeg',
  sha256: null,
  caption: null,
  filename: null,
  voice: false,
  animated: false,
  url: null,
};

function parses(content: TemplateContent): TemplateContent {
  const result = messageContentSchema.safeParse(content);
  expect(result.success, result.success ? '' : result.error.message).toBe(true);
  return content;
}

function refusal(run: () => unknown): TemplateValueError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateValueError);
    return error as TemplateValueError;
  }
  throw new Error('expected a TemplateValueError');
}

describe('templateVariables', () => {
  it('positional: the header, the body by number (each once), then URL buttons, with Meta’s examples', () => {
    expect(templateVariables(POSITIONAL.components)).toEqual([
      { component: 'header', name: '1', buttonIndex: null, example: 'A-1042' },
      { component: 'body', name: '1', buttonIndex: null, example: 'Maria' },
      { component: 'body', name: '2', buttonIndex: null, example: 'tomorrow' },
      { component: 'button', name: '1', buttonIndex: 0, example: 'https://shop.example/track/A-1042' },
    ]);
  });

  it('named: in the order they appear, examples matched by name', () => {
    expect(templateVariables(NAMED.components)).toEqual([
      { component: 'header', name: 'first_name', buttonIndex: null, example: 'Jonas' },
      { component: 'body', name: 'date', buttonIndex: null, example: 'Monday' },
      { component: 'body', name: 'time', buttonIndex: null, example: '10:00' },
      { component: 'body', name: 'first_name', buttonIndex: null, example: 'Jonas' },
    ]);
  });

  it('a media header has no variable; examples may be missing; junk components are skipped', () => {
    expect(templateVariables(IMAGE_HEADER.components)).toEqual([{ component: 'body', name: '1', buttonIndex: null, example: null }]);
    expect(templateVariables([null, 'x', 5, { type: 'BODY' }, { type: 'BODY', text: 7 }, { type: '__proto__' }])).toEqual([]);
  });
});

describe('templateContent', () => {
  it('fills positional placeholders in the header, body and URL button', () => {
    const content = parses(templateContent(POSITIONAL, { header: ['A-1042'], body: ['Maria', 'tomorrow'], buttons: { 0: 'A-1042' } }));
    expect(content).toEqual({
      v: 1,
      type: 'template',
      name: 'order_shipped',
      language: 'en_US',
      category: 'UTILITY',
      header: { format: 'text', text: 'Order A-1042', media: null },
      body: 'Your parcel ships tomorrow, Maria. Thanks, Maria!\nTrack it below.',
      footer: 'Reply STOP to opt out',
      buttons: [
        { type: 'url', text: 'Track', url: 'https://shop.example/track/A-1042' },
        { type: 'phone_number', text: 'Call us', url: null },
        { type: 'quick_reply', text: 'Stop updates', url: null },
      ],
      parameters: ['Maria', 'tomorrow'],
      // What the request to Meta needs again: the header's variable and the URL button's suffix.
      headerParameters: ['A-1042'],
      buttonParameters: { 0: 'A-1042' },
    });
  });

  it('fills named placeholders, and records the values by name', () => {
    const content = parses(
      templateContent(NAMED, { header: { first_name: 'Jonas' }, body: { first_name: 'Jonas', date: 'Monday', time: '10:00' } }),
    );
    expect(content.header).toEqual({ format: 'text', text: 'Hello Jonas', media: null });
    expect(content.body).toBe('See you on Monday at 10:00, Jonas.');
    expect(content.parameters).toEqual({ date: 'Monday', time: '10:00', first_name: 'Jonas' });
  });

  it('never substitutes twice: a value that reads {{2}} or $& stays as written', () => {
    const content = parses(templateContent(POSITIONAL, { header: ['{{1}}'], body: ['{{2}} $& $1', 'tomorrow'], buttons: { 0: '{{1}}' } }));
    expect(content.body).toBe('Your parcel ships tomorrow, {{2}} $& $1. Thanks, {{2}} $& $1!\nTrack it below.');
    expect(content.header?.text).toBe('Order {{1}}');
    expect(content.buttons[0]?.url).toBe('https://shop.example/track/{{1}}');
  });

  it('refuses a missing, blank or wrong-style value, naming the variable', () => {
    const values = { header: ['A-1042'], body: ['Maria', 'tomorrow'], buttons: { 0: 'A-1042' } };
    let error = refusal(() => templateContent(POSITIONAL, { ...values, body: ['Maria'] }));
    expect(error.variable).toBe('{{2}}');
    expect(error.message).toBe('Template "order_shipped" needs a value for {{2}} in its body');
    error = refusal(() => templateContent(POSITIONAL, { ...values, body: ['  ', 'tomorrow'] }));
    expect(error.message).toContain('{{1}} in its body');
    error = refusal(() => templateContent(POSITIONAL, { ...values, header: undefined }));
    expect(error.message).toContain('{{1}} in its header');
    error = refusal(() => templateContent(POSITIONAL, { ...values, buttons: {} }));
    expect(error.message).toContain('{{1}} in the address of its button "Track"');
    error = refusal(() => templateContent(NAMED, { header: { first_name: 'Jonas' }, body: { first_name: 'Jonas', date: 'Monday' } }));
    expect(error.message).toBe('Template "appointment_reminder" needs a value for {{time}} in its body');
    // Named variables are not filled from a list, nor from the object's prototype.
    error = refusal(() => templateContent(NAMED, { header: ['Jonas'], body: ['Monday', '10:00', 'Jonas'] }));
    expect(error.variable).toBe('{{first_name}}');
    refusal(() => templateContent({ ...NAMED, components: [{ type: 'BODY', text: 'Hi {{constructor}}' }] }, { body: {} }));
  });

  it('reads {{__proto__}} as text, never as a variable or a key', () => {
    const template = { ...NAMED, components: [{ type: 'BODY', text: 'Hi {{__proto__}} {{name}}' }] };
    expect(templateVariables(template.components).map((variable) => variable.name)).toEqual(['name']);
    const content = parses(templateContent(template, { body: { name: 'Ana' } }));
    expect(content.body).toBe('Hi {{__proto__}} Ana');
    expect(Object.keys(content.parameters)).toEqual(['name']);
  });

  it('a media header needs its file, kept with the content', () => {
    const error = refusal(() => templateContent(IMAGE_HEADER, { body: ['Erin'] }));
    expect(error).toMatchObject({ variable: 'header file', message: 'Template "winter_sale" needs a file for its image header' });
    const content = parses(templateContent(IMAGE_HEADER, { body: ['Erin'], headerMedia: HEADER_FILE }));
    expect(content.header).toEqual({ format: 'image', text: null, media: HEADER_FILE });
    expect(content.parameters).toEqual(['Erin']);
  });

  it('stores the filled body as the searchable text; previews with the template icon and the first line', () => {
    const content = templateContent(POSITIONAL, { header: ['A-1042'], body: ['Maria', 'tomorrow'], buttons: { 0: 'x' } });
    expect(storedFieldsOf(content)).toEqual({ text: content.body, subtype: null, media: null, targetWamid: null });
    expect(previewOfType('template', { text: content.body, subtype: null })).toEqual({
      icon: 'template',
      text: 'Your parcel ships tomorrow, Maria. Thanks, Maria!',
    });
    expect(previewOfType('template', { text: null, subtype: null })).toEqual({ icon: 'template', text: 'Template' });
  });
});

describe('a template from Meta (an echo) is read best-effort', () => {
  it('name, language, header file and parameters; never throws on junk', () => {
    const content = contentOf({
      type: 'template',
      template: {
        name: 'order_shipped',
        language: { code: 'es_MX' },
        components: [
          { type: 'header', parameters: [{ type: 'document', document: { id: '42', filename: 'invoice.pdf' } }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Maria' },
              { type: 'text', text: 'tomorrow' },
            ],
          },
        ],
      },
    });
    expect(content).toMatchObject({
      type: 'template',
      name: 'order_shipped',
      language: 'es_MX',
      header: { format: 'document', text: null, media: { id: '42', filename: 'invoice.pdf' } },
      body: null,
      parameters: ['Maria', 'tomorrow'],
    });
    // A parameter name that is not one of Meta's keeps the values in order instead.
    const odd = contentOf({
      type: 'template',
      template: { components: [{ type: 'body', parameters: [{ type: 'text', parameter_name: '__proto__', text: 'x' }] }] },
    });
    expect(odd).toMatchObject({ parameters: ['x'] });
    for (const junk of [
      null,
      5,
      'x',
      [],
      { components: 'x' },
      { name: { a: 1 }, language: 7, components: [null, { type: 'body', parameters: 'x' }] },
    ]) {
      expect(messageContentSchema.safeParse(contentOf({ type: 'template', template: junk })).success).toBe(true);
    }
  });
});

function message(content: TemplateContent, over: Partial<ApiMessage> = {}): ApiMessage {
  return {
    id: '7',
    wamid: null,
    conversationId: '1',
    businessPhoneNumberId: '106540352242922',
    direction: 'outbound',
    type: 'template',
    subtype: null,
    text: content.body,
    timestamp: new Date(2026, 11, 3, 10, 0).toISOString(),
    contact: { waId: '4915112345678', userId: null, name: 'Tom' },
    status: 'sent',
    errors: [],
    replyToId: null,
    statusHistory: [],
    content,
    placeholder: false,
    media: null,
    mediaFile: null,
    targetId: null,
    forwarded: false,
    frequentlyForwarded: false,
    editedAt: null,
    deletedAt: null,
    ...over,
  } as ApiMessage;
}

const render = (view: MessageView) => renderToStaticMarkup(createElement(MessageBody, { view, outbound: true, from: 'you' }));

describe('the thread shows a sent template as its filled-in text', () => {
  const content = templateContent(POSITIONAL, { header: ['A-1042'], body: ['Maria', 'tomorrow'], buttons: { 0: 'A-1042' } });

  it('view: header, body, footer and buttons', () => {
    const view = describeMessage(message(content));
    expect(view).toMatchObject({
      kind: 'template',
      name: 'order_shipped',
      header: { kind: 'text', text: 'Order A-1042' },
      body: content.body,
      footer: 'Reply STOP to opt out',
    });
    expect(previewOfMessage(message(content))).toEqual({ icon: 'template', text: 'Your parcel ships tomorrow, Maria. Thanks, Maria!' });
  });

  it('renders the body as linkified text, the buttons as labels that are not links or controls', () => {
    const html = render(describeMessage(message({ ...content, body: 'See https://shop.example/x <b>now</b>' })));
    expect(html).toContain('Order A-1042');
    expect(html).toContain('href="https://shop.example/x"');
    expect(html).toContain('&lt;b&gt;now&lt;/b&gt;');
    expect(html).toContain('Reply STOP to opt out');
    expect(html).toContain('aria-label="Template buttons"');
    expect(html).toContain('Track');
    expect(html).toContain('Stop updates');
    expect(html).not.toContain('href="https://shop.example/track');
    expect(html).not.toContain('<button');
  });

  it('a header file is drawn by the media card, from our copy of it', () => {
    const withFile = templateContent(IMAGE_HEADER, { body: ['Erin'], headerMedia: HEADER_FILE });
    const view = describeMessage(
      message(withFile, { mediaFile: { url: '/api/media/7', state: 'downloaded', size: 2048, mimeType: 'image/jpeg' } as never }),
    );
    expect(view).toMatchObject({
      kind: 'template',
      header: { kind: 'media', media: { kind: 'media', mediaKind: 'image', caption: null } },
    });
    const html = render(view);
    expect(html).toContain('data-testid="media-image"');
    expect(html).toContain('src="/api/media/7"');
    expect(html).toContain('Winter sale: 30% off, Erin.');
  });

  it('a row without content still shows its stored text', () => {
    const view = describeMessage(message(content, { content: null }));
    expect(view).toMatchObject({ kind: 'template', name: null, header: null, body: content.body, buttons: [] });
  });
});
