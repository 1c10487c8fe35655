#!/usr/bin/env bash
# Runs before `npm test`, so one command works on a fresh Debian machine: Node.js 24 and the apt packages the
# real servers need (installed when missing, as root), the npm packages on a fresh clone, then the build the e2e
# and CLI tests load (public/build/app.js, dist/). npm itself may still run on the old node; everything started
# from here on resolves `node` through PATH, so it runs on Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/node-env.sh
[ -d node_modules/.bin ] || npm ci --no-audit --no-fund
bash scripts/ensure-native.sh
npm run build
