#!/usr/bin/env python3
"""TlsTools loopback test bed: throwaway PKI, one Postfix instance with many SMTP
profiles, Knot DNS, nginx (CRLs, AIA certificates, MTA-STS policies), an OCSP
front end for `openssl ocsp`, a request-logging HTTP forward proxy and an sshd
for PowerShell remoting over SSH (throwaway host and client keys).

Everything binds to loopback addresses only and never needs the system resolver.

  bed.py start    create what is missing, start everything, write bed.json, print its path
  bed.py stop     stop everything by the pids recorded in the state folder
  bed.py status   show pids and health; exit 0 when the bed is up and answering

Environment:
  TLSTOOLS_BED_DIR        state folder            (default /tmp/tlstools-bed)
  TLSTOOLS_BED_PORT_BASE  port base               (default 42500)
  TLSTOOLS_BED_NET        loopback /24 (3 octets) (default 127.0.10)
  TLSTOOLS_BED_SMTP_PORT  per-profile SMTP port   (default 2525)
  TLSTOOLS_BED_IPV6       auto | 0 | 1            (default auto)
  TLSTOOLS_BED_PWSH       pwsh the sshd's powershell subsystem runs (default: pwsh on PATH,
                          then ~/.dotnet/tools/pwsh, then /opt/microsoft/powershell/7/pwsh)
"""
import base64
import datetime
import errno
import fcntl
import hashlib
import http.client
import json
import os
import pwd
import random
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
PKI_FORMAT = 9            # bump when the PKI layout or content changes: forces regeneration
START_BUDGET = 25.0       # seconds allowed for all services to answer after launch
STOP_TERM_WAIT = 8.0      # seconds between SIGTERM and SIGKILL
LOCK_WAIT = 60.0          # seconds to wait for another start/stop of the same bed
PORT_WAIT = 70.0          # seconds to wait for client sockets (TIME_WAIT lasts 60 s) to free a bed port

SYS_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# ---------------------------------------------------------------------------------
# What the bed contains
# ---------------------------------------------------------------------------------

ZONE = "bed.test"

# SMTP profiles: n = last octet of the profile's address (NET.n) and offset of its
# loopback port (portBase + 25 + n).
PROFILES = [
    dict(name="good", n=1, cert="good", chain="full", mode="starttls",
         desc="STARTTLS, valid chain (leaf + intermediate) for its host name, TLS 1.2 and 1.3 only, "
              "ECDHE + AEAD suites only; also on [::1] when available."),
    dict(name="expired", n=2, cert="expired", chain="full", mode="starttls",
         desc="STARTTLS, leaf whose notAfter is in the past (chain otherwise valid)."),
    dict(name="wrongname", n=3, cert="wrongname", chain="full", mode="starttls",
         desc="STARTTLS, valid chain but the leaf names not-this-host.bed.test only."),
    dict(name="selfsigned", n=4, cert="selfsigned", chain="leaf", mode="starttls",
         desc="STARTTLS, self-signed leaf (not issued by the bed CA)."),
    dict(name="nointermediate", n=5, cert="nointermediate", chain="leaf", mode="starttls",
         desc="STARTTLS, valid leaf but the server sends only the leaf; the intermediate is only "
              "reachable through the leaf's AIA caIssuers URL."),
    dict(name="revoked", n=6, cert="revoked", chain="full", mode="starttls",
         desc="STARTTLS, valid chain, leaf revoked (on intermediate.crl and OCSP says revoked)."),
    dict(name="nostarttls", n=7, cert=None, chain=None, mode="none",
         desc="Plain SMTP, STARTTLS not offered."),
    dict(name="implicit", n=8, cert="implicit", chain="full", mode="implicit",
         desc="Implicit TLS on connect (465 style, smtpd_tls_wrappermode), valid chain."),
    dict(name="legacy", n=9, cert="legacy", chain="full", mode="legacy",
         desc="STARTTLS like a typical old MX: TLS 1.0 to 1.2 (no 1.3), all non-anonymous suites "
              "at OpenSSL security level 0 (RSA key exchange, CBC, SHA-1 MACs, DHE, Camellia), valid chain."),
    dict(name="tempfail", n=10, cert=None, chain=None, mode="tempfail",
         desc="Greets with 421 4.3.2 and disconnects (smtpd_delay_reject=no plus a client "
              "restriction that answers 421)."),
    dict(name="tls10", n=11, cert="tls10", chain="full", mode="tls10",
         desc="STARTTLS with TLS 1.0 only and RSA key exchange CBC suites only (no forward "
              "secrecy): an MX older than anything a current client offers by default."),
    dict(name="ipsan", n=12, cert="ipsan", chain="full", mode="starttls",
         desc="STARTTLS, valid chain; the leaf also names the profile's own address (NET.12) as an "
              "iPAddress SAN, for smart hosts given by IP address."),
    dict(name="tls13only", n=13, cert="tls13only", chain="full", mode="tls13only",
         desc="STARTTLS with TLS 1.3 only (OpenSSL's default TLS 1.3 suites)."),
    dict(name="serverorder", n=14, cert="serverorder", chain="full", mode="serverorder",
         desc="STARTTLS, TLS 1.2 and 1.3, the server imposes its own order (tls_preempt_cipherlist) and "
              "puts a CBC suite first; also one RSA key exchange suite."),
    dict(name="dualcert", n=15, cert="dualcert", chain="full", mode="dualcert", extra_cert="dualcert-ec",
         desc="STARTTLS, TLS 1.2 and 1.3, an RSA and an ECDSA (P-256) certificate side by side: "
              "ECDHE_RSA and ECDHE_ECDSA suites."),
    # Exchange-faithful verdicts (n 20-22: apart from profiles added elsewhere).
    dict(name="exochoice", n=20, cert="exochoice", chain="full", mode="exochoice", extra_cert="exochoice-ec",
         desc="STARTTLS, TLS 1.2 only, an RSA and an ECDSA certificate; the server imposes its order and prefers "
              "ECDHE-ECDSA-AES256-GCM-SHA384, which Exchange Online does not offer (and which .NET on Linux "
              "offers); offered Exchange Online's list it takes ECDHE-RSA-AES128-GCM-SHA256 with the RSA leaf."),
    dict(name="noexosuite", n=21, cert="noexosuite", chain="full", mode="noexosuite",
         desc="STARTTLS, TLS 1.2 only, an ECDSA certificate only (ECDHE-ECDSA AES-GCM suites): none of "
              "Exchange Online's suites, which are all RSA-authenticated."),
    dict(name="sha1", n=22, cert="sha1", chain="full", mode="sha1",
         desc="STARTTLS, TLS 1.2 and 1.3, valid chain whose leaf is signed with SHA-1 (served at OpenSSL "
              "security level 0)."),
    dict(name="crlunreachable", n=23, cert="crlunreachable", chain="full", mode="starttls",
         desc="STARTTLS, valid chain whose leaf names CRL, OCSP and caIssuers URLs on the closed port: "
              "its revocation cannot be checked."),
]

# Fault-injecting SMTP servers (lib/smtp_faults.py) on 127.0.0.1:portBase+offset: what Postfix
# cannot be made to do. name: (port offset, description, what a probe should see)
FAULTS = {
    "ehloreject": (60, "220 greeting, EHLO answered 502 5.5.2 (HELO works): no ESMTP, so no STARTTLS.",
                   "EHLO rejected: STARTTLS cannot be offered"),
    "ehlo421": (61, "220 greeting, EHLO answered 421 4.3.2 and the connection closed.",
                "service unavailable after the greeting"),
    "tlsfail": (62, "Offers STARTTLS and answers 220, then meets every ClientHello with a fatal "
                    "handshake_failure alert: the modern and the legacy handshake both fail.",
                "handshake failed (both attempts)"),
    "starttlsagain": (63, "Real TLS 1.2/1.3 with the faults certificate, but EHLO over TLS advertises "
                          "STARTTLS again (RFC 3207 section 4.2 forbids it).",
                      "TLS established; a note names the repeated STARTTLS"),
}

# Fault-injecting DNS, HTTP, TLS and SMTP servers (lib/net_faults.py) on 127.0.0.1:portBase+offset,
# plus two MTA-STS policy hosts on NET.67:443 (TLS error) and NET.68:443 (misbehaving HTTPS).
NET_FAULTS = {
    "dns": (67, "DNS for faults.test (UDP and TCP): NXDOMAIN, SERVFAIL, REFUSED, silent, truncated, null MX, "
                "MX to a CNAME or an IP literal, 50 MX, 64 KB TXT and TLSA, bulk names"),
    "silentdns": (68, "reads every DNS query and never answers"),
    "http": (69, "CRL/OCSP over HTTP gone wrong: endless, huge (1 GiB), slow, loop, scheme, wrongtype; /stats"),
    "resetsmtp": (70, "resets every second connection, passes the others to the good profile"),
    "neverread": (71, "accepts the TCP connection and never reads"),
    "revsmtp": (72, "STARTTLS; the leaf's CRL and OCSP URLs point at the slow, huge and endless HTTP faults"),
    "badsan": (73, "TLS with a leaf whose subjectAltName is not valid DER"),
    "emptysubject": (74, "TLS with a leaf with an empty subject"),
    "manynames": (75, "TLS with a leaf of 2000 DNS names"),
    "deepchain": (76, "TLS with a chain of 21 certificates"),
}

# Mail path (Get-MailTlsPath): real Received headers. A test sends a message to the relay
# (127.0.0.1:portBase+64, its own Postfix instance), which accepts only these recipient domains and
# relays each the way its entry says to the sink (another Postfix instance), which delivers to a
# Maildir in the state folder. Each MTA writes its own Received header.
#   domain: (sink listener, relay transport, description)
PATH_ZONE = f"path.{ZONE}"
PATH_DOMAINS = {
    f"tls.{PATH_ZONE}": ("detailed", "relaytls",
                         "relay to sink over TLS 1.3 (OpenSSL's default suites), the relay presents the good leaf "
                         "as client certificate; the sink records TLS details and asks for a certificate"),
    f"tls12.{PATH_ZONE}": ("detailed", "relaytls12",
                           "relay to sink over TLS 1.2 with ECDHE-RSA-AES128-GCM-SHA256 only, no client certificate"),
    f"plain.{PATH_ZONE}": ("detailed", "relayplain", "relay to sink without TLS (ESMTP)"),
    f"bare.{PATH_ZONE}": ("bare", "relaytls",
                          "relay to sink over TLS 1.3, but the sink records no TLS details (only the ESMTPS keyword)"),
}
PATH_RELAY_HOST = f"relay.{PATH_ZONE}"
PATH_SINK_HOST = f"sink.{PATH_ZONE}"

STS_DOMAINS = {
    # domain: (policy text or None for "no policy served", MTA-STS TXT id)
    "partner.bed.test": ("version: STSv1\nmode: testing\nmx: *.mx.bed.test\nmax_age: 86400\n",
                         "20261128T000000"),
    "good.bed.test": ("version: STSv1\nmode: enforce\nmx: good.mx.bed.test\nmax_age: 604800\n",
                      "20261128T000001"),
    "legacy.bed.test": ("version: STSv1\nmode: enforce\nmx: legacy.mx.bed.test\nmax_age: 604800\n",
                        "20261128T000002"),
    "stsmismatch.bed.test": ("version: STSv1\nmode: enforce\nmx: *.elsewhere.bed.test\nmax_age: 604800\n",
                             "20261128T000003"),
    "stsfail.bed.test": (None, "20261128T000004"),
    "stsnone.bed.test": ("version: STSv1\nmode: none\nmax_age: 86400\n", "20261128T000005"),
    "stsredirect.bed.test": ("version: STSv1\nmode: enforce\nmx: good.mx.bed.test\nmax_age: 604800\n",
                             "20261128T000006"),
    "stsbadcert.bed.test": ("version: STSv1\nmode: enforce\nmx: good.mx.bed.test\nmax_age: 604800\n",
                            "20261128T000007"),
    "stsbig.bed.test": ("version: STSv1\nmode: enforce\nmx: good.mx.bed.test\nmax_age: 604800\n"
                        + "".join(f"x-padding-{i:05d}: {'x' * 100}\n" for i in range(700)), "20261128T000008"),
}

# Policy hosts that do not simply serve their policy: a 301 to another policy URL, a certificate
# that does not name the policy host (the wrongname leaf), a policy of about 80 KiB (above the
# 64 KiB a client should read).
STS_SPECIAL = {
    "stsredirect.bed.test": "redirect",
    "stsbadcert.bed.test": "badcert",
    "stsbig.bed.test": "oversized",
}

# Leaf certificates ("pki" cases). urls: normal | expiredcrl | badsigcrl | closed | none
LEAVES = {
    "good": dict(sans=["good.mx.bed.test"], urls="normal", validity="current", expect="valid",
                 desc="Valid leaf for good.mx.bed.test, issued by the intermediate."),
    "expired": dict(sans=["expired.mx.bed.test"], urls="normal", validity="past", expect="expired",
                    desc="notBefore 90 days ago, notAfter 30 days ago."),
    "wrongname": dict(sans=["not-this-host.bed.test"], urls="normal", validity="current",
                      expect="name-mismatch",
                      desc="Valid chain; SAN is not-this-host.bed.test (used by wrongname.mx.bed.test)."),
    "selfsigned": dict(sans=["selfsigned.mx.bed.test"], urls="none", validity="current",
                       expect="untrusted-root", self_signed=True,
                       desc="Self-signed leaf, no CDP/AIA."),
    "nointermediate": dict(sans=["nointermediate.mx.bed.test"], urls="normal", validity="current",
                           expect="valid",
                           desc="Valid leaf; its SMTP profile sends it without the intermediate."),
    "revoked": dict(sans=["revoked.mx.bed.test"], urls="normal", validity="current", expect="revoked",
                    desc="Revoked (keyCompromise): listed on intermediate.crl, OCSP answers revoked."),
    "implicit": dict(sans=["implicit.mx.bed.test"], urls="normal", validity="current", expect="valid",
                     desc="Valid leaf for the implicit-TLS profile."),
    "legacy": dict(sans=["legacy.mx.bed.test"], urls="normal", validity="current", expect="valid",
                   desc="Valid leaf for the legacy profile."),
    "tls10": dict(sans=["tls10.mx.bed.test"], urls="normal", validity="current", expect="valid",
                  desc="Valid leaf for the TLS 1.0-only profile."),
    "ipsan": dict(sans=["ipsan.mx.bed.test"], ip_octets=[12], urls="normal", validity="current", expect="valid",
                  desc="Valid leaf for the ipsan profile: DNS ipsan.mx.bed.test and IP NET.12 (iPAddress SAN)."),
    "faults": dict(sans=[f"{f}.faults.bed.test" for f in FAULTS], urls="normal", validity="current",
                   expect="valid", desc="Valid leaf of the fault-injecting SMTP servers (lib/smtp_faults.py)."),
    "tls13only": dict(sans=["tls13only.mx.bed.test"], urls="normal", validity="current", expect="valid",
                      desc="Valid leaf for the TLS 1.3-only profile."),
    "serverorder": dict(sans=["serverorder.mx.bed.test"], urls="normal", validity="current", expect="valid",
                        desc="Valid leaf for the server-order profile."),
    "dualcert": dict(sans=["dualcert.mx.bed.test"], urls="normal", validity="current", expect="valid",
                     desc="Valid RSA leaf for the dual-certificate profile."),
    "dualcert-ec": dict(sans=["dualcert.mx.bed.test"], urls="normal", validity="current", expect="valid",
                        key="ec", desc="Valid ECDSA (P-256) leaf for the dual-certificate profile."),
    "exochoice": dict(sans=["exochoice.mx.bed.test"], urls="normal", validity="current", expect="valid",
                      desc="Valid RSA leaf for the exochoice profile."),
    "exochoice-ec": dict(sans=["exochoice.mx.bed.test"], urls="normal", validity="current", expect="valid",
                         key="ec", desc="Valid ECDSA (P-256) leaf for the exochoice profile."),
    "noexosuite": dict(sans=["noexosuite.mx.bed.test"], urls="normal", validity="current", expect="valid",
                       key="ec", desc="Valid ECDSA (P-256) leaf for the noexosuite profile (its only certificate)."),
    "crlunreachable": dict(sans=["crlunreachable.mx.bed.test"], urls="closed", validity="current",
                           expect="revocation-unavailable",
                           desc="Valid leaf for the crlunreachable profile; CDP, OCSP and caIssuers on 127.0.0.1:<closedPort>."),
    "sha1": dict(sans=["sha1.mx.bed.test"], urls="normal", validity="current", expect="sha1-signed", md="sha1",
                 desc="Leaf for sha1.mx.bed.test signed by the intermediate with sha1WithRSAEncryption."),
    "expiredcrl": dict(sans=["expiredcrl.pki.bed.test"], urls="expiredcrl", validity="current",
                       expect="crl-expired",
                       desc="CDP points to expired.crl: signed by the intermediate, nextUpdate in the past."),
    "badsigcrl": dict(sans=["badsigcrl.pki.bed.test"], urls="badsigcrl", validity="current",
                      expect="crl-bad-signature",
                      desc="CDP points to badsig.crl: issuer name and authority key id of the "
                           "intermediate, but signed with a different key."),
    "closedport": dict(sans=["closedport.pki.bed.test"], urls="closed", validity="current",
                       expect="revocation-unavailable",
                       desc="CDP, OCSP and caIssuers URLs point to 127.0.0.1:<closedPort> where nothing listens."),
    "mtasts": dict(sans=["mta-sts." + d for d in STS_DOMAINS if STS_SPECIAL.get(d) != "badcert"], urls="normal", validity="current",
                   expect="valid", desc="HTTPS certificate of the MTA-STS policy host."),
}


# ---------------------------------------------------------------------------------
# Configuration from the environment
# ---------------------------------------------------------------------------------

class BedError(Exception):
    pass


class Cfg:
    def __init__(self):
        env = os.environ
        self.state = os.path.abspath(env.get("TLSTOOLS_BED_DIR") or "/tmp/tlstools-bed")
        if re.search(r"[\s,{}$\"'\\=]", self.state):
            raise BedError(f"TLSTOOLS_BED_DIR must not contain spaces, commas, quotes, braces, '$', '=' "
                           f"or backslashes: {self.state!r}")
        try:
            self.base = int(env.get("TLSTOOLS_BED_PORT_BASE") or 42500)
            self.smtp_port = int(env.get("TLSTOOLS_BED_SMTP_PORT") or 2525)
        except ValueError:
            raise BedError("TLSTOOLS_BED_PORT_BASE and TLSTOOLS_BED_SMTP_PORT must be integers")
        if not 1024 <= self.base <= 65535 - 100:
            raise BedError("TLSTOOLS_BED_PORT_BASE must be between 1024 and 65435")
        if not 1 <= self.smtp_port <= 65535:
            raise BedError("TLSTOOLS_BED_SMTP_PORT out of range")
        self.net = env.get("TLSTOOLS_BED_NET") or "127.0.10"
        m = re.fullmatch(r"127\.(\d{1,3})\.(\d{1,3})", self.net)
        if not m or int(m.group(1)) > 255 or int(m.group(2)) > 255:
            raise BedError(f"TLSTOOLS_BED_NET must be three octets inside 127.0.0.0/8, like 127.0.10: {self.net!r}")
        self.ipv6_mode = (env.get("TLSTOOLS_BED_IPV6") or "auto").lower()
        if self.ipv6_mode not in ("auto", "0", "1"):
            raise BedError("TLSTOOLS_BED_IPV6 must be auto, 0 or 1")
        self.python = sys.executable or "/usr/bin/python3"

        b = self.base
        self.dns_port = b + 53
        self.resolver_port = b + 54
        self.http_port = b + 80
        self.https_port = b + 43
        # The policy hosts also listen on 443, as senders expect, on a loopback address of this bed's own.
        self.sts_address = f"{self.net}.43"
        self.ocsp_port = b + 88
        self.proxy_port = b + 90
        # sshd for PowerShell remoting over SSH, on 127.0.0.1 and on an address of this bed's own
        self.ssh_port = b + 92
        self.ssh_addresses = ["127.0.0.1", f"{self.net}.92"]
        self.closed_port = b + 99
        self.fault_ports = {name: b + off for name, (off, _, _) in FAULTS.items()}
        self.net_fault_ports = {name: b + off for name, (off, _) in NET_FAULTS.items()}
        # Mail path (Get-MailTlsPath): a relay that accepts the PATH_DOMAINS and a sink that delivers them.
        self.relay_port = b + 64
        self.sink_ports = {"detailed": b + 65, "bare": b + 66}
        if b + 25 < self.smtp_port <= b + 99:
            raise BedError("TLSTOOLS_BED_SMTP_PORT collides with the port range of the bed")

        s = self.state
        self.pki = f"{s}/pki"
        self.www = f"{s}/www"
        self.www_sts = f"{s}/www-sts"
        self.run = f"{s}/run"
        self.logs = f"{s}/log"
        self.pf = f"{s}/postfix"
        self.knot = f"{s}/knot"
        self.unbound = f"{s}/unbound"
        self.ngx = f"{s}/nginx"
        self.ocspdir = f"{s}/ocsp"
        self.proxydir = f"{s}/proxy"
        self.faultsdir = f"{s}/faults"
        self.netfaultsdir = f"{s}/net-faults"
        self.relaydir = f"{s}/relay"
        self.sinkdir = f"{s}/sink"
        self.maildir = f"{s}/mail"
        self.sshdir = f"{s}/ssh"
        self.state_file = f"{s}/bed.json"

        self.env = dict(os.environ)
        self.env["PATH"] = SYS_PATH + ":" + self.env.get("PATH", "")
        self.env["TLSTOOLS_BED_DIR"] = s
        self.env["LC_ALL"] = "C"
        self.env.pop("OPENSSL_CONF", None)

    def params(self):
        return {"pkiFormat": PKI_FORMAT, "portBase": self.base, "net": self.net, "smtpPort": self.smtp_port}

    def loopback_port(self, n):
        return self.base + 25 + n

    def http_url(self, path, port=None):
        return f"http://127.0.0.1:{port or self.http_port}/{path}"

    def ocsp_url(self, route, port=None):
        return f"http://127.0.0.1:{port or self.ocsp_port}/{route}"


def info(msg):
    print(f"[bed] {msg}", file=sys.stderr, flush=True)


def run(cfg, cmd, timeout=60, **kw):
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, env=cfg.env, **kw)
    except subprocess.TimeoutExpired:
        raise BedError(f"timed out after {timeout}s: {' '.join(cmd)}")
    except FileNotFoundError:
        raise BedError(f"command not found: {cmd[0]} (run tests/bed/install-deps.sh)")
    if p.returncode != 0:
        raise BedError(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout.decode('utf-8', 'replace')}")
    return p.stdout.decode("utf-8", "replace")


def write(path, text, mode=0o644):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def write_bytes(path, data, mode=0o644):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def utc_stamp(days=0.0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return t.strftime("%Y%m%d%H%M%SZ")


def pem_der(path, kind="CERTIFICATE"):
    with open(path, encoding="ascii") as f:
        text = f.read()
    m = re.search(rf"-----BEGIN {kind}-----(.*?)-----END {kind}-----", text, re.S)
    if not m:
        raise BedError(f"no {kind} in {path}")
    return base64.b64decode("".join(m.group(1).split()))


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------------------------
# PKI
# ---------------------------------------------------------------------------------

CA_CNF = """# openssl ca configuration of the test bed ({name})
[ ca ]
default_ca = bed_ca

[ bed_ca ]
dir = {dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = $dir/cert.pem
private_key = $dir/key.pem
crlnumber = $dir/crlnumber
serial = $dir/serial
default_md = sha256
default_days = 365
default_crl_days = 30
policy = bed_policy
preserve = yes
unique_subject = no
copy_extensions = none
email_in_dn = no
name_opt = ca_default
cert_opt = ca_default
crl_extensions = bed_crl_ext

[ bed_policy ]
organizationName = optional
commonName = supplied

[ bed_crl_ext ]
authorityKeyIdentifier = keyid:always
"""

REQ_HEAD = """[ req ]
distinguished_name = bed_dn
prompt = no
utf8 = yes

[ bed_dn ]
CN = placeholder

"""

ROOT_SUBJECT = "/O=TlsTools Test Bed/CN=TlsTools Test Bed Root CA"
INT_SUBJECT = "/O=TlsTools Test Bed/CN=TlsTools Test Bed Intermediate CA"


def ca_dir(cfg, name):
    return f"{cfg.pki}/{name}"


def init_ca_dir(d, name):
    os.makedirs(f"{d}/newcerts", exist_ok=True)
    write(f"{d}/index.txt", "")
    write(f"{d}/serial", "1000\n")
    write(f"{d}/crlnumber", "1000\n")
    write(f"{d}/ca.cnf", CA_CNF.format(name=name, dir=d))


def leaf_urls(cfg, kind):
    if kind == "none":
        return None
    if kind == "closed":
        p = cfg.closed_port
        return dict(crl=cfg.http_url("intermediate.crl", p), ocsp=cfg.ocsp_url("intermediate", p),
                    aia=cfg.http_url("intermediate.cer", p))
    crl = {"normal": "intermediate.crl", "expiredcrl": "expired.crl", "badsigcrl": "badsig.crl"}[kind]
    return dict(crl=cfg.http_url(crl), ocsp=cfg.ocsp_url("intermediate"), aia=cfg.http_url("intermediate.cer"))


def ext_section(urls, extra):
    lines = ["[ v3 ]"] + extra
    if urls:
        lines.append(f"crlDistributionPoints = URI:{urls['crl']}")
        lines.append(f"authorityInfoAccess = OCSP;URI:{urls['ocsp']}, caIssuers;URI:{urls['aia']}")
    return "\n".join(lines) + "\n"


def cert_facts(cfg, path):
    der = pem_der(path)
    out = run(cfg, ["openssl", "x509", "-in", path, "-noout", "-serial", "-startdate", "-enddate", "-pubkey"])
    serial = re.search(r"serial=([0-9A-Fa-f]+)", out).group(1).upper()

    def iso(field):
        text = re.search(field + r"=(.*)", out).group(1).strip()
        t = datetime.datetime.strptime(text, "%b %d %H:%M:%S %Y GMT")
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    pub = re.search(r"-----BEGIN PUBLIC KEY-----(.*?)-----END PUBLIC KEY-----", out, re.S).group(1)
    spki = base64.b64decode("".join(pub.split()))
    return {
        "thumbprint": hashlib.sha1(der).hexdigest().upper(),
        "sha256": hashlib.sha256(der).hexdigest().upper(),
        "spkiSha256": hashlib.sha256(spki).hexdigest().upper(),
        "serial": serial,
        "notBefore": iso("notBefore"),
        "notAfter": iso("notAfter"),
    }


def pki_ok(cfg):
    try:
        with open(f"{cfg.pki}/params.json", encoding="utf-8") as f:
            if json.load(f) != cfg.params():
                return False
        with open(f"{cfg.pki}/meta.json", encoding="utf-8") as f:
            json.load(f)
    except (OSError, ValueError):
        return False
    need = [f"{ca_dir(cfg, 'root')}/cert.pem", f"{ca_dir(cfg, 'intermediate')}/cert.pem",
            f"{ca_dir(cfg, 'badsig')}/cert.pem", f"{cfg.pki}/crl/expired.pem", f"{cfg.pki}/chain.pem"]
    need += [f"{cfg.pki}/leaves/{n}/cert.pem" for n in LEAVES]
    if not all(os.path.exists(p) for p in need):
        return False
    # regenerate well before anything that should be valid runs out
    for p in need[:2] + [f"{cfg.pki}/leaves/{n}/cert.pem" for n in LEAVES if n != "expired"]:
        if subprocess.run(["openssl", "x509", "-in", p, "-noout", "-checkend", str(30 * 86400)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cfg.env).returncode != 0:
            return False
    return True


def make_pki(cfg):
    t0 = time.monotonic()
    pki = cfg.pki
    if os.path.exists(pki):
        shutil.rmtree(pki)
    os.makedirs(f"{pki}/crl")
    os.makedirs(f"{pki}/leaves")
    root, inter, bad = (ca_dir(cfg, n) for n in ("root", "intermediate", "badsig"))
    for d, n in ((root, "root CA"), (inter, "intermediate CA"), (bad, "bad-signature CRL issuer")):
        init_ca_dir(d, n)
    for n in LEAVES:
        os.makedirs(f"{pki}/leaves/{n}")

    # keys, generated in parallel
    keys = [f"{d}/key.pem" for d in (root, inter, bad)] + [f"{pki}/leaves/{n}/key.pem" for n in LEAVES]
    ec_keys = {f"{pki}/leaves/{n}/key.pem" for n, spec in LEAVES.items() if spec.get("key") == "ec"}
    procs = [subprocess.Popen(["openssl", "genpkey"]
                              + (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"] if k in ec_keys
                                 else ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
                              + ["-out", k], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, env=cfg.env) for k in keys]
    for p, k in zip(procs, keys):
        try:
            _, err = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            raise BedError(f"key generation timed out: {k}")
        if p.returncode != 0:
            raise BedError(f"key generation failed: {k}: {err.decode()}")
        os.chmod(k, 0o600)

    # root: self-signed through `openssl ca -selfsign` so its notBefore can lie in the past
    write(f"{root}/req.cnf", REQ_HEAD + ext_section(None, [
        "basicConstraints = critical, CA:TRUE",
        "keyUsage = critical, keyCertSign, cRLSign, digitalSignature",
        "subjectKeyIdentifier = hash"]))
    run(cfg, ["openssl", "req", "-new", "-config", f"{root}/req.cnf", "-key", f"{root}/key.pem",
              "-subj", ROOT_SUBJECT, "-out", f"{root}/req.csr"])
    run(cfg, ["openssl", "ca", "-batch", "-config", f"{root}/ca.cnf", "-selfsign", "-in", f"{root}/req.csr",
              "-extfile", f"{root}/req.cnf", "-extensions", "v3", "-rand_serial", "-notext",
              "-startdate", utc_stamp(-400), "-enddate", utc_stamp(3650), "-out", f"{root}/cert.pem"])

    # intermediate
    write(f"{inter}/req.cnf", REQ_HEAD + ext_section(
        dict(crl=cfg.http_url("root.crl"), ocsp=cfg.ocsp_url("root"), aia=cfg.http_url("root.cer")), [
            "basicConstraints = critical, CA:TRUE, pathlen:0",
            "keyUsage = critical, keyCertSign, cRLSign, digitalSignature",
            "subjectKeyIdentifier = hash",
            "authorityKeyIdentifier = keyid:always"]))
    run(cfg, ["openssl", "req", "-new", "-config", f"{inter}/req.cnf", "-key", f"{inter}/key.pem",
              "-subj", INT_SUBJECT, "-out", f"{inter}/req.csr"])
    run(cfg, ["openssl", "ca", "-batch", "-config", f"{root}/ca.cnf", "-in", f"{inter}/req.csr",
              "-extfile", f"{inter}/req.cnf", "-extensions", "v3", "-rand_serial", "-notext",
              "-startdate", utc_stamp(-399), "-enddate", utc_stamp(3600), "-out", f"{inter}/cert.pem"])

    # a second "intermediate" with the same name and key identifier but another key: signs badsig.crl
    out = run(cfg, ["openssl", "x509", "-in", f"{inter}/cert.pem", "-noout", "-ext", "subjectKeyIdentifier"])
    ski = out.strip().splitlines()[-1].strip()
    write(f"{bad}/req.cnf", REQ_HEAD + ext_section(None, [
        "basicConstraints = critical, CA:TRUE, pathlen:0",
        "keyUsage = critical, keyCertSign, cRLSign",
        f"subjectKeyIdentifier = {ski}"]))
    run(cfg, ["openssl", "req", "-x509", "-new", "-config", f"{bad}/req.cnf", "-extensions", "v3",
              "-key", f"{bad}/key.pem", "-subj", INT_SUBJECT, "-days", "3650", "-out", f"{bad}/cert.pem"])

    # leaves
    for name, spec in LEAVES.items():
        d = f"{pki}/leaves/{name}"
        sans = ", ".join([f"DNS:{s}" for s in spec["sans"]] +
                         [f"IP:{cfg.net}.{o}" for o in spec.get("ip_octets", [])])
        extra = ["basicConstraints = critical, CA:FALSE",
                 "keyUsage = critical, digitalSignature" + ("" if spec.get("key") == "ec" else ", keyEncipherment"),
                 "extendedKeyUsage = serverAuth",
                 "subjectKeyIdentifier = hash",
                 f"subjectAltName = {sans}"]
        subject = f"/O=TlsTools Test Bed/CN={spec['sans'][0]}"
        if spec.get("self_signed"):
            write(f"{d}/req.cnf", REQ_HEAD + ext_section(None, extra))
            run(cfg, ["openssl", "req", "-x509", "-new", "-config", f"{d}/req.cnf", "-extensions", "v3",
                      "-key", f"{d}/key.pem", "-subj", subject, "-days", "365", "-out", f"{d}/cert.pem"])
            shutil.copyfile(f"{d}/cert.pem", f"{d}/fullchain.pem")
            continue
        write(f"{d}/req.cnf", REQ_HEAD + ext_section(leaf_urls(cfg, spec["urls"]),
                                                     extra + ["authorityKeyIdentifier = keyid:always"]))
        run(cfg, ["openssl", "req", "-new", "-config", f"{d}/req.cnf", "-key", f"{d}/key.pem",
                  "-subj", subject, "-out", f"{d}/req.csr"])
        if spec["validity"] == "past":
            start, end = utc_stamp(-90), utc_stamp(-30)
        else:
            start, end = utc_stamp(-1), utc_stamp(365)
        run(cfg, ["openssl", "ca", "-batch", "-config", f"{inter}/ca.cnf", "-in", f"{d}/req.csr",
                  "-extfile", f"{d}/req.cnf", "-extensions", "v3", "-rand_serial", "-notext",
                  "-md", spec.get("md", "sha256"),
                  "-startdate", start, "-enddate", end, "-out", f"{d}/cert.pem"])
        write(f"{d}/fullchain.pem", read(f"{d}/cert.pem") + read(f"{inter}/cert.pem"))

    # expired.crl: intermediate-signed, lastUpdate 60 days ago, nextUpdate 30 days ago (made once)
    run(cfg, ["openssl", "ca", "-batch", "-config", f"{inter}/ca.cnf", "-gencrl",
              "-crl_lastupdate", utc_stamp(-60), "-crl_nextupdate", utc_stamp(-30),
              "-out", f"{pki}/crl/expired.pem"])
    # revoke
    run(cfg, ["openssl", "ca", "-batch", "-config", f"{inter}/ca.cnf",
              "-revoke", f"{pki}/leaves/revoked/cert.pem", "-crl_reason", "keyCompromise"])

    write(f"{pki}/chain.pem", read(f"{inter}/cert.pem") + read(f"{root}/cert.pem"))
    # an OCSP request for the good leaf, used by the health check
    run(cfg, ["openssl", "ocsp", "-issuer", f"{inter}/cert.pem", "-cert", f"{pki}/leaves/good/cert.pem",
              "-no_nonce", "-reqout", f"{pki}/ocsp-good.req"])

    meta = {"root": cert_facts(cfg, f"{root}/cert.pem"),
            "intermediate": cert_facts(cfg, f"{inter}/cert.pem"),
            "badsig": cert_facts(cfg, f"{bad}/cert.pem"),
            "leaves": {n: cert_facts(cfg, f"{pki}/leaves/{n}/cert.pem") for n in LEAVES}}
    write(f"{pki}/meta.json", json.dumps(meta, indent=2) + "\n")
    write(f"{pki}/params.json", json.dumps(cfg.params()) + "\n")
    info(f"PKI created in {time.monotonic() - t0:.1f}s")


def refresh_crls(cfg, force=False):
    """root.crl, intermediate.crl and badsig.crl are re-signed when older than a day,
    so nextUpdate always lies weeks ahead."""
    os.makedirs(cfg.www, exist_ok=True)
    target = f"{cfg.www}/intermediate.crl"
    if not force and os.path.exists(target) and time.time() - os.path.getmtime(target) < 86400:
        return
    for ca, out in (("root", "root"), ("intermediate", "intermediate"), ("badsig", "badsig")):
        pem = f"{cfg.pki}/crl/{out}.pem"
        run(cfg, ["openssl", "ca", "-batch", "-config", f"{ca_dir(cfg, ca)}/ca.cnf", "-gencrl",
                  "-crldays", "30", "-out", pem + ".new"])
        os.replace(pem + ".new", pem)
    for name in ("root", "intermediate", "badsig", "expired"):
        der = run_bytes(cfg, ["openssl", "crl", "-in", f"{cfg.pki}/crl/{name}.pem", "-outform", "DER"])
        write_bytes(f"{cfg.www}/{name}.crl", der)
    for name in ("root", "intermediate"):
        write_bytes(f"{cfg.www}/{name}.cer", pem_der(f"{ca_dir(cfg, name)}/cert.pem"))


def run_bytes(cfg, cmd, timeout=60):
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, env=cfg.env)
    if p.returncode != 0:
        raise BedError(f"failed: {' '.join(cmd)}: {p.stderr.decode('utf-8', 'replace')}")
    return p.stdout


# ---------------------------------------------------------------------------------
# Service configuration
# ---------------------------------------------------------------------------------

def profile_host(p):
    return f"{p['name']}.mx.{ZONE}"


def presented_chain(cfg, p):
    if not p["cert"]:
        return None
    d = f"{cfg.pki}/leaves/{p['cert']}"
    return f"{d}/fullchain.pem" if p["chain"] == "full" else f"{d}/cert.pem"


def write_postfix(cfg, ipv6):
    etc, spool, data, tls = f"{cfg.pf}/etc", f"{cfg.pf}/spool", f"{cfg.pf}/data", f"{cfg.pf}/tls"
    for d in (etc, spool, data, tls):
        os.makedirs(d, exist_ok=True)
    shutil.chown(data, "postfix", "postfix")
    os.chmod(tls, 0o700)
    for p in PROFILES:
        chain = presented_chain(cfg, p)
        if chain:
            key = read(f"{cfg.pki}/leaves/{p['cert']}/key.pem")
            write(f"{tls}/{p['name']}.pem", key + read(chain), 0o600)
        if p.get("extra_cert"):
            d = f"{cfg.pki}/leaves/{p['extra_cert']}"
            write(f"{tls}/{p['extra_cert']}.pem", read(f"{d}/key.pem") + read(f"{d}/fullchain.pem"), 0o600)
    good_chain = f"{tls}/good.pem"
    main_cf = f"""# Postfix main.cf of the TlsTools test bed (generated; edits are overwritten).
# A private instance that never delivers anything: every recipient is rejected.
compatibility_level = 3.7
queue_directory = {spool}
data_directory = {data}
maillog_file = {cfg.logs}/postfix.log
maillog_file_prefixes = {cfg.logs}
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME TLSTOOLS_BED_DIR
myhostname = mx.{ZONE}
mydomain = {ZONE}
myorigin = {ZONE}
mydestination =
relay_domains =
relayhost =
inet_interfaces = loopback-only
inet_protocols = {"all" if ipv6 else "ipv4"}
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
default_transport = error:5.7.1 the test bed delivers nothing
relay_transport = error:5.7.1 the test bed delivers nothing
local_transport = error:5.7.1 the test bed delivers nothing
virtual_transport = error:5.7.1 the test bed delivers nothing
biff = no
append_dot_mydomain = no
readme_directory = no
smtpd_peername_lookup = no
smtpd_relay_restrictions = reject
smtpd_recipient_restrictions = reject
smtp_tls_security_level = none

bed_profile = none
smtpd_banner = $myhostname ESMTP TlsTools test bed ($bed_profile)

# TLS defaults (good profile): TLS 1.2 and 1.3, forward-secret AEAD suites only
smtpd_tls_security_level = may
smtpd_tls_chain_files = {good_chain}
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_ciphers = high
smtpd_tls_mandatory_ciphers = high
tls_high_cipherlist = ECDHE+AESGCM:ECDHE+CHACHA20
smtpd_tls_loglevel = 1
smtpd_tls_received_header = no

# legacy profile: TLS 1.0 to 1.2, everything but anonymous and null suites, security level 0
bed_legacy_protocols = >=TLSv1, <=TLSv1.2
bed_legacy_ciphers = ALL:!aNULL:!eNULL:@SECLEVEL=0

# tls10 profile: TLS 1.0 only, static RSA key exchange with CBC only
bed_tls10_protocols = TLSv1, !TLSv1.1, !TLSv1.2, !TLSv1.3
bed_tls10_ciphers = AES256-SHA:AES128-SHA:@SECLEVEL=0

# tls13only profile: TLS 1.3 only
bed_tls13_protocols = >=TLSv1.3

# serverorder profile: the server's order wins, a CBC suite first, one RSA key exchange suite
bed_order_ciphers = ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384

# exochoice profile: TLS 1.2 only, the server's order wins and puts a suite Exchange Online does not offer first
bed_exochoice_ciphers = ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256
# noexosuite profile: TLS 1.2 only, ECDSA only: none of Exchange Online's suites
bed_noexo_ciphers = ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256
bed_tls12_protocols = TLSv1.2, !TLSv1, !TLSv1.1, !TLSv1.3
# sha1 profile: a SHA-1-signed leaf loads only at security level 0
bed_sha1_ciphers = ECDHE+AESGCM:ECDHE+CHACHA20:@SECLEVEL=0

# tempfail profile: client restrictions evaluated at connect time answer 421
bed_tempfail_restrictions = check_client_access static:{{421 4.3.2 Service temporarily unavailable (test bed tempfail profile)}}
"""
    lines = ["# Postfix master.cf of the TlsTools test bed (generated; edits are overwritten).",
             "# One smtpd listener per profile address; every address is a loopback address."]
    for p in PROFILES:
        opts = [f"myhostname={profile_host(p)}", f"bed_profile={p['name']}"]
        chain = f"{tls}/{p['name']}.pem"
        mode = p["mode"]
        if mode == "starttls":
            opts += ["smtpd_tls_security_level=may", f"smtpd_tls_chain_files={chain}"]
        elif mode == "implicit":
            opts += ["smtpd_tls_wrappermode=yes", "smtpd_tls_security_level=encrypt",
                     f"smtpd_tls_chain_files={chain}"]
        elif mode == "legacy":
            opts += ["smtpd_tls_security_level=may", f"smtpd_tls_chain_files={chain}",
                     "smtpd_tls_protocols=$bed_legacy_protocols",
                     "smtpd_tls_mandatory_protocols=$bed_legacy_protocols",
                     "smtpd_tls_ciphers=medium", "smtpd_tls_mandatory_ciphers=medium",
                     "tls_medium_cipherlist=$bed_legacy_ciphers"]
        elif mode == "tls10":
            opts += ["smtpd_tls_security_level=may", f"smtpd_tls_chain_files={chain}",
                     "smtpd_tls_protocols=$bed_tls10_protocols",
                     "smtpd_tls_mandatory_protocols=$bed_tls10_protocols",
                     "smtpd_tls_ciphers=medium", "smtpd_tls_mandatory_ciphers=medium",
                     "tls_medium_cipherlist=$bed_tls10_ciphers"]
        elif mode == "tls13only":
            opts += ["smtpd_tls_security_level=may", f"smtpd_tls_chain_files={chain}",
                     "smtpd_tls_protocols=$bed_tls13_protocols",
                     "smtpd_tls_mandatory_protocols=$bed_tls13_protocols"]
        elif mode == "serverorder":
            opts += ["smtpd_tls_security_level=may", f"smtpd_tls_chain_files={chain}",
                     "smtpd_tls_ciphers=medium", "smtpd_tls_mandatory_ciphers=medium",
                     "tls_medium_cipherlist=$bed_order_ciphers", "tls_preempt_cipherlist=yes"]
        elif mode in ("exochoice", "noexosuite"):
            chains = chain + (f",{tls}/{p['extra_cert']}.pem" if p.get("extra_cert") else "")
            opts += ["smtpd_tls_security_level=may", f"smtpd_tls_chain_files={chains}",
                     "smtpd_tls_protocols=$bed_tls12_protocols",
                     "smtpd_tls_mandatory_protocols=$bed_tls12_protocols",
                     "smtpd_tls_ciphers=medium", "smtpd_tls_mandatory_ciphers=medium",
                     "tls_medium_cipherlist=" + ("$bed_exochoice_ciphers" if mode == "exochoice" else "$bed_noexo_ciphers"),
                     "tls_preempt_cipherlist=yes"]
        elif mode == "sha1":
            opts += ["smtpd_tls_security_level=may", f"smtpd_tls_chain_files={chain}",
                     "smtpd_tls_ciphers=medium", "smtpd_tls_mandatory_ciphers=medium",
                     "tls_medium_cipherlist=$bed_sha1_ciphers"]
        elif mode == "dualcert":
            opts += ["smtpd_tls_security_level=may",
                     f"smtpd_tls_chain_files={chain},{tls}/{p['extra_cert']}.pem"]
        elif mode == "none":
            opts += ["smtpd_tls_security_level=none"]
        elif mode == "tempfail":
            opts += ["smtpd_tls_security_level=none", "smtpd_delay_reject=no",
                     "smtpd_client_restrictions=$bed_tempfail_restrictions"]
        addrs = [f"{cfg.net}.{p['n']}:{cfg.smtp_port}", f"127.0.0.1:{cfg.loopback_port(p['n'])}"]
        if p["name"] == "good" and ipv6:
            addrs.append(f"[::1]:{cfg.smtp_port}")
        lines.append(f"# profile {p['name']}")
        for a in addrs:
            lines.append(f"{a} inet n - n - - smtpd")
            lines += [f"  -o {o}" for o in opts]
    lines += [
        "# internal services",
        "pickup    unix  n - n 60 1 pickup",
        "cleanup   unix  n - n -  0 cleanup",
        "qmgr      unix  n - n 300 1 qmgr",
        "tlsmgr    unix  - - n 1000? 1 tlsmgr",
        "rewrite   unix  - - n -  - trivial-rewrite",
        "bounce    unix  - - n -  0 bounce",
        "defer     unix  - - n -  0 bounce",
        "trace     unix  - - n -  0 bounce",
        "verify    unix  - - n -  1 verify",
        "flush     unix  n - n 1000? 0 flush",
        "proxymap  unix  - - n -  - proxymap",
        "showq     unix  n - n -  - showq",
        "error     unix  - - n -  - error",
        "retry     unix  - - n -  - error",
        "discard   unix  - - n -  - discard",
        "anvil     unix  - - n -  1 anvil",
        "scache    unix  - - n -  1 scache",
        "postlog   unix-dgram n - n - 1 postlogd",
    ]
    write(f"{etc}/main.cf", main_cf)
    write(f"{etc}/master.cf", "\n".join(lines) + "\n")

POSTFIX_INTERNAL_SERVICES = [
    "pickup    unix  n - n 60 1 pickup",
    "cleanup   unix  n - n -  0 cleanup",
    "qmgr      unix  n - n 300 1 qmgr",
    "tlsmgr    unix  - - n 1000? 1 tlsmgr",
    "rewrite   unix  - - n -  - trivial-rewrite",
    "bounce    unix  - - n -  0 bounce",
    "defer     unix  - - n -  0 bounce",
    "trace     unix  - - n -  0 bounce",
    "verify    unix  - - n -  1 verify",
    "flush     unix  n - n 1000? 0 flush",
    "proxymap  unix  - - n -  - proxymap",
    "showq     unix  n - n -  - showq",
    "error     unix  - - n -  - error",
    "retry     unix  - - n -  - error",
    "discard   unix  - - n -  - discard",
    "anvil     unix  - - n -  1 anvil",
    "scache    unix  - - n -  1 scache",
    "postlog   unix-dgram n - n - 1 postlogd",
]


def path_main_cf(cfg, name, base_dir, hostname, extra):
    return f"""# Postfix main.cf of the TlsTools test bed's mail path, {name} instance (generated).
# Loopback only: it accepts mail for the {PATH_ZONE} test domains from 127.0.0.0/8 and nothing else.
compatibility_level = 3.7
queue_directory = {base_dir}/spool
data_directory = {base_dir}/data
maillog_file = {cfg.logs}/postfix-{name}.log
maillog_file_prefixes = {cfg.logs}
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME TLSTOOLS_BED_DIR
syslog_name = postfix-{name}
myhostname = {hostname}
mydomain = {PATH_ZONE}
myorigin = {PATH_ZONE}
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
biff = no
append_dot_mydomain = no
readme_directory = no
smtpd_peername_lookup = no
smtpd_banner = $myhostname ESMTP TlsTools test bed mail path ({name})
smtpd_client_restrictions = permit_mynetworks, reject
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = check_recipient_access inline:{{{", ".join(d + "=OK" for d in PATH_DOMAINS)}}}, reject
message_size_limit = 1048576
smtpd_tls_security_level = may
smtpd_tls_chain_files = {cfg.pf}/tls/good.pem
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_ciphers = high
tls_high_cipherlist = ECDHE+AESGCM:ECDHE+CHACHA20
smtpd_tls_loglevel = 1
smtp_tls_loglevel = 1
smtpd_tls_received_header = yes
default_transport = error:5.7.1 the mail path delivers only the {PATH_ZONE} test domains
local_transport = error:5.7.1 the mail path delivers only the {PATH_ZONE} test domains
{extra}"""


def write_path(cfg):
    """Two private Postfix instances, relay and sink, for real Received headers (Get-MailTlsPath)."""
    for d in (cfg.relaydir, cfg.sinkdir):
        for sub in ("etc", "spool", "data"):
            os.makedirs(f"{d}/{sub}", exist_ok=True)
        shutil.chown(f"{d}/data", "postfix", "postfix")
    os.makedirs(cfg.maildir, exist_ok=True)
    nobody = pwd.getpwnam("nobody")
    shutil.chown(cfg.maildir, nobody.pw_uid, nobody.pw_gid)
    tls = f"{cfg.pf}/tls"
    transports = ", ".join(f"{d}={t}:[127.0.0.1]:{cfg.sink_ports[listener]}"
                           for d, (listener, t, _) in PATH_DOMAINS.items())
    relay_extra = f"""relay_domains = {" ".join(PATH_DOMAINS)}
transport_maps = inline:{{{transports}}}
relay_transport = error:5.7.1 no route
smtp_helo_name = {PATH_RELAY_HOST}
smtp_tls_security_level = none
"""
    write(f"{cfg.relaydir}/etc/main.cf", path_main_cf(cfg, "relay", cfg.relaydir, PATH_RELAY_HOST, relay_extra))
    relay_master = [
        "# Postfix master.cf of the bed's mail path, relay instance (generated).",
        f"127.0.0.1:{cfg.relay_port} inet n - n - - smtpd",
        "smtp      unix  - - n - - smtp",
        "relaytls  unix  - - n - - smtp",
        "  -o smtp_tls_security_level=encrypt",
        f"  -o smtp_tls_chain_files={tls}/good.pem",
        "relaytls12 unix - - n - - smtp",
        "  -o smtp_tls_security_level=encrypt",
        "  -o smtp_tls_protocols=TLSv1.2",
        "  -o smtp_tls_mandatory_protocols=TLSv1.2",
        "  -o smtp_tls_mandatory_ciphers=high",
        "  -o tls_high_cipherlist=ECDHE-RSA-AES128-GCM-SHA256",
        "relayplain unix - - n - - smtp",
        "  -o smtp_tls_security_level=none",
    ] + POSTFIX_INTERNAL_SERVICES
    write(f"{cfg.relaydir}/etc/master.cf", "\n".join(relay_master) + "\n")

    sink_extra = f"""relay_domains =
virtual_mailbox_domains = {" ".join(PATH_DOMAINS)}
virtual_mailbox_base = {cfg.maildir}
virtual_mailbox_maps = static:delivered/
virtual_uid_maps = static:{nobody.pw_uid}
virtual_gid_maps = static:{nobody.pw_gid}
virtual_minimum_uid = 1
virtual_transport = virtual
smtpd_tls_ask_ccert = yes
smtpd_tls_CAfile = {cfg.pki}/chain.pem
"""
    write(f"{cfg.sinkdir}/etc/main.cf", path_main_cf(cfg, "sink", cfg.sinkdir, PATH_SINK_HOST, sink_extra))
    sink_master = [
        "# Postfix master.cf of the bed's mail path, sink instance (generated).",
        f"127.0.0.1:{cfg.sink_ports['detailed']} inet n - n - - smtpd",
        f"127.0.0.1:{cfg.sink_ports['bare']} inet n - n - - smtpd",
        "  -o smtpd_tls_received_header=no",
        "  -o smtpd_tls_ask_ccert=no",
        "virtual   unix  - n n - - virtual",
    ] + POSTFIX_INTERNAL_SERVICES
    write(f"{cfg.sinkdir}/etc/master.cf", "\n".join(sink_master) + "\n")


def start_postfix_instance(cfg, etc, pidname):
    out = run(cfg, ["postfix", "-c", etc, "start"], timeout=60)
    with open(f"{cfg.logs}/postfix-start.out", "a", encoding="utf-8") as f:
        f.write(out)
    pidfile = f"{os.path.dirname(etc)}/spool/pid/master.pid"
    deadline = time.monotonic() + 5
    while True:
        try:
            pid = int(read(pidfile).split()[0])
            break
        except (OSError, ValueError, IndexError):
            if time.monotonic() > deadline:
                raise BedError(f"Postfix master of {etc} did not write its pid file")
            time.sleep(0.05)
    record(cfg, pidname, pid)
    return pid


def tlsa_records(cfg, meta, ipv6):
    """TLSA test records: (owner host, usage, selector, matching, data, expectation)."""
    leaves = meta["leaves"]
    recs = [
        ("good.mx", 3, 1, 1, leaves["good"]["spkiSha256"], "match (DANE-EE, good leaf SPKI)"),
        ("expired.mx", 3, 1, 1, leaves["expired"]["spkiSha256"],
         "match (DANE-EE ignores expiry and names)"),
        ("selfsigned.mx", 3, 1, 1, leaves["selfsigned"]["spkiSha256"],
         "match (DANE-EE accepts a self-signed leaf)"),
        ("legacy.mx", 2, 1, 1, meta["intermediate"]["spkiSha256"],
         "match (DANE-TA on the intermediate, which the server sends)"),
        ("badtlsa.mx", 3, 1, 1, meta["root"]["spkiSha256"],
         "mismatch (server is the good profile; the record pins another key)"),
        ("badta.mx", 2, 1, 1, leaves["selfsigned"]["spkiSha256"],
         "mismatch (DANE-TA; server is the good profile; the pinned anchor is not in its chain)"),
        ("wrongname.mx", 2, 1, 1, meta["intermediate"]["spkiSha256"],
         "mismatch (DANE-TA anchor matches, but the leaf names not-this-host.bed.test)"),
    ]
    out = []
    for host, u, s, m, data, expect in recs:
        for port in sorted({25, cfg.smtp_port}):
            out.append(dict(name=f"_{port}._tcp.{host}.{ZONE}", host=f"{host}.{ZONE}", port=port,
                            usage=u, selector=s, matchingType=m, data=data, expect=expect))
    return out


def zones(cfg, meta, ipv6):
    """zone name -> list of (owner relative to zone or '@', type, rdata)."""
    net = cfg.net
    good_addr = f"{net}.1"
    z = {}
    bed = [("@", "NS", f"ns.{ZONE}."), ("ns", "A", "127.0.0.1")]
    for p in PROFILES:
        bed.append((f"{p['name']}.mx", "A", f"{net}.{p['n']}"))
    if ipv6:
        bed.append(("good.mx", "AAAA", "::1"))
    bed.append(("badtlsa.mx", "A", good_addr))
    bed.append(("badta.mx", "A", good_addr))
    # The one name on the wrongname leaf, as an MX host name of its own: the wrongname server's
    # certificate matches it (nocommon.bed.test), and shares no name with good.mx's.
    bed.append(("not-this-host", "A", f"{net}.3"))
    for t in tlsa_records(cfg, meta, ipv6):
        owner = t["name"][: -len(ZONE) - 1]
        bed.append((owner, "TLSA", f"{t['usage']} {t['selector']} {t['matchingType']} {t['data']}"))
    z[ZONE] = bed

    def domain(name, mx, sts=True, tlsrpt=True, spf=True):
        recs = [("@", "NS", f"ns.{ZONE}.")]
        recs += [("@", "MX", f"{pref} {host}") for pref, host in mx]
        if spf:
            recs.append(("@", "TXT", '"v=spf1 mx -all"'))
        if tlsrpt:
            recs.append(("_smtp._tls", "TXT", f'"v=TLSRPTv1; rua=mailto:tlsrpt@{name}"'))
        if sts and name in STS_DOMAINS:
            recs.append(("_mta-sts", "TXT", f'"v=STSv1; id={STS_DOMAINS[name][1]};"'))
            recs.append(("mta-sts", "A", cfg.sts_address))
        return recs

    z[f"partner.{ZONE}"] = domain(f"partner.{ZONE}", [(10, f"good.mx.{ZONE}."), (20, f"expired.mx.{ZONE}."),
                                                      (30, f"nostarttls.mx.{ZONE}.")])
    z[f"good.{ZONE}"] = domain(f"good.{ZONE}", [(10, f"good.mx.{ZONE}.")])
    nomx = [("@", "NS", f"ns.{ZONE}."), ("@", "A", good_addr)]
    if ipv6:
        nomx.append(("@", "AAAA", "::1"))
    z[f"nomx.{ZONE}"] = nomx
    z[f"nullmx.{ZONE}"] = [("@", "NS", f"ns.{ZONE}."), ("@", "MX", "0 ."), ("@", "TXT", '"v=spf1 -all"')]
    z[f"legacy.{ZONE}"] = domain(f"legacy.{ZONE}", [(10, f"legacy.mx.{ZONE}.")])
    z[f"oldtls.{ZONE}"] = domain(f"oldtls.{ZONE}", [(10, f"tls10.mx.{ZONE}.")])
    z[f"fallback.{ZONE}"] = domain(f"fallback.{ZONE}", [(10, f"tempfail.mx.{ZONE}."), (20, f"good.mx.{ZONE}.")])
    z[f"dane.{ZONE}"] = domain(f"dane.{ZONE}", [(10, f"good.mx.{ZONE}."), (20, f"badtlsa.mx.{ZONE}.")])
    z[f"bogus.{ZONE}"] = domain(f"bogus.{ZONE}", [(10, f"good.mx.{ZONE}.")])
    z[f"stsfail.{ZONE}"] = domain(f"stsfail.{ZONE}", [(10, f"good.mx.{ZONE}.")])
    z[f"stsmismatch.{ZONE}"] = domain(f"stsmismatch.{ZONE}", [(10, f"good.mx.{ZONE}.")])
    # one domain per certificate failure, so that a domain test measures each end to end
    for prof in ("wrongname", "selfsigned", "nointermediate", "revoked", "exochoice", "noexosuite", "sha1",
                 "crlunreachable"):
        z[f"{prof}.{ZONE}"] = domain(f"{prof}.{ZONE}", [(10, f"{prof}.mx.{ZONE}.")])
    for special in ("stsnone", "stsredirect", "stsbadcert", "stsbig"):
        z[f"{special}.{ZONE}"] = domain(f"{special}.{ZONE}", [(10, f"good.mx.{ZONE}.")])
    z[f"daneta.{ZONE}"] = domain(f"daneta.{ZONE}", [(10, f"legacy.mx.{ZONE}."), (20, f"badta.mx.{ZONE}."),
                                                    (30, f"wrongname.mx.{ZONE}.")])
    # One TlsDomain per connector: two MX hosts whose certificates share no name, under a common
    # parent (splitmx: *.mx.bed.test fits both) and with none but bed.test (nocommon: no TlsDomain fits).
    z[f"splitmx.{ZONE}"] = domain(f"splitmx.{ZONE}", [(10, f"good.mx.{ZONE}."), (20, f"ipsan.mx.{ZONE}.")])
    z[f"nocommon.{ZONE}"] = domain(f"nocommon.{ZONE}", [(10, f"good.mx.{ZONE}."), (20, f"not-this-host.{ZONE}.")])
    # A signed domain whose only MX publishes an authenticated TLSA set that matches nothing it presents.
    z[f"danefail.{ZONE}"] = domain(f"danefail.{ZONE}", [(10, f"badtlsa.mx.{ZONE}.")])
    return z


# DNSSEC: bed.test is signed and is the trust anchor; child zones are delegated from it
# (NS ns.bed.test.) and are secure (DS in bed.test), insecure (no DS) or bogus (DS that
# matches no key of the child).
SIGNED_CHILDREN = ("good", "dane", "daneta", "danefail")
BOGUS_CHILDREN = ("bogus",)


def write_knot(cfg, zone_map):
    """Write knot.conf and the zone files; returns the DNSSEC facts for bed.json."""
    zdir, db, rundir = f"{cfg.knot}/zones", f"{cfg.knot}/db", f"{cfg.knot}/run"
    for d in (zdir, db, rundir):
        os.makedirs(d, exist_ok=True)
    signed = [ZONE] + [f"{c}.{ZONE}" for c in SIGNED_CHILDREN + BOGUS_CHILDREN]
    conf = f"""# knotd configuration of the TlsTools test bed (generated)
server:
    rundir: "{rundir}"
    pidfile: "{rundir}/knot.pid"
    listen: 127.0.0.1@{cfg.dns_port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1

database:
    storage: "{db}"

control:
    listen: "{rundir}/knot.sock"

log:
  - target: "{cfg.logs}/knot.log"
    any: info

policy:
  - id: bed
    manual: on
    algorithm: ecdsap256sha256
    rrsig-lifetime: 30d
    rrsig-refresh: 7d

template:
  - id: default
    storage: "{zdir}"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: on
  - id: signed
    storage: "{zdir}"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: on
    dnssec-signing: on
    dnssec-policy: bed

zone:
""" + "".join(f"  - domain: {name}\n" + ("    template: signed\n" if name in signed else "")
              for name in zone_map)
    write(f"{cfg.knot}/knot.conf", conf)

    # one combined signing key (KSK+ZSK) per signed zone, kept in the KASP database across starts
    km = ["keymgr", "-c", f"{cfg.knot}/knot.conf"]
    ds = {}
    for z in signed:
        if not run(cfg, km + [z, "list"]).strip():
            run(cfg, km + [z, "generate", "algorithm=ecdsap256sha256", "ksk=yes", "zsk=yes"])
        ds[z] = [l.strip() for l in run(cfg, km + [z, "ds"]).splitlines() if " DS " in l]
    anchor_dnskey = [l.strip() for l in run(cfg, km + [ZONE, "dnskey"]).splitlines() if " DNSKEY " in l]

    zone_map = {k: list(v) for k, v in zone_map.items()}
    status = {ZONE: "secure"}
    for child in zone_map:
        if child == ZONE:
            continue
        label = child[: -len(ZONE) - 1]
        zone_map[ZONE].append((label, "NS", f"ns.{ZONE}."))
        first = label.split(".")[0]
        if first in SIGNED_CHILDREN:
            for rec in ds[child]:
                zone_map[ZONE].append((label, "DS", rec.split(" DS ", 1)[1]))
            status[child] = "secure"
        elif first in BOGUS_CHILDREN:
            tag, alg, dtype, digest = ds[child][0].split(" DS ", 1)[1].split()
            wrong = hashlib.sha256(("not the key of " + child).encode()).hexdigest()
            zone_map[ZONE].append((label, "DS", f"{tag} {alg} {dtype} {wrong}"))
            status[child] = "bogus"
        else:
            status[child] = "insecure"

    serial = int(time.time())
    for name, recs in zone_map.items():
        text = [f"; zone {name} of the TlsTools test bed (generated)", f"$ORIGIN {name}.", "$TTL 300",
                f"@ SOA ns.{ZONE}. hostmaster.{ZONE}. {serial} 3600 600 86400 300"]
        text += [f"{owner} {rtype} {rdata}" for owner, rtype, rdata in recs]
        write(f"{zdir}/{name}.zone", "\n".join(text) + "\n")
    anchor_file = f"{cfg.knot}/trust-anchor.ds"
    write(anchor_file, "\n".join(ds[ZONE]) + "\n")
    write(f"{cfg.knot}/trust-anchor.dnskey", "\n".join(anchor_dnskey) + "\n")
    return {
        "enabled": True,
        "algorithm": "ECDSAP256SHA256 (13)",
        "trustAnchorZone": ZONE,
        "trustAnchorDs": ds[ZONE],
        "trustAnchorDnskey": anchor_dnskey,
        "trustAnchorFile": anchor_file,
        "trustAnchorDnskeyFile": f"{cfg.knot}/trust-anchor.dnskey",
        "zoneStatus": status,
    }


def unbound_available():
    return shutil.which("unbound", path=SYS_PATH) is not None


def write_unbound(cfg, dnssec):
    """A private validating resolver in front of Knot: trusts the bed's DS for bed.test, sends every
    bed.test question to Knot on loopback and refuses every other name, so nothing leaves loopback."""
    os.makedirs(cfg.unbound, exist_ok=True)
    anchor = f"{cfg.unbound}/trust-anchor.ds"
    write(anchor, "".join(f"{l}\n" for l in dnssec["trustAnchorDs"]))
    conf = f"""# unbound configuration of the TlsTools test bed (generated)
server:
    interface: 127.0.0.1@{cfg.resolver_port}
    port: {cfg.resolver_port}
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "{cfg.unbound}"
    pidfile: "{cfg.unbound}/unbound.pid"
    logfile: "{cfg.logs}/unbound.log"
    use-syslog: no
    verbosity: 1
    val-log-level: 2
    num-threads: 1
    so-reuseport: no
    do-ip6: no
    outgoing-interface: 127.0.0.1
    outgoing-range: 32
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
    module-config: "validator iterator"
    trust-anchor-file: "{anchor}"
    qname-minimisation: no
    prefetch: no
    cache-max-ttl: 30
    cache-max-negative-ttl: 30
    local-zone: "." refuse
    local-zone: "{ZONE}." transparent

stub-zone:
    name: "{ZONE}."
    stub-addr: 127.0.0.1@{cfg.dns_port}

remote-control:
    control-enable: no
"""
    write(f"{cfg.unbound}/unbound.conf", conf)


def write_nginx(cfg):
    tmp = f"{cfg.ngx}/tmp"
    os.makedirs(tmp, exist_ok=True)
    # MTA-STS policies, one folder per policy host name
    if os.path.exists(cfg.www_sts):
        shutil.rmtree(cfg.www_sts)
    for dom, (policy, _) in STS_DOMAINS.items():
        d = f"{cfg.www_sts}/mta-sts.{dom}/.well-known"
        os.makedirs(d)
        if policy is not None:
            write(f"{d}/mta-sts.txt", policy)
    leaf = f"{cfg.pki}/leaves/mtasts"
    special = ""
    for dom, kind in STS_SPECIAL.items():
        if kind == "redirect":
            special += f"""
    server {{
        listen 127.0.0.1:{cfg.https_port} ssl;
        listen {cfg.sts_address}:443 ssl;
        server_name mta-sts.{dom};
        ssl_certificate {leaf}/fullchain.pem;
        ssl_certificate_key {leaf}/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {{
            return 301 https://mta-sts.good.{ZONE}:{cfg.https_port}/.well-known/mta-sts.txt;
        }}
    }}
"""
        elif kind == "badcert":
            bad = f"{cfg.pki}/leaves/wrongname"
            special += f"""
    server {{
        listen 127.0.0.1:{cfg.https_port} ssl;
        listen {cfg.sts_address}:443 ssl;
        server_name mta-sts.{dom};
        ssl_certificate {bad}/fullchain.pem;
        ssl_certificate_key {bad}/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        root {cfg.www_sts}/$host;
        location = /.well-known/mta-sts.txt {{
            types {{ }}
            default_type text/plain;
        }}
    }}
"""
    conf = f"""# nginx configuration of the TlsTools test bed (generated)
worker_processes 1;
pid {cfg.ngx}/nginx.pid;
error_log {cfg.logs}/nginx-error.log warn;
env TLSTOOLS_BED_DIR;
events {{ worker_connections 256; }}
http {{
    access_log {cfg.logs}/nginx-access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server_tokens off;
    keepalive_timeout 5;
    client_header_timeout 10;
    client_body_timeout 10;
    send_timeout 10;
    types {{
        application/pkix-crl crl;
        application/pkix-cert cer;
        text/plain txt;
    }}
    default_type application/octet-stream;

    # CRLs and CA certificates (AIA caIssuers)
    server {{
        listen 127.0.0.1:{cfg.http_port};
        server_name _;
        root {cfg.www};
        autoindex on;
        add_header Cache-Control "no-cache";
    }}

    # MTA-STS policy host: https://mta-sts.<domain>:{cfg.https_port}/.well-known/mta-sts.txt
    server {{
        listen 127.0.0.1:{cfg.https_port} ssl;
        listen {cfg.sts_address}:443 ssl;
        server_name _;
        ssl_certificate {leaf}/fullchain.pem;
        ssl_certificate_key {leaf}/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        root {cfg.www_sts}/$host;
        log_not_found off;
        location = /.well-known/mta-sts.txt {{
            types {{ }}
            default_type text/plain;
        }}
        location / {{
            return 404;
        }}
    }}
{special}}}
"""
    write(f"{cfg.ngx}/nginx.conf", conf)


def write_helpers(cfg):
    os.makedirs(f"{cfg.ocspdir}/tmp", exist_ok=True)
    os.makedirs(cfg.proxydir, exist_ok=True)
    root, inter = ca_dir(cfg, "root"), ca_dir(cfg, "intermediate")
    ocsp = {
        "address": "127.0.0.1", "port": cfg.ocsp_port, "default": "intermediate",
        "routes": {
            "intermediate": {"index": f"{inter}/index.txt", "ca": f"{inter}/cert.pem",
                             "rsigner": f"{inter}/cert.pem", "rkey": f"{inter}/key.pem"},
            "root": {"index": f"{root}/index.txt", "ca": f"{root}/cert.pem",
                     "rsigner": f"{root}/cert.pem", "rkey": f"{root}/key.pem"},
        },
        "tmpDir": f"{cfg.ocspdir}/tmp", "log": f"{cfg.logs}/ocsp.log", "openssl": "openssl", "ndays": 1,
    }
    write(f"{cfg.ocspdir}/config.json", json.dumps(ocsp, indent=2) + "\n")
    proxy = {"address": "127.0.0.1", "port": cfg.proxy_port, "log": f"{cfg.logs}/proxy.log"}
    write(f"{cfg.proxydir}/config.json", json.dumps(proxy, indent=2) + "\n")
    os.makedirs(cfg.faultsdir, exist_ok=True)
    faults = {"address": "127.0.0.1", "ports": cfg.fault_ports,
              "certChain": f"{cfg.pki}/leaves/faults/fullchain.pem", "key": f"{cfg.pki}/leaves/faults/key.pem",
              "log": f"{cfg.logs}/faults.log"}
    write(f"{cfg.faultsdir}/config.json", json.dumps(faults, indent=2) + "\n")
    os.makedirs(cfg.netfaultsdir, exist_ok=True)
    net_faults = {"address": "127.0.0.1", "net": cfg.net, "ports": cfg.net_fault_ports,
                  "smtpAddress": f"{cfg.net}.1", "goodSmtp": {"host": "127.0.0.1", "port": cfg.loopback_port(1)},
                  "intermediateCert": f"{cfg.pki}/intermediate/cert.pem", "intermediateKey": f"{cfg.pki}/intermediate/key.pem",
                  "dir": f"{cfg.netfaultsdir}/certs", "log": f"{cfg.logs}/net-faults.log"}
    write(f"{cfg.netfaultsdir}/config.json", json.dumps(net_faults, indent=2) + "\n")


# ---------------------------------------------------------------------------------
# sshd (PowerShell remoting over SSH)
# ---------------------------------------------------------------------------------

SSHD = "/usr/sbin/sshd"


def sshd_available():
    return os.access(SSHD, os.X_OK) and shutil.which("ssh-keygen", path=SYS_PATH) is not None


def find_pwsh(cfg):
    """The pwsh the powershell subsystem starts: TLSTOOLS_BED_PWSH, pwsh on PATH, the .NET tool, the package."""
    cands = [os.environ.get("TLSTOOLS_BED_PWSH"), shutil.which("pwsh", path=cfg.env.get("PATH")),
             os.path.expanduser("~/.dotnet/tools/pwsh"), "/opt/microsoft/powershell/7/pwsh"]
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK) and not re.search(r"\s", c):
            return os.path.abspath(c)
    return None


def write_ssh(cfg):
    """Throwaway host and client keys (made once per state folder), sshd_config with the powershell
    subsystem, an authorized_keys for the client key, and the client side: a known_hosts that holds
    only the bed's host key and an ssh_config that uses it (the user's ~/.ssh is never read or written)."""
    d = cfg.sshdir
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o700)
    host_key, client_key = f"{d}/ssh_host_ed25519_key", f"{d}/client_ed25519"
    for key, comment in ((host_key, "tlstools-bed-host"), (client_key, "tlstools-bed-client")):
        if not (os.path.exists(key) and os.path.exists(key + ".pub")):
            for f in (key, key + ".pub"):
                try:
                    os.unlink(f)
                except OSError:
                    pass
            run(cfg, ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", key])
        os.chmod(key, 0o600)
    user = pwd.getpwuid(os.geteuid()).pw_name
    pwsh = find_pwsh(cfg)
    write(f"{d}/authorized_keys", "restrict " + read(client_key + ".pub").strip() + "\n", 0o600)
    host_pub = " ".join(read(host_key + ".pub").split()[:2])
    names = ",".join(f"[{a}]:{cfg.ssh_port}" for a in cfg.ssh_addresses)
    write(f"{d}/known_hosts", f"{names} {host_pub}\n")
    lines = [f"# sshd of the TlsTools test bed: PowerShell remoting over SSH on loopback only",
             f"Port {cfg.ssh_port}"]
    lines += [f"ListenAddress {a}" for a in cfg.ssh_addresses]
    lines += [f"HostKey {host_key}", "PidFile none", f"AuthorizedKeysFile {d}/authorized_keys",
              "AuthenticationMethods publickey", "PubkeyAuthentication yes", "PasswordAuthentication no",
              "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password", f"AllowUsers {user}",
              "UsePAM no",
              # the state folder lives under a world-writable parent such as /tmp
              "StrictModes no",
              "PrintMotd no", "X11Forwarding no", "AllowTcpForwarding no", "AllowAgentForwarding no",
              "PermitTTY no", "MaxStartups 30:50:60", "LogLevel VERBOSE"]
    # a pwsh installed as a .NET tool finds its runtime through DOTNET_ROOT where dotnet is not in a
    # default location, and an sshd session starts with a bare environment
    dotnet = shutil.which("dotnet", path=cfg.env.get("PATH"))
    dotnet_root = os.environ.get("DOTNET_ROOT") or (os.path.dirname(os.path.realpath(dotnet)) if dotnet else None)
    if dotnet_root and not re.search(r"\s", dotnet_root):
        lines.append(f"SetEnv DOTNET_ROOT={dotnet_root}")
    lines.append(f"Subsystem powershell {pwsh or '/nonexistent/pwsh'} -sshs -NoLogo -NoProfile")
    write(f"{d}/sshd_config", "\n".join(lines) + "\n")
    client = [f"# ssh -F {d}/ssh_config -p {cfg.ssh_port} {user}@127.0.0.1",
              "Host *", f"  User {user}", f"  Port {cfg.ssh_port}", f"  IdentityFile {client_key}",
              "  IdentitiesOnly yes", f"  UserKnownHostsFile {d}/known_hosts", "  GlobalKnownHostsFile /dev/null",
              "  StrictHostKeyChecking yes", "  BatchMode yes", "  UpdateHostKeys no"]
    write(f"{d}/ssh_config", "\n".join(client) + "\n")
    # sshd refuses to start without its privilege separation directory (normally made by its service unit)
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    out = run(cfg, [SSHD, "-t", "-f", f"{d}/sshd_config"])
    return {"user": user, "pwsh": pwsh, "hostKeyPub": host_pub, "check": out}


def ssh_banner(host, port, timeout=2.0):
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.settimeout(timeout)
        data = b""
        while b"\n" not in data and len(data) < 256:
            chunk = s.recv(256)
            if not chunk:
                break
            data += chunk
    return data.split(b"\n")[0].decode("ascii", "replace").strip()


# ---------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------

def proc_alive(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:][:1] not in ("Z", "X")


def proc_pgid(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            stat = f.read()
        return int(stat[stat.rfind(")") + 2:].split()[2])
    except (OSError, ValueError, IndexError):
        return None


def proc_exe(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


def owned(cfg, pid):
    """True when the process carries this bed's state folder in its environment or command line."""
    marks = (f"TLSTOOLS_BED_DIR={cfg.state}".encode(), f"MAIL_CONFIG={cfg.pf}/etc".encode())
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            if any(m in f.read().split(b"\0") for m in marks):
                return True
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = re.split(rb"[\0 ]", f.read())
    except OSError:
        return False
    st = cfg.state.encode()
    return any(a == st or a.startswith(st + b"/") for a in args)


def all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def record(cfg, name, pid):
    os.makedirs(cfg.run, exist_ok=True)
    write(f"{cfg.run}/{name}.pid", f"{pid} {proc_exe(pid) or ''}\n")


def recorded(cfg):
    """service name -> (pid, exe) from the state folder (run/*.pid, bed.json, daemons' own pid files)."""
    out = {}
    try:
        for fn in os.listdir(cfg.run):
            if fn.endswith(".pid"):
                parts = read(f"{cfg.run}/{fn}").split()
                if parts:
                    out[fn[:-4]] = (int(parts[0]), parts[1] if len(parts) > 1 else None)
    except (OSError, ValueError):
        pass
    try:
        with open(cfg.state_file, encoding="utf-8") as f:
            for name, pid in json.load(f).get("pids", {}).items():
                out.setdefault(name, (int(pid), None))
    except (OSError, ValueError, AttributeError):
        pass
    for name, path in (("postfix", f"{cfg.pf}/spool/pid/master.pid"), ("knot", f"{cfg.knot}/run/knot.pid"),
                       ("relay", f"{cfg.relaydir}/spool/pid/master.pid"), ("sink", f"{cfg.sinkdir}/spool/pid/master.pid"),
                       ("nginx", f"{cfg.ngx}/nginx.pid"), ("unbound", f"{cfg.unbound}/unbound.pid")):
        try:
            pid = int(read(path).split()[0])
            if out.get(name, (None,))[0] != pid:
                out[f"{name}-pidfile"] = (pid, None)
        except (OSError, ValueError, IndexError):
            pass
    return out


def stop_all(cfg, quiet=False):
    rec = recorded(cfg)
    targets = set()
    groups = set()
    for name, (pid, exe) in rec.items():
        if proc_alive(pid) and owned(cfg, pid):
            targets.add(pid)
            if proc_pgid(pid) == pid:
                groups.add(pid)
        # members of the recorded process group (for example children left by a killed leader)
        for q in all_pids():
            if q != pid and proc_pgid(q) == pid and proc_alive(q):
                if owned(cfg, q) or (exe and proc_exe(q) == exe and not proc_alive(pid)):
                    targets.add(q)
    if targets and not quiet:
        info(f"stopping pids {sorted(targets)}")

    def signal_all(sig):
        for g in groups:
            try:
                os.killpg(g, sig)
            except OSError:
                pass
        for t in targets:
            try:
                os.kill(t, sig)
            except OSError:
                pass

    if targets:
        signal_all(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TERM_WAIT
        while time.monotonic() < deadline and any(proc_alive(t) for t in targets):
            time.sleep(0.05)
        left = [t for t in targets if proc_alive(t)]
        if left:
            info(f"SIGKILL to {left}")
            signal_all(signal.SIGKILL)
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and any(proc_alive(t) for t in targets):
                time.sleep(0.05)
        left = [t for t in targets if proc_alive(t)]
        if left:
            raise BedError(f"could not stop pids {left}")
    for path in [f"{cfg.run}/{fn}" for fn in (os.listdir(cfg.run) if os.path.isdir(cfg.run) else [])] + \
            [cfg.state_file]:
        try:
            os.unlink(path)
        except OSError:
            pass


def spawn(cfg, name, cmd, logname):
    logf = open(f"{cfg.logs}/{logname}", "ab")
    try:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                             env=cfg.env, start_new_session=True, close_fds=True)
    finally:
        logf.close()
    record(cfg, name, p.pid)
    return p


# ---------------------------------------------------------------------------------
# Probes (all bounded by socket timeouts)
# ---------------------------------------------------------------------------------

def tcp_open(host, port, timeout=0.5):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect((host, port))
            return True
        except OSError:
            return False


def port_free(host, port, udp=False):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM) as s:
        if not udp:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def ipv6_usable():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def reserve_ports(cfg):
    """Keep the kernel from handing the bed's ports out as ephemeral client ports: the default
    port base lies inside Linux's ephemeral range (32768-60999), and a client socket (even one in
    TIME_WAIT) on 127.0.0.1:<bed port> makes the server's bind fail."""
    path = "/proc/sys/net/ipv4/ip_local_reserved_ports"
    lo, hi = cfg.base + 25, cfg.base + 99
    try:
        cur = read(path).strip()
        covered = set()
        for part in filter(None, cur.split(",")):
            a, _, b = part.partition("-")
            covered.update(range(int(a), int(b or a) + 1))
        if all(p in covered for p in range(lo, hi + 1)):
            return
        with open(path, "w", encoding="ascii") as f:
            f.write(f"{cur},{lo}-{hi}" if cur else f"{lo}-{hi}")
    except (OSError, ValueError) as e:
        info(f"warning: could not reserve ports {lo}-{hi} in {path}: {e}")


def busy_ports(cfg, ipv6):
    """(endpoint, listening) for every bed endpoint that cannot be bound now."""
    eps = [(h, p, False) for _, h, p, _, _ in smtp_endpoints(cfg, ipv6)]
    eps += [("127.0.0.1", p, False) for p in (cfg.dns_port, cfg.http_port, cfg.https_port, cfg.ocsp_port,
                                               cfg.proxy_port, *cfg.fault_ports.values(),
                                               *cfg.net_fault_ports.values(),
                                               cfg.relay_port, *cfg.sink_ports.values())]
    eps.append(("127.0.0.1", cfg.dns_port, True))
    eps.append((cfg.sts_address, 443, False))
    if sshd_available():
        eps += [(a, cfg.ssh_port, False) for a in cfg.ssh_addresses]
    eps += [(f"{cfg.net}.67", 443, False), (f"{cfg.net}.68", 443, False), ("127.0.0.1", cfg.net_fault_ports["dns"], True),
            ("127.0.0.1", cfg.net_fault_ports["silentdns"], True)]
    if unbound_available():
        eps += [("127.0.0.1", cfg.resolver_port, False), ("127.0.0.1", cfg.resolver_port, True)]
    out = []
    for h, p, udp in eps:
        if not port_free(h, p, udp):
            out.append((f"{h}:{p}{'/udp' if udp else ''}", udp or tcp_open(h, p, 0.3)))
    if tcp_open("127.0.0.1", cfg.closed_port, 0.3):
        out.append((f"127.0.0.1:{cfg.closed_port} (closedPort must have no listener)", True))
    return out


def wait_ports_free(cfg, ipv6):
    """Fail at once when something listens on a bed port; wait (bounded) while only client sockets,
    for example in TIME_WAIT, still hold one."""
    deadline = time.monotonic() + PORT_WAIT
    told = False
    while True:
        busy = busy_ports(cfg, ipv6)
        if not busy:
            return
        listening = [e for e, lis in busy if lis]
        if listening:
            raise BedError("ports in use (another bed with the same TLSTOOLS_BED_PORT_BASE/NET?): "
                           + ", ".join(listening))
        if time.monotonic() > deadline:
            raise BedError("ports still held by client sockets: " + ", ".join(e for e, _ in busy))
        if not told:
            info("waiting for client sockets to release " + ", ".join(e for e, _ in busy))
            told = True
        time.sleep(0.5)


def smtp_greeting(host, port, implicit=False, timeout=3.0):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((host, port))
        if implicit:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(s)
        buf = b""
        while b"\n" not in buf and len(buf) < 2048:
            chunk = s.recv(1024)
            if not chunk:
                break
            buf += chunk
        try:
            s.sendall(b"QUIT\r\n")
        except OSError:
            pass
        line = buf.split(b"\n")[0].decode("ascii", "replace").strip()
        return int(line[:3]) if line[:3].isdigit() else None, line
    finally:
        s.close()


def dns_query(port, name, qtype, tcp=False, timeout=1.0, flags=0):
    qid = random.randint(0, 0xFFFF)
    qname = b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"
    msg = struct.pack(">HHHHHH", qid, flags, 1, 0, 0, 0) + qname + struct.pack(">HH", qtype, 1)
    if tcp:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(struct.pack(">H", len(msg)) + msg)
            data = b""
            while len(data) < 2 or len(data) < 2 + struct.unpack(">H", data[:2])[0]:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            resp = data[2:]
    else:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            s.sendto(msg, ("127.0.0.1", port))
            resp, _ = s.recvfrom(4096)
    rid, flags, _, ancount = struct.unpack(">HHHH", resp[:8])
    if rid != qid:
        raise OSError("DNS id mismatch")
    return flags & 0xF, ancount, bool(flags & 0x0400)


def resolver_query(port, name, qtype, timeout=2.0):
    """(rcode, answers, AD) from a recursive query that asks for the AD bit (RD and AD set)."""
    qid = random.randint(0, 0xFFFF)
    qname = b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"
    msg = struct.pack(">HHHHHH", qid, 0x0120, 1, 0, 0, 0) + qname + struct.pack(">HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(msg, ("127.0.0.1", port))
        resp, _ = s.recvfrom(4096)
    rid, flags, _, ancount = struct.unpack(">HHHH", resp[:8])
    if rid != qid:
        raise OSError("DNS id mismatch")
    return flags & 0xF, ancount, bool(flags & 0x0020)


def http_get(url, proxy=None, timeout=2.0, method="GET", body=None, headers=None):
    u = urllib.parse.urlsplit(url)
    if proxy:
        ph = urllib.parse.urlsplit(proxy)
        conn = http.client.HTTPConnection(ph.hostname, ph.port, timeout=timeout)
        target = url
    elif u.scheme == "https":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=timeout, context=ctx)
        target = u.path or "/"
    else:
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        target = (u.path or "/") + (("?" + u.query) if u.query else "")
    try:
        conn.request(method, target, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type"), r.read()
    finally:
        conn.close()


def smtp_endpoints(cfg, ipv6):
    """(profile, host, port, implicit, expected greeting code)"""
    out = []
    for p in PROFILES:
        code = 421 if p["mode"] == "tempfail" else 220
        imp = p["mode"] == "implicit"
        out.append((p["name"], f"{cfg.net}.{p['n']}", cfg.smtp_port, imp, code))
        out.append((p["name"], "127.0.0.1", cfg.loopback_port(p["n"]), imp, code))
        if p["name"] == "good" and ipv6:
            out.append((p["name"], "::1", cfg.smtp_port, imp, code))
    return out


def health(cfg, ipv6, zone_names, deep=True, resolver=False, ssh=False):
    """List of problems (empty when everything answers as intended)."""
    problems = []
    if ssh:
        for a in cfg.ssh_addresses:
            try:
                if deep:
                    banner = ssh_banner(a, cfg.ssh_port)
                    if not banner.startswith("SSH-2.0-"):
                        problems.append(f"sshd {a}:{cfg.ssh_port}: banner {banner!r}")
                elif not tcp_open(a, cfg.ssh_port):
                    problems.append(f"sshd {a}:{cfg.ssh_port}: not listening")
            except OSError as e:
                problems.append(f"sshd {a}:{cfg.ssh_port}: {e}")
    if resolver:
        try:
            rcode, an, ad = resolver_query(cfg.resolver_port, ZONE, 6)
            if rcode != 0 or an < 1 or (deep and not ad):
                problems.append(f"resolver {ZONE} SOA: rcode {rcode}, {an} answers, AD {ad}")
        except OSError as e:
            problems.append(f"resolver 127.0.0.1:{cfg.resolver_port}: {e}")
    for prof, host, port, imp, code in smtp_endpoints(cfg, ipv6):
        try:
            if deep:
                got, line = smtp_greeting(host, port, imp)
                if got != code:
                    problems.append(f"smtp {prof} {host}:{port}: greeting {line!r}, expected {code}")
            elif not tcp_open(host, port):
                problems.append(f"smtp {prof} {host}:{port}: not listening")
        except (OSError, ssl.SSLError) as e:
            problems.append(f"smtp {prof} {host}:{port}: {e}")
    for name, port in cfg.fault_ports.items():
        try:
            if deep:
                got, line = smtp_greeting("127.0.0.1", port)
                if got != 220:
                    problems.append(f"fault {name} 127.0.0.1:{port}: greeting {line!r}, expected 220")
            elif not tcp_open("127.0.0.1", port):
                problems.append(f"fault {name} 127.0.0.1:{port}: not listening")
        except OSError as e:
            problems.append(f"fault {name} 127.0.0.1:{port}: {e}")
    for name, port in cfg.net_fault_ports.items():
        if not tcp_open("127.0.0.1", port):
            problems.append(f"net fault {name} 127.0.0.1:{port}: not listening")
    for last in (67, 68):
        if not tcp_open(f"{cfg.net}.{last}", 443):
            problems.append(f"net fault policy host {cfg.net}.{last}:443: not listening")
    for name, port in [("relay", cfg.relay_port)] + [(f"sink-{k}", v) for k, v in cfg.sink_ports.items()]:
        try:
            if deep:
                got, line = smtp_greeting("127.0.0.1", port)
                if got != 220:
                    problems.append(f"mail path {name} 127.0.0.1:{port}: greeting {line!r}, expected 220")
            elif not tcp_open("127.0.0.1", port):
                problems.append(f"mail path {name} 127.0.0.1:{port}: not listening")
        except OSError as e:
            problems.append(f"mail path {name} 127.0.0.1:{port}: {e}")
    for z in (zone_names if deep else zone_names[:1]):
        try:
            rcode, an, aa = dns_query(cfg.dns_port, z, 6)
            if rcode != 0 or an < 1:
                problems.append(f"dns {z} SOA: rcode {rcode}, {an} answers")
        except OSError as e:
            problems.append(f"dns {z} SOA: {e}")
    if deep:
        try:
            rcode, an, _ = dns_query(cfg.dns_port, ZONE, 6, tcp=True)
            if rcode != 0 or an < 1:
                problems.append(f"dns over TCP: rcode {rcode}")
            rcode, an, _ = dns_query(cfg.dns_port, ZONE, 48)
            if rcode != 0 or an < 1:
                problems.append(f"dns {ZONE} DNSKEY: rcode {rcode}, {an} answers (zone not signed yet)")
        except OSError as e:
            problems.append(f"dns over TCP: {e}")
    checks = [("http", cfg.http_url("intermediate.crl"), None, 200)]
    if deep:
        checks += [("https", f"https://127.0.0.1:{cfg.https_port}/.well-known/mta-sts.txt", None, 404),
                   ("https", f"https://{cfg.sts_address}:443/.well-known/mta-sts.txt", None, 404),
                   ("proxy", f"http://127.0.0.1:{cfg.proxy_port}/healthz", None, 200),
                   ("ocsp", f"http://127.0.0.1:{cfg.ocsp_port}/healthz", None, 200)]
    for what, url, proxy, want in checks:
        try:
            st, _, _ = http_get(url, proxy)
            if st != want:
                problems.append(f"{what} {url}: HTTP {st}, expected {want}")
        except (OSError, http.client.HTTPException, ssl.SSLError) as e:
            problems.append(f"{what} {url}: {e}")
    if deep:
        try:
            with open(f"{cfg.pki}/ocsp-good.req", "rb") as f:
                req = f.read()
            st, ctype, body = http_get(cfg.ocsp_url("intermediate"), method="POST", body=req,
                                       headers={"Content-Type": "application/ocsp-request"}, timeout=10)
            if st != 200 or ctype != "application/ocsp-response" or not body:
                problems.append(f"ocsp POST: HTTP {st} {ctype}")
        except (OSError, http.client.HTTPException) as e:
            problems.append(f"ocsp POST: {e}")
    else:
        for what, port in (("ocsp", cfg.ocsp_port), ("proxy", cfg.proxy_port), ("https", cfg.https_port)):
            if not tcp_open("127.0.0.1", port):
                problems.append(f"{what} 127.0.0.1:{port}: not listening")
    return problems


# ---------------------------------------------------------------------------------
# State file
# ---------------------------------------------------------------------------------

def dotnet_name(openssl_subject):
    """'/O=x/CN=y' -> 'CN=y, O=x' (the form X509Certificate2.Subject shows)."""
    return ", ".join(reversed([p for p in openssl_subject.split("/") if p]))


def build_state(cfg, meta, ipv6, zone_map, pids, dnssec, resolver=False, ssh=None):
    pki, inter = cfg.pki, ca_dir(cfg, "intermediate")
    leaves = meta["leaves"]
    smtp = {}
    for p in PROFILES:
        cert = p["cert"]
        smtp[p["name"]] = {
            "address": f"{cfg.net}.{p['n']}",
            "port": cfg.smtp_port,
            "loopbackPort": cfg.loopback_port(p["n"]),
            "hostName": profile_host(p),
            "ipv6": bool(ipv6 and p["name"] == "good"),
            "ipv6Address": "::1" if (ipv6 and p["name"] == "good") else None,
            "leafCert": f"{pki}/leaves/{cert}/cert.pem" if cert else None,
            "chainPresented": presented_chain(cfg, p),
            "leafThumbprint": leaves[cert]["thumbprint"] if cert else None,
            "certNames": LEAVES[cert]["sans"] if cert else [],
            "certIPAddresses": [f"{cfg.net}.{o}" for o in LEAVES[cert].get("ip_octets", [])] if cert else [],
            "pkiCase": cert,
            "startTls": p["mode"] in ("starttls", "legacy", "tls10", "tls13only", "serverorder", "dualcert",
                                      "exochoice", "noexosuite", "sha1"),
            "serverOrder": p["mode"] in ("serverorder", "exochoice", "noexosuite"),
            "implicitTls": p["mode"] == "implicit",
            "greetingCode": 421 if p["mode"] == "tempfail" else 220,
            "tlsProtocols": (["TLSv1", "TLSv1.1", "TLSv1.2"] if p["mode"] == "legacy"
                             else ["TLSv1"] if p["mode"] == "tls10"
                             else ["TLSv1.3"] if p["mode"] == "tls13only"
                             else ["TLSv1.2"] if p["mode"] in ("exochoice", "noexosuite")
                             else [] if p["mode"] in ("none", "tempfail") else ["TLSv1.2", "TLSv1.3"]),
            "description": p["desc"],
        }
    pki_cases = {}
    for name, spec in LEAVES.items():
        urls = leaf_urls(cfg, spec["urls"]) or {}
        self_signed = spec.get("self_signed", False)
        pki_cases[name] = {
            "leafCert": f"{pki}/leaves/{name}/cert.pem",
            "leafKey": f"{pki}/leaves/{name}/key.pem",
            "fullChain": f"{pki}/leaves/{name}/fullchain.pem",
            "issuerCert": f"{pki}/leaves/{name}/cert.pem" if self_signed else f"{inter}/cert.pem",
            "crlUrl": urls.get("crl"),
            "ocspUrl": urls.get("ocsp"),
            "caIssuersUrl": urls.get("aia"),
            "names": spec["sans"],
            "ipAddresses": [f"{cfg.net}.{o}" for o in spec.get("ip_octets", [])],
            "serial": leaves[name]["serial"],
            "notBefore": leaves[name]["notBefore"],
            "notAfter": leaves[name]["notAfter"],
            "leafThumbprint": leaves[name]["thumbprint"],
            "spkiSha256": leaves[name]["spkiSha256"],
            "expect": spec["expect"],
            "description": spec["desc"],
        }
    crl = {}
    for name in ("root", "intermediate", "expired", "badsig"):
        crl[name] = {"url": cfg.http_url(f"{name}.crl"), "file": f"{cfg.www}/{name}.crl",
                     "pem": f"{pki}/crl/{name}.pem"}
    sts = {}
    for dom, (policy, sid) in STS_DOMAINS.items():
        host = f"mta-sts.{dom}"
        sts[dom] = {"policyHost": host, "id": sid,
                    "url": f"https://{host}:{cfg.https_port}/.well-known/mta-sts.txt",
                    "policy": policy,
                    "mode": re.search(r"mode: (\w+)", policy).group(1) if policy else None,
                    "kind": STS_SPECIAL.get(dom, "policy" if policy else "404"),
                    "expect": {"redirect": "fetch-error (301 redirect, not followed)",
                               "badcert": "fetch-error (certificate names not-this-host.bed.test)",
                               "oversized": "fetch-error (policy larger than 64 KiB)"}.get(
                                   STS_SPECIAL.get(dom), "policy" if policy else "fetch-error (404)")}
    return {
        "version": 1,
        "createdUtc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "stateDir": cfg.state,
        "portBase": cfg.base,
        "net": cfg.net,
        "smtpPort": cfg.smtp_port,
        "ipv6": bool(ipv6),
        "ca": {
            "rootCert": f"{ca_dir(cfg, 'root')}/cert.pem",
            "intermediateCert": f"{inter}/cert.pem",
            "chainFile": f"{pki}/chain.pem",
            "rootThumbprint": meta["root"]["thumbprint"],
            "intermediateThumbprint": meta["intermediate"]["thumbprint"],
            "rootSpkiSha256": meta["root"]["spkiSha256"],
            "intermediateSpkiSha256": meta["intermediate"]["spkiSha256"],
            "rootSubject": dotnet_name(ROOT_SUBJECT),
            "intermediateSubject": dotnet_name(INT_SUBJECT),
            "rootNotAfter": meta["root"]["notAfter"],
            "intermediateNotAfter": meta["intermediate"]["notAfter"],
            "rootCerUrl": cfg.http_url("root.cer"),
            "intermediateCerUrl": cfg.http_url("intermediate.cer"),
        },
        "smtp": smtp,
        "dns": {
            "address": "127.0.0.1", "port": cfg.dns_port, "zones": list(zone_map),
            "dnssec": dnssec,
            "tlsa": tlsa_records(cfg, meta, ipv6),
        },
        "http": {"address": "127.0.0.1", "port": cfg.http_port, "baseUrl": f"http://127.0.0.1:{cfg.http_port}",
                 "accessLog": f"{cfg.logs}/nginx-access.log"},
        "https": {"address": "127.0.0.1", "port": cfg.https_port, "policyAddress": cfg.sts_address, "policyPort": 443,
                  "mtaSts": sts},
        "resolver": ({"address": "127.0.0.1", "port": cfg.resolver_port, "validating": True,
                      "trustAnchorFile": f"{cfg.unbound}/trust-anchor.ds", "log": f"{cfg.logs}/unbound.log"}
                     if resolver else None),
        "crl": crl,
        "ocsp": {"address": "127.0.0.1", "port": cfg.ocsp_port, "url": f"http://127.0.0.1:{cfg.ocsp_port}",
                 "intermediateUrl": cfg.ocsp_url("intermediate"), "rootUrl": cfg.ocsp_url("root"),
                 "log": f"{cfg.logs}/ocsp.log"},
        "proxy": {"address": "127.0.0.1", "port": cfg.proxy_port, "url": f"http://127.0.0.1:{cfg.proxy_port}",
                  "log": f"{cfg.logs}/proxy.log"},
        "closedPort": cfg.closed_port,
        "ssh": ({"address": cfg.ssh_addresses[0], "addresses": cfg.ssh_addresses, "port": cfg.ssh_port,
                 "user": ssh["user"], "clientKey": f"{cfg.sshdir}/client_ed25519",
                 "knownHosts": f"{cfg.sshdir}/known_hosts", "configFile": f"{cfg.sshdir}/ssh_config",
                 "hostKey": ssh["hostKeyPub"], "subsystem": "powershell", "pwsh": ssh["pwsh"],
                 "sshdConfig": f"{cfg.sshdir}/sshd_config", "log": f"{cfg.logs}/sshd.log"}
                if ssh else None),
        "faults": {
            "address": "127.0.0.1", "log": f"{cfg.logs}/faults.log",
            "leafCert": f"{pki}/leaves/faults/cert.pem", "leafThumbprint": leaves["faults"]["thumbprint"],
            "servers": {name: {"port": cfg.fault_ports[name], "hostName": f"{name}.faults.{ZONE}",
                               "description": desc, "expect": expect}
                        for name, (_, desc, expect) in FAULTS.items()},
        },
        "netFaults": {
            "address": "127.0.0.1", "zone": "faults.test", "log": f"{cfg.logs}/net-faults.log",
            "ports": cfg.net_fault_ports,
            "descriptions": {name: desc for name, (_, desc) in NET_FAULTS.items()},
            "stsTlsErrorAddress": f"{cfg.net}.67", "stsHttpsAddress": f"{cfg.net}.68",
            "smtpAddress": f"{cfg.net}.1",
            "statsUrl": f"http://127.0.0.1:{cfg.net_fault_ports['http']}/stats",
        },
        "path": {
            "zone": PATH_ZONE,
            "relay": {"address": "127.0.0.1", "port": cfg.relay_port, "hostName": PATH_RELAY_HOST,
                      "certSubject": "good.mx.bed.test", "log": f"{cfg.logs}/postfix-relay.log"},
            "sink": {"address": "127.0.0.1", "hostName": PATH_SINK_HOST, "ports": cfg.sink_ports,
                     "log": f"{cfg.logs}/postfix-sink.log"},
            "maildir": f"{cfg.maildir}/delivered",
            "clientCertificate": {"subject": "good.mx.bed.test", "issuer": dotnet_name(INT_SUBJECT).split(", ")[0][3:],
                                  # the good leaf has the serverAuth EKU only, so OpenSSL does not verify it as a client's
                                  "verified": False},
            "domains": {d: {"sinkListener": listener, "sinkPort": cfg.sink_ports[listener], "transport": t,
                            "tls": t != "relayplain",
                            "tlsProtocol": None if t == "relayplain" else "TLSv1.2" if t == "relaytls12" else "TLSv1.3",
                            "cipher": "ECDHE-RSA-AES128-GCM-SHA256" if t == "relaytls12" else None,
                            "details": listener == "detailed" and t != "relayplain",
                            "clientCertificate": t == "relaytls" and listener == "detailed",
                            "description": desc}
                        for d, (listener, t, desc) in PATH_DOMAINS.items()},
        },
        "pki": pki_cases,
        "logs": {"postfix": f"{cfg.logs}/postfix.log", "knot": f"{cfg.logs}/knot.log",
                 "nginx": f"{cfg.logs}/nginx-error.log", "ocsp": f"{cfg.logs}/ocsp.log",
                 "proxy": f"{cfg.logs}/proxy.log", "faults": f"{cfg.logs}/faults.log",
                 "unbound": f"{cfg.logs}/unbound.log", "relay": f"{cfg.logs}/postfix-relay.log",
                 "sink": f"{cfg.logs}/postfix-sink.log"},
        "pids": pids,
    }


# ---------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------

class Lock:
    def __init__(self, cfg):
        os.makedirs(cfg.state, exist_ok=True)
        self.f = open(f"{cfg.state}/.lock", "w")

    def __enter__(self):
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(self.f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    raise BedError("another start/stop of this bed holds the lock")
                time.sleep(0.1)

    def __exit__(self, *a):
        fcntl.flock(self.f, fcntl.LOCK_UN)
        self.f.close()


def load_state(cfg):
    try:
        with open(cfg.state_file, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def fast_path_ok(cfg, st):
    if not st or st.get("portBase") != cfg.base or st.get("net") != cfg.net or \
            st.get("smtpPort") != cfg.smtp_port or not pki_ok(cfg):
        return False
    if cfg.ipv6_mode == "0" and st.get("ipv6") or cfg.ipv6_mode == "1" and not st.get("ipv6"):
        return False
    for name, pid in st.get("pids", {}).items():
        if not (proc_alive(pid) and owned(cfg, pid)):
            return False
    # A bed started by an older copy of this script lacks the zones added since: restart it.
    try:
        with open(f"{cfg.pki}/meta.json", encoding="utf-8") as f:
            wanted = set(zones(cfg, json.load(f), bool(st.get("ipv6"))))
    except (OSError, ValueError, KeyError):
        return False
    if set(st.get("dns", {}).get("zones", [])) != wanted:
        return False
    # a bed started by an older copy of this script (or before sshd was installed) lacks the sshd
    if sshd_available() and not st.get("ssh"):
        return False
    return not health(cfg, st.get("ipv6"), st["dns"]["zones"], deep=False, resolver=bool(st.get("resolver")),
                      ssh=bool(st.get("ssh")))


def cmd_start(cfg):
    t0 = time.monotonic()
    if os.geteuid() != 0:
        raise BedError("the bed needs root (Postfix's master runs as root)")
    with Lock(cfg):
        st = load_state(cfg)
        if fast_path_ok(cfg, st):
            refresh_crls(cfg)
            info(f"already running ({time.monotonic() - t0:.2f}s)")
            print(cfg.state_file)
            return 0
        stop_all(cfg)
        for d in (cfg.logs, cfg.run, cfg.www):
            os.makedirs(d, exist_ok=True)
        if not pki_ok(cfg):
            for d in (cfg.www, cfg.knot):  # published files and old zones belong to the old PKI
                shutil.rmtree(d, ignore_errors=True)
            os.makedirs(cfg.www)
            make_pki(cfg)
            refresh_crls(cfg, force=True)
        else:
            refresh_crls(cfg)
        with open(f"{cfg.pki}/meta.json", encoding="utf-8") as f:
            meta = json.load(f)

        if cfg.ipv6_mode == "0":
            ipv6 = False
        else:
            ipv6 = ipv6_usable() and port_free("::1", cfg.smtp_port)
            if cfg.ipv6_mode == "1" and not ipv6:
                raise BedError(f"TLSTOOLS_BED_IPV6=1 but [::1]:{cfg.smtp_port} cannot be bound")
            if not ipv6:
                info(f"IPv6 listener off ([::1] missing or [::1]:{cfg.smtp_port} taken)")

        reserve_ports(cfg)
        wait_ports_free(cfg, ipv6)

        zone_map = zones(cfg, meta, ipv6)
        write_postfix(cfg, ipv6)
        write_path(cfg)
        dnssec = write_knot(cfg, zone_map)
        resolver = unbound_available()
        if resolver:
            write_unbound(cfg, dnssec)
        else:
            info("unbound is not installed: no validating resolver (run tests/bed/install-deps.sh)")
        write_nginx(cfg)
        write_helpers(cfg)
        ssh = write_ssh(cfg) if sshd_available() else None
        if not ssh:
            info("openssh-server is not installed: no sshd for PowerShell remoting (run tests/bed/install-deps.sh)")
        elif not ssh["pwsh"]:
            info("warning: no pwsh found for the sshd's powershell subsystem (set TLSTOOLS_BED_PWSH)")
        # logs hold the current run only
        for fn in set(os.listdir(cfg.logs)) | {"proxy.log", "ocsp.log", "faults.log", "net-faults.log", "sshd.log"}:
            if fn.endswith((".log", ".out")):
                write(f"{cfg.logs}/{fn}", "")

        # the mail path's delivered messages belong to the current run too
        shutil.rmtree(f"{cfg.maildir}/delivered", ignore_errors=True)
        # stale pid files of daemons that refuse to start over them (knotd does; a killed
        # knotd that is still a zombie would otherwise count as running)
        for stale in (f"{cfg.knot}/run/knot.pid", f"{cfg.ngx}/nginx.pid"):
            try:
                os.unlink(stale)
            except OSError:
                pass
        pids = {}
        procs = {}
        try:
            procs["knot"] = spawn(cfg, "knot", ["knotd", "-c", f"{cfg.knot}/knot.conf"], "knotd.out")
            procs["nginx"] = spawn(cfg, "nginx", ["nginx", "-p", f"{cfg.ngx}/", "-c", f"{cfg.ngx}/nginx.conf",
                                                  "-e", f"{cfg.logs}/nginx-error.log", "-g", "daemon off;"],
                                   "nginx.out")
            procs["ocsp"] = spawn(cfg, "ocsp", [cfg.python, f"{HERE}/ocsp_front.py", f"{cfg.ocspdir}/config.json"],
                                  "ocsp.out")
            procs["proxy"] = spawn(cfg, "proxy", [cfg.python, f"{HERE}/http_proxy.py",
                                                  f"{cfg.proxydir}/config.json"], "proxy.out")
            procs["faults"] = spawn(cfg, "faults", [cfg.python, f"{HERE}/smtp_faults.py",
                                                    f"{cfg.faultsdir}/config.json"], "faults.out")
            procs["netfaults"] = spawn(cfg, "netfaults", [cfg.python, f"{HERE}/net_faults.py",
                                                          f"{cfg.netfaultsdir}/config.json"], "net-faults.out")
            if resolver:
                procs["unbound"] = spawn(cfg, "unbound", ["unbound", "-d", "-c", f"{cfg.unbound}/unbound.conf"],
                                         "unbound.out")
            if ssh:
                procs["sshd"] = spawn(cfg, "sshd", [SSHD, "-D", "-f", f"{cfg.sshdir}/sshd_config",
                                                    "-E", f"{cfg.logs}/sshd.log"], "sshd.out")
            for k, p in procs.items():
                pids[k] = p.pid
            # Postfix daemonizes itself; `postfix start` returns once the master is up
            out = run(cfg, ["postfix", "-c", f"{cfg.pf}/etc", "start"], timeout=60)
            with open(f"{cfg.logs}/postfix-start.out", "a", encoding="utf-8") as f:
                f.write(out)
            pidfile = f"{cfg.pf}/spool/pid/master.pid"
            deadline = time.monotonic() + 5
            while True:
                try:
                    pids["postfix"] = int(read(pidfile).split()[0])
                    break
                except (OSError, ValueError, IndexError):
                    if time.monotonic() > deadline:
                        raise BedError("Postfix master did not write its pid file")
                    time.sleep(0.05)
            record(cfg, "postfix", pids["postfix"])
            pids["relay"] = start_postfix_instance(cfg, f"{cfg.relaydir}/etc", "relay")
            pids["sink"] = start_postfix_instance(cfg, f"{cfg.sinkdir}/etc", "sink")

            deadline = time.monotonic() + START_BUDGET
            problems = ["not checked"]
            attempt = 0
            while problems:
                attempt += 1
                for k, p in procs.items():
                    if p.poll() is not None:
                        raise BedError(f"{k} exited with {p.returncode}; see {cfg.logs}")
                for inst in ("postfix", "relay", "sink"):
                    if not proc_alive(pids[inst]):
                        raise BedError(f"Postfix master ({inst}) exited; see {cfg.logs}/postfix*.log")
                problems = health(cfg, ipv6, list(zone_map), deep=True, resolver=resolver, ssh=bool(ssh))
                if problems and time.monotonic() > deadline:
                    raise BedError("services did not answer in time:\n  " + "\n  ".join(problems))
                if problems:
                    time.sleep(min(0.1 * attempt, 0.5))
        except BaseException:
            info("start failed; stopping what was started")
            stop_all(cfg, quiet=True)
            raise

        state = build_state(cfg, meta, ipv6, zone_map, pids, dnssec, resolver, ssh)
        write(cfg.state_file, json.dumps(state, indent=2) + "\n")
        info(f"bed up in {time.monotonic() - t0:.1f}s")
        print(cfg.state_file)
        return 0


def cmd_stop(cfg):
    if not os.path.isdir(cfg.state):
        info("nothing to stop")
        return 0
    with Lock(cfg):
        stop_all(cfg)
    info("stopped")
    return 0


def cmd_status(cfg):
    st = load_state(cfg)
    if not st:
        print(f"bed not running (no {cfg.state_file})")
        return 1
    ok = True
    for name, pid in st.get("pids", {}).items():
        alive = proc_alive(pid) and owned(cfg, pid)
        ok &= alive
        print(f"{name:8} pid {pid:<8} {'running' if alive else 'NOT RUNNING'}")
    problems = health(cfg, st.get("ipv6"), st["dns"]["zones"], deep=True, resolver=bool(st.get("resolver")),
                      ssh=bool(st.get("ssh")))
    for p in problems:
        print(f"problem: {p}")
    ok &= not problems
    print(f"state file: {cfg.state_file}")
    print("bed is up" if ok else "bed is NOT healthy")
    return 0 if ok else 1


def main(argv):
    if len(argv) != 2 or argv[1] not in ("start", "stop", "status"):
        print(__doc__, file=sys.stderr)
        return 2
    os.umask(0o022)  # daemons that drop privileges (postfix, nobody) must read the state folder
    try:
        cfg = Cfg()
        return {"start": cmd_start, "stop": cmd_stop, "status": cmd_status}[argv[1]](cfg)
    except BedError as e:
        info(f"error: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
