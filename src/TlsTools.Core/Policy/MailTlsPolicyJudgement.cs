using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TlsTools.Probing;

namespace TlsTools.Policy;

/// <summary>
/// Turns the facts of a domain's policy into a <see cref="MailTlsPolicy"/> and a verdict (pure:
/// facts and a clock in, a result out). The verdict asks what a validating sender such as
/// Exchange Online with its default MtaStsMode and SmtpDaneMode does: Fail when it holds or
/// rejects mail to an MX host (DANE applies and nothing matches, bogus DNSSEC, an enforce policy
/// that leaves an MX uncovered), Warning when it delivers but something is broken or only tested.
/// </summary>
public static class MailTlsPolicyJudgement
{
    public static MailTlsPolicy Judge(MailTlsPolicyFacts facts, DateTime now)
    {
        var fail = new List<string>();
        var warn = new List<string>();
        var info = new List<string>();
        var result = new MailTlsPolicy
        {
            Domain = facts.Domain,
            MxAuthenticated = facts.Mx.Failed ? null : facts.Mx.Authenticated,
            DnssecSource = $"the AD flag of {facts.DnsServer}: the check trusts that resolver to validate DNSSEC and the path to it",
        };

        // MX
        if (facts.Mx.Status == DnsAnswerStatus.ServerFailure)
        {
            result.Error = facts.Mx.Error;
            result.ErrorId = "DnsServerFailure";
            fail.Add($"The MX look-up failed with SERVFAIL; from a validating resolver this means bogus DNSSEC, and senders that validate (Exchange Online) defer mail to {facts.Domain}.");
        }
        else if (facts.Mx.Failed)
        {
            result.Error = facts.Mx.Error;
            result.ErrorId = "DnsLookupFailed";
            fail.Add("The MX look-up failed: " + facts.Mx.Error);
        }
        else if (facts.Mx.Status == DnsAnswerStatus.NameNotFound)
        {
            result.Error = facts.Mx.Error;
            result.ErrorId = "DomainNotFound";
            fail.Add($"{facts.Domain} does not exist (NXDOMAIN).");
        }
        else if (facts.IsNullMx)
        {
            info.Add("The domain publishes a null MX (RFC 7505): it accepts no mail.");
        }
        else if (facts.IsImplicitMx)
        {
            info.Add("The domain has no MX records: the domain itself is the mail host (implicit MX).");
        }
        result.MxHosts = new StringList(facts.Hosts.Select(h => h.Name));

        // MTA-STS
        MtaStsPolicyDocument? policy = JudgeMtaSts(facts, result, fail, warn, info);

        // TLS-RPT
        if (facts.TlsRptTxt.Failed)
        {
            result.TlsRptError = facts.TlsRptTxt.Error;
            warn.Add("The TLS-RPT record could not be read: " + facts.TlsRptTxt.Error);
        }
        else
        {
            TlsRptRecord? rpt = TlsRptRecord.Select(facts.TlsRptTxt.Records, out string? rptError);
            if (rpt is not null)
            {
                result.TlsRptRecord = rpt.Text;
                result.TlsRptRua = new StringList(rpt.Rua);
            }
            else if (rptError is not null)
            {
                result.TlsRptError = rptError;
                warn.Add("TLS-RPT: " + rptError);
            }
        }

        // DANE, per MX host
        bool mxSecure = !facts.Mx.Failed && facts.Mx.Authenticated;
        var hosts = new List<MailTlsPolicyHost>();
        foreach (HostPolicyFacts h in facts.Hosts)
        {
            hosts.Add(JudgeHost(facts, h, policy, mxSecure, now, fail, warn, info));
        }
        result.Hosts = hosts;
        result.DaneApplies = hosts.Any(h => h.DaneApplies);
        if (policy is not null && policy.Mode != MtaStsMode.None)
        {
            result.MtaStsMxMatch = hosts.All(h => h.MtaStsCovered == true);
        }
        if (facts.Hosts.Any(h => h.Tlsa is { Records.Count: > 0 }) && !mxSecure && !facts.Mx.Failed)
        {
            info.Add("The MX answer is not DNSSEC-authenticated, so senders apply DANE to none of the MX hosts (RFC 7672 section 2.2.1).");
        }

        bool anyPolicy = (policy is not null && policy.Mode != MtaStsMode.None) || result.DaneApplies;
        if (anyPolicy && result.TlsRptRecord is null && result.TlsRptError is null)
        {
            info.Add("The domain publishes no TLS-RPT record, so it hears nothing about senders' failures.");
        }

        result.Verdict = fail.Count > 0 ? MailTlsPolicyVerdict.Fail
            : warn.Count > 0 ? MailTlsPolicyVerdict.Warning
            : anyPolicy ? MailTlsPolicyVerdict.Pass
            : MailTlsPolicyVerdict.NoPolicy;
        if (result.Verdict == MailTlsPolicyVerdict.NoPolicy && !facts.IsNullMx)
        {
            info.Insert(0, "The domain publishes neither an MTA-STS policy in force nor DANE records senders can use: senders use opportunistic TLS.");
        }
        result.Reasons = new StringList(fail.Concat(warn).Concat(info));
        return result;
    }

    private static MtaStsPolicyDocument? JudgeMtaSts(MailTlsPolicyFacts facts, MailTlsPolicy result, List<string> fail, List<string> warn, List<string> info)
    {
        if (facts.MtaStsTxt.Failed)
        {
            result.MtaStsError = facts.MtaStsTxt.Error;
            result.MtaStsErrorId = "MtaStsRecordLookupFailed";
            warn.Add("The MTA-STS record could not be read: " + facts.MtaStsTxt.Error);
            return null;
        }
        MtaStsRecord? record = MtaStsRecord.Select(facts.MtaStsTxt.Records, out string? recordError);
        if (record is null)
        {
            if (recordError is not null)
            {
                result.MtaStsError = recordError;
                result.MtaStsErrorId = facts.MtaStsTxt.Records.Count(MtaStsRecord.LooksLikeRecord) > 1 ? "MtaStsRecordMultiple" : "MtaStsRecordInvalid";
                warn.Add("MTA-STS: " + recordError);
            }
            return null;
        }
        result.MtaStsRecord = record.Text;
        result.MtaStsId = record.Id;

        MtaStsFetchResult? fetch = facts.PolicyFetch;
        if (fetch is null)
        {
            return null;
        }
        result.MtaStsPolicyUrl = fetch.Url;
        if (fetch.Failure is { } kind)
        {
            result.MtaStsError = fetch.Error;
            result.MtaStsErrorId = "MtaStsPolicy" + kind.ToString();
            warn.Add($"MTA-STS: the domain publishes a record (id {record.Id}) but its policy could not be fetched: {fetch.Error} "
                + "Senders without a cached policy deliver as if there were none; senders that cached one keep applying it (TLS-RPT: "
                + (kind == MtaStsFetchFailureKind.CertificateInvalid ? "sts-webpki-invalid" : "sts-policy-fetch-error") + ").");
            return null;
        }
        result.MtaStsPolicyText = fetch.Text;
        MtaStsPolicyDocument? policy = MtaStsPolicyDocument.Parse(fetch.Text ?? string.Empty, out string? policyError);
        if (policy is null)
        {
            result.MtaStsError = policyError;
            result.MtaStsErrorId = "MtaStsPolicyInvalid";
            warn.Add($"MTA-STS: the policy at {fetch.Url} is not valid: {policyError} (TLS-RPT: sts-policy-invalid).");
            return null;
        }
        if (!fetch.IsTextPlain)
        {
            warn.Add($"MTA-STS: the policy is served as '{fetch.ContentType ?? "(no Content-Type)"}', not text/plain (RFC 8461 section 3.3); strict senders reject it.");
        }
        result.MtaStsMode = policy.Mode;
        result.MtaStsMaxAge = policy.MaxAge;
        result.MtaStsMx = new StringList(policy.Mx);
        switch (policy.Mode)
        {
            case MtaStsMode.None:
                info.Add("MTA-STS: the policy mode is none: the domain has withdrawn MTA-STS.");
                break;
            case MtaStsMode.Testing:
                info.Add("MTA-STS: the policy mode is testing: senders deliver even when a check fails and report it through TLS-RPT.");
                break;
            case MtaStsMode.Enforce:
                info.Add("MTA-STS: the policy mode is enforce: senders do not deliver to an MX host the policy does not cover or whose certificate is not valid for it.");
                break;
        }
        if (policy.MaxAge < 86400 && policy.Mode != MtaStsMode.None)
        {
            info.Add(string.Format(CultureInfo.InvariantCulture, "MTA-STS: max_age is {0} seconds; RFC 8461 section 3.2 recommends weeks.", policy.MaxAge));
        }
        return policy;
    }

    private static MailTlsPolicyHost JudgeHost(MailTlsPolicyFacts facts, HostPolicyFacts h, MtaStsPolicyDocument? policy, bool mxSecure, DateTime now,
        List<string> fail, List<string> warn, List<string> info)
    {
        var host = new MailTlsPolicyHost
        {
            MxHost = h.Name,
            Preference = h.Preference,
            TlsaName = h.TlsaName,
            AddressesAuthenticated = h.Addresses.Failed ? null : h.Addresses.Authenticated,
        };
        bool stsInForce = policy is not null && policy.Mode != MtaStsMode.None;
        bool enforce = policy is { Mode: MtaStsMode.Enforce };
        if (stsInForce)
        {
            host.MtaStsPattern = policy!.CoveringPattern(h.Name);
            host.MtaStsCovered = host.MtaStsPattern is not null;
            if (host.MtaStsCovered == false)
            {
                string patterns = string.Join(", ", policy.Mx);
                if (enforce)
                {
                    fail.Add($"MTA-STS: the enforce policy does not cover the MX host {h.Name} (mx: {patterns}); senders that apply MTA-STS (Exchange Online by default) do not deliver to it.");
                }
                else
                {
                    warn.Add($"MTA-STS: the testing policy does not cover the MX host {h.Name} (mx: {patterns}); with mode enforce senders would not deliver to it.");
                }
            }
        }

        if (h.Addresses.Failed)
        {
            host.Error = h.Addresses.Error;
            if (mxSecure)
            {
                fail.Add($"DANE: the address look-up of {h.Name} failed ({h.Addresses.Error}); under a signed MX set a DANE sender treats the host as failed (RFC 7672 section 2.1).");
            }
            else
            {
                warn.Add($"The address look-up of {h.Name} failed: {h.Addresses.Error}");
            }
            return host;
        }
        if (h.Addresses.Records.Count == 0)
        {
            host.Error = $"{h.Name} has no address records of the family asked for.";
            warn.Add(host.Error);
        }

        // TLSA facts
        DnsAnswer<TlsaRecordData>? tlsa = h.Tlsa;
        bool chainSecure = mxSecure && host.AddressesAuthenticated == true;
        IReadOnlyList<TlsaRecordData> records = Array.Empty<TlsaRecordData>();
        if (tlsa is not null && tlsa.Failed)
        {
            host.Error = tlsa.Error;
            if (chainSecure)
            {
                fail.Add($"DANE: the TLSA look-up of {h.TlsaName} failed ({tlsa.Error}); with a signed MX host a DANE sender treats the host as failed (RFC 7672 section 2.1).");
            }
            else
            {
                warn.Add($"The TLSA look-up of {h.TlsaName} failed: {tlsa.Error}");
            }
        }
        else if (tlsa is not null)
        {
            records = tlsa.Records;
            host.TlsaAuthenticated = tlsa.Authenticated;
            host.TlsaRecords = new StringList(records.Select(r => r.ToString()));
            host.TlsaPresent = records.Count > 0;
            if (host.TlsaPresent)
            {
                host.DaneUsable = records.Any(r => r.IsUsable);
                host.DaneApplies = chainSecure && tlsa.Authenticated;
                foreach (TlsaRecordData r in records.Where(r => !r.IsUsable))
                {
                    info.Add($"DANE: {h.TlsaName} record '{r}' is unusable: {r.UnusableReason}.");
                }
                if (!tlsa.Authenticated || !host.AddressesAuthenticated.GetValueOrDefault())
                {
                    warn.Add($"DANE: {h.Name} publishes TLSA records, but " + (!tlsa.Authenticated ? "the TLSA answer" : "its address answer")
                        + " is not DNSSEC-authenticated by the resolver, so senders ignore them (unsigned zone, or a resolver that does not validate).");
                }
            }
        }

        // What each address presented, held against the TLSA records and the MTA-STS rules.
        var referenceNames = new List<string> { h.TlsaBaseDomain };
        if (!string.Equals(h.Name, h.TlsaBaseDomain, StringComparison.OrdinalIgnoreCase))
        {
            referenceNames.Add(h.Name);
        }
        if (mxSecure)
        {
            referenceNames.Add(facts.Domain);
        }
        var addresses = new List<MailTlsPolicyAddress>();
        foreach (MxProbeFacts p in h.Probes)
        {
            var a = new MailTlsPolicyAddress { IPAddress = p.Address.ToString(), Port = p.Port };
            ServerTlsFacts? probe = p.Probe;
            TlsSessionFacts? tls = probe?.Tls;
            a.TlsEstablished = tls is not null;
            if (tls is { PresentedCertificates.Count: > 0 })
            {
                a.CertificateThumbprint = tls.PresentedCertificates[0].Thumbprint;
                if (host.TlsaPresent)
                {
                    DaneMatchResult m = DaneMatcher.Match(records, tls.PresentedCertificates, referenceNames, now);
                    a.DaneMatch = m.Matched;
                    a.DaneMatchedRecord = m.Record?.ToString();
                    a.DaneDetail = m.Detail;
                }
            }
            else
            {
                a.Error = probe?.Failure?.Message ?? char.ToUpperInvariant(NoTlsReason(probe)[0]) + NoTlsReason(probe).Substring(1) + ".";
                a.ErrorId = probe?.Failure?.ErrorId
                    ?? (probe is { Connected: true, TlsOffered: false } ? ProbeFailureKinds.ErrorId(ProbeFailureKind.StartTlsNotOffered) : null);
            }
            if (stsInForce)
            {
                a.MtaStsDetail = MtaStsCertificateProblem(h.Name, tls, p.Chain, probe);
                a.MtaStsCertificateValid = a.MtaStsDetail is null;
            }
            addresses.Add(a);
        }
        host.Addresses = addresses;
        host.DaneMatch = AllOrAny(addresses.Where(a => host.TlsaPresent).Select(a => a.DaneMatch).ToList());
        host.MtaStsCertificateValid = AllOrAny(addresses.Select(a => a.MtaStsCertificateValid).ToList());

        var mismatched = addresses.Where(a => a.DaneMatch == false).ToList();
        var untested = addresses.Where(a => host.TlsaPresent && a.DaneMatch is null).ToList();
        if (host.DaneApplies)
        {
            if (!host.DaneUsable.GetValueOrDefault())
            {
                warn.Add($"DANE: {h.Name} has TLSA records but none is usable: senders require TLS to it but cannot authenticate it (RFC 7672 section 2.2).");
            }
            else if (mismatched.Count > 0)
            {
                fail.Add($"DANE: no TLSA record of {h.TlsaName} matches the certificate presented by {string.Join(", ", mismatched.Select(a => a.IPAddress))}; DANE senders (Exchange Online with SmtpDaneMode Opportunistic or Mandatory) do not deliver to {h.Name}. {mismatched[0].DaneDetail}");
            }
            if (untested.Count > 0)
            {
                warn.Add($"DANE: {string.Join(", ", untested.Select(a => a.IPAddress))} of {h.Name} could not be held against the TLSA records: {untested[0].Error}");
            }
        }
        else if (mismatched.Count > 0)
        {
            warn.Add($"DANE: the (not authenticated) TLSA records of {h.TlsaName} do not match the certificate presented by {string.Join(", ", mismatched.Select(a => a.IPAddress))}: {mismatched[0].DaneDetail}");
        }

        var stsInvalid = addresses.Where(a => a.MtaStsCertificateValid == false).ToList();
        if (stsInForce && stsInvalid.Count > 0 && host.MtaStsCovered == true)
        {
            string text = $"MTA-STS: {h.Name} ({string.Join(", ", stsInvalid.Select(a => a.IPAddress))}) does not meet the policy's TLS rules (RFC 8461 section 4.2): {stsInvalid[0].MtaStsDetail}";
            if (enforce && !host.DaneApplies)
            {
                fail.Add(text + " With mode enforce, senders do not deliver to it.");
            }
            else
            {
                warn.Add(text + (enforce ? " DANE applies to the host, and DANE-capable senders use DANE instead (RFC 8461 section 2)." : " With mode testing, senders still deliver and report it."));
            }
        }
        return host;
    }

    /// <summary>Why a probe has no TLS session, in words.</summary>
    private static string NoTlsReason(ServerTlsFacts? probe) => probe switch
    {
        null => "the address was not probed",
        { Failure: { } f } => $"no TLS session ({f.ErrorId}: {f.Message.TrimEnd('.')})",
        { Connected: true, TlsOffered: false } => "the server does not offer STARTTLS",
        _ => "no TLS session was established",
    };

    /// <summary>True when every value is true, false when one is false, null when there are none or one is unknown.</summary>
    private static bool? AllOrAny(IReadOnlyList<bool?> values)
    {
        if (values.Any(v => v == false))
        {
            return false;
        }
        return values.Count > 0 && values.All(v => v == true) ? true : null;
    }

    /// <summary>Null when the address meets RFC 8461 section 4.2 (TLS, trusted unexpired chain, a name matching the MX host); else why not.</summary>
    private static string? MtaStsCertificateProblem(string mxHost, TlsSessionFacts? tls, Certificates.ChainValidation? chain, ServerTlsFacts? probe)
    {
        if (tls is null || tls.PresentedCertificates.Count == 0)
        {
            return NoTlsReason(probe) + ".";
        }
        var problems = new List<string>();
        if (chain is null || !chain.IsValid)
        {
            problems.Add("the chain does not validate" + (chain is null ? string.Empty : " (" + string.Join("; ", chain.Errors) + ")"));
        }
        var names = DaneMatcher.CertificateNames(tls.PresentedCertificates[0], out string? commonName);
        if (!Certificates.HostNameMatcher.Matches(names, commonName, mxHost))
        {
            problems.Add($"no certificate name matches {mxHost} (names: {string.Join(", ", names.DefaultIfEmpty(commonName ?? "none"))})");
        }
        return problems.Count == 0 ? null : string.Join("; ", problems) + ".";
    }
}
