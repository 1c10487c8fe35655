// House rules from DESIGN.md that a reviewer would otherwise have to check by eye.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Import specifiers of a module: static imports, re-exports and dynamic imports with a literal. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    specs.push((m[1] ?? m[2] ?? m[3]) as string);
  }
  return specs;
}

function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  return resolve(dirname(from), spec).replace(/\.js$/, '.ts');
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f).map((s) => resolveLocal(f, s)).filter((s): s is string => s !== undefined)]));

describe('architecture', () => {
  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('src/smb imports nothing from the rest of the app, nor Express or config', () => {
    const smb = join(SRC, 'smb');
    const offenders: string[] = [];
    for (const file of files.filter((f) => f.startsWith(smb + '/'))) {
      for (const spec of importsOf(file)) {
        const target = resolveLocal(file, spec);
        const outside = target !== undefined && !target.startsWith(smb + '/');
        const forbiddenPackage = target === undefined && !spec.startsWith('node:');
        if (outside || forbiddenPackage) offenders.push(`${relative(SRC, file)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('has no import cycles', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const dep of graph.get(file) ?? []) visit(dep, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('no route touches SMB: web code reaches files only through src/files, never smb/ or the pool', () => {
    const web = join(SRC, 'web');
    const offenders: string[] = [];
    for (const file of files.filter((f) => f.startsWith(web + '/'))) {
      for (const dep of graph.get(file) ?? []) {
        const rel = relative(SRC, dep);
        if (rel.startsWith('smb/') || rel === 'sessions/smb-pool.ts') offenders.push(`${relative(SRC, file)} → ${rel}`);
      }
      // sessions/index.ts re-exports the pool: naming it is reaching past the file service just the same.
      const text = readFileSync(file, 'utf8');
      for (const name of ['SmbPool', 'SmbShare', 'SmbClient']) if (new RegExp(`\\b${name}\\b`).test(text)) offenders.push(`${relative(SRC, file)} names ${name}`);
    }
    expect(offenders).toEqual([]);
  });

  it('src/krb imports nothing from the rest of the app (nor src/smb), and no package but asn1js', () => {
    const krb = join(SRC, 'krb');
    const offenders: string[] = [];
    for (const file of files.filter((f) => f.startsWith(krb + '/'))) {
      for (const spec of importsOf(file)) {
        const target = resolveLocal(file, spec);
        const outside = target !== undefined && !target.startsWith(krb + '/');
        const forbiddenPackage = target === undefined && !spec.startsWith('node:') && spec !== 'asn1js';
        if (outside || forbiddenPackage) offenders.push(`${relative(SRC, file)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('NTSTATUS values appear only in src/smb and src/krb (MS-KILE KERB-EXT-ERROR): everything else switches on typed errors', () => {
    const smb = join(SRC, 'smb');
    const krb = join(SRC, 'krb');
    // An NTSTATUS error or warning: severity bits 11 or 10 (0xC…, 0x8…), facility and code as 8 hex digits.
    const literal = /\b0x[c8]0[0-9a-f]{2}_?[0-9a-f]{4}\b/i;
    const offenders = files.filter((f) => !f.startsWith(smb + '/') && !f.startsWith(krb + '/') && literal.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });

  it('the CLI never imports the web layer (only `serve` starts the app, through src/server.ts)', () => {
    const web = join(SRC, 'web') + '/';
    const cli = [join(SRC, 'cli.ts'), ...files.filter((f) => f.startsWith(join(SRC, 'cli') + '/'))];
    const offenders = cli.flatMap((f) => (graph.get(f) ?? []).filter((d) => d.startsWith(web)).map((d) => `${relative(SRC, f)} → ${relative(SRC, d)}`));
    // `portcullis check` shares the readiness checks with /readyz: through src/health, not even indirectly via web/.
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      if (file.startsWith(web)) offenders.push(`cli/check.ts reaches ${relative(SRC, file)}`);
      else for (const dep of graph.get(file) ?? []) visit(dep);
    };
    visit(join(SRC, 'cli', 'check.ts'));
    expect(offenders).toEqual([]);
  });

  it('has no `any` in src/', () => {
    const offenders = files.filter((f) => /(:\s*any\b|<any>|as any\b)/.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });
});
