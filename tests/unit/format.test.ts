import { describe, expect, it } from 'vitest';
import { formatDuration } from '@/lib/inbox/format-duration';
import { formatFileSize } from '@/lib/inbox/format-size';
import { formatDateTime } from '@/lib/inbox/format-time';

// One formatter per quantity: sizes (media cards, the error log's event bodies), durations (analytics),
// full date-times (the error log, API keys).

describe('formatFileSize', () => {
  it('writes bytes, KB, MB and GB (1 KB = 1024 bytes), one decimal below 10', () => {
    expect(formatFileSize(0)).toBe('0 bytes');
    expect(formatFileSize(1)).toBe('1 byte');
    expect(formatFileSize(1023)).toBe('1023 bytes');
    expect(formatFileSize(1024)).toBe('1 KB');
    expect(formatFileSize(3482)).toBe('3.4 KB');
    expect(formatFileSize(200 * 1024)).toBe('200 KB');
    expect(formatFileSize(1024 * 1024 - 1)).toBe('1 MB');
    expect(formatFileSize(1_258_291)).toBe('1.2 MB');
    expect(formatFileSize(100 * 1024 * 1024)).toBe('100 MB');
    expect(formatFileSize(5 * 1024 ** 3)).toBe('5 GB');
  });

  it('writes nothing for a size that is not one', () => {
    expect(formatFileSize(-1)).toBe('');
    expect(formatFileSize(Number.NaN)).toBe('');
    expect(formatFileSize(Number.POSITIVE_INFINITY)).toBe('');
  });
});

describe('formatDuration', () => {
  it('uses the two largest units', () => {
    expect(formatDuration(4.24)).toBe('4.2 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(2 * 3600 + 5 * 60)).toBe('2 h 5 min');
    expect(formatDuration(86400 + 3 * 3600)).toBe('1 d 3 h');
  });

  it('is a dash when unknown', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(Number.NaN)).toBe('–');
  });
});

describe('formatDateTime', () => {
  it("writes date and time in the viewer's locale, nothing for an unusable timestamp", () => {
    const at = new Date(2026, 11, 3, 15, 30, 12);
    expect(formatDateTime(at.toISOString())).toBe(at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }));
    expect(formatDateTime('garbage')).toBe('');
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTime(undefined)).toBe('');
  });
});
