import { mediaMessageType } from './media';

/** A file; its name is the text when it has no caption. */
export const documentMessage = mediaMessageType('document');
