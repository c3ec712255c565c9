using System;
using System.Linq;
using TlsTools.MailTls;

namespace TlsTools.Tests.Support;

/// <summary>Hand-built Test-MailTls measurements for the connector tests.</summary>
internal static class ConnectorEvidence
{
    public static MailTlsResult Result(string host, string address, string[] names, bool tls = true, bool? chainValid = true,
        int? days = 200, ExchangeTlsLevel level = ExchangeTlsLevel.DomainValidation, string? errorId = null, string domain = "partner.example")
    {
        string cn = names.Length > 0 ? names[0] : host;
        return new MailTlsResult
        {
            Domain = domain,
            MxHost = host,
            Preference = 10,
            IPAddress = address,
            Port = 25,
            StartTlsOffered = tls,
            TlsEstablished = tls,
            Protocol = tls ? "Tls13" : null,
            CertificateSubject = tls ? $"CN={cn}, O=Partner, C=DE" : null,
            CertificateIssuer = tls ? "CN=Partner CA, O=Partner, C=DE" : null,
            CertificateThumbprint = tls ? Thumbprint(host + "|" + cn) : null,
            CertificateNotAfter = tls && days is not null ? DateTime.UtcNow.AddDays(days.Value + 0.5) : null,
            DaysUntilExpiry = tls ? days : null,
            CertificateDnsNames = new StringList(tls ? names : Array.Empty<string>()),
            ExchangeCertificateName = tls ? $"<I>CN=Partner CA, O=Partner, C=DE<S>CN={cn}, O=Partner, C=DE" : null,
            ChainValid = tls ? chainValid : null,
            ChainErrors = chainValid == false ? new StringList(new[] { "UntrustedRoot" }) : StringList.None,
            NameMatches = tls,
            ExchangeTlsLevel = tls ? level : ExchangeTlsLevel.None,
            ForcedTlsReady = tls && chainValid != false,
            ErrorId = tls ? null : errorId ?? "StartTlsNotOffered",
        };
    }

    private static string Thumbprint(string seed)
    {
        using var sha1 = System.Security.Cryptography.SHA1.Create();
        return BitConverter.ToString(sha1.ComputeHash(System.Text.Encoding.UTF8.GetBytes(seed))).Replace("-", string.Empty);
    }

    public static MailTlsDomainSummary Summary(string domain, params MailTlsResult[] results)
    {
        var hosts = results.Select(r => r.MxHost).Distinct().ToList();
        return new MailTlsDomainSummary
        {
            Domain = domain,
            MxCount = hosts.Count,
            MxHosts = new StringList(hosts),
            AddressesTested = results.Length,
            AllTls = results.All(r => r.TlsEstablished),
            HostsWithoutTls = new StringList(results.Where(r => !r.TlsEstablished).Select(r => r.MxHost).Distinct()),
            LowestExchangeTlsLevel = results.Length == 0 ? ExchangeTlsLevel.None : results.Min(r => r.ExchangeTlsLevel),
            ForcedTlsReady = results.All(r => r.ForcedTlsReady),
            CertificateDnsNames = new StringList(results.SelectMany(r => r.CertificateDnsNames).Distinct()),
            ExchangeCertificateNames = new StringList(results.Where(r => r.ExchangeCertificateName is not null).Select(r => r.ExchangeCertificateName!).Distinct()),
            Verdict = results.All(r => r.ForcedTlsReady) ? MailTlsVerdict.Pass : MailTlsVerdict.Fail,
            Results = new MailTlsResultList(results),
        };
    }

    /// <summary>A default-delivery entry of one MX host, as Test-MailTls -Summary reports it when it read the policy.</summary>
    public static MxHostDelivery Delivery(string host, MxDelivery delivery, bool daneApplies = false, bool? daneMatch = null, string? refusedBy = null,
        bool mtaStsEnforced = false, bool? mtaStsCovered = null) => new()
    {
        MxHost = host,
        Preference = 10,
        Delivery = delivery,
        DaneApplies = daneApplies,
        DaneMatch = daneMatch,
        MtaStsEnforced = mtaStsEnforced,
        MtaStsCovered = mtaStsCovered,
        RefusedBy = refusedBy,
        Reason = refusedBy == "DANE" ? "DANE/TLSA: no authenticated TLSA record of the host matches the certificate 192.0.2.1 presented"
            : refusedBy == "MTA-STS" ? "MTA-STS: the domain's enforce-mode policy does not list the host in its mx patterns"
            : "over TLS (opportunistic)",
    };

    /// <summary>The summary with the policy facts that -Summary adds (DaneApplies, DeliveryHosts, DefaultDelivery).</summary>
    public static MailTlsDomainSummary WithPolicy(MailTlsDomainSummary summary, params MxHostDelivery[] hosts)
    {
        summary.DeliveryHosts = new MxHostDeliveryList(hosts);
        summary.DaneApplies = hosts.Any(h => h.DaneApplies == true);
        summary.PolicyVerdict = hosts.Any(h => h.Delivery == MxDelivery.Refused) ? MailTlsPolicyVerdict.Fail : MailTlsPolicyVerdict.Pass;
        summary.MtaStsMode = hosts.Any(h => h.MtaStsEnforced) ? MtaStsMode.Enforce : null;
        summary.DefaultDelivery = hosts.Any(h => h.Delivery == MxDelivery.ClearText) ? DefaultDelivery.ClearTextPossible
            : hosts.Any(h => h.Delivery == MxDelivery.Tls) ? DefaultDelivery.Tls : DefaultDelivery.Blocked;
        return summary;
    }

    /// <summary>Two MX hosts whose certificates both carry mail.partner.example.</summary>
    public static MailTlsDomainSummary Good(string domain = "partner.example") => Summary(domain,
        Result("mx1." + domain, "192.0.2.1", new[] { "mx1." + domain, "mail." + domain }, domain: domain),
        Result("mx2." + domain, "192.0.2.2", new[] { "mx2." + domain, "mail." + domain }, domain: domain));
}
