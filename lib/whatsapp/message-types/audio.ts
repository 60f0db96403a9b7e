import { mediaMessageType } from './media';

/** Audio, or a voice note (media.voice). */
export const audioMessage = mediaMessageType('audio');
