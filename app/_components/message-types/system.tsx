import type { RendererProps } from './parts';

/** A notice from WhatsApp itself (the bubble centres it in the thread). */
export function SystemMessage({ view }: RendererProps<'system'>) {
  return <>{view.body}</>;
}
