'use client';
import { useEffect } from 'react';
import { postPresenceBeat, sendPresenceLeave } from '@/app/_components/api/use-presence';
import { PRESENCE_BEAT_MS, TYPING_BEAT_MS } from '@/lib/contracts/presence';
import { newUuid } from '@/app/_components/uuid';

// This tab's presence (issue 13 §6): one heartbeat every 20 s saying which conversation it shows and
// whether its agent is typing a reply, and one at once when either changes. The thread says which
// conversation is open (useShowingConversation), the composer says when the agent types (typingReply).
// One tab, one state: it lives in the module, not in React, because the beacon and the composer are
// far apart in the tree.

/** Without a keystroke for this long, the agent has stopped typing (the server forgets it after 8 s anyway). */
const TYPING_IDLE_MS = 5_000;

const tab = {
  clientId: null as string | null,
  conversationId: null as string | null,
  typing: false,
  lastTypingBeat: 0,
  idleTimer: undefined as ReturnType<typeof setTimeout> | undefined,
};

/** One beat at a time, the next one with the state as it is by then: two in flight could land in either order. */
const sending = { now: false, again: false };

function beat(): void {
  if (!tab.clientId) return;
  if (sending.now) {
    sending.again = true;
    return;
  }
  sending.now = true;
  postPresenceBeat({ clientId: tab.clientId, conversationId: tab.conversationId, typing: tab.typing })
    .catch(() => {})
    .finally(() => {
      sending.now = false;
      if (!sending.again) return;
      sending.again = false;
      beat();
    });
}

/** The agent typed in the reply box (`active`), or emptied or sent it: a beat at once on a change, else at most every 3 s. */
export function typingReply(active: boolean): void {
  clearTimeout(tab.idleTimer);
  if (!active) {
    if (!tab.typing) return;
    tab.typing = false;
    beat();
    return;
  }
  tab.idleTimer = setTimeout(() => typingReply(false), TYPING_IDLE_MS);
  const now = Date.now();
  if (tab.typing && now - tab.lastTypingBeat < TYPING_BEAT_MS) return;
  tab.typing = true;
  tab.lastTypingBeat = now;
  beat();
}

/** Says, while mounted, that this tab shows the conversation. */
export function useShowingConversation(conversationId: string): void {
  useEffect(() => {
    tab.conversationId = conversationId;
    tab.typing = false;
    beat();
    return () => {
      if (tab.conversationId !== conversationId) return;
      clearTimeout(tab.idleTimer);
      tab.conversationId = null;
      tab.typing = false;
      beat();
    };
  }, [conversationId]);
}

/** Mounted once in the signed-in layout: the tab's heartbeat, and its goodbye when the page goes away. */
export function PresenceBeacon() {
  useEffect(() => {
    tab.clientId = newUuid();
    beat();
    const timer = setInterval(beat, PRESENCE_BEAT_MS);
    const onPageHide = () => {
      if (tab.clientId) sendPresenceLeave(tab.clientId);
    };
    // Back from the back-forward cache: here again.
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) beat();
    };
    window.addEventListener('pagehide', onPageHide);
    window.addEventListener('pageshow', onPageShow);
    return () => {
      clearInterval(timer);
      window.removeEventListener('pagehide', onPageHide);
      window.removeEventListener('pageshow', onPageShow);
      onPageHide();
      tab.clientId = null;
    };
  }, []);
  return null;
}
