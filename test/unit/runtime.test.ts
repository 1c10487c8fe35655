import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Node 20 reached end of life on 2026-04-30. The scripts install Node 24 where it is missing (scripts/install-node.sh),
// and this file proves the suite really ran on it: `npm test` starts on whatever node npm runs on.

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const installNode = readFileSync(path.join(root, 'scripts/install-node.sh'), 'utf8');

const SUPPORTED_MAJOR = 24;
const majorOf = (version: string): number => Number(/(\d+)/.exec(version)?.[1]);

describe('Node.js runtime', () => {
  it(`runs the tests on Node ${SUPPORTED_MAJOR} or newer (this run: ${process.version})`, () => {
    expect(majorOf(process.versions.node)).toBeGreaterThanOrEqual(SUPPORTED_MAJOR);
  });

  it('declares the same line in engines, the Dockerfile images and the install script', () => {
    expect(pkg.engines.node).toBe(`>=${SUPPORTED_MAJOR}`);
    const images = [...dockerfile.matchAll(/^FROM\s+(node:\S+)/gim)].map((m) => m[1]!);
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const image of images) expect(majorOf(image), image).toBe(SUPPORTED_MAJOR);
    expect(installNode).toMatch(new RegExp(`^NODE_MAJOR=${SUPPORTED_MAJOR}$`, 'm'));
    expect(majorOf(/PORTCULLIS_NODE_VERSION:-([\d.]+)/.exec(installNode)?.[1] ?? '')).toBe(SUPPORTED_MAJOR);
  });
});
