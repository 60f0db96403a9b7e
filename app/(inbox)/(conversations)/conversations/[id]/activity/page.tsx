import { requireAdmin } from '@/lib/auth/session';
import { ConversationActivityLog } from './conversation-activity-log';

export const metadata = { title: 'Activity · Ticks' };

// A conversation's whole trail, for admins: every entry, paged, beside the list the layout keeps.
export default async function ConversationActivityPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdmin();
  const { id } = await params;
  return <ConversationActivityLog key={id} conversationId={id} />;
}
