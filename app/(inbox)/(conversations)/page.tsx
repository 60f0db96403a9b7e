// The inbox with no conversation open: the layout shows the list, this the empty thread pane.
export default function InboxPage() {
  return (
    <div className="m-auto max-w-sm text-center text-sm text-slate-600">
      <p className="text-base font-medium text-slate-800">Pick a conversation</p>
      <p className="mt-1">Its messages and delivery ticks show here, and update as they happen.</p>
      <p className="mt-3 text-xs text-slate-500">Tip: ↑ and ↓ move through the list, Enter opens.</p>
    </div>
  );
}
