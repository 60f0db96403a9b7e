// How a type's content becomes what the thread shows. PURE, client-safe, no React: each module's
// `view` returns its part of the thread's view model (a body with a `kind`); lib/inbox/message-view
// adds what every message has (flags, deleted and placeholder rows), and app/_components/message-types
// draws each kind. Everything here is untrusted text: renderers put it in the DOM as text only.

import type { MediaFileView } from '../../inbox/media-file-view';
import { isRecord, ownValue } from './read';

/** What a module's view returns: a body told apart by `kind` (several types may share one). */
export interface TypeView {
  kind: string;
}

/** The stored media column's parts (jsonb from the network, checked by the inbox before it gets here). */
export interface StoredMedia {
  caption: string | null;
  filename: string | null;
  mimeType: string | null;
  voice: boolean;
  animated: boolean;
}

/**
 * What the read API says of a message beside its content. The normalized columns come first where
 * they can be newer (an edited text or caption) and are all there is for rows stored without content.
 * Strings are as sent, blank ones null.
 */
export interface MessageRow {
  /** Meta's type as stored. */
  type: string | null;
  text: string | null;
  subtype: string | null;
  /** The message a reaction, edit or revoke acts on. */
  targetId: string | null;
  media: StoredMedia | null;
  /** The first of Meta's errors on the message. */
  error: { title: string | null; message: string | null; details: string | null } | null;
  /** Our copy of the message's file, as the read API describes it; null when there is none. */
  file: MediaFileView | null;
}

export const EMPTY_ROW: MessageRow = {
  type: null,
  text: null,
  subtype: null,
  targetId: null,
  media: null,
  error: null,
  file: null,
};

/** A string with something in it, kept verbatim (the thread shows it as sent); blank or not a string is null. */
export function present(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

/** The first candidate with something in it, verbatim. */
export function firstPresent(...candidates: unknown[]): string | null {
  for (const candidate of candidates) {
    const text = present(candidate);
    if (text !== null) return text;
  }
  return null;
}

/** A field of an untrusted object (own properties only), as present() reads it. */
export function presentField(record: unknown, key: string): string | null {
  return isRecord(record) ? present(ownValue(record, key)) : null;
}
