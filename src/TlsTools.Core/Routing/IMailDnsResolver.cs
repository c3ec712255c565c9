using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Routing;

/// <summary>An MX record as read from DNS.</summary>
public readonly struct MxRecordData
{
    public MxRecordData(int preference, string exchange)
    {
        Preference = preference;
        Exchange = exchange;
    }

    public int Preference { get; }

    /// <summary>The exchange name; "." or "" for a null MX.</summary>
    public string Exchange { get; }
}

/// <summary>The DNS questions mail routing asks; implemented over DnsClient, faked in tests.</summary>
public interface IMailDnsResolver
{
    /// <summary>The MX records of <paramref name="domain"/>; empty when it has none. Throws <see cref="DnsLookupException"/> (NXDOMAIN, SERVFAIL, timeout).</summary>
    Task<IReadOnlyList<MxRecordData>> GetMxAsync(string domain, CancellationToken cancellationToken);

    /// <summary>The A and/or AAAA addresses of <paramref name="host"/>; empty when it has none.</summary>
    Task<IReadOnlyList<IPAddress>> GetAddressesAsync(string host, AddressFamilyFilter family, CancellationToken cancellationToken);
}

/// <summary>
/// A resolver that says how long the whole DNS stage of one domain may take (MX, then the
/// addresses of every host, or the implicit-MX fallback). <see cref="MailRoutePlanner"/> gives
/// the stage that one deadline when the caller names none.
/// </summary>
public interface IMailDnsStageTimeout
{
    /// <summary>The time one domain's DNS stage may take in all.</summary>
    TimeSpan StageTimeout { get; }
}
