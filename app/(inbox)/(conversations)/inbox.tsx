'use client';
import { useParams } from 'next/navigation';
import { ConversationList } from './conversation-list';
import { ConversationThread } from './conversation-thread';

// The inbox: the conversation list beside the open thread. On a narrow screen they are two views:
// the list at /, the thread at /conversations/{id} with a way back.

export function Inbox() {
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
        {selectedId ? <ConversationThread key={selectedId} conversationId={selectedId} /> : <NoConversationOpen />}
      </section>
    </div>
  );
}

function NoConversationOpen() {
  return (
    <div className="m-auto max-w-sm text-center text-sm text-slate-600">
      <p className="text-base font-medium text-slate-800">Pick a conversation</p>
      <p className="mt-1">Its messages and delivery ticks show here, and update as they happen.</p>
      <p className="mt-3 text-xs text-slate-500">Tip: ↑ and ↓ move through the list, Enter opens.</p>
    </div>
  );
}
