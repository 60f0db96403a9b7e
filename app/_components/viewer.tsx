'use client';

import { createContext, useContext, type ReactNode } from 'react';

// Who is looking, for client components that show admin-only controls. The signed-in layout knows
// the user's role (server side) and passes it down. Only a hint for the UI: the API checks again.

export type ViewerRole = 'agent' | 'admin';

export interface Viewer {
  role: ViewerRole;
}

// Outside a provider: the least privileged viewer.
const ViewerContext = createContext<Viewer>({ role: 'agent' });

export function ViewerProvider({ role, children }: { role: ViewerRole; children: ReactNode }) {
  return <ViewerContext.Provider value={{ role }}>{children}</ViewerContext.Provider>;
}

export function useViewer(): Viewer {
  return useContext(ViewerContext);
}
