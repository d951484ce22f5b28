#!/usr/bin/env bash
# Downloads Debian packages of one architecture and unpacks them into a directory, without touching the machine's
# own dpkg architectures or apt lists: a private apt state under the cache (~/.cache/akvsync/image/apt-<arch>/),
# the .deb files cached in ~/.cache/akvsync/image/debs-<arch>/ (re-downloaded only when one is missing).
# Used by build-rootfs.sh (the agent image) and scripts/build-env-exec.sh (env-exec's loader and libraries).
#
#   debian-packages.sh --arch amd64|arm64 --out <dir> <package>…
set -euo pipefail
arch="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --) shift; break ;;
    -*) echo "debian-packages: unknown argument $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
case "$arch" in amd64|arm64) ;; *) echo "debian-packages: --arch amd64|arm64" >&2; exit 2 ;; esac
[ -n "$out" ] && [ $# -gt 0 ] || { echo "debian-packages: --out <dir> <package>…" >&2; exit 2; }
packages=("$@")
cache="${AKVSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/akvsync}/image"
apt_dir="$cache/apt-$arch"
debs="$cache/debs-$arch"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$debs"
touch "$apt_dir/status"
apt_opts=(-qq -o "APT::Architecture=$arch" -o "APT::Architectures=$arch" -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::State::status=$apt_dir/status" -o "Dir::Cache=$apt_dir/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
# One download at a time per architecture (the image and env-exec builds may ask at once).
exec 8>"$cache/.debs-$arch.lock"
flock 8
have_all=1
for p in "${packages[@]}"; do compgen -G "$debs/${p}_*.deb" >/dev/null || have_all=0; done
if [ "$have_all" = 0 ]; then
  apt-get "${apt_opts[@]}" update >&2
  for p in "${packages[@]}"; do rm -f "$debs/${p}_"*.deb; done
  (cd "$debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" >&2)
fi
mkdir -p "$out"
for p in "${packages[@]}"; do
  dpkg-deb -x "$(compgen -G "$debs/${p}_*.deb")" "$out"
done
