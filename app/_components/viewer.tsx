'use client';

import { createContext, useContext, type ReactNode } from 'react';

// Who is looking, for client components that show admin-only controls. The signed-in layout knows
// the user's role (server side) and passes it down. Only a hint for the UI: the API checks again.

export type ViewerRole = 'agent' | 'admin';

export interface Viewer {
  role: ViewerRole;
  /** The signed-in user ("Assign to me"); empty outside a provider. */
  id: string;
  name: string;
}

// Outside a provider: the least privileged viewer.
const ViewerContext = createContext<Viewer>({ role: 'agent', id: '', name: '' });

export function ViewerProvider({
  role,
  id = '',
  name = '',
  children,
}: {
  role: ViewerRole;
  id?: string;
  name?: string;
  children: ReactNode;
}) {
  return <ViewerContext.Provider value={{ role, id, name }}>{children}</ViewerContext.Provider>;
}

export function useViewer(): Viewer {
  return useContext(ViewerContext);
}
