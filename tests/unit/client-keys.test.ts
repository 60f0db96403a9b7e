import { describe, expect, it } from 'vitest';
import {
  CONVERSATIONS,
  FAILED_DELIVERIES,
  analyticsKey,
  cacheKeysOf,
  conversationKey,
  conversationMessagesKey,
  conversationsKey,
  failedDeliveriesKey,
  messageKey,
  processingFailureKey,
} from '@/app/_components/api/keys';

// The browser's URLs, built in one place, and the cache keys a mutation invalidates.

describe('key builders', () => {
  it('write only the parameters given, in a fixed order, so equal requests share a cache entry', () => {
    expect(conversationsKey({ limit: 50 })).toBe('/api/conversations?limit=50');
    expect(conversationsKey({ limit: 50, q: '', businessPhoneNumberId: '' })).toBe('/api/conversations?limit=50');
    expect(conversationsKey({ limit: 50, q: 'ana maría', businessPhoneNumberId: '1065', cursor: 'abc' })).toBe(
      '/api/conversations?limit=50&q=ana+mar%C3%ADa&businessPhoneNumberId=1065&cursor=abc',
    );
    expect(conversationMessagesKey('12', { limit: 50 })).toBe('/api/conversations/12/messages?limit=50');
    expect(conversationMessagesKey('12', { limit: 50, before: 'c' })).toBe('/api/conversations/12/messages?limit=50&before=c');
    expect(failedDeliveriesKey({ limit: 25, code: '131047', q: 'x', cursor: null })).toBe(
      '/api/errors/deliveries?limit=25&code=131047&q=x',
    );
    expect(analyticsKey({ range: '24h', businessPhoneNumberId: 'all', tz: 'Europe/Berlin' })).toBe(
      '/api/admin/analytics?range=24h&businessPhoneNumberId=all&tz=Europe%2FBerlin',
    );
  });

  it('encode path segments: ids and wamids are opaque', () => {
    expect(conversationKey('a/b?c')).toBe('/api/conversations/a%2Fb%3Fc');
    expect(messageKey('wamid.HBg=/+')).toBe('/api/messages/wamid.HBg%3D%2F%2B');
    expect(processingFailureKey('7')).toBe('/api/errors/processing/7');
  });
});

describe('cacheKeysOf', () => {
  const cache = [
    '$inf$/api/conversations?limit=50',
    '$inf$/api/conversations?limit=50&q=ana',
    '/api/conversations?limit=50',
    '/api/conversations/12',
    '$inf$/api/conversations/12/messages?limit=50',
    '/api/conversationsX',
    '/api/business-numbers',
    '$inf$/api/errors/deliveries?limit=25',
  ];

  it("takes every page and filter of one endpoint, paged lists included, and nothing of another's", () => {
    expect(cacheKeysOf(CONVERSATIONS, cache)).toEqual([
      '$inf$/api/conversations?limit=50',
      '$inf$/api/conversations?limit=50&q=ana',
      '/api/conversations?limit=50',
    ]);
    expect(cacheKeysOf(FAILED_DELIVERIES, cache)).toEqual(['$inf$/api/errors/deliveries?limit=25']);
  });
});
