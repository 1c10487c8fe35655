// Issue 10, item 15: names with CR/LF and other controls never split a log line, in either log format. The
// real logger writes into a stream; its output is read back as lines, the way a log shipper reads a file.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { audit, createLogger, escapeForLog, type Logger } from '../../src/log.js';
import { errorHandler, requestContext, requestLog } from '../../src/web/middleware/index.js';

/** Every character some reader of logs takes as a line end, plus ESC, DEL, C1 and bidi overrides. */
const HOSTILE = ['\n', '\r', '\r\n', '\v', '\f', '\u0085', '\u2028', '\u2029', '\u001b[2J', '\u0000', '\u007f', '\u009b', '\u001c', '\u202e', '\u2066'];
/** What a line of a log must never contain raw (split by any reader: Python splitlines, JS, terminals). */
// eslint-disable-next-line no-control-regex
const RAW_BREAK = /[\n\r\v\f\u001b\u0000\u007f\u0085\u009b\u001c-\u001e\u2028\u2029\u202e\u2066]/;

function capture(format: 'json' | 'pretty'): { logger: Logger; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', format, transports: [new winston.transports.Stream({ stream: sink })] }), text: () => text };
}

/** The pretty format colours the level on purpose (winston's colorize): the only escape codes it may write. */
// eslint-disable-next-line no-control-regex
const withoutLevelColour = (line: string): string => line.replace(/^(\d\d:\d\d:\d\d\.\d{3} )\u001b\[\d+m(\w+)\u001b\[39m/, '$1$2');

/** Lines as a reader sees them: winston ends each entry with "\n"; nothing else may break one. */
const linesOf = (text: string): string[] => text.split('\n').filter((l) => l !== '');

describe('log lines stay lines', () => {
  it.each(HOSTILE.map((c) => [JSON.stringify(c), c]))('JSON format: a name with %s is one parseable line holding the exact name', (_label, c) => {
    const { logger, text } = capture('json');
    const name = `report${c}2026-12-02T00:00:00.000Z info forged entry${c}.pdf`;
    logger.info(`upload of ${name}`, { path: `a/${name}`, nested: { names: [name] } });
    audit(logger, { action: 'upload', user: `bob${c}admin`, drive: 'shared', path: name, result: 'ok' });
    logger.warn('failed', { err: new Error(`“${name}” was not found`) });
    const lines = linesOf(text());
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toMatch(RAW_BREAK);
    const [first, second, third] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first?.message).toBe(`upload of ${name}`);
    expect(first?.path).toBe(`a/${name}`);
    expect(first?.nested).toEqual({ names: [name] });
    expect(second?.user).toBe(`bob${c}admin`);
    expect((third?.err as { message?: string }).message).toBe(`“${name}” was not found`);
  });

  it.each(HOSTILE.map((c) => [JSON.stringify(c), c]))('pretty format: a name with %s stays on its entry line; traces are indented below it', (_label, c) => {
    const { logger, text } = capture('pretty');
    const name = `report${c}12:00:00.000 info forged entry${c}.pdf`;
    logger.info(`upload of ${name}`, { path: name });
    logger.error('unexpected error', { err: new Error(`“${name}” was not found`) });
    logger.error(new Error(`thrown for ${name}`));
    const lines = linesOf(text()).map(withoutLevelColour);
    for (const line of lines) expect(line).not.toMatch(RAW_BREAK);
    // Three entries: three lines at the left margin, every other line (stack frames) indented.
    const entries = lines.filter((l) => !/^\s/.test(l));
    expect(entries).toHaveLength(3);
    expect(entries[0]).toContain(`upload of ${escapeForLog(name)}`);
    expect(entries.every((l) => /^\d\d:\d\d:\d\d\.\d{3} /.test(l))).toBe(true);
    expect(lines.some((l) => /^\s+at /.test(l))).toBe(true);
  });

  it('escapes as JSON does, so a JSON line decodes back to the exact text', () => {
    expect(escapeForLog('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(escapeForLog('x\u0085y\u2028z\u001b')).toBe('x\\u0085y\\u2028z\\u001b');
    expect(JSON.parse(`"${escapeForLog('x\u0085y\u2028z\u202e')}"`)).toBe('x\u0085y\u2028z\u202e');
    expect(escapeForLog('Café menu – été 🎓.txt')).toBe('Café menu – été 🎓.txt');
  });
});

describe('through a real request', () => {
  /** The app's own request log and error handler, behind a route whose bug puts a decoded name in an error. */
  async function serve(logger: Logger): Promise<{ url: string; close: () => void }> {
    const app = express();
    app.use(requestContext());
    app.use(requestLog(logger));
    app.get('/files/:name', (req) => {
      throw new Error(`could not open “${req.params.name}”`);
    });
    app.use(errorHandler({ logger }));
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
  }

  it.each(['json', 'pretty'] as const)('%s: a percent-encoded name with CR/LF, NEL and U+2028 gives one entry per log call', async (format) => {
    const { logger, text } = capture(format);
    const { url, close } = await serve(logger);
    try {
      const name = 'a\r\n2026-12-02T00:00:00.000Z info forged\u0085b\u2028c\u001b[2J';
      const res = await fetch(`${url}/files/${encodeURIComponent(name)}`, { headers: { Accept: 'application/json' } });
      expect(res.status).toBe(500);
      // The error entry and the request's access line.
      await expect.poll(() => text().includes(' 500 ')).toBe(true);
      const lines = linesOf(text()).map(withoutLevelColour);
      for (const line of lines) expect(line).not.toMatch(RAW_BREAK);
      if (format === 'json') {
        const entries = lines.map((l) => JSON.parse(l) as { message: string; err?: { message: string } });
        expect(entries).toHaveLength(2);
        expect(entries[0]?.err?.message).toBe(`could not open “${name}”`);
      } else {
        expect(lines.filter((l) => !/^\s/.test(l))).toHaveLength(2);
      }
    } finally {
      close();
    }
  });
});
