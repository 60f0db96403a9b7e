import { mediaMessageType } from './media';

/** A photo. */
export const imageMessage = mediaMessageType('image');
