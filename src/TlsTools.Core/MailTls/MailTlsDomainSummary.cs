using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;

namespace TlsTools;

/// <summary>The verdict of a domain summary.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum MailTlsVerdict
{
    /// <summary>Every address speaks TLS with a valid, matching certificate.</summary>
    Pass,
    /// <summary>Every address speaks TLS, but something needs attention (expiry soon, old protocol, name mismatch).</summary>
    Warning,
    /// <summary>Some address does not speak TLS, or could not be tested.</summary>
    Fail,
    /// <summary>The domain publishes a null MX (RFC 7505): it accepts no mail.</summary>
    NoMail,
}

/// <summary>
/// What Exchange Online does with mail to a domain when no connector of yours names it: its
/// outbound defaults are opportunistic TLS with MtaStsMode and SmtpDaneMode Opportunistic
/// (New-OutboundConnector; Exchange connector reference sections 3 and 10.4), so the partner's
/// own DANE records and MTA-STS policy decide.
/// </summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum DefaultDelivery
{
    /// <summary>Every MX address Exchange Online would deliver to takes the mail over TLS (TLS 1.2 or later).</summary>
    Tls,
    /// <summary>At least one MX address that Exchange Online may use takes mail without TLS: no STARTTLS, a failed handshake, or only TLS 1.0/1.1.</summary>
    ClearTextPossible,
    /// <summary>
    /// No MX address is one Exchange Online may deliver to: an authenticated TLSA set matches no
    /// certificate presented, or an enforce-mode MTA-STS policy is met by no MX. Mail is queued for
    /// 24 hours and then returned to the sender.
    /// </summary>
    Blocked,
    /// <summary>The domain publishes a null MX (RFC 7505): it accepts no mail.</summary>
    NoMail,
    /// <summary>The test could not tell: DNS failed, or no MX address answered.</summary>
    Unknown,
}

/// <summary>Whether Exchange Online, with its default modes, uses one MX host, and how.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum MxDelivery
{
    /// <summary>Exchange Online delivers to the host over TLS.</summary>
    Tls,
    /// <summary>Exchange Online may deliver to the host without TLS.</summary>
    ClearText,
    /// <summary>The partner's DANE records or MTA-STS policy forbid delivery to the host: Exchange Online queues the mail and tries another MX.</summary>
    Refused,
    /// <summary>No address of the host answered (or it has none): the test cannot tell.</summary>
    Unknown,
}

/// <summary>One MX host as Exchange Online's default delivery sees it: which policy applies and what it does.</summary>
public sealed class MxHostDelivery
{
    public string MxHost { get; set; } = string.Empty;

    public int? Preference { get; set; }

    public MxDelivery Delivery { get; set; }

    /// <summary>True when DANE applies to the host (RFC 7672 section 2.2: MX set, addresses and a non-empty TLSA set DNSSEC-authenticated); null when the policy was not read.</summary>
    public bool? DaneApplies { get; set; }

    /// <summary>True when every address tested matched a usable TLSA record; null without DANE or without a presented chain.</summary>
    public bool? DaneMatch { get; set; }

    /// <summary>True when an MTA-STS policy in enforce mode governs the host (DANE, where it applies, takes precedence for the certificate checks).</summary>
    public bool MtaStsEnforced { get; set; }

    /// <summary>True when an mx pattern of the domain's MTA-STS policy (testing or enforce) covers the host; null without such a policy.</summary>
    public bool? MtaStsCovered { get; set; }

    /// <summary>What forbids delivery to the host: "DANE" or "MTA-STS"; null when nothing does.</summary>
    public string? RefusedBy { get; set; }

    /// <summary>Why the host is rated as it is.</summary>
    public string Reason { get; set; } = string.Empty;

    public override string ToString() => MxHost + ": " + Delivery;
}

/// <summary>The MX hosts of a summary as default delivery sees them; prints as "host: Delivery" pairs so CSV stays flat.</summary>
public sealed class MxHostDeliveryList : ReadOnlyCollection<MxHostDelivery>
{
    public static readonly MxHostDeliveryList None = new(Array.Empty<MxHostDelivery>());

    public MxHostDeliveryList(IEnumerable<MxHostDelivery> items)
        : base(items.ToList())
    {
    }

    public override string ToString() => string.Join("; ", this);
}

/// <summary>The per-address results a summary was built from; prints as a count so CSV stays flat.</summary>
public sealed class MailTlsResultList : ReadOnlyCollection<MailTlsResult>
{
    public MailTlsResultList(IEnumerable<MailTlsResult> items)
        : base(items.ToList())
    {
    }

    public override string ToString() => Count.ToString(CultureInfo.InvariantCulture) + " results";
}

/// <summary>One line per domain, for compliance checks: <c>Test-MailTls -Summary</c>.</summary>
public sealed class MailTlsDomainSummary
{
    public string Domain { get; set; } = string.Empty;

    /// <summary>How many MX hosts the domain names (1 for an implicit MX).</summary>
    public int MxCount { get; set; }

    /// <summary>The MX hosts, by preference.</summary>
    public StringList MxHosts { get; set; } = StringList.None;

    public int AddressesTested { get; set; }

    /// <summary>True when every tested address negotiated TLS.</summary>
    public bool AllTls { get; set; }

    /// <summary>MX hosts where at least one address did not negotiate TLS.</summary>
    public StringList HostsWithoutTls { get; set; } = StringList.None;

    /// <summary>The oldest protocol negotiated anywhere (Tls10 ... Tls13).</summary>
    public string? WeakestProtocol { get; set; }

    /// <summary>
    /// What one connector for the whole domain can demand: the lowest ExchangeTlsLevel over all
    /// addresses, and DomainValidation only when <see cref="TlsDomainCandidates"/> is not empty
    /// (Exchange Online checks every MX certificate against the connector's one TlsDomain).
    /// </summary>
    public ExchangeTlsLevel LowestExchangeTlsLevel { get; set; }

    /// <summary>
    /// The TlsDomain values that every MX certificate seen satisfies: a host name, or <c>*.domain</c>,
    /// which Exchange reads as the domain and all its subdomains (New-OutboundConnector, TlsDomain).
    /// Host names every certificate carries first, then wildcards from the most specific. Empty when no one value fits every certificate.
    /// </summary>
    public StringList TlsDomainCandidates { get; set; } = StringList.None;

    /// <summary>What Exchange Online does with mail to the domain when no connector names it (its default, Opportunistic MtaStsMode and SmtpDaneMode).</summary>
    public DefaultDelivery DefaultDelivery { get; set; } = DefaultDelivery.Unknown;

    /// <summary>Per MX host: whether default delivery uses it over TLS, maybe without TLS, or not at all, and why.</summary>
    public MxHostDeliveryList DeliveryHosts { get; set; } = MxHostDeliveryList.None;

    /// <summary>The mode of the domain's MTA-STS policy; null without a valid policy (or when the policy was not read).</summary>
    public MtaStsMode? MtaStsMode { get; set; }

    /// <summary>True when DANE applies to at least one MX host (DNSSEC-authenticated MX, addresses and TLSA records); null when the policy was not read.</summary>
    public bool? DaneApplies { get; set; }

    /// <summary>The verdict of the domain's policy check (Get-MailTlsPolicy's); null when the policy was not read.</summary>
    public MailTlsPolicyVerdict? PolicyVerdict { get; set; }

    /// <summary>True when every address is ForcedTlsReady.</summary>
    public bool ForcedTlsReady { get; set; }

    /// <summary>The earliest NotAfter of any leaf certificate seen.</summary>
    public DateTime? SoonestExpiry { get; set; }

    /// <summary>All DNS names of the leaf certificates seen, distinct.</summary>
    public StringList CertificateDnsNames { get; set; } = StringList.None;

    /// <summary>The distinct <c>&lt;I&gt;issuer&lt;S&gt;subject</c> names of the leaf certificates seen.</summary>
    public StringList ExchangeCertificateNames { get; set; } = StringList.None;

    public MailTlsVerdict Verdict { get; set; }

    /// <summary>Why the verdict is not Pass, one line per reason.</summary>
    public StringList Reasons { get; set; } = StringList.None;

    /// <summary>The results the summary was built from.</summary>
    public MailTlsResultList Results { get; set; } = new(Array.Empty<MailTlsResult>());
}
