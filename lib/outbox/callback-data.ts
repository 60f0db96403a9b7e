// What the outbox puts in `biz_opaque_callback_data` on every send: our message id, which Meta returns on
// the message's status webhooks. A status that arrives before Meta's HTTP answer (or after a request whose
// outcome we never learned) still finds its message by it. Prefixed, so another system's callback data
// on a shared number is never taken for ours.

const PREFIX = 'ticks:';

export const callbackDataFor = (messageId: number): string => `${PREFIX}${messageId}`;

/** Our message id from a status's callback data; null when it is not ours. */
export function messageIdOfCallbackData(data: string | null): number | null {
  if (!data?.startsWith(PREFIX)) return null;
  const rest = data.slice(PREFIX.length);
  if (!/^[1-9]\d{0,15}$/.test(rest)) return null;
  const id = Number(rest);
  return Number.isSafeInteger(id) ? id : null;
}
