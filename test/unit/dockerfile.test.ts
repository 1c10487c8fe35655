import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Paths `npm run build` writes (scripts/build.mjs): they exist only inside the build stage. */
const BUILD_OUTPUTS = ['dist', 'public/build'];

interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
}
interface Stage {
  name: string | undefined;
  workdir: string;
  copies: Copy[];
  runs: string[];
}

/** Instructions with backslash continuations joined; comments dropped. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

const args = (rest: string): string[] => (rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/));

function stages(text: string): Stage[] {
  const out: Stage[] = [];
  for (const line of instructions(text)) {
    const [keyword = '', ...restWords] = line.split(/\s+/);
    const rest = restWords.join(' ');
    const current = out.at(-1);
    switch (keyword.toUpperCase()) {
      case 'FROM': {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
        out.push({ name: m?.[2], workdir: '/', copies: [], runs: [] });
        break;
      }
      case 'WORKDIR':
        if (current) current.workdir = path.posix.resolve(current.workdir, rest);
        break;
      case 'RUN':
        current?.runs.push(rest);
        break;
      case 'COPY':
      case 'ADD': {
        const words = args(rest.replace(/^(--\S+\s+)+/, ''));
        const from = /--from=(\S+)/.exec(rest)?.[1];
        const dest = words.pop() ?? '';
        current?.copies.push({ from, sources: words, dest });
        break;
      }
    }
  }
  return out;
}

const cmd = (): string[] => {
  const line = instructions(dockerfile).findLast((l) => /^CMD\s/i.test(l)) ?? '';
  return args(line.replace(/^CMD\s+/i, ''));
};

describe('Dockerfile', () => {
  const all = stages(dockerfile);

  it('has a build stage and a runtime stage', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(/FROM node:24-bookworm-slim\s*$/m.test(dockerfile)).toBe(true);
  });

  it('copies from the build context only paths that exist in the repository', () => {
    const copied = all.flatMap((s) => s.copies.filter((c) => c.from === undefined).flatMap((c) => c.sources));
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) {
      expect(BUILD_OUTPUTS.some((o) => source === o || source.startsWith(`${o}/`)), `${source} is a build output; copy it from the build stage`).toBe(false);
      expect(existsSync(path.join(root, source)), `${source} is missing from the repository`).toBe(true);
    }
  });

  it('copies from other stages only what they copied in or what npm run build produced', () => {
    for (const stage of all) {
      for (const copy of stage.copies.filter((c) => c.from !== undefined)) {
        const source = all.find((s) => s.name === copy.from);
        expect(source, `no stage named ${copy.from}`).toBeDefined();
        if (!source) continue;
        for (const wanted of copy.sources) {
          const rel = path.posix.relative(source.workdir, path.posix.resolve(source.workdir, wanted));
          const copiedIn = source.copies.some((c) => path.posix.relative(source.workdir, path.posix.resolve(source.workdir, c.dest)) === rel || c.sources.includes(rel));
          const built = BUILD_OUTPUTS.includes(rel) && source.runs.some((r) => r.includes('npm run build'));
          const installed = rel === 'node_modules' && source.runs.some((r) => /npm ci/.test(r));
          expect(copiedIn || built || installed, `${copy.from}:${wanted} is neither copied in nor produced there`).toBe(true);
        }
      }
    }
  });

  it('makes npm run build produce what the image copies', () => {
    const script = readFileSync(path.join(root, 'scripts/build.mjs'), 'utf8');
    expect(script).toContain('tsconfig.build.json');
    expect(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')).toMatch(/"outDir":\s*"dist"/);
    expect(script).toContain('public/build');
  });

  it('runs as a non-root user with production dependencies only', () => {
    expect(dockerfile).toMatch(/^USER node\s*$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^EXPOSE 3000\s*$/m);
    expect(instructions(dockerfile).some((l) => /^HEALTHCHECK .*CMD .*\/healthz/.test(l))).toBe(true);
  });

  it('starts with the same command as npm start', () => {
    expect(cmd().join(' ')).toBe(pkg.scripts.start);
  });
});
