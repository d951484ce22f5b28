#!/usr/bin/env bash
# The openssl CLI writes the PKCS#12 files the certificate tests read (test/support/test-certificates.ts): the real
# tool, in the encryptions Azure and Windows export with. Debian ships it almost everywhere; install it when absent.
set -euo pipefail
if command -v openssl >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-openssl: openssl is not on PATH; install it (Debian: apt-get install -y openssl)" >&2
  exit 1
fi
apt-get install -y --no-install-recommends openssl >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y --no-install-recommends openssl >/dev/null; }
