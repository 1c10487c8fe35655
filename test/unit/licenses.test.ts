import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Portcullis is deployed inside closed university networks: every package it ships must carry a license that
// allows that without legal review. Copyleft with a network clause (AGPL) or a linking clause (GPL) must fail here.

const root = path.resolve(import.meta.dirname, '../..');

/** SPDX identifiers that permit closed deployment with attribution only. */
const ALLOWED = new Set([
  '0BSD',
  'Apache-2.0',
  'BlueOak-1.0.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'CC0-1.0',
  'CC-BY-4.0',
  'ISC',
  'MIT',
  'MIT-0',
  'Python-2.0',
  'Unlicense',
  'Zlib',
]);

interface Exception {
  /** Lock paths this exception covers; never a wildcard over every package. */
  match: RegExp;
  /** Identifiers accepted for these packages on top of ALLOWED. */
  licenses: string[];
  why: string;
}

/** Reviewed one by one: a new package with the same license still fails. */
const EXCEPTIONS: Exception[] = [
  {
    match: /^node_modules\/@img\/sharp-(libvips-[\w-]+|wasm32|win32-[\w-]+)$/,
    licenses: ['LGPL-3.0-or-later'],
    why:
      "libvips, sharp's image library, ships as a separate shared library loaded at run time and can be " +
      'replaced by the operator, which is what the LGPL asks of a closed program that uses it',
  },
];

/** Packages whose metadata names no license, with the license their own files state. Pinned by version. */
const STATED_ELSEWHERE: Record<string, string> = {
  'pause@0.0.1': 'MIT', // "(The MIT License)" in its Readme.md
};

type Expr = { id: string } | { op: 'AND' | 'OR'; args: Expr[] };

/** Parses an SPDX license expression: identifiers, AND, OR, WITH, parentheses (AND binds tighter). */
function parseSpdx(text: string): Expr {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const fail = (): never => {
    throw new Error(`not an SPDX expression: ${JSON.stringify(text)}`);
  };
  const list = (op: 'AND' | 'OR', next: () => Expr): Expr => {
    const args = [next()];
    while (tokens[i]?.toUpperCase() === op) {
      i++;
      args.push(next());
    }
    return args.length === 1 ? args[0]! : { op, args };
  };
  const primary = (): Expr => {
    const t = tokens[i++] ?? fail();
    if (t === '(') {
      const inner = or();
      if (tokens[i++] !== ')') fail();
      return inner;
    }
    if (t === ')' || /^(AND|OR|WITH)$/i.test(t)) fail();
    // An exception (e.g. "GPL-2.0 WITH Classpath-exception-2.0") is judged as a license of its own.
    if (tokens[i]?.toUpperCase() === 'WITH') {
      i++;
      return { id: `${t} WITH ${tokens[i++] ?? fail()}` };
    }
    return { id: t };
  };
  const and = (): Expr => list('AND', primary);
  const or = (): Expr => list('OR', and);
  const expr = or();
  if (i !== tokens.length) fail();
  return expr;
}

/** True when the expression can be satisfied with allowed licenses: one side of an OR, every side of an AND. */
function permits(expr: Expr, allowed: ReadonlySet<string>): boolean {
  if ('id' in expr) return allowed.has(expr.id);
  return expr.op === 'OR' ? expr.args.some((e) => permits(e, allowed)) : expr.args.every((e) => permits(e, allowed));
}

interface LockEntry {
  version?: string;
  license?: unknown;
  dev?: boolean;
  link?: boolean;
}

/** The lock records `license`; old packages declare `licenses: [{ type }]` instead, which only their package.json has. */
function declaredLicense(lockPath: string, entry: LockEntry): string | undefined {
  if (typeof entry.license === 'string') return entry.license;
  const name = lockPath.replace(/^.*node_modules\//, '');
  const stated = STATED_ELSEWHERE[`${name}@${entry.version ?? ''}`];
  if (stated) return stated;
  const manifest = path.join(root, lockPath, 'package.json');
  if (!existsSync(manifest)) return undefined;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { license?: unknown; licenses?: { type?: unknown }[] };
  if (typeof pkg.license === 'string') return pkg.license;
  const types = (pkg.licenses ?? []).map((l) => l.type).filter((t): t is string => typeof t === 'string');
  return types.length > 0 ? types.join(' OR ') : undefined;
}

/** Every production package (lock entries not marked dev, the root excluded) whose license is not allowed. */
function licenseOffenders(lock: { packages: Record<string, LockEntry> }): string[] {
  const offenders: string[] = [];
  for (const [lockPath, entry] of Object.entries(lock.packages)) {
    if (lockPath === '' || entry.dev === true || entry.link === true) continue;
    const license = declaredLicense(lockPath, entry);
    const allowed = new Set([...ALLOWED, ...EXCEPTIONS.filter((e) => e.match.test(lockPath)).flatMap((e) => e.licenses)]);
    let ok = false;
    try {
      ok = license !== undefined && permits(parseSpdx(license), allowed);
    } catch {
      ok = false;
    }
    if (!ok) offenders.push(`${lockPath.replace(/^node_modules\//, '')}@${entry.version ?? '?'}: ${license ?? 'no license declared'}`);
  }
  return offenders;
}

describe('production dependency licenses', () => {
  it('are all on the allow-list (or a reviewed exception)', () => {
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
    expect(Object.keys(lock.packages).length).toBeGreaterThan(50);
    expect(licenseOffenders(lock)).toEqual([]);
  });

  it('reject copyleft, accept permissive choices and judge AND/OR/WITH like SPDX does', () => {
    const ok = (s: string): boolean => permits(parseSpdx(s), ALLOWED);
    expect(ok('MIT')).toBe(true);
    expect(ok('(MIT OR Apache-2.0)')).toBe(true);
    expect(ok('(MIT OR WTFPL)')).toBe(true);
    expect(ok('(BSD-2-Clause OR MIT OR Apache-2.0)')).toBe(true);
    expect(ok('MIT AND ISC')).toBe(true);
    expect(ok('AGPL-3.0-or-later')).toBe(false);
    expect(ok('GPL-3.0-only')).toBe(false);
    expect(ok('MIT AND LGPL-3.0-or-later')).toBe(false);
    expect(ok('(MIT AND GPL-2.0) OR AGPL-3.0')).toBe(false);
    expect(ok('GPL-2.0 WITH Classpath-exception-2.0')).toBe(false);
    expect(() => parseSpdx('MIT OR')).toThrow();
  });

  it('names each offender with its version and license, including packages that declare none', () => {
    const lock = {
      packages: {
        '': { license: 'UNLICENSED' },
        'node_modules/ua-parser-js': { version: '2.0.10', license: 'AGPL-3.0-or-later' },
        'node_modules/eslint-only': { version: '1.0.0', license: 'GPL-3.0', dev: true },
        'node_modules/not-installed': { version: '1.0.0' },
        'node_modules/some-lgpl': { version: '1.0.0', license: 'LGPL-3.0-or-later' },
        'node_modules/@img/sharp-libvips-linux-x64': { version: '1.3.0', license: 'LGPL-3.0-or-later' },
      },
    };
    expect(licenseOffenders(lock)).toEqual([
      'ua-parser-js@2.0.10: AGPL-3.0-or-later',
      'not-installed@1.0.0: no license declared',
      'some-lgpl@1.0.0: LGPL-3.0-or-later',
    ]);
  });
});
