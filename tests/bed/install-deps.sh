#!/usr/bin/env bash
# Install the Debian packages the TlsTools test bed needs (Debian 12, as root).
# Idempotent: when every package is already installed it returns at once without apt.
# Package services are kept from starting during the install (a temporary policy-rc.d
# that exits 101), so nothing ends up listening on wildcard addresses.
set -euo pipefail

packages=(
    postfix          # SMTP profiles (one private instance, many listeners)
    knot             # authoritative DNS (knotd, keymgr)
    knot-dnsutils    # kdig
    unbound          # validating resolver in front of Knot (DNSSEC AD flag for DANE checks)
    bind9-dnsutils   # dig, delv (DNSSEC validation in the self-test)
    nginx-light      # CRLs, AIA certificates, MTA-STS policies
    openssl          # PKI, OCSP responder, probes
    python3          # orchestration, OCSP front end, HTTP proxy (Debian's /usr/bin/python3)
    swaks            # SMTP probe
    libnet-ssleay-perl    # swaks --tls (not pulled in without recommends)
    libio-socket-ssl-perl # swaks --tls
    curl             # HTTP probe
    iproute2         # ss, to check what listens
    sslscan          # reference cipher suite scan (Get-TlsCipherSuite tests, bench)
    nmap             # ssl-enum-ciphers, a second reference
    testssl.sh       # bench reference (the command is testssl)
    openssh-server   # sshd the bed starts itself for PowerShell remoting over SSH (the package's service stays off)
    openssh-client   # ssh, the client PowerShell's SSH transport runs
    chromium         # headless rendering of ConvertTo-MailTlsReport's page (Pester)
    fonts-dejavu-core # the fonts the report names, so renders and screenshots are the same everywhere
    mono-complete    # runs the net472 build of the xunit tests (the Windows PowerShell 5.1 code paths)
    afl++            # tools/Invoke-Fuzz.ps1 -Engine Afl (the test command's pass needs nothing)
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "[bed] all test bed packages are installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "[bed] must run as root to install: ${missing[*]}" >&2
    exit 1
fi

echo "[bed] installing: ${missing[*]}"
policy=/usr/sbin/policy-rc.d
created_policy=0
cleanup() {
    if [ "$created_policy" -eq 1 ]; then
        rm -f "$policy"
    fi
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary: keep package services from starting during the test bed install\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    created_policy=1
else
    echo "[bed] $policy already exists; leaving it as it is"
fi

# Postfix: no system mailer configuration (the bed runs its own private instance)
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}"
echo "[bed] packages installed"
