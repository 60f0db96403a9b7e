'use client';

// Last resort when even the root layout fails (e.g. the database is down while checking the session).
export default function GlobalError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', display: 'grid', placeItems: 'center', minHeight: '100vh', margin: 0 }}>
        <main style={{ maxWidth: 420, textAlign: 'center' }}>
          <h1 style={{ fontSize: 18 }}>Ticks could not load this page</h1>
          <p style={{ color: '#475569', fontSize: 14 }}>The server could not reach its database or hit an error. Try again in a moment.</p>
          <button type="button" onClick={() => reset()} style={{ marginTop: 16, padding: '8px 16px' }}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
