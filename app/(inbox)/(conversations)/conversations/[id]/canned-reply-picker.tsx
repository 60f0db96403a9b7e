'use client';
import Link from 'next/link';
import { type KeyboardEvent, type ReactNode, type RefObject, type SyntheticEvent, useId, useMemo, useState } from 'react';
import { useCannedReplies } from '@/app/_components/api/use-canned-replies';
import { authClient } from '@/lib/auth/client';
import type { ApiCannedReply } from '@/lib/contracts/canned-replies';
import type { GetConversationResponse } from '@/lib/contracts/inbox';
import { matchCannedReplies, replaceSlashQuery, slashQueryAt } from '@/lib/inbox/canned-reply-search';
import { fillCannedReply } from '@/lib/inbox/canned-reply-variables';

// Canned replies in the composer: "/" at the start of the text or after a space opens a list of the
// shared replies and the agent's own, narrowed by what follows the "/" (shortcut, then text). Arrows
// and Enter (or Tab, or a click) choose one, Escape closes the list. The chosen reply replaces the
// "/query" with its variables filled in, for the agent to edit before sending. The composer keeps the
// text; this hook only reads it and the caret, and hands back what to spread on the text box.

/** At most this many replies are listed; typing more narrows them. */
const SHOWN = 8;

export interface CannedReplyPicker {
  /** Spread on the text box: follows the caret and names the list for assistive technology. */
  inputProps: {
    onSelect: (event: SyntheticEvent<HTMLTextAreaElement>) => void;
    onInput: (event: SyntheticEvent<HTMLTextAreaElement>) => void;
    'aria-autocomplete': 'list';
    'aria-expanded': boolean;
    'aria-controls': string | undefined;
    'aria-activedescendant': string | undefined;
  };
  /** Call first in the text box's onKeyDown: true when the list took the key. */
  onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  /** The list, while open (render it above the text box). */
  list: ReactNode;
}

export function useCannedReplyPicker({
  text,
  setText,
  textarea,
  conversation,
  enabled,
}: {
  text: string;
  setText: (text: string) => void;
  textarea: RefObject<HTMLTextAreaElement | null>;
  conversation: GetConversationResponse;
  /** False outside the 24-hour window: free text cannot be sent, so no reply is offered. */
  enabled: boolean;
}): CannedReplyPicker {
  const id = useId();
  const { data } = useCannedReplies({ enabled });
  const session = authClient.useSession();
  const [caret, setCaret] = useState<number | null>(null);
  // The "/" whose list the agent closed (Escape, or a reply chosen): it stays closed until another "/".
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [active, setActive] = useState({ query: '', index: 0 });

  // The caret as last reported; the end of the text until the box reports one.
  const at = caret === null || caret > text.length ? text.length : caret;
  const search = enabled ? slashQueryAt(text, at) : null;
  const open = search !== null && search.start !== dismissedAt;
  const matches = useMemo(
    () => (open && data ? matchCannedReplies(data.cannedReplies, search.query).slice(0, SHOWN) : []),
    [open, data, search?.query],
  );
  const activeIndex = active.query === search?.query ? Math.min(active.index, matches.length - 1) : 0;
  const optionId = (index: number) => `${id}-option-${index}`;

  const choose = (reply: ApiCannedReply) => {
    if (!search) return;
    const filled = fillCannedReply(reply.body, {
      contact: { name: conversation.contact.name, waId: conversation.contact.waId },
      agentName: session.data?.user.name ?? null,
      businessNumber: conversation.displayPhoneNumber,
    });
    const next = replaceSlashQuery(text, search, filled);
    setText(next.text);
    setCaret(next.caret);
    // A reply that itself ends in " /word" must not open the list again.
    setDismissedAt(slashQueryAt(next.text, next.caret)?.start ?? null);
    requestAnimationFrame(() => {
      const el = textarea.current;
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open || event.nativeEvent.isComposing) return false;
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      setDismissedAt(search.start);
      return true;
    }
    if (matches.length === 0) return false;
    const move = (by: number) => {
      event.preventDefault();
      setActive({ query: search.query, index: (activeIndex + by + matches.length) % matches.length });
      return true;
    };
    if (event.key === 'ArrowDown') return move(1);
    if (event.key === 'ArrowUp') return move(-1);
    if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
      event.preventDefault();
      choose(matches[activeIndex]!);
      return true;
    }
    return false;
  };

  const onSelect = (event: SyntheticEvent<HTMLTextAreaElement>) => {
    const position = event.currentTarget.selectionStart;
    setCaret(position);
    // Away from the closed "/" (deleted, or the caret moved off it): the next "/" there opens again.
    if (dismissedAt !== null && slashQueryAt(event.currentTarget.value, position)?.start !== dismissedAt) setDismissedAt(null);
  };

  const listId = `${id}-list`;
  const list = open && (
    <div data-testid="canned-reply-picker" className="mb-2 rounded-md border border-slate-200 bg-white text-sm shadow-sm">
      <div className="flex items-center justify-between border-b border-slate-100 px-3 py-1 text-xs text-slate-500">
        <span>Canned replies{search.query && <> matching “{search.query}”</>}</span>
        <Link href="/canned-replies" className="text-emerald-700 hover:underline">
          Manage
        </Link>
      </div>
      {matches.length === 0 ? (
        <p className="px-3 py-2 text-slate-500">
          {!data ? 'Loading…' : data.cannedReplies.length === 0 ? 'No canned replies yet.' : 'No canned reply matches.'}
        </p>
      ) : (
        <div id={listId} role="listbox" aria-label="Canned replies" className="max-h-60 overflow-y-auto py-1">
          {matches.map((reply, index) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard stays in the text box, which moves through the options (aria-activedescendant)
            <div
              key={reply.id}
              id={optionId(index)}
              role="option"
              tabIndex={-1}
              aria-selected={index === activeIndex}
              // Keeps the focus (and the caret) in the text box.
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => choose(reply)}
              className={`cursor-pointer px-3 py-1.5 ${index === activeIndex ? 'bg-emerald-50' : 'hover:bg-slate-50'}`}
            >
              <span className="font-mono font-medium text-slate-800">/{reply.shortcut}</span>
              {reply.scope === 'personal' && <span className="ml-2 text-xs text-slate-400">mine</span>}
              <span className="block truncate text-slate-600">{reply.body}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );

  return {
    inputProps: {
      onSelect,
      // Typing moves the caret too: read it with the text, not a keyup later.
      onInput: onSelect,
      'aria-autocomplete': 'list',
      'aria-expanded': open && matches.length > 0,
      'aria-controls': open && matches.length > 0 ? listId : undefined,
      'aria-activedescendant': open && matches.length > 0 ? optionId(activeIndex) : undefined,
    },
    onKeyDown,
    list,
  };
}
