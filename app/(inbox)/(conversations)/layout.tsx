import { Inbox } from './inbox';

export const metadata = { title: 'Inbox · Ticks' };

// The layout holds the conversation list, kept across navigations so it keeps its place; the page
// beside it is the open thread, or a hint to pick one.
export default function InboxLayout({ children }: { children: React.ReactNode }) {
  return <Inbox>{children}</Inbox>;
}
