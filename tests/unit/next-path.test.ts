import { describe, expect, it } from 'vitest';
import { loginPathFor, safeNextPath } from '@/lib/auth/next-path';

// After sign-in the browser goes back where it was, and never to another site.
describe('safeNextPath', () => {
  it('keeps paths on this site, with their query', () => {
    expect(safeNextPath('/conversations/12')).toBe('/conversations/12');
    expect(safeNextPath('/admin/users?x=1')).toBe('/admin/users?x=1');
    expect(safeNextPath(['/conversations/3', '/evil'])).toBe('/conversations/3');
  });

  it.each([
    ['https://evil.example/'],
    ['//evil.example/path'],
    ['/\\evil.example'],
    ['\\\\evil.example'],
    ['javascript:alert(1)'],
    ['/\t/evil.example'],
    ['/\n/evil.example'],
    ['evil'],
    [''],
  ])('sends %j to the inbox instead', (value) => {
    expect(safeNextPath(value)).toBe('/');
  });

  it('builds the way to the login page and back, round-trip safe', () => {
    expect(loginPathFor('/')).toBe('/login');
    expect(loginPathFor('/conversations/12?x=a b')).toBe('/login?next=%2Fconversations%2F12%3Fx%3Da%20b');
    const back = new URL(loginPathFor('/admin/users?x=1'), 'http://t').searchParams.get('next');
    expect(safeNextPath(back)).toBe('/admin/users?x=1');
  });

  it('never loops back to the login page', () => {
    expect(safeNextPath('/login')).toBe('/');
    expect(safeNextPath('/login?next=/x')).toBe('/');
    expect(safeNextPath(undefined)).toBe('/');
    expect(safeNextPath(null)).toBe('/');
  });
});
