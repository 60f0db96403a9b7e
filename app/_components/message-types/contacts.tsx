import { Icon } from '@/app/_components/icon';
import type { RendererProps } from './parts';

export function ContactsMessage({ view }: RendererProps<'contacts'>) {
  return (
    <ul className="space-y-1">
      {view.contacts.map((card, i) => (
        <li key={i} className="rounded-md bg-black/5 p-2 text-xs">
          <p className="text-sm font-medium break-words">
            <Icon name="contact" className="mr-1 inline-block size-4 align-[-0.2em] text-slate-500" />
            {card.name}
          </p>
          {card.org && <p className="text-slate-600">{card.org}</p>}
          {card.phones.map((p, j) => (
            <p key={`p${j}`} className="text-slate-700">
              {p.phone}
              {p.type && <span className="text-slate-500"> · {p.type.toLowerCase()}</span>}
            </p>
          ))}
          {card.emails.map((e, j) => (
            <p key={`e${j}`} className="break-all text-slate-700">
              {e.email}
            </p>
          ))}
        </li>
      ))}
    </ul>
  );
}
