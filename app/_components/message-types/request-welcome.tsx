import type { RendererProps } from './parts';

/** The customer opened the chat (the bubble centres it in the thread, as a notice). */
export function RequestWelcomeMessage({ view }: RendererProps<'request_welcome'>) {
  return <>{view.label}</>;
}
