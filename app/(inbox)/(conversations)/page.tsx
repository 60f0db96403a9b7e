export default function Home() {
  return (
    <main className="mx-auto max-w-2xl p-8">
      <h1 className="text-2xl font-semibold">Ticks</h1>
      <p className="mt-2 text-slate-600">
        The webhook is listening at <code>/api/webhook</code>. The inbox UI is on its way; meanwhile the read API
        (<code>/api/conversations</code>, <code>/api/messages/&#123;wamid&#125;</code>) serves what arrives.
      </p>
    </main>
  );
}
