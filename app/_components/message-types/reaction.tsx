import { Muted, type RendererProps } from './parts';

/** Reactions are folded into their targets by buildThread; shown plainly if one gets here. */
export function ReactionMessage({ view }: RendererProps<'reaction'>) {
  return <Muted>{view.emoji ? `Reacted ${view.emoji}` : 'Removed a reaction'}</Muted>;
}
