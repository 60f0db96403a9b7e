import { mediaMessageType } from './media';

/** A sticker, animated or not. */
export const stickerMessage = mediaMessageType('sticker');
