// The colours a label can have: the one list, for the database's check, the API's contracts and the
// chips' classes. Tailwind palette names. No imports: db/schema.ts reads it too.

export const LABEL_COLOURS = ['slate', 'red', 'amber', 'emerald', 'sky', 'indigo', 'violet', 'pink'] as const;
export type LabelColour = (typeof LABEL_COLOURS)[number];
