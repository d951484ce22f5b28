#!/usr/bin/env bash
# Installs the Debian packages env-exec's chroot tests use, when missing (CI runs this as root on a fresh machine):
#   musl-tools   musl-gcc and the musl loader: the target program, static for the empty (scratch-like) root and
#                dynamically linked for the musl root
#   binutils     readelf: scripts/build-env-exec.sh reads the loader and libraries env-exec needs from its ELF headers
# Prints nothing on success when everything is already installed.
set -euo pipefail
packages=(musl-tools binutils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-test-packages: missing ${missing[*]}; run as root or install them with apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Parallel test workers may call this at once: dpkg takes one installer at a time.
exec 9>/tmp/akvsync-ensure-test-packages.lock
flock 9
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  apt-get update >/dev/null
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
}
