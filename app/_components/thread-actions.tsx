'use client';
import { createContext, useContext } from 'react';
import type { ApiMessage } from '@/lib/contracts/inbox';

// What an agent can do to a message of the open thread (reply, react, send again). The thread page
// provides it; a bubble drawn anywhere else has no actions.

export interface ThreadActions {
  /** Free-form messages (replies, reactions) can be sent now: sending is on and the window is open. */
  canSend: boolean;
  /** Quote this message in the composer. */
  reply(message: ApiMessage): void;
  /** React with `emoji`; an empty emoji removes our reaction. Rejects with the reason it was refused. */
  react(message: ApiMessage, emoji: string): Promise<void>;
  /** Send a failed or unconfirmed message of ours again. Rejects with the reason it was refused. */
  retry(message: ApiMessage): Promise<void>;
}

export const ThreadActionsContext = createContext<ThreadActions | null>(null);

export function useThreadActions(): ThreadActions | null {
  return useContext(ThreadActionsContext);
}
