using System;
using System.Collections.Generic;
using System.Net;
using TlsTools.Probing;
using TlsTools.Routing;

namespace TlsTools.Policy;

/// <summary>What one address of an MX host presented when probed with the MX host name (the TLSA base domain) as SNI.</summary>
public sealed class MxProbeFacts
{
    public IPAddress Address { get; init; } = IPAddress.None;
    public int Port { get; init; }

    /// <summary>The probe's facts: the presented chain, or the failure that ended it.</summary>
    public ServerTlsFacts? Probe { get; init; }

    /// <summary>The presented chain validated against the trust anchors in use (WebPKI, for MTA-STS); null without a chain.</summary>
    public Certificates.ChainValidation? Chain { get; init; }
}

/// <summary>The DNS and probe facts of one MX host.</summary>
public sealed class HostPolicyFacts
{
    public string Name { get; init; } = string.Empty;
    public int? Preference { get; init; }

    /// <summary>The name the TLSA records were looked up under (RFC 7672 section 2.2.3): the MX host name.</summary>
    public string TlsaBaseDomain { get; init; } = string.Empty;

    public int Port { get; init; } = 25;

    public DnsAnswer<IPAddress> Addresses { get; init; } = new();

    /// <summary>The TLSA answer; null when it was not asked (the address look-up failed).</summary>
    public DnsAnswer<TlsaRecordData>? Tlsa { get; init; }

    /// <summary>One entry per address probed: hosts with TLSA records, and every host under an MTA-STS policy in force.</summary>
    public IReadOnlyList<MxProbeFacts> Probes { get; init; } = Array.Empty<MxProbeFacts>();

    /// <summary>The TLSA owner name.</summary>
    public string TlsaName => $"_{Port}._tcp.{TlsaBaseDomain}";
}

/// <summary>
/// Everything looked up and fetched for one domain's mail TLS policy, nothing judged:
/// <see cref="MailTlsPolicyJudgement.Judge"/> turns it into a <see cref="MailTlsPolicy"/>.
/// </summary>
public sealed class MailTlsPolicyFacts
{
    public string Domain { get; init; } = string.Empty;

    /// <summary>The server asked, for the DNSSEC note.</summary>
    public string DnsServer { get; init; } = string.Empty;

    public DnsAnswer<MxRecordData> Mx { get; init; } = new();

    public bool IsNullMx { get; init; }

    public bool IsImplicitMx { get; init; }

    public IReadOnlyList<HostPolicyFacts> Hosts { get; init; } = Array.Empty<HostPolicyFacts>();

    /// <summary>The TXT answer at _mta-sts.&lt;domain&gt;.</summary>
    public DnsAnswer<string> MtaStsTxt { get; init; } = new();

    /// <summary>The A/AAAA answer of mta-sts.&lt;domain&gt;; null when no policy was fetched.</summary>
    public DnsAnswer<IPAddress>? PolicyHostAddresses { get; init; }

    /// <summary>The policy fetch; null when there was no single valid record to fetch for.</summary>
    public MtaStsFetchResult? PolicyFetch { get; init; }

    /// <summary>The TXT answer at _smtp._tls.&lt;domain&gt;.</summary>
    public DnsAnswer<string> TlsRptTxt { get; init; } = new();
}
