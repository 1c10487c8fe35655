// `npm run bench -- <name> [options]`: one module per benchmark, loaded only when chosen.
// To add one: write bench/<name>.ts exporting `summary` and `run(args)`, and list it here.
interface Bench {
  summary: string;
  run(args: string[]): Promise<void>;
}

const benches: Record<string, () => Promise<Bench>> = {
  smb: () => import('./smb.js'),
  http: () => import('./http.js'),
  signin: () => import('./signin.js'),
  load: () => import('./load.js'),
  cost: () => import('./cost.js'),
  ops: () => import('./ops.js'),
  search: () => import('./search.js'),
  krb: () => import('./krb.js'),
};

const [name, ...args] = process.argv.slice(2);
if (name === undefined || !Object.hasOwn(benches, name)) {
  const lines = ['Usage: npm run bench -- <name> [options]', '', 'Benchmarks:'];
  for (const [n, load] of Object.entries(benches)) lines.push(`  ${n.padEnd(8)}${(await load()).summary}`);
  process.stderr.write(`${name === undefined ? '' : `unknown benchmark "${name}"\n\n`}${lines.join('\n')}\n`);
  process.exitCode = 2;
} else {
  await (await benches[name]!()).run(args);
}
