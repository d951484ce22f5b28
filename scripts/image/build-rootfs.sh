#!/usr/bin/env bash
# Assembles the agent image's root filesystem for one architecture, from parts the registries serve — no base
# image, no container daemon. The same script makes the rootfs that scripts/image/pack-image.ts packs with umoci
# and the final stage of cluster-agent/Dockerfile, so the two cannot drift.
#
#   build-rootfs.sh --arch amd64|arm64 --agent <agent.mjs> --out <dir>
#
#   /usr/local/bin/node       Node runtime: npm registry package node-linux-<x64|arm64>@<nodeVersion>
#   /lib/<triplet>/…, ld.so   its shared libraries only (libc, libm, libdl, libpthread, libstdc++, libgcc_s, the
#                             loader), taken from Debian's libc6, libstdc++6 and libgcc-s1 of the target arch
#   /etc/ssl/certs/ca-certificates.crt   Mozilla roots from Debian's ca-certificates
#   /app/agent.mjs            the esbuild bundle of cluster-agent/main.ts (scripts/image/bundle-agent.ts)
#   /opt/akvsync/env-exec/amd64/, arm64/   env-exec of both architectures (scripts/build-env-exec.sh: the single
#                             executable, its loader and libraries), served by the agent at GET /v1/env-exec;
#   /opt/akvsync/env-exec/native -> <arch>  the image's own, which the install init container copies into pods
#   /etc/passwd, /etc/group   user and group akvsync, 65532 (the image runs as it); /tmp 1777
#   /usr/share/doc/<pkg>/copyright, /app/agent.mjs.LEGAL.txt  licences of what is shipped (gcc-12-base holds
#                             the copyright of libstdc++6 and libgcc-s1)
#
# Debian packages come from the machine's apt sources through a private apt state under the cache
# (~/.cache/akvsync/image/apt-<arch>/): the machine's own dpkg architectures and lists are not touched.
# Downloads are cached under ~/.cache/akvsync/image/; every file's mtime is set to SOURCE_DATE_EPOCH (default 0).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
arch="" agent="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch="$2"; shift 2 ;;
    --agent) agent="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "build-rootfs: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$arch" in
  amd64) node_arch=x64 triplet=x86_64-linux-gnu loader_link=lib64/ld-linux-x86-64.so.2 loader=ld-linux-x86-64.so.2 ;;
  arm64) node_arch=arm64 triplet=aarch64-linux-gnu loader_link=lib/ld-linux-aarch64.so.1 loader=ld-linux-aarch64.so.1 ;;
  *) echo "build-rootfs: --arch amd64|arm64" >&2; exit 2 ;;
esac
[ -f "$agent" ] || { echo "build-rootfs: --agent <bundle> (scripts/image/bundle-agent.ts writes it)" >&2; exit 2; }
[ -n "$out" ] || { echo "build-rootfs: --out <dir>" >&2; exit 2; }

config="$here/image-config.json"
json() { node -e "const c=require(process.argv[1]); const v=c[process.argv[2]]; console.log(Array.isArray(v)?v.join(' '):v)" "$config" "$1"; }
node_version="$(json nodeVersion)"
read -r -a packages <<<"$(json debianPackages)"
cache="${AKVSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/akvsync}/image"

# --- Node from the npm registry ----------------------------------------------------------------------------
node_dir="$cache/node-v$node_version-$node_arch"
if [ ! -x "$node_dir/bin/node" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-$node_arch@$node_version" >/dev/null && tar xzf ./*.tgz)
  mkdir -p "$cache"; rm -rf "$node_dir"; mv "$tmp/package" "$node_dir"; rm -rf "$tmp"
fi

# --- Debian packages of the target architecture (debian-packages.sh: private apt state, cached .debs) --------
extract="$(mktemp -d)"
trap 'rm -rf "$extract"' EXIT
bash "$here/debian-packages.sh" --arch "$arch" --out "$extract" "${packages[@]}"

# --- the root filesystem -----------------------------------------------------------------------------------
rm -rf "$out"
mkdir -p "$out"/{usr/local/bin,app,etc/ssl/certs,tmp,"lib/$triplet","usr/lib/$triplet",usr/share/doc}
chmod 1777 "$out/tmp"
install -m 0755 "$node_dir/bin/node" "$out/usr/local/bin/node"
for lib in "$loader" libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 libgcc_s.so.1; do
  cp -a "$extract/lib/$triplet/$lib" "$out/lib/$triplet/"
done
cp -a "$extract/usr/lib/$triplet"/libstdc++.so.6* "$out/usr/lib/$triplet/"
mkdir -p "$out/$(dirname "$loader_link")"
cp -a "$extract/$loader_link" "$out/$loader_link"
find "$extract/usr/share/ca-certificates/mozilla" -name '*.crt' | LC_ALL=C sort | xargs cat > "$out/etc/ssl/certs/ca-certificates.crt"
for p in "${packages[@]}"; do
  mkdir -p "$out/usr/share/doc/$p"
  cp "$extract/usr/share/doc/$p/copyright" "$out/usr/share/doc/$p/copyright"
done
cp "$node_dir/LICENSE" "$out/usr/share/doc/node-LICENSE" 2>/dev/null || true
install -m 0644 "$agent" "$out/app/agent.mjs"
[ -f "$agent.LEGAL.txt" ] && install -m 0644 "$agent.LEGAL.txt" "$out/app/agent.mjs.LEGAL.txt"
mkdir -p "$out/opt/akvsync/env-exec"
for env_exec_arch in amd64 arm64; do
  cp -a "$(bash "$here/../build-env-exec.sh" "$env_exec_arch")" "$out/opt/akvsync/env-exec/$env_exec_arch"
done
ln -s "$arch" "$out/opt/akvsync/env-exec/native"
printf 'root:x:0:0:root:/root:/sbin/nologin\nakvsync:x:65532:65532:akvsync:/nonexistent:/sbin/nologin\n' > "$out/etc/passwd"
printf 'root:x:0:\nakvsync:x:65532:\n' > "$out/etc/group"
printf 'hosts: files dns\n' > "$out/etc/nsswitch.conf"

# Every library node needs must be in the rootfs (a missing one would only show when the image runs).
for needed in $(readelf -d "$out/usr/local/bin/node" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
  [ -e "$out/lib/$triplet/$needed" ] || [ -e "$out/usr/lib/$triplet/$needed" ] || { echo "build-rootfs: $needed missing for $arch" >&2; exit 1; }
done
chown -R 0:0 "$out" 2>/dev/null || true
find "$out" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
echo "$out"
