#!/usr/bin/env bash
# Stop the TlsTools loopback test bed (see README.md). Environment: TLSTOOLS_BED_DIR,
# TLSTOOLS_BED_PORT_BASE, TLSTOOLS_BED_NET, TLSTOOLS_BED_SMTP_PORT, TLSTOOLS_BED_IPV6.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${TLSTOOLS_BED_PYTHON:-/usr/bin/python3}"
if [ ! -x "$py" ]; then
    echo "[bed] $py not found: run $here/install-deps.sh first" >&2
    exit 1
fi
exec "$py" "$here/lib/bed.py" stop
