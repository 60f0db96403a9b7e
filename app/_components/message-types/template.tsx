import { ExternalLink, Phone, Reply } from 'lucide-react';
import { Icon } from '@/app/_components/icon';
import { MediaAttachment } from '@/app/_components/media-attachment';
import { LinkifiedText, type RendererProps } from './parts';

const BUTTON_ICONS = { url: ExternalLink, phone_number: Phone } as const;

/**
 * A template message as the customer sees it: the header (its text, file or place), the body filled
 * in, the footer, and the buttons as labels (pressing them is the customer's, not ours).
 */
export function TemplateMessage({ view, from }: RendererProps<'template'>) {
  const { header } = view;
  return (
    <div>
      <p className="flex items-center gap-1 text-[11px] text-slate-500">
        <Icon name="template" className="size-3 shrink-0" />
        {view.name ? `Template ${view.name}` : 'Template'}
      </p>
      {header?.kind === 'text' && <p className="font-semibold break-words">{header.text}</p>}
      {header?.kind === 'media' && (
        <div className="mb-1">
          <MediaAttachment view={header.media} from={from} />
        </div>
      )}
      {header?.kind === 'location' && (
        <p className="flex items-center gap-1 text-xs text-slate-600">
          <Icon name="location" className="size-4 shrink-0 text-rose-600" />
          Location
        </p>
      )}
      {view.body && (
        <p className="break-words whitespace-pre-wrap">
          <LinkifiedText text={view.body} />
        </p>
      )}
      {view.footer && <p className="mt-1 text-xs break-words text-slate-500">{view.footer}</p>}
      {view.buttons.length > 0 && (
        <ul aria-label="Template buttons" className="mt-1.5 flex flex-wrap gap-1">
          {view.buttons.map((button, i) => {
            const ButtonIcon = Object.hasOwn(BUTTON_ICONS, button.type) ? BUTTON_ICONS[button.type as keyof typeof BUTTON_ICONS] : Reply;
            return (
              <li
                key={i}
                title={button.url ?? undefined}
                className="flex items-center gap-1 rounded-full border border-slate-200 bg-white/70 px-2 py-0.5 text-xs text-sky-700"
              >
                <ButtonIcon className="size-3 shrink-0" aria-hidden="true" />
                {button.text}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
