using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Concurrency;
using TlsTools.Net;
using TlsTools.Probing;
using TlsTools.Routing;

namespace TlsTools.Policy;

/// <summary>Options of a policy check.</summary>
public sealed class MailTlsPolicyOptions
{
    /// <summary>The SMTP port: TLSA records are looked up at _port._tcp and addresses probed on it.</summary>
    public int Port { get; init; } = 25;

    /// <summary>The HTTPS port of the policy host (443; another port only for test beds).</summary>
    public int MtaStsPort { get; init; } = 443;

    /// <summary>The time allowed for each probe and for the policy fetch.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    public IReadOnlyCollection<X509Certificate2>? TrustedRootCertificates { get; init; }

    public bool UseSystemTrustStore { get; init; } = true;

    public AddressFamilyFilter AddressFamily { get; init; } = AddressFamilyFilter.Any;

    public string? HeloName { get; init; } = LocalHost.FullyQualifiedName();

    /// <summary>
    /// Probe the addresses of hosts that publish TLSA records, and of every host under an MTA-STS
    /// policy in force, to hold the records and the policy's certificate rules against the presented chain.
    /// </summary>
    public bool ProbeMxHosts { get; init; } = true;
}

/// <summary>
/// Gathers the facts of a domain's mail TLS policy: MX (with the AD flag), the _mta-sts record and
/// the policy fetched from mta-sts.&lt;domain&gt; (resolved through the same DNS server), the
/// _smtp._tls record, and per MX host its addresses, its TLSA records and, where there are TLSA
/// records, the chain each address presents when probed with the TLSA base domain as SNI (the
/// probe pipeline's <see cref="TlsProbe"/>). Never throws for a failure of DNS or a server: the
/// facts carry it.
/// </summary>
public sealed class MailTlsPolicyInspector
{
    private readonly IPolicyDnsResolver _dns;
    private readonly MailTlsPolicyOptions _options;
    private readonly WorkThrottle _probes;

    public MailTlsPolicyInspector(IPolicyDnsResolver dns, MailTlsPolicyOptions options, WorkThrottle probes)
    {
        _dns = dns;
        _options = options;
        _probes = probes;
    }

    public MailTlsPolicyOptions Options => _options;

    public async Task<MailTlsPolicyFacts> InspectAsync(string domain, CancellationToken cancellationToken)
    {
        Task<DnsAnswer<string>> stsTxt = _dns.GetTxtAsync("_mta-sts." + domain, cancellationToken);
        Task<DnsAnswer<string>> rptTxt = _dns.GetTxtAsync("_smtp._tls." + domain, cancellationToken);
        Task<(DnsAnswer<IPAddress>?, MtaStsFetchResult?)> policy = FetchPolicyAsync(domain, stsTxt, cancellationToken);

        DnsAnswer<MxRecordData> mx = await _dns.GetMxAsync(domain, cancellationToken).ConfigureAwait(false);
        var hosts = new List<HostPolicyFacts>();
        bool nullMx = false, implicitMx = false;
        HostPolicyFacts[] looked = Array.Empty<HostPolicyFacts>();
        if (!mx.Failed && mx.Status != DnsAnswerStatus.NameNotFound)
        {
            var real = mx.Records.Where(r => !string.IsNullOrEmpty(r.Exchange) && r.Exchange != ".").ToList();
            nullMx = mx.Records.Count > 0 && real.Count == 0;
            IEnumerable<(int? Preference, string Name)> names;
            if (nullMx)
            {
                names = Enumerable.Empty<(int?, string)>();
            }
            else if (real.Count == 0)
            {
                implicitMx = true;
                names = new[] { ((int?)null, domain) };
            }
            else
            {
                names = real.Select(r => ((int?)r.Preference, r.Exchange.TrimEnd('.').ToLowerInvariant()))
                    .Distinct()
                    .OrderBy(r => r.Item1).ThenBy(r => r.Item2, StringComparer.Ordinal)
                    .ToList();
            }
            looked = await Task.WhenAll(names.Select(n => LookUpHostAsync(n.Name, n.Preference, cancellationToken))).ConfigureAwait(false);
        }

        (DnsAnswer<IPAddress>? policyHost, MtaStsFetchResult? fetch) = await policy.ConfigureAwait(false);

        // Probe where there is something to hold a chain against: TLSA records, or an MTA-STS
        // policy in force (RFC 8461 section 4.2 asks for a valid certificate naming the MX host).
        bool stsInForce = fetch is { Failure: null, Text: { } text }
            && MtaStsPolicyDocument.Parse(text, out _) is { Mode: not MtaStsMode.None };
        if (_options.ProbeMxHosts)
        {
            hosts.AddRange(await Task.WhenAll(looked.Select(h => ProbeHostAsync(h, stsInForce, cancellationToken))).ConfigureAwait(false));
        }
        else
        {
            hosts.AddRange(looked);
        }
        return new MailTlsPolicyFacts
        {
            Domain = domain,
            DnsServer = _dns.ServerName,
            Mx = mx,
            IsNullMx = nullMx,
            IsImplicitMx = implicitMx,
            Hosts = hosts,
            MtaStsTxt = await stsTxt.ConfigureAwait(false),
            PolicyHostAddresses = policyHost,
            PolicyFetch = fetch,
            TlsRptTxt = await rptTxt.ConfigureAwait(false),
        };
    }

    private async Task<(DnsAnswer<IPAddress>?, MtaStsFetchResult?)> FetchPolicyAsync(string domain, Task<DnsAnswer<string>> txt, CancellationToken cancellationToken)
    {
        DnsAnswer<string> answer = await txt.ConfigureAwait(false);
        if (answer.Failed || MtaStsRecord.Select(answer.Records, out _) is null)
        {
            return (null, null);
        }
        string host = MtaStsPolicyFetcher.PolicyHost(domain);
        DnsAnswer<IPAddress> addresses = await _dns.GetAddressesAsync(host, AddressFamilyFilter.Any, cancellationToken).ConfigureAwait(false);
        if (addresses.Records.Count == 0)
        {
            return (addresses, new MtaStsFetchResult
            {
                Url = MtaStsPolicyFetcher.PolicyUrl(domain, _options.MtaStsPort),
                Failure = MtaStsFetchFailureKind.NameResolution,
                Error = addresses.Error ?? $"{host} has no address record.",
            });
        }
        MtaStsFetchResult fetch = await _probes.RunAsync(ct => MtaStsPolicyFetcher.FetchAsync(domain, addresses.Records, _options.MtaStsPort,
            _options.TrustedRootCertificates, _options.UseSystemTrustStore, _options.Timeout, ct), cancellationToken).ConfigureAwait(false);
        return (addresses, fetch);
    }

    private async Task<HostPolicyFacts> LookUpHostAsync(string name, int? preference, CancellationToken cancellationToken)
    {
        DnsAnswer<IPAddress> addresses = await _dns.GetAddressesAsync(name, _options.AddressFamily, cancellationToken).ConfigureAwait(false);
        // RFC 7672 section 2.2.3: the TLSA base domain is the MX host name (a secure CNAME
        // expansion would come first; it is not followed here).
        string tlsaName = $"_{_options.Port}._tcp.{name}";
        DnsAnswer<TlsaRecordData>? tlsa = addresses.Failed ? null : await _dns.GetTlsaAsync(tlsaName, cancellationToken).ConfigureAwait(false);
        return new HostPolicyFacts
        {
            Name = name,
            Preference = preference,
            TlsaBaseDomain = name,
            Port = _options.Port,
            Addresses = addresses,
            Tlsa = tlsa,
        };
    }

    private async Task<HostPolicyFacts> ProbeHostAsync(HostPolicyFacts host, bool stsInForce, CancellationToken cancellationToken)
    {
        if (!stsInForce && host.Tlsa is not { Records.Count: > 0 })
        {
            return host;
        }
        MxProbeFacts[] probes = await Task.WhenAll(host.Addresses.Records.Select(a =>
            _probes.RunAsync(ct => ProbeAsync(host.TlsaBaseDomain, a, ct), cancellationToken))).ConfigureAwait(false);
        return new HostPolicyFacts
        {
            Name = host.Name,
            Preference = host.Preference,
            TlsaBaseDomain = host.TlsaBaseDomain,
            Port = host.Port,
            Addresses = host.Addresses,
            Tlsa = host.Tlsa,
            Probes = probes,
        };
    }

    private async Task<MxProbeFacts> ProbeAsync(string tlsaBaseDomain, IPAddress address, CancellationToken cancellationToken)
    {
        var target = new ProbeTarget
        {
            HostName = tlsaBaseDomain,
            Address = address,
            Port = _options.Port,
            StartTls = StartTlsProtocol.Smtp,
            ServerName = tlsaBaseDomain,
            HeloName = _options.HeloName,
        };
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(target, new TlsProbeOptions { Timeout = _options.Timeout }, cancellationToken).ConfigureAwait(false);
        Certificates.ChainValidation? chain = facts.Tls is { PresentedCertificates.Count: > 0 } tls
            ? Certificates.ChainValidator.Validate(tls.PresentedCertificates, _options.TrustedRootCertificates, _options.UseSystemTrustStore)
            : null;
        return new MxProbeFacts { Address = address, Port = _options.Port, Probe = facts, Chain = chain };
    }
}
