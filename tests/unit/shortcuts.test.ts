import { describe, expect, it } from 'vitest';
import { type KeyPress, SHORTCUTS, shortcutOf, takesText } from '@/lib/inbox/shortcuts';

// Which key presses are shortcuts: the keys of the list, never while typing text, never with a modifier.

const press = (key: string, over: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  target: { tagName: 'BODY' },
  ...over,
});

describe('shortcutOf', () => {
  it('maps each key of the list to its action', () => {
    expect(shortcutOf(press('r'))).toBe('reply');
    expect(shortcutOf(press('n'))).toBe('note');
    expect(shortcutOf(press('e'))).toBe('resolve');
    expect(shortcutOf(press('a'))).toBe('assign-to-me');
    expect(shortcutOf(press('s'))).toBe('snooze');
    expect(shortcutOf(press('j'))).toBe('next');
    expect(shortcutOf(press('k'))).toBe('previous');
    expect(shortcutOf(press('?'))).toBe('help');
    expect(new Set(SHORTCUTS.map((s) => s.key)).size).toBe(SHORTCUTS.length);
  });

  it('ignores other keys, and capitals', () => {
    for (const key of ['x', 'R', 'Enter', 'Escape', 'ArrowDown', ' ', '/']) expect(shortcutOf(press(key)), key).toBeNull();
  });

  it('never fires with Ctrl, Cmd or Alt held (copy, the browser, the system)', () => {
    expect(shortcutOf(press('r', { ctrlKey: true }))).toBeNull();
    expect(shortcutOf(press('k', { metaKey: true }))).toBeNull();
    expect(shortcutOf(press('e', { altKey: true }))).toBeNull();
  });

  it('never fires while typing in an input, a text area, a select or an editable element', () => {
    for (const target of [
      { tagName: 'INPUT' },
      { tagName: 'input', type: 'search' },
      { tagName: 'TEXTAREA' },
      { tagName: 'SELECT' },
      { tagName: 'DIV', isContentEditable: true },
    ])
      expect(shortcutOf(press('e', { target })), JSON.stringify(target)).toBeNull();
  });

  it('fires from buttons, checkboxes and links, which take no text', () => {
    for (const target of [{ tagName: 'BUTTON' }, { tagName: 'INPUT', type: 'checkbox' }, { tagName: 'A' }, null])
      expect(shortcutOf(press('j', { target })), JSON.stringify(target)).toBe('next');
    expect(takesText({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
  });

  it('leaves alone a key already handled, or one that is part of an IME composition', () => {
    expect(shortcutOf(press('r', { defaultPrevented: true }))).toBeNull();
    expect(shortcutOf(press('r', { isComposing: true }))).toBeNull();
  });
});
