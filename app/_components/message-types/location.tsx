import { Icon } from '@/app/_components/icon';
import { EXTERNAL_LINK, type RendererProps } from './parts';

export function LocationMessage({ view }: RendererProps<'location'>) {
  return (
    <div className="flex gap-2">
      <Icon name="location" className="size-6 shrink-0 text-rose-600" />
      <div className="min-w-0">
        <p className="font-medium break-words">{view.name ?? 'Location'}</p>
        {view.address && <p className="text-xs break-words text-slate-600">{view.address}</p>}
        {view.latitude !== null && view.longitude !== null && (
          <p className="font-mono text-[11px] text-slate-500">
            {view.latitude}, {view.longitude}
          </p>
        )}
        {view.mapUrl && (
          <a href={view.mapUrl} {...EXTERNAL_LINK} className="text-xs text-sky-700 underline hover:text-sky-900">
            Open map
          </a>
        )}
      </div>
    </div>
  );
}
