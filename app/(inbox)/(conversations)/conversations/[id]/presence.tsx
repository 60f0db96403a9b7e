'use client';
import { useEffect } from 'react';
import { useConversationPresence } from '@/app/_components/api/use-presence';
import { useShowingConversation } from '@/app/_components/presence-beacon';
import { type ApiViewer, TYPING_WITHIN_SECONDS } from '@/lib/contracts/presence';

// Who else has this conversation open (in the thread's header) and who is typing a reply (above the
// composer), live: the tab says it shows the conversation, and reads the others' presence.

/** This tab shows the conversation; everyone else who does, refreshed as they come, type and go. */
export function useThreadPresence(conversationId: string): ApiViewer[] {
  useShowingConversation(conversationId);
  const presence = useConversationPresence(conversationId);
  const viewers = presence.data?.viewers ?? [];
  // A typist whose browser vanished says nothing more: look again once their typing has expired.
  const someoneTyping = viewers.some((v) => v.typing);
  const { mutate } = presence;
  useEffect(() => {
    if (!someoneTyping) return;
    const timer = setTimeout(() => void mutate(), (TYPING_WITHIN_SECONDS + 1) * 1000);
    return () => clearTimeout(timer);
  }, [someoneTyping, mutate]);
  return viewers;
}

export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words.at(-1)!] : words;
  return letters.map((w) => [...w][0]!.toUpperCase()).join('') || '?';
}

export function Viewers({ viewers }: { viewers: ApiViewer[] }) {
  if (viewers.length === 0) return null;
  const names = viewers.map((v) => v.user.name).join(', ');
  return (
    <div data-testid="viewers" title={`Also viewing: ${names}`} className="flex items-center gap-1.5 text-xs text-slate-600">
      <ul aria-label="Also viewing" className="flex items-center -space-x-1.5">
        {viewers.map((v) => (
          <li
            key={v.user.id}
            data-testid="viewer"
            data-typing={v.typing}
            className={`flex size-7 items-center justify-center rounded-full border-2 bg-sky-100 text-xs font-medium text-sky-800 ${
              v.typing ? 'border-emerald-500' : 'border-white'
            }`}
          >
            <span aria-hidden="true">{initialsOf(v.user.name)}</span>
            <span className="sr-only">{v.user.name}</span>
          </li>
        ))}
      </ul>
      <span className="hidden max-w-48 truncate lg:inline">{names} viewing</span>
    </div>
  );
}

export function TypingLine({ viewers }: { viewers: ApiViewer[] }) {
  const typing = viewers.filter((v) => v.typing).map((v) => v.user.name);
  if (typing.length === 0) return null;
  const who = typing.length === 1 ? `${typing[0]} is` : `${typing.slice(0, -1).join(', ')} and ${typing.at(-1)} are`;
  return (
    <p role="status" data-testid="typing-line" className="shrink-0 bg-white/80 px-4 py-1 text-xs text-slate-600 italic">
      {who} typing a reply…
    </p>
  );
}
