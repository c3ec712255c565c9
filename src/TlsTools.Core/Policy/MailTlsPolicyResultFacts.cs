using System;
using System.Collections.Generic;
using System.Linq;
using TlsTools.Probing;

namespace TlsTools.Policy;

/// <summary>
/// Adds a domain's policy facts to one Test-MailTls result (-IncludePolicy): the MTA-STS mode and
/// whether the policy covers this MX host, whether the host publishes TLSA records and DANE applies
/// (MX set, addresses and TLSA set DNSSEC-authenticated), and whether a TLSA record matches the
/// chain this address presented (RFC 7672 rules; the probe's SNI is the MX host name, which is the
/// TLSA base domain). A failed match or an uncovered MX goes into the result's notes. Pure.
/// </summary>
public static class MailTlsPolicyResultFacts
{
    public static void Apply(MailTlsResult result, MailTlsPolicyFacts facts, MailTlsPolicy policy, ServerTlsFacts probe, DateTime now)
    {
        var notes = new List<string>();
        result.MtaStsMode = policy.MtaStsMode;
        MailTlsPolicyHost? host = policy.Hosts.FirstOrDefault(h => string.Equals(h.MxHost, result.MxHost, StringComparison.OrdinalIgnoreCase));
        HostPolicyFacts? hostFacts = facts.Hosts.FirstOrDefault(h => string.Equals(h.Name, result.MxHost, StringComparison.OrdinalIgnoreCase));
        if (policy.MtaStsMode is MtaStsMode.Testing or MtaStsMode.Enforce)
        {
            result.MtaStsMxMatch = host?.MtaStsCovered ?? false;
            if (result.MtaStsMxMatch == false)
            {
                notes.Add($"The MTA-STS policy (mode {policy.MtaStsMode}) does not cover {result.MxHost} (mx: {string.Join(", ", policy.MtaStsMx)})"
                    + (policy.MtaStsMode == MtaStsMode.Enforce ? "; senders that apply MTA-STS do not deliver to it." : "."));
            }
        }
        if (host is null || hostFacts?.Tlsa is not { Failed: false } tlsa)
        {
            result.Notes = Append(result.Notes, notes);
            return;
        }
        result.DaneTlsaPresent = host.TlsaPresent;
        result.DaneAuthenticated = host.TlsaPresent ? host.DaneApplies : (policy.MxAuthenticated == true && host.AddressesAuthenticated == true && tlsa.Authenticated);
        if (host.TlsaPresent && probe.Tls is { PresentedCertificates.Count: > 0 } tls)
        {
            var names = new List<string> { hostFacts.TlsaBaseDomain };
            if (policy.MxAuthenticated == true && !string.IsNullOrEmpty(result.Domain))
            {
                names.Add(result.Domain);
            }
            DaneMatchResult m = DaneMatcher.Match(tlsa.Records, tls.PresentedCertificates, names, now);
            result.DaneMatch = m.Matched;
            if (!m.Matched)
            {
                notes.Add($"DANE: no TLSA record of {hostFacts.TlsaName} matches the chain this address presented"
                    + (host.DaneApplies ? "; DANE senders (Exchange Online by default) do not deliver to it" : " (the records are not DNSSEC-authenticated, so senders ignore them)")
                    + ". " + m.Detail);
            }
        }
        result.Notes = Append(result.Notes, notes);
    }

    private static StringList Append(StringList notes, List<string> more) =>
        more.Count == 0 ? notes : new StringList(notes.Concat(more));
}
