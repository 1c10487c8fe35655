import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { isHostname } from './fields.js';

export interface Drive {
  /** What users see in the menu. */
  name: string;
  /** As written, normalised to backslashes; may contain %USERNAME%, substituted per user later. */
  unc: string;
  /** The server part of the UNC, looked up in SMB_HOST_MAP when connecting. */
  host: string;
  share: string;
  /** Folder inside the share, without leading or trailing backslashes; '' for the share root. */
  path: string;
  /** Empty: everyone who can sign in sees it. */
  groups: string[];
}

const UNC = /^\\\\([^\\]+)\\([^\\]+)((?:\\[^\\]+)*)\\?$/;

interface UncParts {
  host: string;
  share: string;
  path: string;
}

/** `\\server\share\folder`, also accepted with forward slashes because YAML users write those. */
export function parseUnc(value: string): UncParts | undefined {
  const m = UNC.exec(value.replaceAll('/', '\\'));
  if (!m) return undefined;
  const [, host = '', share = '', rest = ''] = m;
  if (!isHostname(host)) return undefined;
  return { host, share, path: rest.replace(/^\\/, '') };
}

const driveSchema = z
  .object({
    name: z.string({ error: 'expected a non-empty name' }).trim().min(1, 'expected a non-empty name').max(80, 'expected at most 80 characters'),
    unc: z.string({ error: 'expected a UNC path like \\\\server\\share\\folder' }).trim(),
    groups: z.array(z.string().trim().min(1, 'expected non-empty group names'), { error: 'expected a list of group names' }).default([]),
  })
  .strict()
  .transform((d, ctx): Drive => {
    const parts = parseUnc(d.unc);
    if (!parts) {
      ctx.addIssue({ code: 'custom', path: ['unc'], message: `expected a UNC path like \\\\server\\share\\folder, got ${JSON.stringify(d.unc)}` });
      return z.NEVER;
    }
    return { name: d.name, unc: d.unc.replaceAll('/', '\\'), ...parts, groups: d.groups };
  });

const drivesSchema = z.array(driveSchema, { error: 'expected a list of drives ({ name, unc, groups? })' }).superRefine((drives, ctx) => {
  const seen = new Set<string>();
  drives.forEach((d, i) => {
    const key = d.name.toLowerCase();
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate drive name ${JSON.stringify(d.name)}` });
    seen.add(key);
  });
});

const where = (issuePath: PropertyKey[]): string =>
  issuePath.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');

/** Reads and validates the drives file (JSON by extension, YAML otherwise): a list of drives, or `drives:` holding one. */
export function loadDrives(file: string): Drive[] {
  const fail = (detail: string): never => {
    throw new ConfigError('DRIVES_FILE', `${file}: ${detail}`);
  };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    fail(`cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let data: unknown;
  try {
    data = path.extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    fail(`not valid ${path.extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  // An empty file is a deliberate "no shared drives yet", not a mistake.
  if (data === null || data === undefined) return [];
  // Either a bare list or `drives:` at the top, which leaves room for other sections later.
  let list = data;
  let prefix: PropertyKey[] = [];
  if (typeof data === 'object' && !Array.isArray(data)) {
    const { drives, ...rest } = data as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) fail(`unknown top-level key ${JSON.stringify(unknown[0])} (expected "drives")`);
    if (drives === null || drives === undefined) return [];
    list = drives;
    prefix = ['drives'];
  }
  const result = drivesSchema.safeParse(list);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (!issue) return fail('invalid');
    const at = where([...prefix, ...issue.path]);
    fail(at ? `${at}: ${issue.message}` : issue.message);
  }
  return result.data ?? [];
}
