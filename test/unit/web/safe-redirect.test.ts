import { describe, expect, it } from 'vitest';
import { safeRedirectTarget } from '../../../src/web/auth/safe-redirect.js';
import { OFF_SITE_REDIRECTS } from '../../fixtures/off-site-redirects.js';

const offSite = [...OFF_SITE_REDIRECTS, '', '/' + 'a'.repeat(2048)];

describe('safeRedirectTarget', () => {
  it.each(offSite)('%j falls back to /', (next) => {
    expect(safeRedirectTarget(next)).toBe('/');
    expect(safeRedirectTarget(next, '')).toBe('');
  });

  it.each([
    ['/browse/home/Documents/', '/browse/home/Documents/'],
    ['/browse/home/a b/', '/browse/home/a%20b/'],
    ['/browse/home/./Documents/', '/browse/home/Documents/'],
    ['/browse/home/x/../Documents/', '/browse/home/Documents/'],
    ['/search?q=%2F%2Fevil.example#top', '/search?q=%2F%2Fevil.example#top'],
    ['/browse/home/%C3%A9t%C3%A9/', '/browse/home/%C3%A9t%C3%A9/'],
    ['/browse/home/100%25/', '/browse/home/100%25/'],
    ['/browse/home/%zz/', '/browse/home/%zz/'],
  ])('%j stays on the site as %j', (next, expected) => {
    expect(safeRedirectTarget(next)).toBe(expected);
  });

  it('every result is a path that normalises to itself and stays on this origin', () => {
    for (const next of [...offSite, '/a/./b', '/a/../b', '/%2e%2e/b']) {
      const target = safeRedirectTarget(next);
      const url = new URL(target, 'http://portcullis.invalid');
      expect(url.origin).toBe('http://portcullis.invalid');
      expect(target).toMatch(/^\/(?![/\\])/);
    }
  });

  it('anything but a string falls back', () => {
    for (const next of [undefined, null, 42, ['/x'], { toString: () => '/x' }]) expect(safeRedirectTarget(next)).toBe('/');
  });
});
