import { Icon } from '@/app/_components/icon';
import { Muted, type RendererProps } from './parts';

export function DeletedMessage({ view }: RendererProps<'deleted'>) {
  return (
    <Muted>
      <Icon name="deleted" className="mr-1 inline-block size-3.5 align-[-0.15em]" />
      {view.label}
    </Muted>
  );
}
