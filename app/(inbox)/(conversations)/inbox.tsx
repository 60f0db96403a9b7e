'use client';
import { useParams } from 'next/navigation';
import type { ReactNode } from 'react';
import { ConversationList } from './conversation-list';

// The inbox: the conversation list beside the open thread (the page: `children`). On a narrow screen
// they are two views: the list at /, the thread at /conversations/{id} with a way back.

export function Inbox({ children }: { children: ReactNode }) {
  const params = useParams<{ id?: string }>();
  const selectedId = typeof params.id === 'string' ? params.id : null;

  return (
    <div className="flex h-full min-h-0">
      <aside
        aria-label="Conversations"
        className={`min-h-0 w-full flex-col border-r border-slate-200 bg-white md:flex md:w-96 md:shrink-0 ${selectedId ? 'hidden' : 'flex'}`}
      >
        <ConversationList selectedId={selectedId} />
      </aside>
      <section
        aria-label="Conversation"
        className={`min-h-0 min-w-0 flex-1 flex-col bg-[#efeae2] md:flex ${selectedId ? 'flex' : 'hidden'}`}
      >
        {children}
      </section>
    </div>
  );
}
