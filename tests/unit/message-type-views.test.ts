import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERED_KINDS } from '@/app/_components/message-types';
import { MESSAGE_TYPE_MODULES, messageTypeModule, viewOfType } from '@/lib/whatsapp/message-types';
import { EMPTY_ROW, type MessageRow } from '@/lib/whatsapp/message-types/view';
import { normalizeWebhook } from '@/lib/whatsapp/normalize';

// Adding a message type is its module (with its view) and a renderer for its view's kind: these
// checks fail on a module in the registry without a view, or whose view has no renderer.

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/payloads');

const FULL_ROW: MessageRow = {
  type: 'text',
  text: 'Hello',
  subtype: 'button_reply',
  targetId: 'wamid.T-1',
  media: { caption: 'A caption', filename: 'a.pdf', mimeType: 'application/pdf', voice: true, animated: true },
  error: { title: 'Title', message: 'Message', details: 'Details' },
  file: { status: 'pending', note: 'Downloading…' },
};

const fixtureContents = fs
  .readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .flatMap((name) => normalizeWebhook(JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as unknown).messages)
  .map((message) => message.content);

describe('every type in the registry has a view, and every view a renderer', () => {
  it.each(MESSAGE_TYPE_MODULES.map((module) => [module.type]))('%s', (type) => {
    const module = messageTypeModule(type);
    expect(module.type).toBe(type);
    expect(typeof module.view, `${type} has no view`).toBe('function');
    // Rows stored without content, with and without their columns, and every fixture message of the type.
    const contents = [null, ...fixtureContents.filter((content) => content.type === type)];
    for (const content of contents) {
      for (const row of [EMPTY_ROW, FULL_ROW]) {
        const view = viewOfType(type, content, row);
        expect(RENDERED_KINDS, `${type}'s view kind "${view.kind}" has no renderer`).toContain(view.kind);
      }
    }
  });

  it('the rows that have no type to ask (deleted, placeholder) have renderers too', () => {
    expect(RENDERED_KINDS).toEqual(expect.arrayContaining(['deleted', 'placeholder']));
  });
});
