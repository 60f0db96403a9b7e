import { mediaMessageType } from './media';

/** A video. */
export const videoMessage = mediaMessageType('video');
