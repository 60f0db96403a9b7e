import type { ComponentType } from 'react';
import type { MessageView } from '@/lib/inbox/message-view';
import { ContactsMessage } from './contacts';
import { DeletedMessage } from './deleted';
import { LocationMessage } from './location';
import { MediaMessage } from './media';
import { OrderMessage } from './order';
import type { MessageViewKind, RendererProps } from './parts';
import { PlaceholderMessage } from './placeholder';
import { ReactionMessage } from './reaction';
import { ReplyMessage } from './reply';
import { RequestWelcomeMessage } from './request-welcome';
import { SystemMessage } from './system';
import { TemplateMessage } from './template';
import { TextMessage } from './text';
import { UnsupportedMessage } from './unsupported';

// One renderer per kind of view: a message type's module (lib/whatsapp/message-types) says what its
// content is and, in its `view`, what the thread shows; its renderer here draws it. The map is total
// over the view kinds, so a type whose view has a new kind does not compile without its renderer.

const RENDERERS: { [Kind in MessageViewKind]: ComponentType<RendererProps<Kind>> } = {
  text: TextMessage,
  media: MediaMessage,
  location: LocationMessage,
  contacts: ContactsMessage,
  reply: ReplyMessage,
  order: OrderMessage,
  system: SystemMessage,
  reaction: ReactionMessage,
  unsupported: UnsupportedMessage,
  request_welcome: RequestWelcomeMessage,
  template: TemplateMessage,
  placeholder: PlaceholderMessage,
  deleted: DeletedMessage,
};

/** The view kinds there is a renderer for (the registry test checks every type's view against it). */
export const RENDERED_KINDS = Object.keys(RENDERERS) as MessageViewKind[];

/** The body of a message bubble, drawn by its kind's renderer. */
export function MessageBody({ view, outbound, from }: { view: MessageView; outbound: boolean; from: string }) {
  const Render = RENDERERS[view.kind] as ComponentType<RendererProps<MessageViewKind>>;
  return <Render view={view} outbound={outbound} from={from} />;
}

export { LinkifiedText } from './parts';
