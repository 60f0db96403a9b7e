import Link from 'next/link';

export default function Forbidden() {
  return (
    <main className="mx-auto mt-24 max-w-md rounded-lg border border-slate-200 bg-white p-8 text-center shadow-sm">
      <h1 className="text-lg font-semibold">Admins only</h1>
      <p className="mt-2 text-sm text-slate-600">This page is for admins. Ask an admin of this inbox if you need access.</p>
      <Link href="/" className="mt-6 inline-block rounded bg-emerald-600 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-700">
        Back to the inbox
      </Link>
    </main>
  );
}
