#!/usr/bin/env bash
# Locates a formatter for infra/terraform and prints "<kind> <path>" as its last line:
#   terraform <path>  a terraform >= 1.6 on PATH (these machines ship 1.11.4 in /usr/local/bin): `terraform fmt`
#   hclfmt <path>     otherwise hclfmt from github.com/hashicorp/hcl/v2 — the HCL release terraform 1.11.4 pins —
#                     built from the Go module proxy into ~/.cache/akvsync/hclfmt/<version>/ (about 2 minutes once).
# terraform itself cannot be built here: its go.mod replaces nested modules with local paths (see infra/README.md).
# hclfmt applies hclwrite's formatting, the core of `terraform fmt`, without terraform's few extra rewrites.
set -euo pipefail
HCL_VERSION="${AKVSYNC_HCL_VERSION:-v2.23.0}"
CACHE_ROOT="${AKVSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/akvsync}"
OUT="$CACHE_ROOT/hclfmt/$HCL_VERSION"

if tf="$(command -v terraform 2>/dev/null)" && "$tf" version 2>/dev/null | head -1 | grep -Eq 'Terraform v1\.([6-9]|[1-9][0-9])\.'; then
  echo "terraform $tf"; exit 0
fi
if [ ! -x "$OUT/hclfmt" ]; then
  command -v go >/dev/null || { echo "neither terraform (>= 1.6) nor go (to build hclfmt) is on PATH" >&2; exit 1; }
  echo "building hclfmt $HCL_VERSION from the Go module proxy…" >&2
  mkdir -p "$OUT"
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$OUT" go install "github.com/hashicorp/hcl/v2/cmd/hclfmt@$HCL_VERSION" >&2
fi
echo "hclfmt $OUT/hclfmt"
