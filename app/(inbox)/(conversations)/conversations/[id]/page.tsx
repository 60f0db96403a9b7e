import { ConversationThread } from './conversation-thread';

// One conversation open, beside the list the layout keeps. A new id is a new thread (fresh scroll
// position, paging and read marks), hence the key.
export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ConversationThread key={id} conversationId={id} />;
}
