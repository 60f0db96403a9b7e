import { describe, expect, it } from 'vitest';
import { PEER_ADDRESS_HEADER, addressBucket, arrivedOverHttps, clientAddress, normalizeAddress } from '@/lib/auth/client-address';
import { isServedOverHttp, withSecure } from '@/lib/auth/http-endpoints';

const headers = (h: Record<string, string>) => new Headers(h);

describe('clientAddress', () => {
  it('with no proxy (0 hops) is the socket address, whatever X-Forwarded-For says', () => {
    expect(clientAddress(headers({ [PEER_ADDRESS_HEADER]: '203.0.113.7', 'x-forwarded-for': '198.51.100.1' }), 0)).toBe('203.0.113.7');
    expect(clientAddress(headers({ [PEER_ADDRESS_HEADER]: '::ffff:203.0.113.7' }), 0)).toBe('203.0.113.7');
    // No stamp (not served by our server): unknown, never the header.
    expect(clientAddress(headers({ 'x-forwarded-for': '198.51.100.1' }), 0)).toBeNull();
    expect(clientAddress(headers({ [PEER_ADDRESS_HEADER]: '' }), 0)).toBeNull();
  });

  it('behind N proxies is the Nth entry from the right: what our outermost proxy saw', () => {
    // One proxy appended the address it saw; whatever the client wrote before that is ignored.
    expect(clientAddress(headers({ 'x-forwarded-for': '1.1.1.1, 203.0.113.7' }), 1)).toBe('203.0.113.7');
    expect(clientAddress(headers({ 'x-forwarded-for': '1.1.1.1, 2.2.2.2 ,203.0.113.7' }), 1)).toBe('203.0.113.7');
    // Two proxies (a CDN, then nginx): the CDN's entry is second from the right.
    expect(clientAddress(headers({ 'x-forwarded-for': '9.9.9.9, 203.0.113.7, 198.51.100.2' }), 2)).toBe('203.0.113.7');
    // Different clients behind one proxy stay apart.
    expect(clientAddress(headers({ 'x-forwarded-for': '203.0.113.7, 198.51.100.2' }), 2)).toBe('203.0.113.7');
    expect(clientAddress(headers({ 'x-forwarded-for': '203.0.113.8, 198.51.100.2' }), 2)).toBe('203.0.113.8');
    // A shorter chain skipped a proxy: the leftmost is all there is (Next fills in the socket's when there is none).
    expect(clientAddress(headers({ 'x-forwarded-for': '203.0.113.7' }), 2)).toBe('203.0.113.7');
    expect(clientAddress(headers({ [PEER_ADDRESS_HEADER]: '10.0.0.1' }), 1)).toBeNull();
    expect(clientAddress(headers({ 'x-forwarded-for': ' , ' }), 1)).toBeNull();
  });

  it('is an IP address or nothing', () => {
    expect(clientAddress(headers({ 'x-forwarded-for': 'unknown' }), 1)).toBeNull();
    expect(clientAddress(headers({ 'x-forwarded-for': '<script>' }), 1)).toBeNull();
  });
});

describe('normalizeAddress', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['203.0.113.7:5123', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:203.0.113.7', '203.0.113.7'],
    ['2001:DB8::1', '2001:db8::1'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    [' 203.0.113.7 ', '203.0.113.7'],
  ])('%s → %s', (raw, normal) => expect(normalizeAddress(raw)).toBe(normal));

  it.each(['', 'localhost', '203.0.113', '999.1.1.1', '2001:db8::1:443x', '1.2.3.4:port'])('%j is not an address', (raw) => {
    expect(normalizeAddress(raw)).toBeNull();
  });
});

describe('addressBucket', () => {
  it('counts IPv4 addresses one by one and IPv6 ones by their /64', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe('2001:0db8:0001:0002::/64');
    expect(addressBucket('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:0db8:0001:0002::/64');
    expect(addressBucket('2001:db8::1')).toBe('2001:0db8:0000:0000::/64');
    expect(addressBucket('::1')).toBe('0000:0000:0000:0000::/64');
    expect(addressBucket(null)).toBe('unknown');
  });
});

describe('arrivedOverHttps', () => {
  it("without a proxy is the URL's protocol; X-Forwarded-Proto is anyone's to send", () => {
    expect(arrivedOverHttps('https://inbox.example/api/auth/sign-in/email', headers({}), 0)).toBe(true);
    expect(arrivedOverHttps('http://inbox.example/api/auth/sign-in/email', headers({ 'x-forwarded-proto': 'https' }), 0)).toBe(false);
    expect(arrivedOverHttps(undefined, headers({ 'x-forwarded-proto': 'https' }), 0)).toBe(false);
  });

  it('behind our proxies is what X-Forwarded-Proto says', () => {
    expect(arrivedOverHttps('http://10.0.0.5:3000/api/auth/sign-in/email', headers({ 'x-forwarded-proto': 'https' }), 1)).toBe(true);
    expect(arrivedOverHttps('http://10.0.0.5:3000/', headers({ 'x-forwarded-proto': 'HTTPS, http' }), 2)).toBe(true);
    expect(arrivedOverHttps('http://10.0.0.5:3000/', headers({ 'x-forwarded-proto': 'http' }), 1)).toBe(false);
    expect(arrivedOverHttps('http://10.0.0.5:3000/', headers({}), 1)).toBe(false);
  });
});

describe('withSecure', () => {
  it('adds Secure once', () => {
    expect(withSecure('ticks.session_token=abc; Path=/; HttpOnly; SameSite=Lax')).toBe(
      'ticks.session_token=abc; Path=/; HttpOnly; SameSite=Lax; Secure',
    );
    expect(withSecure('ticks.session_token=abc; Path=/; Secure; HttpOnly')).toBe('ticks.session_token=abc; Path=/; Secure; HttpOnly');
    expect(withSecure('ticks.session_token=abc; Path=/; secure')).toBe('ticks.session_token=abc; Path=/; secure');
    // A value that merely contains the word is not the attribute.
    expect(withSecure('note=secure; Path=/')).toBe('note=secure; Path=/; Secure');
  });
});

describe('isServedOverHttp', () => {
  it('serves sign-in, sign-out and the session, nothing else', () => {
    expect(isServedOverHttp('POST', '/api/auth/sign-in/email')).toBe(true);
    expect(isServedOverHttp('POST', '/api/auth/sign-out')).toBe(true);
    expect(isServedOverHttp('GET', '/api/auth/get-session')).toBe(true);
    for (const [method, path] of [
      ['GET', '/api/auth/sign-in/email'],
      ['POST', '/api/auth/sign-in/email/'],
      ['POST', '/api/auth/sign-up/email'],
      ['POST', '/api/auth/admin/set-role'],
      ['POST', '/api/auth/change-password'],
      ['GET', '/api/auth/ok'],
      ['POST', '/api/auth//sign-in/email'],
      ['POST', '/sign-in/email'],
    ] as const) {
      expect(isServedOverHttp(method, path)).toBe(false);
    }
  });
});
