'use client';
import { createContext, type ReactNode, useContext } from 'react';

// Who is signed in, for client components that must tell "me" from the others: the collision warning
// (a message someone else sent), "assign to me". The signed-in layout knows (server side) and passes it down.

export interface CurrentUser {
  id: string;
  name: string;
}

const CurrentUserContext = createContext<CurrentUser | null>(null);

export function CurrentUserProvider({ user, children }: { user: CurrentUser; children: ReactNode }) {
  return <CurrentUserContext.Provider value={user}>{children}</CurrentUserContext.Provider>;
}

/** Null outside the signed-in layout. */
export function useCurrentUser(): CurrentUser | null {
  return useContext(CurrentUserContext);
}
