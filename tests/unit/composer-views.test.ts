import { describe, expect, it } from 'vitest';
import { formatTimeLeft, serviceWindowView } from '@/lib/inbox/service-window-view';
import { prefillFor, templateFields, templateHeaderFileKind, templatePreview, templateRequest } from '@/lib/inbox/template-form';
import type { TemplateVariable } from '@/lib/whatsapp/message-types/template';

// What the composer says about the 24-hour window, and the template picker's form: which variables get
// the customer's name, the request it sends, the preview it shows.

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('the 24-hour window', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();

  it('counts down in hours and minutes while open', () => {
    expect(serviceWindowView(at(3 * HOUR + 12 * MIN + 30_000), now)).toMatchObject({ state: 'open', text: 'Window closes in 3 h 12 min' });
    expect(serviceWindowView(at(45 * MIN), now).text).toBe('Window closes in 45 min');
    expect(serviceWindowView(at(2 * HOUR), now).text).toBe('Window closes in 2 h');
    expect(serviceWindowView(at(20_000), now).text).toBe('Window closes in less than a minute');
  });

  it('is closed from its closing time on, and says since when', () => {
    const view = serviceWindowView(at(0), now);
    expect(view).toMatchObject({ state: 'closed', closedAt: now.toISOString() });
    expect(view.text).toMatch(/^The 24-hour window closed on .+: only a template can be sent until the customer writes again\.$/);
    expect(serviceWindowView(at(-HOUR), now).state).toBe('closed');
  });

  it('is closed when the customer never wrote', () => {
    expect(serviceWindowView(null, now)).toMatchObject({ state: 'closed', closedAt: null });
    expect(serviceWindowView('not a date', now).state).toBe('closed');
  });

  it('writes time left plainly', () => {
    expect(formatTimeLeft(23 * HOUR + 59 * MIN)).toBe('23 h 59 min');
    expect(formatTimeLeft(MIN)).toBe('1 min');
  });
});

const variable = (name: string, example: string | null = null, component: TemplateVariable['component'] = 'body'): TemplateVariable => ({
  component,
  name,
  buttonIndex: component === 'button' ? 0 : null,
  example,
});

describe('prefilling a template variable with the customer’s name', () => {
  it('fills variables named for the customer, a first name as the first word', () => {
    expect(prefillFor(variable('first_name'), 'Maria José Silva')).toBe('Maria');
    expect(prefillFor(variable('firstName'), 'Maria Silva')).toBe('Maria');
    expect(prefillFor(variable('name'), 'Maria Silva')).toBe('Maria Silva');
    expect(prefillFor(variable('customer_name'), 'Maria Silva')).toBe('Maria Silva');
  });

  it("fills the body's {{1}} when Meta's example for it reads like a name", () => {
    expect(prefillFor(variable('1', 'John'), 'Maria Silva')).toBe('Maria');
    expect(prefillFor(variable('1', 'John Smith'), 'Maria Silva')).toBe('Maria Silva');
    expect(prefillFor(variable('1', 'A-1001'), 'Maria Silva')).toBe('');
    expect(prefillFor(variable('1', '25 March'), 'Maria Silva')).toBe('');
    expect(prefillFor(variable('2', 'John'), 'Maria Silva')).toBe('');
    expect(prefillFor(variable('1', null), 'Maria Silva')).toBe('');
  });

  it('guesses nothing else: no name, other variables, headers and buttons', () => {
    expect(prefillFor(variable('first_name'), null)).toBe('');
    expect(prefillFor(variable('first_name'), '  ')).toBe('');
    expect(prefillFor(variable('order_id'), 'Maria')).toBe('');
    expect(prefillFor(variable('name', null, 'header'), 'Maria')).toBe('');
    expect(prefillFor(variable('1', 'John', 'button'), 'Maria')).toBe('');
  });
});

const positional = {
  name: 'order_ready',
  language: 'en_US',
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['A-1'] } },
    { type: 'BODY', text: 'Hi {{1}}, order {{2}} is ready.', example: { body_text: [['Maria', 'A-1001']] } },
    { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://example.com/t/{{1}}', example: ['abc'] }] },
  ],
};

const named = {
  name: 'welcome',
  language: 'en',
  category: 'MARKETING',
  components: [
    { type: 'HEADER', format: 'IMAGE' },
    {
      type: 'BODY',
      text: 'Welcome {{first_name}}! Your code: {{code}}',
      example: {
        body_text_named_params: [
          { param_name: 'first_name', example: 'Ana' },
          { param_name: 'code', example: 'X1' },
        ],
      },
    },
  ],
};

describe('the template form', () => {
  it('has a field per variable, header, body and button, with the name prefilled', () => {
    const fields = templateFields(positional, 'Maria Silva');
    expect(fields.map((f) => [f.label, f.prefill])).toEqual([
      ['{{1}} in the header', ''],
      ['{{1}} in the body', 'Maria'],
      ['{{2}} in the body', ''],
      ['{{1}} in the address of button 1', ''],
    ]);
    expect(new Set(fields.map((f) => f.key)).size).toBe(4);
  });

  it('builds the request in the template’s style: a list for positional, by name for named', () => {
    const [header, first, second, button] = templateFields(positional, null).map((f) => f.key);
    expect(templateRequest(positional, { [header!]: 'A-7', [first!]: 'Maria', [second!]: 'B-2', [button!]: 'xyz' })).toEqual({
      name: 'order_ready',
      language: 'en_US',
      parameters: ['Maria', 'B-2'],
      headerParameters: ['A-7'],
      buttonParameters: { 0: 'xyz' },
    });
    const keys = templateFields(named, null).map((f) => f.key);
    expect(templateRequest(named, { [keys[0]!]: 'Ana', [keys[1]!]: 'Z9' }, 'upload-1')).toEqual({
      name: 'welcome',
      language: 'en',
      parameters: { first_name: 'Ana', code: 'Z9' },
      headerUploadId: 'upload-1',
    });
  });

  it('previews the filled text, or says which value or file is missing', () => {
    const keys = templateFields(positional, null).map((f) => f.key);
    const values = { [keys[0]!]: 'A-7', [keys[1]!]: 'Maria', [keys[2]!]: '{{1}}', [keys[3]!]: 'xyz' };
    const preview = templatePreview(positional, values);
    expect(preview.ok && preview.content.body).toBe('Hi Maria, order {{1}} is ready.');
    expect(preview.ok && preview.content.header?.text).toBe('Order A-7');
    expect(templatePreview(positional, { ...values, [keys[2]!]: ' ' })).toMatchObject({ ok: false, missing: '{{2}}' });

    expect(templateHeaderFileKind(named)).toBe('image');
    expect(templateHeaderFileKind(positional)).toBeNull();
    const namedKeys = templateFields(named, 'Ana').map((f) => f.key);
    const namedValues = { [namedKeys[0]!]: 'Ana', [namedKeys[1]!]: 'Z9' };
    expect(templatePreview(named, namedValues)).toMatchObject({ ok: false, missing: 'header file' });
    const withFile = templatePreview(named, namedValues, { mimeType: 'image/png', filename: 'a.png' });
    expect(withFile.ok && withFile.content.body).toBe('Welcome Ana! Your code: Z9');
  });
});
