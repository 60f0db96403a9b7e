import { LinkifiedText, Muted, type RendererProps } from './parts';

export function TextMessage({ view }: RendererProps<'text'>) {
  return view.text ? (
    <p className="break-words whitespace-pre-wrap">
      <LinkifiedText text={view.text} />
    </p>
  ) : (
    <Muted>Empty message</Muted>
  );
}
