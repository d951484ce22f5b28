#!/usr/bin/env bash
# Makes sure the Debian packages behind the loopback OCI registry harness (scripts/local-stack/oci-registry.ts)
# are installed: docker-registry (distribution 2.8, the registry itself), umoci (builds OCI image layouts without
# a daemon), skopeo (pushes them) and apache2-utils (htpasswd, bcrypt entries for the registry's basic auth).
# Runs `apt-get update` first, only when something is missing. Needs root (CI runs as root). Idempotent and quiet
# when everything is present; prints nothing on stdout.
set -euo pipefail
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v umoci >/dev/null 2>&1 || missing+=(umoci)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
command -v readelf >/dev/null 2>&1 || missing+=(binutils) # the agent image's build (build-rootfs.sh, build-env-exec.sh)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-oci-tools: missing ${missing[*]}; install them as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "ensure-oci-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# docker-registry's postinst would start a system-wide registry on :5000 (all interfaces) where an init system
# runs; the harness starts its own on loopback, so a temporary policy-rc.d tells invoke-rc.d not to start services.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
