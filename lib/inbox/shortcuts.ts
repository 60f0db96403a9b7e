// The inbox's keyboard shortcuts (issue 13 §9): which key does what, and when a key press is one at all.
// PURE: the browser side (app/_components/keyboard-shortcuts.tsx) does the doing.

export type ShortcutAction = 'reply' | 'note' | 'resolve' | 'assign-to-me' | 'snooze' | 'next' | 'previous' | 'help';

export interface Shortcut {
  key: string;
  action: ShortcutAction;
  label: string;
}

/** In the order the help dialog lists them. */
export const SHORTCUTS: readonly Shortcut[] = [
  { key: 'r', action: 'reply', label: 'Reply: write in the composer' },
  { key: 'n', action: 'note', label: 'Write a private note' },
  { key: 'e', action: 'resolve', label: 'Resolve the conversation' },
  { key: 'a', action: 'assign-to-me', label: 'Assign the conversation to me' },
  { key: 's', action: 'snooze', label: 'Snooze…' },
  { key: 'j', action: 'next', label: 'Next conversation in the list' },
  { key: 'k', action: 'previous', label: 'Previous conversation in the list' },
  { key: '?', action: 'help', label: 'Show these shortcuts' },
];

/** What a key press needs to say, as a KeyboardEvent says it. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** Already handled (a menu, a dialog, the composer's Enter). */
  defaultPrevented?: boolean;
  isComposing?: boolean;
  target: KeyTarget | null;
}

/** The element the key went to, as far as this needs to know it. */
export interface KeyTarget {
  tagName?: string;
  isContentEditable?: boolean;
  /** For an input: checkboxes and buttons take no text. */
  type?: string;
}

const TEXTLESS_INPUTS = new Set(['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/** Whether keys pressed there are text being typed: never a shortcut. */
export function takesText(target: KeyTarget | null): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName?.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return tag === 'INPUT' && !TEXTLESS_INPUTS.has((target.type ?? 'text').toLowerCase());
}

/** The shortcut a key press means, or null: not while typing, not with Ctrl, Cmd or Alt (the browser's and the system's). */
export function shortcutOf(press: KeyPress): ShortcutAction | null {
  if (press.ctrlKey || press.metaKey || press.altKey || press.defaultPrevented || press.isComposing) return null;
  if (takesText(press.target)) return null;
  // Shift is allowed: "?" needs it on most layouts; "R" (caps lock) is not "r".
  return SHORTCUTS.find((s) => s.key === press.key)?.action ?? null;
}
