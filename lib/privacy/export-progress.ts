import type { ExportHeaderLine } from '@/lib/contracts/privacy';

// Following an NDJSON export as it arrives (GET /api/admin/export), for the progress bar: the header's
// total, messages received so far, and whether the end line came (the file is whole). Only the header and
// the last line are parsed; the rest is counted by its newlines. PURE, client-safe.

export interface ExportProgress {
  total: number | null;
  received: number;
  complete: boolean;
}

export function exportProgressReader() {
  let partial = '';
  let header: ExportHeaderLine | null = null;
  let received = 0;
  let complete = false;
  return {
    /** Takes the next decoded text; returns the progress so far. */
    push(text: string): ExportProgress {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') continue;
        if (header === null) header = JSON.parse(line) as ExportHeaderLine;
        else if (line.startsWith('{"kind":"end"')) complete = true;
        else received++;
      }
      return { total: header?.total ?? null, received, complete };
    },
  };
}
