import { Inbox } from './inbox';

export const metadata = { title: 'Inbox · Ticks' };

export default function InboxLayout({ children }: { children: React.ReactNode }) {
  return (
    <>
      <Inbox />
      {children}
    </>
  );
}
