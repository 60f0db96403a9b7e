import { Icon } from '@/app/_components/icon';
import type { RendererProps } from './parts';

/** Unsupported by the Cloud API, or a type this build has no module for: say so and name it, never blank. */
export function UnsupportedMessage({ view }: RendererProps<'unsupported'>) {
  return (
    <div className="rounded-md border border-dashed border-amber-300 bg-amber-50 px-2 py-1">
      <p className="font-medium text-amber-800">
        <Icon name="unsupported" className="mr-1 inline-block size-4 align-[-0.2em]" />
        Unsupported message
      </p>
      <p className="text-xs text-amber-700">
        Type: <span className="font-mono">{view.type}</span>
      </p>
      {view.errorTitle && <p className="text-xs text-slate-600">{view.errorTitle}</p>}
      {view.text && <p className="mt-1 text-sm break-words whitespace-pre-wrap">{view.text}</p>}
    </div>
  );
}
