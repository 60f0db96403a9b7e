import { Icon } from '@/app/_components/icon';
import { formatMoney } from '@/lib/inbox/message-view';
import { LinkifiedText, type RendererProps } from './parts';

export function OrderMessage({ view }: RendererProps<'order'>) {
  return (
    <div className="text-xs">
      <p className="mb-1 text-sm font-medium">
        <Icon name="order" className="mr-1 inline-block size-4 align-[-0.2em] text-slate-500" />
        Order
      </p>
      {view.items.length > 0 && (
        <table className="w-full border-collapse">
          <thead>
            <tr className="text-left text-slate-500">
              <th className="pr-2 font-normal">Item</th>
              <th className="pr-2 text-right font-normal">Qty</th>
              <th className="text-right font-normal">Price</th>
            </tr>
          </thead>
          <tbody>
            {view.items.map((line, i) => (
              <tr key={i} className="border-t border-black/5">
                <td className="pr-2 break-all">{line.productRetailerId ?? '—'}</td>
                <td className="pr-2 text-right">{line.quantity ?? '—'}</td>
                <td className="text-right whitespace-nowrap">
                  {line.itemPrice !== null ? formatMoney(line.itemPrice, line.currency) : '—'}
                </td>
              </tr>
            ))}
          </tbody>
          {view.totals.length > 0 && (
            <tfoot>
              {view.totals.map((total) => (
                <tr key={total.currency} className="border-t border-black/10 font-medium">
                  <td className="pr-2" colSpan={2}>
                    Total
                  </td>
                  <td className="text-right whitespace-nowrap">{formatMoney(total.amount, total.currency)}</td>
                </tr>
              ))}
            </tfoot>
          )}
        </table>
      )}
      {view.text && (
        <p className="mt-1 text-sm break-words whitespace-pre-wrap">
          <LinkifiedText text={view.text} />
        </p>
      )}
      {view.catalogId && <p className="mt-1 text-[11px] text-slate-400">Catalog {view.catalogId}</p>}
    </div>
  );
}
