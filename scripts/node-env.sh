# Sourced by the scripts that run npm ci / npm rebuild: native addons (better-sqlite3) must compile against the
# headers of the node that will load them. The global npmrc may name Debian's Node 20 headers (nodedir=/usr),
# and an addon built with those does not load on Node 24; there is no internet to download others.
# The node on PATH carries its own headers (Debian's under /usr/include/node, the npm package's under include/node).
node_root="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
if [ -f "$node_root/include/node/node_version.h" ]; then
  export npm_config_nodedir="$node_root"
fi
unset node_root
