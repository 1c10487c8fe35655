// Renders the committed PNG icons in themes/branding/ from the project's own SVGs (favicon.svg, app-icon.svg).
// Run after editing an SVG: `node scripts/brand-icons.mjs`. The PNGs are committed (a few KB each) so the
// server and Docker image need no image tool at start-up.
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const dir = fileURLToPath(new URL('../themes/branding/', import.meta.url));
const outputs = [
  ['favicon.svg', 'favicon-32.png', 32],
  ['app-icon.svg', 'apple-touch-icon.png', 180],
  ['app-icon.svg', 'icon-192.png', 192],
  ['app-icon.svg', 'icon-512.png', 512],
];
for (const [svg, png, size] of outputs) {
  await sharp(dir + svg, { density: 300 }).resize(size, size).png({ compressionLevel: 9, palette: true }).toFile(dir + png);
  console.log(`${png} ${size}×${size}`);
}
