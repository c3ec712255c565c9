using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;

namespace TlsTools;

/// <summary>The verdict of a domain summary.</summary>
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

    /// <summary>The lowest ExchangeTlsLevel over all addresses: what a connector for the whole domain can demand.</summary>
    public ExchangeTlsLevel LowestExchangeTlsLevel { get; set; }

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
