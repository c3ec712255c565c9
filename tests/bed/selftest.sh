#!/usr/bin/env bash
# Check a running test bed with openssl, swaks, curl, kdig and delv (see README.md).
# Prints one line per check and "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${TLSTOOLS_BED_PYTHON:-/usr/bin/python3}"
state="${TLSTOOLS_BED_DIR:-/tmp/tlstools-bed}/bed.json"
if [ ! -f "$state" ]; then
    echo "[bed] $state not found: run $here/start.sh first" >&2
    exit 1
fi
exec "$py" "$here/lib/selftest.py" "$state"
