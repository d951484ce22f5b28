#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kubectl (Kubernetes v1.36.x) and etcd (v3.6.x)
# from the Go module proxy into a versioned cache directory outside the repository.
#
# Kubernetes is not `go install`-able (its go.mod has replace directives), so we use a throw-away main
# module that requires k8s.io/kubernetes and replaces every staging module with the matching v0.x tag.
#
# Honours KUBEBUILDER_ASSETS: when set and it already holds the four binaries, nothing is built.
# Prints the directory holding the binaries as its last line.
set -euo pipefail

K8S_VERSION="${AKVSYNC_K8S_VERSION:-v1.36.3}"
ETCD_VERSION="${AKVSYNC_ETCD_VERSION:-v3.6.16}"
CACHE_ROOT="${AKVSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/akvsync}"
OUT="$CACHE_ROOT/control-plane/k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}"
BINARIES=(kube-apiserver kube-controller-manager kubectl etcd)

have_all() {
  local dir="$1" b
  for b in "${BINARIES[@]}"; do [ -x "$dir/$b" ] || return 1; done
}

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  if have_all "$KUBEBUILDER_ASSETS"; then
    echo "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS" >&2
    echo "$KUBEBUILDER_ASSETS"; exit 0
  fi
  echo "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks one of: ${BINARIES[*]}" >&2; exit 1
fi

if have_all "$OUT"; then echo "$OUT"; exit 0; fi

# One build at a time per cache: a second caller (another worktree, a parallel test run) waits for the
# first and then finds the binaries, instead of starting a second multi-minute build on the same cores.
mkdir -p "$CACHE_ROOT/control-plane"
exec 9>"$CACHE_ROOT/control-plane/.build.lock"
if ! flock -n 9; then
  echo "another build of the control plane is running; waiting for it…" >&2
  flock 9
fi
if have_all "$OUT"; then echo "$OUT"; exit 0; fi

command -v go >/dev/null || { echo "go is required to build the control plane" >&2; exit 1; }
mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
staging_version="v0.${K8S_VERSION#v1.}"

# --- Kubernetes -----------------------------------------------------------------------------------
mkdir -p "$WORK/k8s" && cd "$WORK/k8s"
go mod init akvsync.local/k8sbuild >/dev/null 2>&1
go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" >/dev/null
modfile="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/${K8S_VERSION}.mod"
godebug="$(grep -E '^godebug ' "$modfile" || true)"
staging="$(grep -E '=> \./staging/src/' "$modfile" | awk '{print $1}' | sort -u)"
{
  echo "module akvsync.local/k8sbuild"
  echo
  grep -E '^go [0-9]' "$modfile"
  [ -n "$godebug" ] && echo "$godebug"
  echo
  echo "require k8s.io/kubernetes ${K8S_VERSION}"
  echo
  echo "replace ("
  for m in $staging; do echo "	$m => $m ${staging_version}"; done
  echo ")"
} > go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
echo "resolving Kubernetes ${K8S_VERSION} modules…" >&2
go mod tidy -e >/dev/null 2>&1 || true
go get "k8s.io/kubernetes@${K8S_VERSION}" >/dev/null
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor} -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=${K8S_VERSION} -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=${minor}"
for cmd in kube-apiserver kube-controller-manager kubectl; do
  echo "building ${cmd}…" >&2
  go build -trimpath -ldflags "$ldflags" -o "$OUT/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd"
  mv "$OUT/$cmd.tmp" "$OUT/$cmd"
done

# --- etcd -----------------------------------------------------------------------------------------
mkdir -p "$WORK/etcd" && cd "$WORK/etcd"
go mod init akvsync.local/etcdbuild >/dev/null 2>&1
echo "building etcd ${ETCD_VERSION}…" >&2
go get -tool "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >/dev/null 2>&1
go build -trimpath -ldflags "-s -w" -o "$OUT/etcd.tmp" go.etcd.io/etcd/server/v3
mv "$OUT/etcd.tmp" "$OUT/etcd"

have_all "$OUT"
echo "$OUT"
