using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TlsTools.Certificates;
using TlsTools.Routing;

namespace TlsTools.MailTls;

/// <summary>
/// Turns the per-address results of a domain into the one line a compliance check asserts on,
/// judged the way Exchange Online decides per connector: one TlsDomain for all MX hosts
/// (<see cref="TlsDomainCandidates"/>) and, without a connector, the partner's DANE records and
/// MTA-STS policy under Exchange Online's default modes (<see cref="DefaultDeliveryRules"/>). The
/// verdict follows from the default delivery: Fail when mail may travel in clear text, cannot be
/// delivered at all, or an address could not be tested; Warning when something needs attention.
/// </summary>
public static class MailTlsSummarizer
{
    /// <summary>
    /// Summarises <paramref name="unordered"/>, given in any order (they finish in any order).
    /// <paramref name="policy"/> is the domain's judged MTA-STS and DANE policy; without it default
    /// delivery is judged as if the domain published none.
    /// </summary>
    public static MailTlsDomainSummary Summarize(MailRoute route, IReadOnlyList<MailTlsResult> unordered, DateTime? now = null, MailTlsPolicy? policy = null)
    {
        DateTime at = now ?? DateTime.UtcNow;
        IReadOnlyList<MailTlsResult> results = InDeliveryOrder(unordered);
        var reasons = new List<string>();
        var summary = new MailTlsDomainSummary
        {
            Domain = route.Domain,
            MxCount = route.IsNullMx ? 0 : route.Hosts.Count,
            MxHosts = new StringList(route.Hosts.Select(h => h.Name)),
            AddressesTested = results.Count,
            Results = new MailTlsResultList(results),
            MtaStsMode = policy?.MtaStsMode,
            DaneApplies = policy?.DaneApplies,
            PolicyVerdict = policy?.Verdict,
        };

        if (route.IsNullMx)
        {
            summary.Verdict = MailTlsVerdict.NoMail;
            summary.DefaultDelivery = DefaultDelivery.NoMail;
            summary.Reasons = new StringList(new[] { "The domain publishes a null MX (RFC 7505): it accepts no mail." });
            summary.LowestExchangeTlsLevel = ExchangeTlsLevel.None;
            return summary;
        }

        // With an address-family filter, a host without addresses of that family is simply out
        // of scope; without one, a host with no addresses at all cannot receive mail.
        var unresolved = route.Family == AddressFamilyFilter.Any ? route.Hosts.Where(h => h.Addresses.Count == 0).ToList() : new List<MailHost>();
        foreach (MailHost h in unresolved)
        {
            reasons.Add($"{h.Name}: {h.ResolutionError ?? "no addresses"}");
        }

        var withoutTls = results.Where(r => !r.TlsEstablished).Select(r => r.MxHost)
            .Concat(unresolved.Select(h => h.Name))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        summary.HostsWithoutTls = new StringList(withoutTls);
        summary.AllTls = results.Count > 0 && withoutTls.Count == 0;

        foreach (MailTlsResult r in results)
        {
            string where = $"{r.MxHost} ({r.IPAddress})";
            if (r.Error is not null)
            {
                reasons.Add($"{where}: {r.ErrorId}: {r.Error}");
            }
            else if (!r.StartTlsOffered)
            {
                reasons.Add($"{where}: STARTTLS is not offered; mail to it travels in clear text.");
            }
            else if (r.TlsEstablished && r.ChainValid == false)
            {
                reasons.Add($"{where}: the certificate chain does not validate ({string.Join("; ", r.ChainErrors)}).");
            }
            else if (r.TlsEstablished && r.NameMatches == false)
            {
                string names = string.IsNullOrEmpty(r.Domain) || string.Equals(r.Domain, r.MxHost, StringComparison.OrdinalIgnoreCase)
                    ? r.MxHost : $"{r.MxHost} or {r.Domain}";
                reasons.Add($"{where}: no certificate name matches {names}.");
            }
        }

        var established = results.Where(r => r.TlsEstablished).ToList();
        summary.WeakestProtocol = established.OrderBy(r => CipherSuiteFacts.ProtocolRank(r.Protocol)).Select(r => r.Protocol).FirstOrDefault();

        // One connector, one TlsDomain: DomainValidation for the domain needs a value every MX
        // certificate satisfies (New-OutboundConnector, TlsDomain; Exchange connector reference X2, X9).
        TlsDomainAnalysis tlsDomains = TlsDomainCandidates.Analyze(results, string.IsNullOrEmpty(route.Domain) ? Array.Empty<string>() : new[] { route.Domain });
        summary.TlsDomainCandidates = new StringList(tlsDomains.Candidates);
        ExchangeTlsLevel lowest = results.Count == 0 || withoutTls.Count > 0
            ? ExchangeTlsLevel.None
            : results.Min(r => r.ExchangeTlsLevel);
        if (lowest == ExchangeTlsLevel.DomainValidation && tlsDomains.Candidates.Count == 0)
        {
            lowest = ExchangeTlsLevel.CertificateValidation;
            if (tlsDomains.Explanation is not null)
            {
                reasons.Add(tlsDomains.Explanation);
            }
        }
        summary.LowestExchangeTlsLevel = lowest;
        summary.ForcedTlsReady = results.Count > 0 && withoutTls.Count == 0 && results.All(r => r.ForcedTlsReady);
        summary.SoonestExpiry = established.Where(r => r.CertificateNotAfter is not null).Select(r => r.CertificateNotAfter).Min();
        summary.CertificateDnsNames = new StringList(established.SelectMany(r => r.CertificateDnsNames).Distinct(StringComparer.OrdinalIgnoreCase));
        summary.ExchangeCertificateNames = new StringList(established.Select(r => r.ExchangeCertificateName).Where(n => n is not null).Distinct()!);

        // TLS 1.0/1.1 are deprecated (RFC 8996) and Exchange Online will not use them: a domain
        // whose server offers nothing newer receives mail from it in clear text.
        bool legacyOnly = established.Any(r => CipherSuiteFacts.ProtocolRank(r.Protocol) < CipherSuiteFacts.ProtocolRank("Tls12"));
        if (legacyOnly)
        {
            reasons.Add($"A server negotiates only {summary.WeakestProtocol}: TLS 1.0 and 1.1 are deprecated (RFC 8996) and Exchange Online sends with TLS 1.2 or later, so it cannot use TLS with that server (and sends in clear text unless the partner's policy demands TLS).");
        }

        // What Exchange Online does without a connector: the partner's policy decides.
        DefaultDeliveryDecision delivery = DefaultDeliveryRules.Decide(route, results, policy);
        summary.DefaultDelivery = delivery.Delivery;
        summary.DeliveryHosts = new MxHostDeliveryList(delivery.Hosts);
        reasons.AddRange(delivery.Reasons);

        bool untested = delivery.Hosts.Any(h => h.Delivery == MxDelivery.Unknown);
        bool fail = results.Count == 0 || delivery.Delivery != DefaultDelivery.Tls || untested;
        var warnings = new List<string>(delivery.Warnings);
        if (!fail)
        {
            if (summary.SoonestExpiry is DateTime soonest && (soonest - at).TotalDays < CertificateExpiry.WarningDays)
            {
                warnings.Add(string.Format(CultureInfo.InvariantCulture, "A certificate expires on {0:yyyy-MM-dd}, within {1} days.", soonest, CertificateExpiry.WarningDays));
            }
            if (established.Any(r => r.ForwardSecrecy == false))
            {
                warnings.Add("A server negotiates a suite without forward secrecy.");
            }
            if (summary.LowestExchangeTlsLevel < ExchangeTlsLevel.DomainValidation)
            {
                warnings.Add($"The lowest Exchange TLS level is {summary.LowestExchangeTlsLevel}: a connector demanding more would queue mail.");
            }
        }
        reasons.AddRange(warnings);
        summary.Reasons = new StringList(reasons);
        summary.Verdict = fail ? MailTlsVerdict.Fail : (reasons.Count > 0 ? MailTlsVerdict.Warning : MailTlsVerdict.Pass);
        return summary;
    }

    /// <summary>Results in delivery order (preference, host, address), so lists and reasons read the way mail is routed.</summary>
    public static IReadOnlyList<MailTlsResult> InDeliveryOrder(IEnumerable<MailTlsResult> results) =>
        results
            .OrderBy(r => r.Preference ?? int.MaxValue)
            .ThenBy(r => r.MxHost, StringComparer.Ordinal)
            .ThenBy(r => r.IPAddress, StringComparer.Ordinal)
            .ToList();

    /// <summary>The summary of a domain whose DNS look-up failed.</summary>
    public static MailTlsDomainSummary DnsFailure(string domain, string reason) => new()
    {
        Domain = domain,
        Verdict = MailTlsVerdict.Fail,
        Reasons = new StringList(new[] { reason }),
        LowestExchangeTlsLevel = ExchangeTlsLevel.None,
        DefaultDelivery = DefaultDelivery.Unknown,
    };
}
