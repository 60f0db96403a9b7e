import { Muted, type RendererProps } from './parts';

/** Known only from its statuses: sent by another system, no content here. */
export function PlaceholderMessage({ view, outbound }: RendererProps<'placeholder'>) {
  return <Muted>{outbound ? `${view.label} — content not available` : `${view.label}`}</Muted>;
}
