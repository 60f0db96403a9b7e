import { MediaAttachment } from '@/app/_components/media-attachment';
import { LinkifiedText, type RendererProps } from './parts';

/** Image, video, audio or voice note, document, sticker: the file, then its caption. */
export function MediaMessage({ view, from }: RendererProps<'media'>) {
  return (
    <div>
      <MediaAttachment view={view} from={from} />
      {view.caption && (
        <p className="mt-1 break-words whitespace-pre-wrap">
          <LinkifiedText text={view.caption} />
        </p>
      )}
    </div>
  );
}
