#!/usr/bin/env bash
# Builds env-exec as a Node single executable (SEA) with its own dynamic loader and shared libraries, cached in
#   ~/.cache/akvsync/env-exec/<key>/<arch>/   (key = sources + lock file + this script + Node version)
# and prints that directory. Its files: env-exec (node + the injected bundle), ld.so (the loader), the libraries
# ldd lists; `<dir>.sha256` beside it holds the manifest digest the webhook pins (core/injection/env-exec-manifest.ts).
# Start it anywhere as: <dir>/ld.so --library-path <dir> <dir>/env-exec run -- <command> [args…]
# Usage: scripts/build-env-exec.sh [x64]     (arm64: see docs/env-injection.md, not built here)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ARCH="${1:-x64}"
[ "$ARCH" = x64 ] || { echo "build-env-exec: only x64 is built by this script" >&2; exit 2; }
NODE_VERSION=24.21.0
CACHE_ROOT="${AKVSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/akvsync}"
SEA_FUSE=NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2

node_dir="$CACHE_ROOT/node/v${NODE_VERSION}-${ARCH}"
if [ ! -x "$node_dir/bin/node" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-${ARCH}@${NODE_VERSION}" >/dev/null && tar xzf ./*.tgz)
  mkdir -p "$(dirname "$node_dir")"; rm -rf "$node_dir"; mv "$tmp/package" "$node_dir"; rm -rf "$tmp"
fi
NODE="$node_dir/bin/node"

key="$( { echo "node=$NODE_VERSION arch=$ARCH"; cat "${BASH_SOURCE[0]}" package-lock.json;
          find env-exec core -name '*.ts' -type f | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -c1-16)"
out="$CACHE_ROOT/env-exec/$key/$ARCH"
if [ -f "$out.sha256" ] && [ -x "$out/env-exec" ]; then echo "$out"; exit 0; fi
# One build at a time (parallel test workers ask at once); the second finds the first's result.
mkdir -p "$CACHE_ROOT/env-exec"
exec 9>"$CACHE_ROOT/env-exec/.lock"
flock 9
if [ -f "$out.sha256" ] && [ -x "$out/env-exec" ]; then echo "$out"; exit 0; fi

start=$(date +%s)
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$work/dir"
# Optional modules some libraries probe for at run time: stubbed, or the executable warns on stderr.
echo 'module.exports = {};' > "$work/stub.cjs"
node_modules/.bin/esbuild env-exec/main.ts --bundle --platform=node --format=cjs --target=node24 \
  --minify-syntax --legal-comments=none --log-level=warning \
  --alias:encoding="$work/stub.cjs" --alias:bufferutil="$work/stub.cjs" --alias:utf-8-validate="$work/stub.cjs" \
  --alias:supports-color="$work/stub.cjs" --outfile="$work/env-exec.cjs"
cat > "$work/sea-config.json" <<JSON
{ "main": "$work/env-exec.cjs", "output": "$work/sea-prep.blob", "disableExperimentalSEAWarning": true, "useCodeCache": true, "useSnapshot": false }
JSON
"$NODE" --experimental-sea-config "$work/sea-config.json" >"$work/sea.log" 2>&1 || { cat "$work/sea.log" >&2; exit 1; }
cp "$NODE" "$work/dir/env-exec"
chmod u+w "$work/dir/env-exec"
"$NODE" node_modules/postject/dist/cli.js "$work/dir/env-exec" NODE_SEA_BLOB "$work/sea-prep.blob" --sentinel-fuse "$SEA_FUSE" >"$work/postject.log" 2>&1 || { cat "$work/postject.log" >&2; exit 1; }
# The loader under an arch-neutral name, and every library ldd resolves (symlinks followed).
loader="$(ldd "$work/dir/env-exec" | awk '$1 ~ /^\/.*ld-linux/ {print $1}')"
cp -L "$loader" "$work/dir/ld.so"
ldd "$work/dir/env-exec" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | while read -r lib; do cp -L "$lib" "$work/dir/$(basename "$lib")"; done
chmod 0555 "$work/dir"/*
digest="$("$NODE" --import tsx scripts/env-exec/manifest-digest.ts "$work/dir")"
mkdir -p "$(dirname "$out")"; rm -rf "$out"; cp -a "$work/dir" "$out"; echo "$digest" > "$out.sha256"
# Keep the three newest builds (each ~130 MB).
ls -1dt "$CACHE_ROOT"/env-exec/*/ | tail -n +4 | xargs -r rm -rf
echo "build-env-exec: built $out in $(( $(date +%s) - start )) s ($(du -sh "$out" | cut -f1), digest $digest)" >&2
echo "$out"
