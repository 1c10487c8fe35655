#!/usr/bin/env bash
# One command for the demo: a real Samba AD domain on 127.0.0.2 with demo users and files, plus Portcullis.
#   npm run demo          (PORT=8080 npm run demo to use another port)
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
source scripts/node-env.sh
[ -d node_modules ] || npm ci
bash scripts/ensure-native.sh
[ -f dist/server.js ] && [ -f public/build/app.js ] || npm run build

PORT="${PORT:-3000}"
PASSWORD="${PORTCULLIS_DEMO_PASSWORD:-Portcullis-Demo-1}"

cleanup() {
  trap - EXIT INT TERM
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true
  npx --no-install tsx test/fixtures/cli.ts down --name demo || true
}
trap cleanup EXIT INT TERM

npx --no-install tsx test/fixtures/cli.ts up --name demo --ip 127.0.0.2
eval "$(npx --no-install tsx test/fixtures/cli.ts env --name demo | sed 's/^/export /')"
export PORT NODE_ENV="${NODE_ENV:-development}" DATA_DIR="${DATA_DIR:-$PWD/data/demo}"
mkdir -p "$DATA_DIR"
# A secret kept beside the demo's sessions, so a restarted demo keeps everyone signed in.
if [ -z "${SESSION_SECRET:-}" ] && [ -z "${SESSION_SECRET_FILE:-}" ]; then
  [ -s "$DATA_DIR/session-secret" ] || (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n=' > "$DATA_DIR/session-secret")
  export SESSION_SECRET_FILE="$DATA_DIR/session-secret"
fi

# The app exactly as `npm start` runs it (node's memory flag included), as our own child so Ctrl-C stops it.
read -r -a START <<<"$(node -p "require('./package.json').scripts.start")"
"${START[@]}" &
APP_PID=$!
for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null "http://localhost:$PORT/healthz" 2>/dev/null; then break; fi
  kill -0 "$APP_PID" 2>/dev/null || { echo "the app failed to start" >&2; exit 1; }
  sleep 0.1
done

cat <<BANNER

  Portcullis demo is running:  http://localhost:$PORT

  Demo logins (password for all: $PASSWORD)
    alice           staff: home drive + Shared + Library
    bob             student: home drive + Library (Shared is refused)
    carol           display name with accents (Zoë Ångström-Núñez)
    jürgen          non-ASCII username
    manygroups      member of 250 groups
    student001 … student500   a lecture hall: students, each with a home drive + Library
    dave / erin / frank   disabled / must change password / account expired
    grace / ivan    for lockout and throttling tests

  Domain EXAMPLE (EXAMPLE.TEST), DC at 127.0.0.2 (LDAP 389, LDAPS 636, SMB 445).
  Press Ctrl-C to stop the app and the domain.

BANNER
wait "$APP_PID"
