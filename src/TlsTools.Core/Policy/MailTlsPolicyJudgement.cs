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
        if (policy is not null && policy.Mode != MtaStsMode.None)
        {
            host.MtaStsPattern = policy.CoveringPattern(h.Name);
            host.MtaStsCovered = host.MtaStsPattern is not null;
            if (host.MtaStsCovered == false)
            {
                string patterns = string.Join(", ", policy.Mx);
                if (policy.Mode == MtaStsMode.Enforce)
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

        DnsAnswer<TlsaRecordData>? tlsa = h.Tlsa;
        if (tlsa is null)
        {
            return host;
        }
        bool chainSecure = mxSecure && host.AddressesAuthenticated == true;
        if (tlsa.Failed)
        {
            host.Error = tlsa.Error;
            host.TlsaAuthenticated = null;
            if (chainSecure)
            {
                fail.Add($"DANE: the TLSA look-up of {h.TlsaName} failed ({tlsa.Error}); with a signed MX host a DANE sender treats the host as failed (RFC 7672 section 2.1).");
            }
            else
            {
                warn.Add($"The TLSA look-up of {h.TlsaName} failed: {tlsa.Error}");
            }
            return host;
        }
        host.TlsaAuthenticated = tlsa.Authenticated;
        host.TlsaRecords = new StringList(tlsa.Records.Select(r => r.ToString()));
        host.TlsaPresent = tlsa.Records.Count > 0;
        if (!host.TlsaPresent)
        {
            return host;
        }
        var usable = tlsa.Records.Where(r => r.IsUsable).ToList();
        host.DaneUsable = usable.Count > 0;
        host.DaneApplies = chainSecure && tlsa.Authenticated;
        foreach (TlsaRecordData r in tlsa.Records.Where(r => !r.IsUsable))
        {
            info.Add($"DANE: {h.TlsaName} record '{r}' is unusable: {r.UnusableReason}.");
        }

        if (!tlsa.Authenticated || !host.AddressesAuthenticated.GetValueOrDefault())
        {
            warn.Add($"DANE: {h.Name} publishes TLSA records, but " + (!tlsa.Authenticated ? "the TLSA answer" : "its address answer")
                + " is not DNSSEC-authenticated by the resolver, so senders ignore them (unsigned zone, or a resolver that does not validate).");
        }
        else if (!mxSecure && !facts.Mx.Failed)
        {
            // Reported once for the domain by the caller.
        }

        // Hold the records against what each address presented.
        var referenceNames = new List<string> { h.TlsaBaseDomain };
        if (!string.Equals(h.Name, h.TlsaBaseDomain, StringComparison.OrdinalIgnoreCase))
        {
            referenceNames.Add(h.Name);
        }
        if (mxSecure)
        {
            referenceNames.Add(facts.Domain);
        }
        var addresses = new List<DaneAddressResult>();
        foreach (DaneProbeFacts p in h.Probes)
        {
            var a = new DaneAddressResult { IPAddress = p.Address.ToString(), Port = p.Port };
            ServerTlsFacts? probe = p.Probe;
            if (probe?.Tls is { PresentedCertificates.Count: > 0 } tls)
            {
                DaneMatchResult m = DaneMatcher.Match(tlsa.Records, tls.PresentedCertificates, referenceNames, now);
                a.Match = m.Matched;
                a.MatchedRecord = m.Record?.ToString();
                a.Detail = m.Detail;
                a.CertificateThumbprint = tls.PresentedCertificates[0].Thumbprint;
            }
            else
            {
                a.Error = probe?.Failure?.Message ?? "No TLS session was established.";
                a.ErrorId = probe?.Failure?.ErrorId;
            }
            addresses.Add(a);
        }
        host.Addresses = addresses;
        if (addresses.Any(a => a.Match == false))
        {
            host.DaneMatch = false;
        }
        else if (addresses.Count > 0 && addresses.All(a => a.Match == true))
        {
            host.DaneMatch = true;
        }

        string Where(DaneAddressResult a) => a.IPAddress;
        var mismatched = addresses.Where(a => a.Match == false).ToList();
        var untested = addresses.Where(a => a.Match is null).ToList();
        if (host.DaneApplies)
        {
            if (!host.DaneUsable.GetValueOrDefault())
            {
                warn.Add($"DANE: {h.Name} has TLSA records but none is usable: senders require TLS to it but cannot authenticate it (RFC 7672 section 2.2).");
            }
            else if (mismatched.Count > 0)
            {
                fail.Add($"DANE: no TLSA record of {h.TlsaName} matches the certificate presented by {string.Join(", ", mismatched.Select(Where))}; DANE senders (Exchange Online with SmtpDaneMode Opportunistic or Mandatory) do not deliver to {h.Name}. {mismatched[0].Detail}");
            }
            if (untested.Count > 0)
            {
                warn.Add($"DANE: {string.Join(", ", untested.Select(Where))} of {h.Name} could not be tested: {untested[0].Error}");
            }
        }
        else if (mismatched.Count > 0)
        {
            warn.Add($"DANE: the (not authenticated) TLSA records of {h.TlsaName} do not match the certificate presented by {string.Join(", ", mismatched.Select(Where))}: {mismatched[0].Detail}");
        }
        return host;
    }
}
