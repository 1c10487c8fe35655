#!/usr/bin/env bash
# A node_modules installed under another Node major (e.g. 20 before the move to 24) holds a better-sqlite3
# compiled for that ABI, which fails to load with "NODE_MODULE_VERSION ..." only when the first session is
# stored. Check it loads on the node on PATH now, and rebuild it against that node's headers when it does not.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-env.sh
if ! node -e 'new (require("better-sqlite3"))(":memory:").close()' 2>/dev/null; then
  echo "better-sqlite3 does not load on node $(node -v): rebuilding it against ${npm_config_nodedir:-the default headers}" >&2
  npm rebuild better-sqlite3
  node -e 'new (require("better-sqlite3"))(":memory:").close()'
fi
