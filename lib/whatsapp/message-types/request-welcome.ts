import { contentSchema, defineMessageType, NO_STORED_FIELDS } from './message-type';

export const REQUEST_WELCOME_LABEL = 'Customer opened the chat';

export interface RequestWelcomeBody {
  kind: 'request_welcome';
  label: string;
}

/** The customer opened the chat for the first time: there is nothing in it but the fact. */
export const requestWelcomeMessage = defineMessageType(contentSchema('request_welcome', {}), {
  type: 'request_welcome',
  media: false,
  modifier: false,
  fromMeta: () => ({ v: 1, type: 'request_welcome' }),
  stored: () => NO_STORED_FIELDS,
  preview: () => ({ icon: 'welcome', text: REQUEST_WELCOME_LABEL }),
  view: (): RequestWelcomeBody => ({ kind: 'request_welcome', label: REQUEST_WELCOME_LABEL }),
});
