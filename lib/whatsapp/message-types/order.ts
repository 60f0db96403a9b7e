import { z } from 'zod';
import { orderItemSchema } from '../payload';
import { contentSchema, defineMessageType, longText, NO_STORED_FIELDS, shortText } from './message-type';
import { cleanString, finiteNumber, firstEntries, isRecord, MAX_TEXT_LENGTH, ownValue, stringField } from './read';
import { present } from './view';

/** Lines kept per order (the count covers them all). */
export const MAX_ORDER_LINES = 100;

const orderLineSchema = z.object({
  productRetailerId: shortText.nullable(),
  quantity: z.number().nullable(),
  itemPrice: z.number().nullable(),
  /** Upper-cased ISO code as sent (unchecked). */
  currency: shortText.nullable(),
  /** quantity × item_price, when both are numbers. */
  lineTotal: z.number().nullable(),
});
export type OrderLine = z.infer<typeof orderLineSchema>;

/** Rounds away float noise (0.1 × 3) without assuming a currency's number of decimals. */
const roundAmount = (n: number) => Math.round(n * 1e6) / 1e6;

function lineOf(line: Record<string, unknown>): OrderLine {
  const quantity = finiteNumber(ownValue(line, 'quantity'));
  const itemPrice = finiteNumber(ownValue(line, 'item_price'));
  const currency = stringField(line, 'currency')?.trim().toUpperCase() || null;
  const lineTotal = quantity !== null && itemPrice !== null ? roundAmount(quantity * itemPrice) : null;
  return { productRetailerId: stringField(line, 'product_retailer_id'), quantity, itemPrice, currency, lineTotal };
}

/** Items in the whole order: each line's quantity, or 1 where it has none we can read. */
function itemCountOf(productItems: readonly unknown[]): number {
  let count = 0;
  for (const line of productItems) {
    const parsed = orderItemSchema.safeParse(line);
    const quantity = parsed.success ? Number(parsed.data.quantity) : Number.NaN;
    count += Number.isFinite(quantity) && quantity > 0 ? quantity : 1;
  }
  return count;
}

export interface OrderTotal {
  currency: string;
  amount: number;
}

export interface OrderBody {
  kind: 'order';
  catalogId: string | null;
  items: OrderLine[];
  totals: OrderTotal[];
  /** The customer's note. */
  text: string | null;
}

const itemsLabel = (count: number) => `Order: ${count} ${count === 1 ? 'item' : 'items'}`;

/** An order from the business's catalog: its lines, totals per currency and the customer's note. */
export const orderMessage = defineMessageType(
  contentSchema('order', {
    catalogId: shortText.nullable(),
    /** The customer's note. */
    text: longText.nullable(),
    lines: z.array(orderLineSchema).max(MAX_ORDER_LINES),
    totals: z.array(z.object({ currency: shortText, amount: z.number() })),
    itemCount: z.number(),
  }),
  {
    type: 'order',
    media: false,
    modifier: false,
    fromMeta: (item) => {
      const order = item.order;
      const lines = firstEntries(order?.product_items, MAX_ORDER_LINES).filter(isRecord).map(lineOf);
      const totals = new Map<string, number>();
      for (const { lineTotal, currency } of lines) {
        if (lineTotal !== null && currency) totals.set(currency, roundAmount((totals.get(currency) ?? 0) + lineTotal));
      }
      return {
        v: 1,
        type: 'order',
        catalogId: cleanString(order?.catalog_id),
        text: cleanString(order?.text, MAX_TEXT_LENGTH),
        lines,
        totals: [...totals].map(([currency, amount]) => ({ currency, amount })),
        itemCount: itemCountOf(order?.product_items ?? []),
      };
    },
    // "Order: 3 items — Please deliver after 5pm": what the list shows and search finds.
    stored: (content) => ({
      ...NO_STORED_FIELDS,
      text: content.text ? `${itemsLabel(content.itemCount)} — ${content.text}` : itemsLabel(content.itemCount),
    }),
    preview: (summary, content) => ({
      icon: 'order',
      text: content ? (content.itemCount > 0 ? itemsLabel(content.itemCount) : 'Order') : (summary.text ?? 'Order'),
    }),
    view: (content, row): OrderBody => ({
      kind: 'order',
      catalogId: present(content?.catalogId),
      items: content?.lines ?? [],
      totals: content?.totals ?? [],
      // Without content, the normalized "Order: N items — note" is shown as the note.
      text: content ? present(content.text) : row.text,
    }),
  },
);
