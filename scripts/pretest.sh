#!/usr/bin/env bash
# Runs before `npm test`, so one command works on a fresh Debian machine: the apt packages the real servers
# need (installed when missing, as root), the npm packages on a fresh clone, then the build the e2e and CLI
# tests load (public/build/app.js, dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -d node_modules/.bin ] || npm ci --no-audit --no-fund
npm run build
