import { z } from 'zod';
import { contentSchema, defineMessageType, NO_STORED_FIELDS, shortText } from './message-type';
import { joinTexts, ownValue, stringField } from './read';
import { present } from './view';

export interface LocationBody {
  kind: 'location';
  name: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  /** Only when both coordinates are finite and in range. */
  mapUrl: string | null;
}

/** The OpenStreetMap link for a point, or null unless both coordinates are real ones. */
export function mapUrlOf(latitude: unknown, longitude: unknown): string | null {
  if (typeof latitude !== 'number' || typeof longitude !== 'number') return null;
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}`;
}

/** A finite coordinate; anything else (a string, Infinity) is null. */
const coordinate = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A shared place: coordinates, and a name, address and URL when it is a business or a pin with one. */
export const locationMessage = defineMessageType(
  contentSchema('location', {
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    name: shortText.nullable(),
    address: shortText.nullable(),
    url: shortText.nullable(),
  }),
  {
    type: 'location',
    media: false,
    modifier: false,
    // Read from the item as sent: a name or address that is not a string (a number, an object) is none.
    fromMeta: (_item, raw) => {
      const location = ownValue(raw, 'location');
      return {
        v: 1,
        type: 'location',
        latitude: coordinate(ownValue(location, 'latitude')),
        longitude: coordinate(ownValue(location, 'longitude')),
        name: stringField(location, 'name'),
        address: stringField(location, 'address'),
        url: stringField(location, 'url'),
      };
    },
    stored: (content) => ({ ...NO_STORED_FIELDS, text: joinTexts([content.name, content.address], ' — ') }),
    preview: (summary, content) => ({
      icon: 'location',
      text: (content ? (content.name ?? content.address) : summary.text) ?? 'Location',
    }),
    view: (content, row): LocationBody => {
      const latitude = content?.latitude ?? null;
      const longitude = content?.longitude ?? null;
      const address = present(content?.address);
      // Without content, the normalized "name — address" text is all there is.
      const name = present(content?.name) ?? (address ? null : row.text);
      return { kind: 'location', name, address, latitude, longitude, mapUrl: mapUrlOf(latitude, longitude) };
    },
  },
);
