import { describe, expect, it } from 'vitest';
import type { ChangeNotice, Topic } from '@/lib/realtime/changes';
import { listRefetchFor, threadRefetchFor } from '@/lib/realtime/refetch';

// What an open thread refetches when a change notice arrives: its messages only when one may have
// changed, so a read mark or a heartbeat never puts a refetch in front of the next new message.

const THREAD = 7;
const notice = (topics: Topic[], conversations = [THREAD], partial = false): ChangeNotice => ({
  conversations,
  messages: [],
  topics,
  partial,
});

describe('threadRefetchFor', () => {
  it('refetches the messages for new messages, ticks, files and our own sends in this conversation', () => {
    for (const topic of ['messages', 'deliveries', 'media', 'downloads', 'outbox'] as const) {
      expect(threadRefetchFor(notice([topic]), THREAD), topic).toEqual({ messages: true, around: true });
    }
  });

  it('leaves the messages alone for a read mark, a status, a note or a label, and refetches the header and notes', () => {
    // The read mark's notice names the conversation with no topic (POST /api/conversations/{id}/read).
    for (const topics of [[], ['activity'], ['labels', 'activity'], ['mentions']] as Topic[][]) {
      expect(threadRefetchFor(notice(topics), THREAD), topics.join() || 'read mark').toEqual({ messages: false, around: true });
    }
  });

  it('refetches nothing for a heartbeat: presence has its own hook', () => {
    expect(threadRefetchFor(notice(['presence']), THREAD)).toEqual({ messages: false, around: false });
    expect(threadRefetchFor(notice(['presence', 'mentions']), THREAD)).toEqual({ messages: false, around: true });
  });

  it('refetches nothing for other conversations, whatever the topic', () => {
    expect(threadRefetchFor(notice(['messages'], [THREAD + 1]), THREAD)).toEqual({ messages: false, around: false });
    expect(threadRefetchFor(notice(['messages'], []), THREAD)).toEqual({ messages: false, around: false });
  });

  it('refetches everything after a reconnect or a notice cut short', () => {
    expect(threadRefetchFor(null, THREAD)).toEqual({ messages: true, around: true });
    expect(threadRefetchFor(notice([], [], true), THREAD)).toEqual({ messages: true, around: true });
  });
});

// The conversation list and its tab counts: every page has them, so every refetch they skip is one request
// per open page less for the server.
describe('listRefetchFor', () => {
  it('refetches for anything that may change a conversation row or a tab count', () => {
    for (const topics of [
      ['messages'],
      ['deliveries'],
      ['activity'],
      ['labels'],
      ['agents'],
      ['outbox'],
      ['presence', 'mentions'],
    ] as Topic[][]) {
      expect(listRefetchFor(notice(topics)), topics.join()).toBe(true);
    }
    // A read mark: the unread counts.
    expect(listRefetchFor(notice([]))).toBe(true);
  });

  it('skips heartbeats, canned replies, the error log and the settings', () => {
    for (const topics of [
      ['presence'],
      ['canned-replies'],
      ['rejections'],
      ['processing'],
      ['settings'],
      ['presence', 'settings'],
    ] as Topic[][]) {
      expect(listRefetchFor(notice(topics)), topics.join()).toBe(false);
    }
  });

  it('refetches after a reconnect or a notice cut short', () => {
    expect(listRefetchFor(null)).toBe(true);
    expect(listRefetchFor(notice(['presence'], [], true))).toBe(true);
  });
});
