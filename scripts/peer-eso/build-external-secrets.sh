#!/usr/bin/env bash
# Builds the External Secrets Operator controller (v0.16.2 by default) from the Go module proxy into a
# versioned cache directory outside the repository, beside its CRD bundle. Used only by the peer benchmark.
#
# ESO's own go.mod has a `replace` (sprig), so `go install` refuses it: a throw-away main module requires
# it and copies every non-local replace from ESO's go.mod. v1.x cannot be built this way (it replaces
# nested modules with local paths that the proxy's zip does not contain).
#
# Safe to call concurrently (flock). Prints the directory holding `external-secrets` and `crds.yaml` as its
# last line, and `built in <seconds>s` on stderr when it had to build.
set -euo pipefail

ESO_VERSION="${AKVSYNC_ESO_VERSION:-v0.16.2}"
CACHE_ROOT="${AKVSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/akvsync}"
OUT="$CACHE_ROOT/external-secrets/$ESO_VERSION"
MODULE=github.com/external-secrets/external-secrets

have_all() { [ -x "$OUT/external-secrets" ] && [ -s "$OUT/crds.yaml" ]; }

mkdir -p "$OUT"
exec 9>"$OUT/.build.lock"
flock 9
if have_all; then echo "$OUT"; exit 0; fi

command -v go >/dev/null || { echo "go is required to build External Secrets Operator" >&2; exit 1; }
started=$(date +%s)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

cd "$WORK"
go mod init akvsync.local/esobuild >/dev/null 2>&1
go mod download -json "$MODULE@$ESO_VERSION" >/dev/null
cache="$(go env GOMODCACHE)"
modfile="$cache/cache/download/$MODULE/@v/$ESO_VERSION.mod"
srcdir="$cache/$MODULE@$ESO_VERSION"
{
  echo "module akvsync.local/esobuild"
  echo
  grep -E '^go [0-9]' "$modfile"
  echo
  echo "require $MODULE $ESO_VERSION"
  echo
  # single-line and block replaces whose target is a module version (not a local path)
  awk '/^replace \(/{b=1;next} b&&/^\)/{b=0;next} b{print "replace " $0;next} /^replace /{print}' "$modfile" \
    | grep -vE '=> *\.' || true
} > go.mod
cat > tools.go <<GO
//go:build tools

package tools

import _ "$MODULE"
GO
echo "resolving External Secrets Operator $ESO_VERSION modules…" >&2
go get "$MODULE@$ESO_VERSION" >/dev/null 2>&1
echo "building external-secrets $ESO_VERSION (several minutes on 2 cores)…" >&2
nice -n 10 go build -trimpath -ldflags "-s -w" -o "$OUT/external-secrets.tmp" "$MODULE"
mv "$OUT/external-secrets.tmp" "$OUT/external-secrets"
cp "$srcdir/deploy/crds/bundle.yaml" "$OUT/crds.yaml.tmp" && chmod 644 "$OUT/crds.yaml.tmp" && mv "$OUT/crds.yaml.tmp" "$OUT/crds.yaml"
echo "$(( $(date +%s) - started ))" > "$OUT/build-seconds"
echo "built in $(( $(date +%s) - started ))s" >&2

have_all
echo "$OUT"
