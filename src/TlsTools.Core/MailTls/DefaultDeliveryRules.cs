using System;
using System.Collections.Generic;
using System.Linq;
using TlsTools.Certificates;
using TlsTools.Routing;

namespace TlsTools.MailTls;

/// <summary>What <see cref="DefaultDeliveryRules.Decide"/> found: the domain's default delivery, each MX host's, and the sentences for a summary.</summary>
public sealed class DefaultDeliveryDecision
{
    internal DefaultDeliveryDecision(DefaultDelivery delivery, IReadOnlyList<MxHostDelivery> hosts, IReadOnlyList<string> reasons, IReadOnlyList<string> warnings)
    {
        Delivery = delivery;
        Hosts = hosts;
        Reasons = reasons;
        Warnings = warnings;
    }

    public DefaultDelivery Delivery { get; }

    /// <summary>One entry per MX host of the route, in preference order.</summary>
    public IReadOnlyList<MxHostDelivery> Hosts { get; }

    /// <summary>Why the delivery is not Tls (empty when it is).</summary>
    public IReadOnlyList<string> Reasons { get; }

    /// <summary>What deserves a look although mail goes over TLS: an MX host that the partner's policy takes out of use.</summary>
    public IReadOnlyList<string> Warnings { get; }
}

/// <summary>
/// Decides what Exchange Online does with mail to a domain when no connector names it (pure: the
/// route, the per-address results and the judged policy in, a decision out). Exchange Online's
/// outbound defaults, from the project's Exchange connector reference
/// (the design notes on Exchange connectors (exchange-connectors.md)):
/// <list type="bullet">
/// <item>TLS is opportunistic: the strongest TLS the peer offers, plain text when it offers none
/// (section 1, "How Exchange Online uses TLS to secure email connections"); Exchange Online never
/// sends with TLS 1.0 or 1.1 (section 10.3, MC229914), so a server that offers nothing newer gets
/// the mail in clear text.</item>
/// <item>SmtpDaneMode Opportunistic (section 3, New-OutboundConnector; section 10.4, outbound DANE
/// since 2022, MC308285): where DANE applies (RFC 7672 section 2.2, section 11.2: a DNSSEC-secure
/// MX set, addresses and a non-empty TLSA set), TLS is mandatory and, with a usable record, the
/// certificate must match it; a host that fails is not used and the mail is queued for 24 hours
/// while a secondary MX is tried, then dropped. A DNSSEC failure of a host under a signed MX set
/// counts as a failure (RFC 7672 section 2.1).</item>
/// <item>MtaStsMode Opportunistic (section 3; blog 4501005, 2026-03): a destination with an
/// enforce-mode policy gets mail only at an MX host the policy covers and whose certificate is
/// valid for the host name (RFC 8461 sections 4.1, 4.2 and 5, section 11.3); otherwise the mail is
/// queued and retried for 24 hours, then dropped. Where DANE applies it takes the place of the
/// MTA-STS certificate checks (RFC 8461 section 2); the mx coverage still counts.</item>
/// </list>
/// A host that default delivery may use without TLS makes the domain ClearTextPossible; when no host
/// can be used at all, the domain is Blocked.
/// </summary>
public static class DefaultDeliveryRules
{
    /// <summary>Result ids that mean the server was reached and TLS did not come about (not a failure to reach it).</summary>
    private static readonly HashSet<string> NoTlsErrorIds = new(StringComparer.Ordinal)
    {
        ProbeFailureKinds.ErrorId(ProbeFailureKind.EhloRejected),
        ProbeFailureKinds.ErrorId(ProbeFailureKind.StartTlsNotOffered),
        ProbeFailureKinds.ErrorId(ProbeFailureKind.StartTlsRefused),
        ProbeFailureKinds.ErrorId(ProbeFailureKind.StartTlsInjection),
        ProbeFailureKinds.ErrorId(ProbeFailureKind.HandshakeFailed),
    };

    public static DefaultDeliveryDecision Decide(MailRoute route, IReadOnlyList<MailTlsResult> results, MailTlsPolicy? policy)
    {
        if (route.IsNullMx)
        {
            return new DefaultDeliveryDecision(DefaultDelivery.NoMail, Array.Empty<MxHostDelivery>(), Array.Empty<string>(), Array.Empty<string>());
        }

        var hosts = new List<MxHostDelivery>();
        var names = route.Hosts.Select(h => h.Name)
            .Concat(results.Select(r => r.MxHost))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        foreach (string name in names)
        {
            MailHost? host = route.Hosts.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
            var addresses = results.Where(r => string.Equals(r.MxHost, name, StringComparison.OrdinalIgnoreCase)).ToList();
            MailTlsPolicyHost? hostPolicy = policy?.Hosts.FirstOrDefault(h => string.Equals(h.MxHost, name, StringComparison.OrdinalIgnoreCase));
            hosts.Add(DecideHost(name, host?.Preference ?? addresses.Select(a => a.Preference).FirstOrDefault(), addresses, policy, hostPolicy, host));
        }

        DefaultDelivery delivery =
            hosts.Any(h => h.Delivery == MxDelivery.ClearText) ? DefaultDelivery.ClearTextPossible
            : hosts.Any(h => h.Delivery == MxDelivery.Tls) ? DefaultDelivery.Tls
            : hosts.Any(h => h.Delivery == MxDelivery.Refused) ? DefaultDelivery.Blocked
            : DefaultDelivery.Unknown;

        var reasons = new List<string>();
        var warnings = new List<string>();
        string domain = string.IsNullOrEmpty(route.Domain) ? "the host" : route.Domain;
        var refused = hosts.Where(h => h.Delivery == MxDelivery.Refused).ToList();
        switch (delivery)
        {
            case DefaultDelivery.ClearTextPossible:
                reasons.Add($"DefaultDelivery ClearTextPossible: with no connector, Exchange Online's opportunistic TLS may send mail for {domain} in clear text to "
                    + string.Join("; ", hosts.Where(h => h.Delivery == MxDelivery.ClearText).Select(h => $"{h.MxHost} ({h.Reason})")) + ".");
                break;
            case DefaultDelivery.Blocked:
                reasons.Add($"DefaultDelivery Blocked: with its default MtaStsMode and SmtpDaneMode (Opportunistic), Exchange Online delivers to no MX host of {domain}; it queues the mail for 24 hours and then returns it: "
                    + string.Join("; ", refused.Select(h => $"{h.MxHost}: {h.Reason}")) + ".");
                break;
            case DefaultDelivery.Unknown:
                reasons.Add(results.Count == 0
                    ? $"DefaultDelivery Unknown: no MX address of {domain} could be tested."
                    : $"DefaultDelivery Unknown: no MX address of {domain} answered the test: " + string.Join("; ", hosts.Select(h => $"{h.MxHost} ({h.Reason})")) + ".");
                break;
        }
        if (delivery is DefaultDelivery.Tls or DefaultDelivery.ClearTextPossible)
        {
            foreach (MxHostDelivery h in refused)
            {
                warnings.Add($"{h.MxHost}: Exchange Online does not deliver to it by default ({h.Reason}); mail waits for another MX host.");
            }
        }
        return new DefaultDeliveryDecision(delivery, hosts, reasons, warnings);
    }

    private static MxHostDelivery DecideHost(string name, int? preference, IReadOnlyList<MailTlsResult> addresses, MailTlsPolicy? policy, MailTlsPolicyHost? hostPolicy, MailHost? routeHost)
    {
        bool daneApplies = hostPolicy?.DaneApplies == true;
        bool enforce = policy?.MtaStsMode == MtaStsMode.Enforce;
        var entry = new MxHostDelivery
        {
            MxHost = name,
            Preference = preference,
            DaneApplies = policy is null ? null : daneApplies,
            MtaStsEnforced = enforce,
            MtaStsCovered = policy?.MtaStsMode is MtaStsMode.Testing or MtaStsMode.Enforce ? hostPolicy?.MtaStsCovered ?? false : null,
        };
        if (daneApplies && hostPolicy!.DaneUsable == true)
        {
            var matches = addresses.Where(a => a.TlsEstablished).Select(a => a.DaneMatch).ToList();
            entry.DaneMatch = matches.Count == 0 || matches.Any(m => m is null) ? (matches.Any(m => m == false) ? false : null) : matches.All(m => m == true);
        }

        if (addresses.Count == 0)
        {
            entry.Delivery = MxDelivery.Unknown;
            entry.Reason = routeHost?.ResolutionError ?? (routeHost is { Addresses.Count: 0 } ? "no addresses" : "not tested");
            return entry;
        }

        // A DNSSEC failure of the host's own records under a signed MX set: a DANE sender treats the
        // host as failed (RFC 7672 section 2.1), as the policy judgement does.
        bool daneDnsFailure = policy?.MxAuthenticated == true && hostPolicy is { Error: not null, TlsaAuthenticated: null };

        var outcomes = addresses.Select(a => DecideAddress(a, name, enforce, entry.MtaStsCovered, daneApplies, hostPolicy?.DaneUsable == true, daneDnsFailure ? hostPolicy!.Error : null)).ToList();
        (MxDelivery Delivery, string? By, string Reason) pick =
            outcomes.FirstOrDefault(o => o.Delivery == MxDelivery.ClearText) is { Reason: not null } clear ? clear
            : outcomes.FirstOrDefault(o => o.Delivery == MxDelivery.Tls) is { Reason: not null } tls ? tls
            : outcomes.FirstOrDefault(o => o.Delivery == MxDelivery.Refused) is { Reason: not null } refused ? refused
            : outcomes[0];
        entry.Delivery = pick.Delivery;
        entry.RefusedBy = pick.Delivery == MxDelivery.Refused ? pick.By : null;
        entry.Reason = pick.Reason;
        if (pick.Delivery == MxDelivery.Tls && outcomes.FirstOrDefault(o => o.Delivery == MxDelivery.Refused) is { Reason: not null } partly)
        {
            entry.Reason += "; another address is refused: " + partly.Reason;
        }
        return entry;
    }

    private static (MxDelivery Delivery, string? By, string Reason) DecideAddress(MailTlsResult r, string host, bool enforce, bool? covered,
        bool daneApplies, bool daneUsable, string? daneDnsFailure)
    {
        string at = r.IPAddress;
        bool reached = r.TlsEstablished || r.ErrorId is null || NoTlsErrorIds.Contains(r.ErrorId);
        if (!reached)
        {
            return (MxDelivery.Unknown, null, $"{at}: {r.ErrorId}");
        }
        // TLS that Exchange Online can use: the per-address judgement rates a session it cannot
        // use (TLS 1.0/1.1, no suite of Exchange Online's) None.
        bool tls = r.TlsEstablished && r.ExchangeTlsLevel >= ExchangeTlsLevel.EncryptionOnly && r.AcceptsExchangeOnlineSuite != false;
        string noTls = !r.TlsEstablished
            ? (r.StartTlsOffered ? "the TLS handshake failed" : "STARTTLS is not offered")
            : r.AcceptsExchangeOnlineSuite == false ? "it accepts none of Exchange Online's TLS 1.2 suites"
            : $"it negotiates {r.Protocol ?? "no protocol"}{(string.IsNullOrEmpty(r.CipherSuite) ? string.Empty : " with " + r.CipherSuite)}, which Exchange Online does not send with";

        if (daneDnsFailure is not null)
        {
            return (MxDelivery.Refused, "DANE", $"DANE: a DNSSEC look-up of the host failed under its signed MX set ({daneDnsFailure}), and a DANE sender treats the host as failed (RFC 7672 section 2.1)");
        }
        if (daneApplies)
        {
            if (!tls)
            {
                return (MxDelivery.Refused, "DANE", $"DANE/TLSA: the host publishes authenticated TLSA records, which make TLS mandatory, but {noTls} ({at})");
            }
            if (daneUsable && r.DaneMatch != true)
            {
                return (MxDelivery.Refused, "DANE", r.DaneMatch == false
                    ? $"DANE/TLSA: no authenticated TLSA record of the host matches the certificate {at} presented"
                    : $"DANE/TLSA: the certificate {at} presented was not held against the TLSA records");
            }
        }
        if (enforce && covered == false)
        {
            return (MxDelivery.Refused, "MTA-STS", "MTA-STS: the domain's enforce-mode policy does not list the host in its mx patterns");
        }
        if (enforce && !daneApplies)
        {
            if (!tls)
            {
                return (MxDelivery.Refused, "MTA-STS", $"MTA-STS: the enforce-mode policy requires TLS, but {noTls} ({at})");
            }
            var problems = new List<string>();
            if (r.ChainValid != true)
            {
                problems.Add("its chain does not validate");
            }
            if (!HostNameMatcher.Matches(r.CertificateDnsNames, TlsDomainCandidates.CommonName(r.CertificateSubject), host))
            {
                problems.Add($"no certificate name matches {host}");
            }
            if (problems.Count > 0)
            {
                return (MxDelivery.Refused, "MTA-STS", $"MTA-STS: the enforce-mode policy requires a valid certificate for the MX host (RFC 8461 section 4.2), but at {at} {string.Join(" and ", problems)}");
            }
        }
        if (!tls)
        {
            return (MxDelivery.ClearText, null, $"{noTls} ({at})");
        }
        string how = daneApplies ? "over TLS, authenticated by DANE" : enforce ? "over TLS, under the MTA-STS policy" : "over TLS (opportunistic)";
        return (MxDelivery.Tls, null, how);
    }
}
