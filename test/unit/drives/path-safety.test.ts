import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/errors/index.js';
import { parseDrivePath } from '../../../src/drives/index.js';

function refused(raw: string): BadRequestError {
  try {
    parseDrivePath(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestError);
    const e = err as BadRequestError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('bad_path');
    // The message is for users: it must not echo the hostile input back.
    if (raw.length > 3) expect(e.message).not.toContain(raw);
    return e;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('parseDrivePath: accepted', () => {
  it.each([
    ['', []],
    ['/', []],
    ['a', ['a']],
    ['/a/b/c', ['a', 'b', 'c']],
    ['a//b///c/', ['a', 'b', 'c']],
    ['//a', ['a']],
    ['Reports%202024/Q1%20final.pdf', ['Reports 2024', 'Q1 final.pdf']],
    ['a+b', ['a+b']],
    ['.hidden', ['.hidden']],
    ['..hidden', ['..hidden']],
    ['file.', ['file.']],
    ['a..b', ['a..b']],
    ['100%25%20done.txt', ['100% done.txt']],
    // Double encoding is decoded once only: the result is a literal, harmless name.
    ['%252e%252e', ['%2e%2e']],
    ['%252e%252e%252f', ['%2e%2e%2f']],
    ["it's%20(1)%20%5B2%5D%20%7B3%7D%20%26%20%23%20%40%20!%20%24%20%3D%20%2C%20%3B%20~", ["it's (1) [2] {3} & # @ ! $ = , ; ~"]],
    // Unicode stays exactly as sent: NFC and NFD forms of "é" are different names.
    [encodeURIComponent('caf\u00e9'), ['caf\u00e9']],
    [encodeURIComponent('cafe\u0301'), ['cafe\u0301']],
    [encodeURIComponent('Zoë Ångström-Núñez'), ['Zoë Ångström-Núñez']],
    [encodeURIComponent('📁 Folder 🎓') + '/' + encodeURIComponent('👩‍👩‍👧‍👦.txt'), ['📁 Folder 🎓', '👩‍👩‍👧‍👦.txt']],
    [encodeURIComponent('Z\u0351\u0353a\u0300\u0301l\u0327go'), ['Z\u0351\u0353a\u0300\u0301l\u0327go']],
    [encodeURIComponent('日本語のファイル'), ['日本語のファイル']],
    [encodeURIComponent('مرحبا'), ['مرحبا']],
    // Look-alikes of dots and slashes are ordinary characters to the server, so they pass verbatim.
    [encodeURIComponent('\uff0e\uff0e'), ['\uff0e\uff0e']],
    [encodeURIComponent('\u2024\u2024'), ['\u2024\u2024']],
    [encodeURIComponent('a\u2215b'), ['a\u2215b']],
    [encodeURIComponent('a\uff3cb'), ['a\uff3cb']],
    // Unencoded non-ASCII (some clients send it raw) is taken as is.
    ['Jürgen/Groß', ['Jürgen', 'Groß']],
  ])('%j → %j', (raw, expected) => {
    expect(parseDrivePath(raw)).toEqual(expected);
  });

  it('keeps a 255-unit name and a 1024-unit path', () => {
    const name = 'x'.repeat(255);
    expect(parseDrivePath(name)).toEqual([name]);
    const seg = 'y'.repeat(100);
    const segments = Array.from({ length: 10 }, () => seg);
    const path = [...segments, 'z'.repeat(1024 - 10 * 101)].join('/');
    expect(path.length).toBe(1024);
    expect(parseDrivePath(path)).toHaveLength(11);
  });

  it('counts UTF-16 code units, so a name of 127 emoji (254 units) passes', () => {
    const name = '😀'.repeat(127);
    expect(parseDrivePath(encodeURIComponent(name))).toEqual([name]);
  });

  it('accepts a long path of encoded CJK names (9 encoded characters per code unit)', () => {
    const name = '漢'.repeat(200);
    const raw = Array.from({ length: 5 }, () => encodeURIComponent(name)).join('/');
    expect(parseDrivePath(raw)).toHaveLength(5);
  });
});

describe('parseDrivePath: refused with 400 before any SMB call', () => {
  it.each([
    // plain traversal
    '..', '.', '../etc', 'a/../b', 'a/./b', 'a/..', '/..', '../../../../etc/passwd',
    // encoded dots, in every case and mix
    '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%2e', 'a/%2e%2e/b', '%2e%2e/%2e%2e/windows',
    // encoded separators cannot become separators
    '..%2f', '..%2F..%2Fetc', '%2e%2e%2f', 'a%2fb', '%2f', '..%5c', '%5c%5cserver%5cshare', 'a%5cb', '%2e%2e%5c',
    // backslashes, raw
    '..\\', '..\\..\\', 'a\\b', '\\\\server\\share', '\\\\?\\C:\\', '\\', 'a/\\/b',
    // mixed separators
    'a/..\\b', '..\\/..', '/\\/..',
    // dot runs and the Windows trimming of trailing dots and spaces
    '...', '....', '....//', '....//....//etc', '.. ', '. .', '..%20', '%20..', '.%20', '..%20%20', '...%20.', '%20',
    // drive letters, alternate data streams, device paths
    'C:', 'C:/Windows', 'c:%5cwindows', 'file.txt:Zone.Identifier', 'file.txt::$DATA', 'folder:$I30:$INDEX_ALLOCATION', '%3a',
    // wildcards and other reserved characters
    '*', 'a*b', '%2a', '?', 'a%3fb', '<', '>', '%3c%3e', '%22', 'a|b', '%7c',
    // NUL and control characters, raw and encoded
    'a%00b', '%00', 'file.txt%00.jpg', 'a\u0000b', '%01', '%0a', '%0d%0a', 'a%09b', '%1f', '%7f', 'a\u007fb', '%c2%85', '%c2%9b', 'a\nb',
    // malformed escapes and invalid UTF-8 (overlong forms, surrogates, stray bytes)
    '%', '%2', '%zz', 'a%', '%c0%ae%c0%ae', '%c0%af', '%e0%80%ae', '%c1%9c', '%f0%80%80%ae', '%ed%a0%80', '%ff', '%80', '%e2%82',
    // lone surrogates that arrive unencoded
    'a\ud800b', '\udfff',
  ])('%j', (raw) => {
    refused(raw);
  });

  it('refuses a name longer than 255 code units', () => {
    expect(refused('x'.repeat(256)).message).toMatch(/longer than 255/u);
    expect(refused(encodeURIComponent('😀'.repeat(128))).message).toMatch(/longer than 255/u);
  });

  it('refuses a path longer than 1024 code units', () => {
    const seg = 'y'.repeat(200);
    expect(refused(Array.from({ length: 6 }, () => seg).join('/')).message).toMatch(/longer than 1024/u);
  });

  it('refuses an enormous raw path without decoding it', () => {
    expect(refused('/'.repeat(20_000)).message).toMatch(/longer than 1024/u);
    expect(refused('%41'.repeat(5000)).message).toMatch(/longer/u);
  });

  it('refuses traversal hidden after valid segments', () => {
    refused('Documents/Reports/../../../other-user');
    refused(`${encodeURIComponent('📁')}/%2e%2e`);
  });
});
