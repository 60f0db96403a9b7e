import { z } from 'zod';
import { contentSchema, defineMessageType, NO_STORED_FIELDS, shortText } from './message-type';
import { joinTexts, ownValue, stringField } from './read';

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
  },
);
