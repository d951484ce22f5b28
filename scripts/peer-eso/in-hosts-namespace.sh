#!/bin/sh
# in-hosts-namespace.sh <hosts-file> <name>=<loopback-ip>... -- <command> [args...]
# Runs <command> in a private mount namespace in which <hosts-file> is bind-mounted over /etc/hosts, so each
# <name> resolves to its loopback address for that command (and its children) only. Refuses to start the command
# unless every name resolves to a 127.0.0.0/8 address inside the namespace: a peer that hard-codes a public host
# (Entra ID's login.microsoftonline.com) must never reach the internet from a benchmark or a test.
# Needs root (unshare --mount). Usage from Node: scripts/peer-eso/hosts-namespace.ts.
set -eu
if [ "${AKVSYNC_IN_HOSTS_NAMESPACE:-}" != 1 ]; then
  AKVSYNC_IN_HOSTS_NAMESPACE=1 exec unshare --mount --propagation private -- /bin/sh "$0" "$@"
fi
unset AKVSYNC_IN_HOSTS_NAMESPACE
hosts="$1"; shift
mount --bind "$hosts" /etc/hosts
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  name="${1%%=*}"; ip="${1#*=}"; shift
  case "$ip" in 127.*) ;; *) echo "in-hosts-namespace: $ip for $name is not a loopback address" >&2; exit 3 ;; esac
  resolved="$(getent ahostsv4 "$name" | awk 'NR==1{print $1}')"
  if [ "$resolved" != "$ip" ]; then
    echo "in-hosts-namespace: $name resolves to '${resolved}' here, not $ip; refusing to start the command" >&2
    exit 3
  fi
done
[ "${1:-}" = "--" ] || { echo "in-hosts-namespace: missing -- <command>" >&2; exit 2; }
shift
exec "$@"
