#!/usr/bin/env bash
# Prints a directory whose `node` is >= 22, provisioning Node from the npm registry (package
# node-linux-<arch>) into a cache directory when the machine's node is older. Source-free: callers do
#   PATH="$(scripts/ensure-node.sh):$PATH"
set -euo pipefail
NODE_VERSION="${AKVSYNC_NODE_VERSION:-24.21.0}"
CACHE_ROOT="${AKVSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/akvsync}"
if command -v node >/dev/null 2>&1; then
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -ge 22 ]; then dirname "$(command -v node)"; exit 0; fi
fi
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
dest="$CACHE_ROOT/node/v${NODE_VERSION}-${arch}"
if [ ! -x "$dest/bin/node" ]; then
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-${arch}@${NODE_VERSION}" >/dev/null && tar xzf ./*.tgz)
  mkdir -p "$(dirname "$dest")"; rm -rf "$dest"; mv "$tmp/package" "$dest"
fi
echo "$dest/bin"
