'use client';
import { useRef, useState } from 'react';
import { postMessage } from '@/app/_components/api/use-outbox';
import type { ApiMessage } from '@/lib/contracts/inbox';
import type { PostMessageBody } from '@/lib/contracts/outbox';
import { newUuid } from '@/app/_components/uuid';

// One submit of the composer: a fresh clientId per message, the same one again when the same message is
// submitted again after a failure (a lost answer must not make a second message), and nothing at all
// while one is on its way (a double click sends once).

export type SendBody = PostMessageBody extends infer B ? (B extends PostMessageBody ? Omit<B, 'clientId'> : never) : never;

/** The writer's own id for a message: the same clientId sends once, however often it is posted. */
export const newClientId = newUuid;

export function useSend(conversationId: string, onSent: (message: ApiMessage) => void) {
  const inFlight = useRef(false);
  const lastAttempt = useRef<{ body: string; clientId: string } | null>(null);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  /** Resolves true once the server accepted it (202); false when it was refused (the error is set). */
  const send = async (body: SendBody): Promise<boolean> => {
    if (inFlight.current) return false;
    const key = JSON.stringify(body);
    const clientId = lastAttempt.current?.body === key ? lastAttempt.current.clientId : newClientId();
    lastAttempt.current = { body: key, clientId };
    inFlight.current = true;
    setSending(true);
    setError(null);
    try {
      const message = await postMessage(conversationId, { ...body, clientId } as PostMessageBody);
      lastAttempt.current = null;
      onSent(message);
      return true;
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return false;
    } finally {
      inFlight.current = false;
      setSending(false);
    }
  };

  return { send, sending, error, clearError: () => setError(null) };
}
