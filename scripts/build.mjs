// Compiles the server with tsc and bundles the browser code with esbuild into public/build/.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { autoDarkCss } from './auto-dark-css.mjs';

const root = new URL('..', import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
// tsc writes files 0644; the `portcullis` bin must be executable for npx and npm link.
chmodSync(`${root}dist/cli.js`, 0o755);

// `portcullis smb` is what admins script, so its start-up counts: tsc's dist/cli/smb.js and the ~65 modules
// under it are replaced by one bundled file (resolving and reading each module was a third of a no-op
// `smb get`). npm packages stay imports; the config module it loads only when SMB_ALLOW_UNSIGNED_HOSTS is
// set stays tsc's own file beside it, so zod is still not loaded otherwise.
await build({
  entryPoints: [`${root}src/cli/smb.ts`],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: ['node24'],
  packages: 'external',
  outfile: `${root}dist/cli/smb.js`,
  allowOverwrite: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'config-stays-lazy',
      setup(b) {
        b.onResolve({ filter: /\/config\/smb-signing\.js$/ }, () => ({ path: '../config/smb-signing.js', external: true }));
        // Only `--kerberos` needs the Kerberos client (and asn1js): tsc's dist/cli/smb/kerberos.js, loaded on demand.
        b.onResolve({ filter: /\/smb\/kerberos\.js$/, namespace: 'file' }, (args) => (args.importer.endsWith('/cli/smb.ts') ? { path: './smb/kerberos.js', external: true } : undefined));
      },
    },
  ],
});

const out = `${root}public/build`;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [`${root}src/client/main.ts`],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2020'],
  outfile: `${out}/app.js`,
  logLevel: 'warning',
});

// Vendor assets are copied, not linked, so the container image needs no node_modules for the browser.
const vendor = `${out}/vendor`;
cpSync(`${root}node_modules/bootstrap/dist/js/bootstrap.bundle.min.js`, `${vendor}/bootstrap.bundle.min.js`);
cpSync(`${root}node_modules/bootstrap/dist/css/bootstrap.min.css`, `${vendor}/bootstrap.min.css`);
cpSync(`${root}node_modules/bootstrap-icons/font`, `${vendor}/bootstrap-icons`, { recursive: true });
cpSync(`${root}node_modules/bootswatch/dist`, `${vendor}/bootswatch`, {
  recursive: true,
  filter: (src) => statSync(src).isDirectory() || src.endsWith('/bootstrap.min.css'),
});
// Some themes import Google Fonts: the strict CSP (and a campus without internet) would block them,
// so drop the import and let those themes fall back to system fonts.
for (const theme of readdirSync(`${vendor}/bootswatch`)) {
  const css = `${vendor}/bootswatch/${theme}/bootstrap.min.css`;
  writeFileSync(css, readFileSync(css, 'utf8').replace(/@import url\(https?:[^)]*\);?/g, ''));
}
// Colour mode "auto" without script: each theme's dark rules under prefers-color-scheme (auto-dark-css.mjs).
writeFileSync(`${vendor}/bootstrap-auto.css`, autoDarkCss(readFileSync(`${vendor}/bootstrap.min.css`, 'utf8')));
for (const theme of readdirSync(`${vendor}/bootswatch`)) {
  writeFileSync(`${vendor}/bootswatch/${theme}/auto.css`, autoDarkCss(readFileSync(`${vendor}/bootswatch/${theme}/bootstrap.min.css`, 'utf8')));
}
console.log('build: dist/ and public/build/ written');
