#!/usr/bin/env bash
# Builds helm (v3.21.4 by default) from the Go module proxy into a versioned cache directory outside the
# repository, once. helm is `go install`-able (no replace directives); the version ldflag makes `helm version`
# honest. `helm template` still needs `--kube-version` (without it helm assumes an old Kubernetes).
#
# Honours AKVSYNC_HELM: when set to an executable, nothing is built.
# Prints the path of the helm binary as its last line.
set -euo pipefail

HELM_VERSION="${AKVSYNC_HELM_VERSION:-v3.21.4}"
CACHE_ROOT="${AKVSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/akvsync}"
OUT="$CACHE_ROOT/helm/$HELM_VERSION"

if [ -n "${AKVSYNC_HELM:-}" ]; then
  [ -x "$AKVSYNC_HELM" ] || { echo "AKVSYNC_HELM=$AKVSYNC_HELM is not executable" >&2; exit 1; }
  echo "$AKVSYNC_HELM"; exit 0
fi
if [ -x "$OUT/helm" ]; then echo "$OUT/helm"; exit 0; fi

# One build at a time per cache: parallel callers (worktrees, jest workers) wait for the first build.
mkdir -p "$OUT"
exec 9>"$OUT/.build.lock"
if ! flock -n 9; then
  echo "another build of helm $HELM_VERSION is running; waiting for it…" >&2
  flock 9
fi
if [ -x "$OUT/helm" ]; then echo "$OUT/helm"; exit 0; fi

command -v go >/dev/null || { echo "go is required to build helm" >&2; exit 1; }
echo "building helm $HELM_VERSION from the Go module proxy (a few minutes)…" >&2
GOBIN="$(mktemp -d)"
trap 'rm -rf "$GOBIN"' EXIT
GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$GOBIN" go install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
mv "$GOBIN/helm" "$OUT/helm.tmp" && mv "$OUT/helm.tmp" "$OUT/helm"
echo "$OUT/helm"
