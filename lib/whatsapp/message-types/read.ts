// Lenient readers for Meta's message items, shared by the type modules and the normalizer. PURE and
// client-safe. Every string we keep is made safe for Postgres (sanitize.ts) and bounded in size.

import { errorItemSchema } from '../payload';
import { safeText } from '../sanitize';
import type { DeliveryError } from '../types';

export type JsonRecord = Record<string, unknown>;

export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own properties only: a type named "constructor" or "__proto__" must not reach Object.prototype. */
export function ownValue(record: unknown, key: string): unknown {
  return isRecord(record) && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Bodies and captions (WhatsApp allows 4096 characters; Meta's own payloads never come near this). */
export const MAX_TEXT_LENGTH = 65_536;
/** Ids, names, titles, URLs. */
export const MAX_SHORT_LENGTH = 4_096;

/** At most `max` UTF-16 units, never ending in half a surrogate pair. */
export function bounded(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** A string made safe for Postgres and bounded; empty or absent becomes null. */
export function cleanString(s: unknown, max: number = MAX_SHORT_LENGTH): string | null {
  return typeof s === 'string' && s !== '' ? bounded(safeText(s), max) : null;
}

/** A field of an untrusted object, as a clean string (strings only). */
export function stringField(record: unknown, key: string, max: number = MAX_SHORT_LENGTH): string | null {
  return cleanString(ownValue(record, key), max);
}

export function firstText(...candidates: Array<string | null | undefined>): string | null {
  for (const candidate of candidates) {
    const text = cleanString(candidate, MAX_TEXT_LENGTH);
    if (text) return text;
  }
  return null;
}

export function joinTexts(parts: Array<string | null | undefined>, separator: string): string | null {
  const present = parts.map((part) => cleanString(part, MAX_TEXT_LENGTH)).filter((part): part is string => part !== null);
  return present.length > 0 ? present.join(separator) : null;
}

/** A finite number, also from a plain numeric string ("2", "19.50"). */
export function finiteNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** The first `max` entries of an array; anything else is empty. */
export function firstEntries(v: unknown, max: number): unknown[] {
  return Array.isArray(v) ? v.slice(0, max) : [];
}

/** Meta's `errors[]` (on a message or a status): code, title, message and details, each optional. */
export function deliveryErrors(items: readonly unknown[] | undefined): DeliveryError[] {
  const errors: DeliveryError[] = [];
  for (const item of items ?? []) {
    if (typeof item === 'string') {
      errors.push({ code: null, title: null, message: cleanString(item), details: null });
      continue;
    }
    const parsed = errorItemSchema.safeParse(item);
    if (!parsed.success) continue;
    const error = parsed.data;
    const code = Number(error.code);
    errors.push({
      code: error.code !== undefined && error.code !== '' && Number.isFinite(code) ? code : null,
      title: cleanString(error.title),
      message: cleanString(error.message),
      details: cleanString(error.error_data?.details ?? error.details),
    });
  }
  return errors;
}
