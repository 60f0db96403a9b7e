'use client';
import { useRef, useState } from 'react';
import { postMessage } from '@/app/_components/api/use-outbox';
import type { ApiMessage } from '@/lib/contracts/inbox';
import type { PostMessageBody } from '@/lib/contracts/outbox';

// One submit of the composer: a fresh clientId per message, the same one again when the same message is
// submitted again after a failure (a lost answer must not make a second message), and nothing at all
// while one is on its way (a double click sends once).

export type SendBody = PostMessageBody extends infer B ? (B extends PostMessageBody ? Omit<B, 'clientId'> : never) : never;

/** A UUID v4; crypto.randomUUID only exists on https and localhost pages. */
export function newClientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

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
