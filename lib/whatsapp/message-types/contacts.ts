import { z } from 'zod';
import { contentSchema, defineMessageType, NO_STORED_FIELDS, shortText } from './message-type';
import { firstEntries, isRecord, joinTexts, ownValue, stringField } from './read';
import { firstPresent, type MessageRow, present } from './view';

/** Cards in one message, and phones or emails on one card: WhatsApp sends a handful; a hostile body is cut. */
export const MAX_CONTACT_CARDS = 20;
export const MAX_CARD_ENTRIES = 10;

const contactCardSchema = z.object({
  /** formatted_name, else first, middle and last name joined. */
  name: shortText.nullable(),
  phones: z.array(z.object({ phone: shortText.nullable(), waId: shortText.nullable(), type: shortText.nullable() })).max(MAX_CARD_ENTRIES),
  emails: z.array(z.object({ email: shortText, type: shortText.nullable() })).max(MAX_CARD_ENTRIES),
  org: z.object({ company: shortText.nullable(), department: shortText.nullable(), title: shortText.nullable() }).nullable(),
});
export type ContactCard = z.infer<typeof contactCardSchema>;

function cardOf(card: Record<string, unknown>): ContactCard {
  const name = ownValue(card, 'name');
  const phones = firstEntries(ownValue(card, 'phones'), MAX_CARD_ENTRIES).flatMap((p) => {
    const entry = { phone: stringField(p, 'phone'), waId: stringField(p, 'wa_id'), type: stringField(p, 'type') };
    return entry.phone || entry.waId ? [entry] : [];
  });
  const emails = firstEntries(ownValue(card, 'emails'), MAX_CARD_ENTRIES).flatMap((e) => {
    const email = stringField(e, 'email');
    return email ? [{ email, type: stringField(e, 'type') }] : [];
  });
  const org = ownValue(card, 'org');
  const company = stringField(org, 'company');
  const department = stringField(org, 'department');
  const title = stringField(org, 'title');
  return {
    name:
      stringField(name, 'formatted_name') ??
      joinTexts([stringField(name, 'first_name'), stringField(name, 'middle_name'), stringField(name, 'last_name')], ' '),
    phones,
    emails,
    org: company || department || title ? { company, department, title } : null,
  };
}

/** A shared card as the thread shows it: never without a name, phones and emails that say something. */
export interface SharedContactCard {
  name: string;
  phones: { phone: string; waId: string | null; type: string | null }[];
  emails: { email: string; type: string | null }[];
  org: string | null;
}

export interface ContactsBody {
  kind: 'contacts';
  contacts: SharedContactCard[];
}

function contactsBody(content: { cards: ContactCard[] } | null, row: MessageRow): ContactsBody {
  const contacts: SharedContactCard[] = (content?.cards ?? []).map((card) => {
    const phones = card.phones.flatMap((p) => {
      const phone = firstPresent(p.phone, p.waId);
      return phone ? [{ phone, waId: present(p.waId), type: present(p.type) }] : [];
    });
    return {
      name: firstPresent(card.name, phones[0]?.phone) ?? 'Contact',
      phones,
      emails: card.emails.flatMap((e) => (present(e.email) ? [{ email: e.email, type: present(e.type) }] : [])),
      org: firstPresent(card.org?.company, card.org?.department),
    };
  });
  // Without content, the normalized names are all there is.
  if (contacts.length === 0) contacts.push({ name: row.text ?? 'Contact', phones: [], emails: [], org: null });
  return { kind: 'contacts', contacts };
}

/** Contact cards the customer shared. */
export const contactsMessage = defineMessageType(contentSchema('contacts', { cards: z.array(contactCardSchema).max(MAX_CONTACT_CARDS) }), {
  type: 'contacts',
  media: false,
  modifier: false,
  fromMeta: (_item, raw) => ({
    v: 1,
    type: 'contacts',
    cards: firstEntries(ownValue(raw, 'contacts'), MAX_CONTACT_CARDS).filter(isRecord).map(cardOf),
  }),
  stored: (content) => ({
    ...NO_STORED_FIELDS,
    text: joinTexts(
      content.cards.map((card) => card.name),
      ', ',
    ),
  }),
  preview: (summary, content) => ({
    icon: 'contact',
    text: summary.text ?? joinTexts(content?.cards.map((card) => card.name) ?? [], ', ') ?? 'Contact',
  }),
  view: contactsBody,
});
