#!/usr/bin/env python3
"""Checks that a running test bed behaves as bed.json says, with the stock tools
(openssl, swaks, curl, kdig, delv). Every check is bounded by a timeout.

Usage: selftest.py BED_JSON      prints one line per check and "N passed, N failed"
"""
import calendar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import base64

TIMEOUT = 15
results = []


def sh(cmd, stdin=b"", timeout=TIMEOUT):
    try:
        p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return -1, (e.stdout or b"").decode("utf-8", "replace") + "\n<timed out>"


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f"  [{detail}]" if detail and not ok else ""), flush=True)


def s_client(host, port, starttls=True, extra=(), ca=None, name=None):
    cmd = ["openssl", "s_client", "-connect", f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
           "-showcerts", "-no-CAfile", "-no-CApath", "-no-CAstore"]
    if starttls:
        cmd += ["-starttls", "smtp"]
    if ca:
        cmd += ["-CAfile", ca]
    if name:
        cmd += ["-verify_hostname", name]
    cmd += list(extra)
    rc, out = sh(cmd)
    m = re.search(r"Verify return code: (\d+)", out)
    # "New, <version>, Cipher is <suite>" is printed once the handshake completes; the
    # SSL-Session block ("Protocol  : ...") may be missing with TLS 1.3 when stdin closes early
    new = re.search(r"^New, (\S+), Cipher is (\S+)", out, re.M)
    proto = re.search(r"^\s+Protocol\s*:\s*(\S+)", out, re.M)
    if not new or new.group(2) == "(NONE)":
        proto = None  # no handshake
    else:
        proto = proto.group(1) if proto else new.group(1)
    certs = len(re.findall(r"^ *\d+ s:", out, re.M))
    return (int(m.group(1)) if m else None), proto, certs, out


def starttls_ehlo_twice(host, port):
    """(EHLO reply before TLS, EHLO reply inside TLS) with Python's own TLS (swaks may lack
    Net::SSLeay), or None."""
    import socket
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE

    def reply(f):
        lines = []
        for _ in range(50):
            line = f.readline(1024).decode("ascii", "replace")
            lines.append(line.strip())
            if len(line) < 4 or line[3] != "-":
                break
        return "\n".join(lines)
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            f = s.makefile("rb")
            reply(f)
            s.sendall(b"EHLO selftest.bed.test\r\n")
            before = reply(f)
            s.sendall(b"STARTTLS\r\n")
            reply(f)
            with ctx.wrap_socket(s) as t:
                tf = t.makefile("rb")
                t.sendall(b"EHLO selftest.bed.test\r\n")
                inside = reply(tf)
                t.sendall(b"QUIT\r\n")
                return before, inside
    except (OSError, ssl.SSLError):
        return None


def main():
    bed = json.load(open(sys.argv[1], encoding="utf-8"))
    ca = bed["ca"]
    root, inter = ca["rootCert"], ca["intermediateCert"]
    smtp = bed["smtp"]
    tmp = tempfile.mkdtemp(prefix="bed-selftest-")

    # --- SMTP profiles over openssl s_client (expected verify codes)
    expect = {"good": 0, "expired": 10, "wrongname": 62, "selfsigned": 18, "nointermediate": 21,
              "revoked": 0, "legacy": 0, "implicit": 0, "ipsan": 0}
    for prof, code in expect.items():
        p = smtp[prof]
        for host, port in ((p["address"], p["port"]), ("127.0.0.1", p["loopbackPort"])):
            v, proto, certs, out = s_client(host, port, starttls=p["startTls"], ca=root, name=p["hostName"],
                                            extra=["-cipher", "ALL:@SECLEVEL=0"] if prof == "legacy" else [])
            want_certs = 1 if prof in ("selfsigned", "nointermediate") else 2
            check(f"smtp {prof} {host}:{port} verify={code} certs={want_certs}",
                  v == code and certs == want_certs, f"verify={v} certs={certs} proto={proto}")
            # the presented chain equals chainPresented
            pem = "".join(re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n", out, re.S))
            with open(p["chainPresented"], encoding="ascii") as f:
                want = "".join(re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n", f.read(), re.S))
            check(f"smtp {prof} {host}:{port} sends chainPresented", pem == want)
    v, _, _, _ = s_client(smtp["nointermediate"]["address"], smtp["nointermediate"]["port"], ca=ca["chainFile"],
                          name=smtp["nointermediate"]["hostName"])
    check("smtp nointermediate verifies once the intermediate is supplied", v == 0, f"verify={v}")
    if "ipsan" in smtp:
        ip = smtp["ipsan"]["address"]
        v, _, _, _ = s_client(ip, smtp["ipsan"]["port"], ca=root, extra=["-verify_ip", ip])
        check(f"smtp ipsan verifies against its own address {ip} (iPAddress SAN)", v == 0, f"verify={v}")
        v, _, _, _ = s_client(smtp["good"]["address"], smtp["good"]["port"], ca=root,
                              extra=["-verify_ip", smtp["good"]["address"]])
        check("smtp good does not verify against its address (no iPAddress SAN)", v == 64, f"verify={v}")
    if smtp["good"]["ipv6"]:
        v, proto, certs, _ = s_client("::1", smtp["good"]["port"], ca=root, name=smtp["good"]["hostName"])
        check("smtp good on [::1]", v == 0 and certs == 2, f"verify={v}")

    # --- protocol ranges
    g, l = smtp["good"], smtp["legacy"]
    for prof, flag, ok_expected in (("good", "-tls1_3", True), ("good", "-tls1_2", True),
                                    ("good", "-tls1_1", False), ("legacy", "-tls1", True),
                                    ("legacy", "-tls1_1", True), ("legacy", "-tls1_2", True),
                                    ("legacy", "-tls1_3", False)):
        p = smtp[prof]
        _, proto, _, _ = s_client(p["address"], p["port"], extra=[flag, "-cipher", "ALL:@SECLEVEL=0"])
        ok = proto is not None
        check(f"smtp {prof} {flag} {'accepted' if ok_expected else 'refused'}", ok == ok_expected, f"proto={proto}")
    for prof, cipher, ok_expected in (("legacy", "AES128-SHA", True), ("good", "AES128-SHA", False),
                                      ("good", "ECDHE-RSA-AES128-SHA", False),
                                      ("legacy", "ECDHE-RSA-AES128-SHA", True)):
        p = smtp[prof]
        _, proto, _, out = s_client(p["address"], p["port"], extra=["-tls1_2", "-cipher", cipher + ":@SECLEVEL=0"])
        ok = proto is not None
        check(f"smtp {prof} TLS 1.2 {cipher} {'accepted' if ok_expected else 'refused'}", ok == ok_expected)

    # --- Exchange-faithful verdict profiles: the suite a server prefers, Exchange Online's list, SHA-1
    exo = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:" \
          "ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:AES256-GCM-SHA384:AES128-GCM-SHA256"
    if "exochoice" in smtp:
        p = smtp["exochoice"]
        _, proto, _, out = s_client(p["address"], p["port"], extra=["-tls1_2"])
        suite = re.search(r"^New, \S+, Cipher is (\S+)", out, re.M)
        check("smtp exochoice prefers ECDHE-ECDSA-AES256-GCM-SHA384 (not one of Exchange Online's suites)",
              bool(suite) and suite.group(1) == "ECDHE-ECDSA-AES256-GCM-SHA384", suite.group(1) if suite else out[-200:])
        _, proto, _, out = s_client(p["address"], p["port"], extra=["-tls1_2", "-cipher", exo])
        suite = re.search(r"^New, \S+, Cipher is (\S+)", out, re.M)
        check("smtp exochoice takes ECDHE-RSA-AES128-GCM-SHA256 from Exchange Online's list",
              bool(suite) and suite.group(1) == "ECDHE-RSA-AES128-GCM-SHA256", suite.group(1) if suite else out[-200:])
        _, proto, _, _ = s_client(p["address"], p["port"], extra=["-tls1_3"])
        check("smtp exochoice refuses TLS 1.3", proto is None, f"proto={proto}")
    if "noexosuite" in smtp:
        p = smtp["noexosuite"]
        _, proto, _, _ = s_client(p["address"], p["port"], extra=["-tls1_2"])
        check("smtp noexosuite speaks TLS 1.2 (ECDSA)", proto is not None, f"proto={proto}")
        _, proto, _, _ = s_client(p["address"], p["port"], extra=["-tls1_2", "-cipher", exo])
        check("smtp noexosuite refuses Exchange Online's list", proto is None, f"proto={proto}")
    if "sha1" in smtp:
        p = smtp["sha1"]
        rc, out = sh(["openssl", "x509", "-in", p["leafCert"], "-noout", "-text"])
        check("pki sha1 leaf is signed with sha1WithRSAEncryption", "Signature Algorithm: sha1WithRSAEncryption" in out)
        _, proto, certs, _ = s_client(p["address"], p["port"], extra=["-cipher", "DEFAULT:@SECLEVEL=0"])
        check("smtp sha1 serves its SHA-1 chain", proto is not None and certs == 2, f"proto={proto} certs={certs}")

    # --- swaks: banners, STARTTLS advertisement, tempfail, nothing is accepted
    for prof, p in smtp.items():
        cmd = ["swaks", "--server", p["address"], "--port", str(p["port"]), "--quit-after", "EHLO",
               "--timeout", "5"]
        if p["implicitTls"]:
            cmd += ["--tlsc"]
        rc, out = sh(cmd)
        if p["greetingCode"] == 421:
            check(f"swaks {prof}: 421 greeting", re.search(r"^<\*\* +421 ", out, re.M) is not None
                  and not re.search(r"^<[-~]? +220 ", out, re.M), out[-200:])
            continue
        banner = re.search(r"^<[-~]? +220 (\S+)", out, re.M)
        check(f"swaks {prof}: banner names {p['hostName']}", bool(banner) and banner.group(1) == p["hostName"],
              out[-300:])
        if not p["implicitTls"]:
            check(f"swaks {prof}: STARTTLS {'offered' if p['startTls'] else 'not offered'}",
                  ("250-STARTTLS" in out or "250 STARTTLS" in out) == p["startTls"])
    rc, out = sh(["swaks", "--server", g["address"], "--port", str(g["port"]), "-tls", "--timeout", "5",
                  "--from", "probe@bed.test", "--to", "postmaster@partner.bed.test"])
    check("swaks good: every recipient rejected (5xx)", re.search(r"^<~?\*+ +5\d\d ", out, re.M) is not None)

    # --- fault-injecting SMTP servers
    faults = bed.get("faults", {}).get("servers", {})
    for name, f in faults.items():
        rc, out = sh(["swaks", "--server", "127.0.0.1", "--port", str(f["port"]), "--quit-after", "EHLO",
                      "--timeout", "5"])
        check(f"swaks fault {name}: 220 greeting names {f['hostName']}",
              re.search(rf"^<[-~]? +220 {re.escape(f['hostName'])} ", out, re.M) is not None, out[-200:])
        if name == "ehloreject":
            check("fault ehloreject: EHLO -> 502", re.search(r"^<\*\* +502 ", out, re.M) is not None, out[-200:])
        elif name == "ehlo421":
            check("fault ehlo421: EHLO -> 421", re.search(r"^<\*\* +421 ", out, re.M) is not None, out[-200:])
        else:
            check(f"fault {name}: STARTTLS offered", "250-STARTTLS" in out, out[-200:])
    if "tlsfail" in faults:
        _, proto, _, out = s_client("127.0.0.1", faults["tlsfail"]["port"], extra=["-cipher", "ALL:@SECLEVEL=0"])
        check("fault tlsfail: handshake refused with a handshake_failure alert",
              proto is None and "alert handshake failure" in out, out.strip()[-150:])
        _, proto, _, out = s_client("127.0.0.1", faults["tlsfail"]["port"], extra=["-tls1", "-cipher", "ALL:@SECLEVEL=0"])
        check("fault tlsfail: TLS 1.0 refused too", proto is None, out.strip()[-150:])
    if "starttlsagain" in faults:
        ehlo = starttls_ehlo_twice("127.0.0.1", faults["starttlsagain"]["port"])
        check("fault starttlsagain: TLS established, STARTTLS advertised again inside it",
              ehlo is not None and "STARTTLS" in ehlo[1], repr(ehlo)[-200:])
        v, proto, certs, _ = s_client("127.0.0.1", faults["starttlsagain"]["port"], ca=root,
                                      name=faults["starttlsagain"]["hostName"])
        check("fault starttlsagain: faults certificate verifies for its host name", v == 0 and certs == 2,
              f"verify={v} certs={certs}")

    # --- certificates against the CA
    leaf = {n: c["leafCert"] for n, c in bed["pki"].items()}
    for n, want in (("good", ": OK"), ("revoked", ": OK"), ("expired", "error 10 "), ("selfsigned", "error 18 "),
                    ("wrongname", ": OK"), ("nointermediate", ": OK")):
        rc, out = sh(["openssl", "verify", "-CAfile", root, "-untrusted", inter, leaf[n]])
        check(f"openssl verify {n} -> {want.strip(': ')}", want in out, out.strip()[-120:])
    crl = bed["crl"]
    for n, code in (("good", None), ("revoked", 23), ("expiredcrl", 12), ("badsigcrl", 8)):
        crlfile = {"expiredcrl": crl["expired"]["pem"], "badsigcrl": crl["badsig"]["pem"]}.get(
            n, crl["intermediate"]["pem"])
        rc, out = sh(["openssl", "verify", "-crl_check_all", "-CAfile", root, "-untrusted", inter,
                      "-CRLfile", crl["root"]["pem"], "-CRLfile", crlfile, leaf[n]])
        ok = (": OK" in out) if code is None else (f"error {code} " in out)
        check(f"openssl verify -crl_check_all {n} -> {code or 'OK'}", ok, out.strip()[-120:])

    # --- CRLs and AIA over HTTP
    for n in ("root", "intermediate", "expired", "badsig"):
        path = os.path.join(tmp, f"{n}.crl")
        rc, out = sh(["curl", "-s", "--max-time", "5", "-o", path, "-w", "%{http_code} %{content_type}",
                      crl[n]["url"]])
        check(f"GET {n}.crl -> 200 application/pkix-crl", out.strip() == "200 application/pkix-crl", out)
        rc, out = sh(["openssl", "crl", "-inform", "DER", "-in", path, "-noout", "-nextupdate"])
        m = re.search(r"nextUpdate=(.*)", out)
        nxt = calendar.timegm(time.strptime(m.group(1).strip(), "%b %d %H:%M:%S %Y GMT")) if m else 0
        past = nxt < time.time()
        check(f"{n}.crl nextUpdate {'in the past' if n == 'expired' else 'ahead'}", past == (n == "expired"),
              out.strip())
    rc, out = sh(["openssl", "crl", "-inform", "DER", "-in", os.path.join(tmp, "intermediate.crl"), "-noout",
                  "-text"])
    check("intermediate.crl lists the revoked leaf", bed["pki"]["revoked"]["serial"] in out.replace(":", "").upper())
    for n in ("root", "intermediate"):
        rc, out = sh(["curl", "-s", "--max-time", "5", "-o", os.path.join(tmp, f"{n}.cer"), "-w", "%{http_code}",
                      ca[f"{n}CerUrl"]])
        rc2, out2 = sh(["openssl", "x509", "-inform", "DER", "-in", os.path.join(tmp, f"{n}.cer"), "-noout",
                        "-fingerprint", "-sha1"])
        fp = out2.split("=", 1)[-1].strip().replace(":", "")
        check(f"GET {n}.cer (DER) matches {n}Thumbprint", out == "200" and fp == ca[f"{n}Thumbprint"], out2)
    rc, out = sh(["curl", "-s", "--max-time", "3", f"http://127.0.0.1:{bed['closedPort']}/"])
    check("closedPort refuses connections", rc == 7, f"curl rc={rc}")

    # --- sshd for PowerShell remoting over SSH: the bed's host key, the client key, nothing else
    ssh = bed.get("ssh")
    if ssh:
        for a in ssh["addresses"]:
            rc, out = sh(["ssh-keyscan", "-t", "ed25519", "-p", str(ssh["port"]), a])
            keys = [" ".join(l.split()[1:3]) for l in out.splitlines() if l and not l.startswith("#")]
            check(f"sshd {a}:{ssh['port']} presents the bed's host key", ssh["hostKey"] in keys, out.strip()[-150:])
        rc, out = sh(["ssh", "-F", ssh["configFile"], "-o", "PubkeyAuthentication=no", ssh["address"], "true"])
        check("sshd refuses a client without the bed's client key (no passwords)",
              rc == 255 and "Permission denied" in out, out.strip()[-150:])
        rc, out = sh(["ssh", "-F", ssh["configFile"], "-o", "UserKnownHostsFile=/dev/null", ssh["address"], "true"])
        check("the bed's ssh_config refuses a host key it does not know", rc == 255 and "Host key verification failed" in out,
              out.strip()[-150:])
        rc, out = sh(["ssh", "-F", ssh["configFile"], ssh["address"], "-s", "powershell"], timeout=60)
        check("sshd starts the powershell subsystem for the bed's client key",
              rc != 255 and "subsystem request failed" not in out and "No such file" not in out,
              f"rc={rc} " + out.strip()[-150:])
        rc, out = sh(["ssh", "-F", ssh["configFile"], ssh["address"], "-s", "nosuchsubsystem"])
        check("sshd refuses an unknown subsystem", rc == 255 and "subsystem request failed" in out, out.strip()[-150:])

    # --- OCSP through the loopback front end
    for n, want in (("good", "good"), ("revoked", "revoked"), ("closedport", "good")):
        rc, out = sh(["openssl", "ocsp", "-issuer", inter, "-cert", leaf[n], "-url", bed["ocsp"]["intermediateUrl"],
                      "-CAfile", root, "-timeout", "10"])
        check(f"OCSP {n} -> {want}", f"cert.pem: {want}" in out and "Response verify OK" in out, out.strip()[-150:])
    rc, out = sh(["openssl", "ocsp", "-issuer", root, "-cert", inter, "-url", bed["ocsp"]["rootUrl"],
                  "-CAfile", root, "-timeout", "10"])
    check("OCSP intermediate (root route) -> good", "cert.pem: good" in out, out.strip()[-150:])
    req = os.path.join(tmp, "r.req")
    sh(["openssl", "ocsp", "-issuer", inter, "-cert", leaf["revoked"], "-no_nonce", "-reqout", req])
    b64 = urllib.parse.quote(base64.b64encode(open(req, "rb").read()).decode(), safe="")
    resp = os.path.join(tmp, "r.resp")
    rc, out = sh(["curl", "-s", "--max-time", "10", "-o", resp, "-w", "%{http_code} %{content_type}",
                  f"{bed['ocsp']['intermediateUrl']}/{b64}"])
    rc2, out2 = sh(["openssl", "ocsp", "-respin", resp, "-reqin", req, "-issuer", inter, "-CAfile", root,
                    "-resp_text"])
    check("OCSP GET form -> revoked", out == "200 application/ocsp-response" and "Cert Status: revoked" in out2,
          out)

    # --- proxy
    plog = bed["proxy"]["log"]
    before = os.path.getsize(plog)
    rc, out = sh(["curl", "-s", "--max-time", "5", "-x", bed["proxy"]["url"], "-o", "/dev/null", "-w", "%{http_code}",
                  crl["root"]["url"]])
    rc2, out2 = sh(["curl", "-s", "--max-time", "5", "-x", bed["proxy"]["url"], "-o", "/dev/null", "-w",
                    "%{http_code}", "http://mail.partner.bed.test/"])
    with open(plog, encoding="utf-8") as f:
        f.seek(before)
        logged = f.read()
    check("proxy forwards a loopback GET", out == "200", out)
    check("proxy refuses a host name with 403", out2 == "403", out2)
    check("proxy logs both request lines", f'"GET {crl["root"]["url"]} HTTP/1.1" 200' in logged
          and '"GET http://mail.partner.bed.test/ HTTP/1.1" 403' in logged, logged)

    # --- MTA-STS over HTTPS
    https = bed["https"]
    for dom, sts in https["mtaSts"].items():
        rc, out = sh(["curl", "-s", "--max-time", "5", "--cacert", root, "--resolve",
                      f"{sts['policyHost']}:{https['port']}:127.0.0.1", "-w", "\n%{http_code} %{content_type}",
                      sts["url"]])
        body, _, status = out.rpartition("\n")
        kind = sts.get("kind", "policy" if sts["policy"] else "404")
        if kind == "redirect":
            check(f"MTA-STS {dom}: 301 redirect", status.startswith("301"), status)
        elif kind == "badcert":
            check(f"MTA-STS {dom}: certificate does not name the policy host", rc != 0 and not body, status)
        elif kind == "oversized":
            check(f"MTA-STS {dom}: policy above 64 KiB served", status.startswith("200 text/plain")
                  and body == sts["policy"] and len(body) > 64 * 1024, status)
        elif sts["policy"]:
            check(f"MTA-STS {dom}: policy served as text/plain",
                  status.startswith("200 text/plain") and body == sts["policy"], status)
        else:
            check(f"MTA-STS {dom}: 404", status.startswith("404"), status)

    if https.get("policyAddress"):
        sts = https["mtaSts"]["good.bed.test"]
        rc, out = sh(["curl", "-s", "--max-time", "5", "--cacert", root, "--resolve",
                      f"{sts['policyHost']}:443:{https['policyAddress']}", "-w", "\n%{http_code}",
                      f"https://{sts['policyHost']}/.well-known/mta-sts.txt"])
        body, _, status = out.rpartition("\n")
        check("MTA-STS good.bed.test on port 443 of the policy address", status == "200" and body == sts["policy"], status)

    # --- DNS
    dns = bed["dns"]
    kd = ["kdig", f"@{dns['address']}", "-p", str(dns["port"]), "+short", "+time=2", "+retry=1"]

    def q(name, rtype, tcp=False):
        rc, out = sh(kd + (["+tcp"] if tcp else []) + [name, rtype])
        return [l for l in out.splitlines() if l and not l.startswith(";")]

    check("MX partner.bed.test", q("partner.bed.test", "MX") ==
          ["10 good.mx.bed.test.", "20 expired.mx.bed.test.", "30 nostarttls.mx.bed.test."])
    check("MX partner.bed.test over TCP", len(q("partner.bed.test", "MX", tcp=True)) == 3)
    check("TXT _mta-sts.partner.bed.test", q("_mta-sts.partner.bed.test", "TXT") == ['"v=STSv1; id=20261128T000000;"'])
    check("TXT _smtp._tls.partner.bed.test",
          q("_smtp._tls.partner.bed.test", "TXT") == ['"v=TLSRPTv1; rua=mailto:tlsrpt@partner.bed.test"'])
    check("SPF partner.bed.test", q("partner.bed.test", "TXT") == ['"v=spf1 mx -all"'])
    check("MX good.bed.test", q("good.bed.test", "MX") == ["10 good.mx.bed.test."])
    check("nomx.bed.test: no MX, A = good", q("nomx.bed.test", "MX") == [] and
          q("nomx.bed.test", "A") == [smtp["good"]["address"]])
    check("nullmx.bed.test: MX 0 .", q("nullmx.bed.test", "MX") == ["0 ."])
    check("MX legacy.bed.test", q("legacy.bed.test", "MX") == ["10 legacy.mx.bed.test."])
    for prof in ("wrongname", "selfsigned", "nointermediate"):
        check(f"MX {prof}.bed.test", q(f"{prof}.bed.test", "MX") == [f"10 {prof}.mx.bed.test."])
    for prof, p in smtp.items():
        check(f"A {p['hostName']}", q(p["hostName"], "A") == [p["address"]])
    check("AAAA good.mx.bed.test", q("good.mx.bed.test", "AAAA") == (["::1"] if smtp["good"]["ipv6"] else []))
    for t in dns["tlsa"]:
        got = q(t["name"], "TLSA")
        want = f"{t['usage']} {t['selector']} {t['matchingType']} {t['data']}"
        check(f"TLSA {t['name']}", [g.replace(" ", "") for g in got] == [want.replace(" ", "")], str(got))
    spki = subprocess.run(f"openssl x509 -in {leaf['good']} -noout -pubkey | openssl pkey -pubin -outform DER | "
                          "openssl dgst -sha256 -r", shell=True, stdout=subprocess.PIPE, timeout=TIMEOUT
                          ).stdout.decode().split()[0].upper()
    check("TLSA good = SHA-256 of the good leaf's SPKI",
          any(t["data"] == spki for t in dns["tlsa"] if t["host"] == "good.mx.bed.test"))
    rc, out = sh(["kdig", f"@{dns['address']}", "-p", str(dns["port"]), "+time=2", "+retry=1", "missing.bed.test", "A"])
    check("unknown name -> NXDOMAIN", "status: NXDOMAIN" in out)

    sec = dns.get("dnssec") or {}
    if sec.get("enabled") and shutil.which("delv"):
        ds = [l.split() for l in sec["trustAnchorDs"] if l.split()[4] == "2"][0]
        ta = os.path.join(tmp, "ta.conf")
        with open(ta, "w", encoding="ascii") as f:
            f.write('trust-anchors {\n  %s static-ds %s %s %s "%s";\n};\n' % (ds[0], ds[2], ds[3], ds[4], ds[5]))
        for zone, status in sec["zoneStatus"].items():
            rc, out = sh(["delv", f"@{dns['address']}", "-p", str(dns["port"]), "-a", ta,
                          f"+root={sec['trustAnchorZone']}", zone, "SOA"])
            got = ("secure" if "; fully validated" in out else "insecure" if "; unsigned answer" in out
                   else "bogus" if ("broken trust chain" in out or "resolution failed" in out) else "?")
            check(f"DNSSEC {zone} is {status}", got == status, out.strip()[-150:])

    res = bed.get("resolver")
    if res and sec.get("enabled"):
        kr = ["kdig", f"@{res['address']}", "-p", str(res["port"]), "+dnssec", "+time=3", "+retry=1"]
        for zone, status in sec["zoneStatus"].items():
            rc, out = sh(kr + [zone, "SOA"])
            flags = next((l for l in out.splitlines() if l.startswith(";; Flags:")), "")
            got = ("bogus" if "status: SERVFAIL" in out else
                   "secure" if "status: NOERROR" in out and " ad" in flags.split(";")[2] + " " else
                   "insecure" if "status: NOERROR" in out else "?")
            check(f"validating resolver: {zone} is {status}", got == status, (flags or out.strip()[-150:]))
        rc, out = sh(kr + ["example.com", "A"])
        check("validating resolver refuses names outside the bed", "status: REFUSED" in out, out.strip()[-150:])

    shutil.rmtree(tmp, ignore_errors=True)
    passed = sum(results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
