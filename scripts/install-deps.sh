#!/usr/bin/env bash
# Installs what Portcullis's demo and tests need, when any is missing: Node.js 24 (scripts/install-node.sh)
# and the Debian packages. As root it installs them; otherwise it prints the exact commands and fails.
set -euo pipefail

bash "$(dirname "$0")/install-node.sh"

PACKAGES=(samba samba-ad-dc smbclient ldap-utils winbind krb5-user python3-samba redis-server nginx chromium zstd openssl iproute2 util-linux curl procps tcpdump dnsmasq-base)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing packages: ${missing[*]}" >&2
  echo "Run as root:  apt-get update && DEBIAN_FRONTEND=noninteractive $cmd" >&2
  exit 1
fi

echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# krb5-user asks for a default realm; answer it up front so the install never waits for a terminal.
echo "krb5-config krb5-config/default_realm string EXAMPLE.TEST" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
# The distribution's own Samba services would grab port 445 on every address; the fixtures run their own.
# (nginx's own service, if the package started one, is left alone: the tests' nginx has its own ports and config.)
for svc in samba-ad-dc smbd nmbd winbind redis-server; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done
pkill -x redis-server 2>/dev/null || true
echo "Installed: ${missing[*]}" >&2
