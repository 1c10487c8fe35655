import { parse } from 'content-disposition';
import { describe, expect, it } from 'vitest';
import { contentTypeOf, decideRange, dispositionHeader, etagOf, type FileFacts, inlineTypeOf, isActiveType, lastModifiedOf, notModified } from '../../../src/web/transfer/http-file.js';
import { worthCompressing } from '../../../src/web/transfer/zip.js';

const f: FileFacts = { size: 1000, mtime: new Date('2026-03-01T10:00:00.123Z'), ctime: new Date('2026-03-01T10:00:00.123Z'), birthtime: new Date('2026-01-01T00:00:00Z') };

describe('Content-Disposition', () => {
  it.each([
    ['plain.txt'],
    ["Policy; 'quoted' name.pdf"],
    ['say "hi".txt'],
    ['back\\slash.txt'],
    ['Café menu – été.txt'],
    ['🎓 Graduation.png'],
    ['Zoe\u0308 (combining).txt'],
    ['100%25 done.txt'],
  ])('round-trips %j through a standard parser', (name) => {
    const header = dispositionHeader('attachment', name);
    expect(header).toMatch(/^attachment; filename=/);
    expect(header).not.toMatch(/[\r\n]/);
    expect(parse(header).parameters.filename).toBe(name);
  });

  it('never lets CR, LF or other controls through, raw or encoded', () => {
    const header = dispositionHeader('inline', 'evil\r\nSet-Cookie: a=b\u0000.txt');
    // eslint-disable-next-line no-control-regex
    expect(header).not.toMatch(/[\r\n\u0000]/);
    expect(header).not.toMatch(/%0D|%0A|%00/i);
    expect(parse(header).parameters.filename).toBe('evil__Set-Cookie: a=b_.txt');
    expect(parse(header).type).toBe('inline');
  });

  it('gives a non-ASCII name an ASCII fallback and a UTF-8 filename*', () => {
    const header = dispositionHeader('attachment', 'Café.txt');
    expect(header).toContain(`filename*=UTF-8''Caf%C3%A9.txt`);
  });
});

describe('validators and 304', () => {
  it('has a strong ETag that changes with size, mtime and ctime', () => {
    const tag = etagOf(f);
    expect(tag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(etagOf({ ...f })).toBe(tag);
    expect(etagOf({ ...f, size: 1001 })).not.toBe(tag);
    expect(etagOf({ ...f, mtime: new Date(f.mtime.getTime() + 1) })).not.toBe(tag);
    expect(etagOf({ ...f, ctime: new Date(f.ctime.getTime() + 1) })).not.toBe(tag);
  });

  it('answers If-None-Match by weak comparison, lists and *; it wins over If-Modified-Since', () => {
    const tag = etagOf(f);
    expect(notModified({ 'if-none-match': tag }, f)).toBe(true);
    expect(notModified({ 'if-none-match': `W/${tag}` }, f)).toBe(true);
    expect(notModified({ 'if-none-match': `"other", ${tag}` }, f)).toBe(true);
    expect(notModified({ 'if-none-match': '*' }, f)).toBe(true);
    expect(notModified({ 'if-none-match': '"other"', 'if-modified-since': lastModifiedOf(f) }, f)).toBe(false);
  });

  it('answers If-Modified-Since at one-second precision', () => {
    expect(notModified({ 'if-modified-since': lastModifiedOf(f) }, f)).toBe(true);
    expect(notModified({ 'if-modified-since': new Date(f.mtime.getTime() - 2000).toUTCString() }, f)).toBe(false);
    expect(notModified({ 'if-modified-since': 'yesterday-ish' }, f)).toBe(false);
    expect(notModified({}, f)).toBe(false);
  });
});

describe('Range', () => {
  const r = (range: string | undefined, ifRange?: string, facts = f) => decideRange({ range, 'if-range': ifRange }, facts);

  it('serves single ranges: first bytes, middle, open-ended, suffix, clamped end', () => {
    expect(r('bytes=0-99')).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(r('bytes=400-499')).toEqual({ kind: 'partial', start: 400, end: 499 });
    expect(r('bytes=900-')).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(r('bytes=-300')).toEqual({ kind: 'partial', start: 700, end: 999 });
    expect(r('bytes=-5000')).toEqual({ kind: 'partial', start: 0, end: 999 });
    expect(r('bytes=990-5000')).toEqual({ kind: 'partial', start: 990, end: 999 });
  });

  it('is unsatisfiable past the end, for a zero suffix, and for any range of an empty file', () => {
    expect(r('bytes=1000-')).toEqual({ kind: 'unsatisfiable' });
    expect(r('bytes=5000-6000')).toEqual({ kind: 'unsatisfiable' });
    expect(r('bytes=-0')).toEqual({ kind: 'unsatisfiable' });
    expect(r('bytes=0-', undefined, { ...f, size: 0 })).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores multi-range, malformed and other-unit requests (200 with the whole file)', () => {
    for (const range of ['bytes=0-1,5-9', 'bytes=abc', 'items=0-5', 'bytes=9-3', 'bytes=-', '']) expect(r(range)).toEqual({ kind: 'full' });
    expect(r(undefined)).toEqual({ kind: 'full' });
  });

  it('honours If-Range with the strong ETag or the exact Last-Modified, and sends everything otherwise', () => {
    expect(r('bytes=0-9', etagOf(f))).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(r('bytes=0-9', lastModifiedOf(f))).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(r('bytes=0-9', `W/${etagOf(f)}`)).toEqual({ kind: 'full' });
    expect(r('bytes=0-9', '"stale"')).toEqual({ kind: 'full' });
    expect(r('bytes=0-9', new Date(0).toUTCString())).toEqual({ kind: 'full' });
  });
});

describe('types', () => {
  it('guesses Content-Type from the name', () => {
    expect(contentTypeOf('a.pdf')).toBe('application/pdf');
    expect(contentTypeOf('a.txt')).toBe('text/plain; charset=utf-8');
    expect(contentTypeOf('no-extension')).toBe('application/octet-stream');
  });

  // Issue 10, item 13: a file a browser would run or render from this origin is downloaded as opaque bytes.
  it('serves active types as application/octet-stream, whatever their case; passive types keep their type', () => {
    const active = [
      'page.html', 'page.htm', 'PAGE.HTML', 'x.xhtml', 'x.shtml', 'app.js', 'App.JS', 'a.mjs', 'a.cjs', 'a.jsx', 'style.css', 'Style.Css',
      'drawing.svg', 'drawing.SVG', 'drawing.svgz', 'feed.xml', 'a.xsl', 'a.xslt', 'feed.rss', 'feed.atom', 'data.json', 'ld.jsonld',
      'site.webmanifest', 'mod.wasm', 'formula.mml', 'a.rdf', 'track.gpx', 'old.swf', 'app.hta', 'page.mhtml', 'a.js.map',
      '<script>alert(1)</script>.html', 'two.dots.in.name.svg',
      // A bare name is looked up as an extension by mime-types (and so by browsers' guesses): opaque too.
      'html', 'svg',
    ];
    for (const name of active) {
      expect(isActiveType(name), name).toBe(true);
      expect(contentTypeOf(name), name).toBe('application/octet-stream');
    }
    const passive: [string, string][] = [
      ['a.pdf', 'application/pdf'],
      ['a.PNG', 'image/png'],
      ['a.jpg', 'image/jpeg'],
      ['clip.mp4', 'video/mp4'],
      ['song.mp3', 'audio/mpeg'],
      ['a.txt', 'text/plain; charset=utf-8'],
      ['a.csv', 'text/csv; charset=utf-8'],
      ['report.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['a.zip', 'application/zip'],
    ];
    for (const [name, type] of passive) {
      expect(isActiveType(name), name).toBe(false);
      expect(contentTypeOf(name), name).toBe(type);
    }
  });

  it('shows only safe types inline; HTML, SVG, XML and scripts are attachments', () => {
    expect(inlineTypeOf('a.PDF')).toBe('application/pdf');
    expect(inlineTypeOf('a.jpg')).toBe('image/jpeg');
    expect(inlineTypeOf('a.avif')).toBe('image/avif');
    expect(inlineTypeOf('a.txt')).toBe('text/plain; charset=utf-8');
    expect(inlineTypeOf('data.csv')).toBe('text/plain; charset=utf-8');
    expect(inlineTypeOf('clip.mp4')).toBe('video/mp4');
    expect(inlineTypeOf('song.mp3')).toBe('audio/mpeg');
    for (const name of ['page.html', 'page.htm', 'drawing.svg', 'feed.xml', 'x.xhtml', 'app.js', 'a.mjs', 'style.css', 'doc.docx', 'noext', 'a.swf']) {
      expect(inlineTypeOf(name), name).toBeUndefined();
    }
  });

  it('deflates text-like entries in zips and stores media and archives', () => {
    expect(worthCompressing('notes.txt')).toBe(true);
    expect(worthCompressing('data.json')).toBe(true);
    expect(worthCompressing('photo.jpg')).toBe(false);
    expect(worthCompressing('video.mp4')).toBe(false);
    expect(worthCompressing('report.docx')).toBe(false);
    expect(worthCompressing('Lecture recording (large).bin')).toBe(false);
  });
});
