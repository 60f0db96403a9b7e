import { requireUser } from '@/lib/auth/session';
import { LiveUpdates } from '@/app/_components/live-updates';
import { ViewerProvider } from '@/app/_components/viewer';
import { PresenceBeacon } from '@/app/_components/presence-beacon';
import { InboxNotifications } from '@/app/_components/inbox-notifications';
import { KeyboardShortcuts } from '@/app/_components/keyboard-shortcuts';
import { AppHeader } from './app-header';

export const dynamic = 'force-dynamic';

/** Every page behind sign-in: checks the session row, then the header and the page. */
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  return (
    <div className="flex h-dvh flex-col">
      <AppHeader user={{ name: user.name, email: user.email, role: user.role }} />
      <div className="min-h-0 flex-1">
        <ViewerProvider role={user.role === 'admin' ? 'admin' : 'agent'} id={user.userId} name={user.name}>
          <LiveUpdates>
            <PresenceBeacon />
            <InboxNotifications />
            <KeyboardShortcuts />
            {children}
          </LiveUpdates>
        </ViewerProvider>
      </div>
    </div>
  );
}
