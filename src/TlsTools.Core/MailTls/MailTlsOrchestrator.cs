using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Certificates;
using TlsTools.Concurrency;
using TlsTools.Net;
using TlsTools.Policy;
using TlsTools.Probing;
using TlsTools.Routing;

namespace TlsTools.MailTls;

/// <summary>Hears about a domain's test as it goes; called from worker threads.</summary>
public interface IMailTlsProgress
{
    /// <summary>The route is known: <paramref name="count"/> addresses will be tested.</summary>
    void AddressesPlanned(int count);

    /// <summary>
    /// One address is done. <paramref name="failure"/> is why its probe ended early, if it did;
    /// when <see cref="ProbeFailureKinds.IsUnreached"/> says so, the server was never reached.
    /// </summary>
    void AddressTested(MailTlsResult result, ProbeFailure? failure);

    /// <summary>An MX host has no address of the families asked for, or could not be resolved.</summary>
    void HostNotResolved(MailHost host);
}

/// <summary>The whole outcome of testing one domain or one directly given host.</summary>
public sealed class MailTlsOutcome
{
    /// <summary>The domain, or the host as given.</summary>
    public string Input { get; init; } = string.Empty;

    /// <summary>True for a domain (MX routing), false for a host tested directly.</summary>
    public bool IsDomain { get; init; }

    /// <summary>The route tested; null when resolution failed.</summary>
    public MailRoute? Route { get; init; }

    /// <summary>One result per address tested, in delivery order.</summary>
    public IReadOnlyList<MailTlsResult> Results { get; init; } = Array.Empty<MailTlsResult>();

    /// <summary>The DNS failure that ended the test of a domain before any probe.</summary>
    public DnsLookupException? DnsFailure { get; init; }

    /// <summary>The failure to resolve a directly given host with the system resolver.</summary>
    public ProbeFailure? ResolveFailure { get; init; }

    /// <summary>The domain's judged MTA-STS and DANE policy, when it was read (IncludePolicy or ReadPolicy); null otherwise.</summary>
    public MailTlsPolicy? Policy { get; init; }

    /// <summary>The one-line verdict of a domain.</summary>
    public MailTlsDomainSummary Summarize(DateTime? now = null) =>
        DnsFailure is not null || Route is null
            ? MailTlsSummarizer.DnsFailure(Input, DnsFailure?.Message ?? ResolveFailure?.Message ?? "The domain could not be resolved.")
            : MailTlsSummarizer.Summarize(Route, Results, now, Policy);
}

/// <summary>
/// Tests a domain the way mail to it is routed: DNS (MX, then addresses, RFC 5321 section 5.1),
/// then every address of every host as one probe each, at most as many at once as the shared
/// <see cref="WorkThrottle"/> allows, each probe's facts assessed and judged as it finishes. The one
/// place that does this, for Test-MailTls and New-ForcedTlsConnectorSpec -Probe alike.
/// </summary>
public sealed class MailTlsOrchestrator : IDisposable
{
    private readonly MailTlsOptions _options;
    private readonly Lazy<(Revocation.RevocationHttpClient Http, Revocation.ChainRevocationChecker Checker)> _revocation;
    private readonly Revocation.RevocationCache _revocationCache = new();
    private readonly WorkThrottle _probes;
    private readonly IMailDnsResolver _resolver;
    private readonly IReadOnlyCollection<System.Security.Cryptography.X509Certificates.X509Certificate2>? _roots;
    private readonly MailTlsPolicyInspector? _policy;

    public MailTlsOrchestrator(MailTlsOptions options, WorkThrottle probes, IMailDnsResolver? resolver = null)
    {
        _options = options;
        _probes = probes;
        _resolver = resolver ?? CreateResolver(options);
        _roots = options.TrustedRootCertificates?.Cast<System.Security.Cryptography.X509Certificates.X509Certificate2>().ToList();
        _revocation = new(() =>
        {
            Revocation.RevocationHttpClient http = SharedHttp(options.RevocationRoute ?? Revocation.ProxyRoute.Default(null, false, out _));
            return (http, new Revocation.ChainRevocationChecker(http, _revocationCache, TimeSpan.FromSeconds(Math.Max(1, options.TimeoutSeconds))));
        }, LazyThreadSafetyMode.ExecutionAndPublication);
        if (options.IncludePolicy || options.ReadPolicy)
        {
            var dns = new PolicyDnsClient(options.DnsServer is null ? null : DnsClientResolver.ParseServer(options.DnsServer),
                TimeSpan.FromSeconds(Math.Min(5, Math.Max(1, options.TimeoutSeconds))));
            _policy = new MailTlsPolicyInspector(dns, new MailTlsPolicyOptions
            {
                Port = options.Port,
                Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
                TrustedRootCertificates = _roots,
                UseSystemTrustStore = options.UseSystemTrustStore,
                AddressFamily = options.AddressFamily,
                HeloName = options.HeloName,
                ProbeMxHosts = false,
            }, probes);
        }
    }

    public MailTlsOptions Options => _options;

    /// <summary>The CRLs and OCSP answers fetched so far in this run (shared by every address and domain the orchestrator tests).</summary>
    public Revocation.RevocationCache RevocationCache => _revocationCache;

    /// <summary>Nothing to release: the HTTP clients are shared by route for the process (an HttpClient is meant to live long).</summary>
    public void Dispose()
    {
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Revocation.RevocationHttpClient> s_http = new(StringComparer.Ordinal);

    /// <summary>
    /// The revocation HTTP client of a route, one per route for the process: every request still opens
    /// a connection of its own (nothing is pooled), but the handler is not built again for every command.
    /// </summary>
    private static Revocation.RevocationHttpClient SharedHttp(Revocation.ProxyRoute route) =>
        s_http.GetOrAdd(route.Source, _ => new Revocation.RevocationHttpClient(new Revocation.HttpFetchOptions
        {
            Route = route,
            UserAgent = "TlsTools/" + typeof(MailTlsOrchestrator).Assembly.GetName().Version?.ToString(3),
        }));

    /// <summary>The resolver the options ask for: a domain's whole DNS stage gets TimeoutSeconds.</summary>
    public static IMailDnsResolver CreateResolver(MailTlsOptions options) =>
        new DnsClientResolver(options.DnsServer is null ? null : DnsClientResolver.ParseServer(options.DnsServer),
            TimeSpan.FromSeconds(Math.Max(1, options.TimeoutSeconds)));

    /// <summary>Tests every address of every MX host of <paramref name="domain"/>.</summary>
    public async Task<MailTlsOutcome> TestDomainAsync(string domain, IMailTlsProgress? progress, CancellationToken cancellationToken)
    {
        Task<MailTlsPolicyFacts>? policy = _policy?.InspectAsync(domain, cancellationToken);
        MailRoute route;
        try
        {
            route = await MailRoutePlanner.PlanAsync(domain, _resolver, _options.AddressFamily, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsLookupException e)
        {
            if (policy is not null)
            {
                await policy.ConfigureAwait(false);
            }
            return new MailTlsOutcome { Input = domain, IsDomain = true, DnsFailure = e };
        }
        MailTlsPolicyFacts? policyFacts = policy is null ? null : await policy.ConfigureAwait(false);
        return await TestRouteAsync(domain, true, route, _options.Port, progress, cancellationToken, policyFacts).ConfigureAwait(false);
    }

    /// <summary>
    /// Tests a host given directly (a smart host): its addresses through the configured DNS server,
    /// or, when none is named, the way any client on this machine resolves names (the hosts file included).
    /// </summary>
    public async Task<MailTlsOutcome> TestHostAsync(HostEndpoint host, IMailTlsProgress? progress, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPAddress> addresses;
        try
        {
            addresses = await HostAddresses.ResolveAsync(host, _options.DnsServer is null ? null : _resolver, _options.AddressFamily, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsLookupException e)
        {
            return new MailTlsOutcome { Input = host.ToString(), DnsFailure = e };
        }
        catch (ProbeException e)
        {
            return new MailTlsOutcome { Input = host.ToString(), ResolveFailure = e.ToFailure() };
        }
        var route = new MailRoute
        {
            Domain = string.Empty,
            Hosts = new[] { new MailHost(host.Host, null, addresses, addresses.Count == 0 ? "The host has no addresses of the family asked for." : null) },
            Family = _options.AddressFamily,
        };
        return await TestRouteAsync(host.ToString(), false, route, host.Port ?? _options.Port, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<MailTlsOutcome> TestRouteAsync(string input, bool isDomain, MailRoute route, int port, IMailTlsProgress? progress, CancellationToken cancellationToken,
        MailTlsPolicyFacts? policyFacts = null)
    {
        MailTlsPolicy? policy = policyFacts is null ? null : MailTlsPolicyJudgement.Judge(policyFacts, DateTime.UtcNow);
        foreach (MailHost host in route.Hosts.Where(h => h.Addresses.Count == 0))
        {
            progress?.HostNotResolved(host);
        }
        IReadOnlyList<MailTlsTarget> targets = Targets(route, port);
        progress?.AddressesPlanned(targets.Count);
        MailTlsResult[] results = await Task.WhenAll(targets.Select(async target =>
        {
            (MailTlsResult result, ProbeFailure? failure) = await _probes.RunAsync(ct => ProbeAndJudgeAsync(target, ct, policyFacts, policy), cancellationToken).ConfigureAwait(false);
            progress?.AddressTested(result, failure);
            return result;
        })).ConfigureAwait(false);
        return new MailTlsOutcome
        {
            Input = input,
            IsDomain = isDomain,
            Route = route,
            Results = MailTlsSummarizer.InDeliveryOrder(results),
            Policy = policy,
        };
    }

    /// <summary>Assesses a presented chain and, when it validates, starts its revocation check (unless switched off).</summary>
    private (CertificateAssessment, Task<Revocation.ChainRevocationFacts>?) AssessAndCheck(IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> presented,
        CancellationToken cancellationToken)
    {
        CertificateAssessment assessment = CertificateAssessment.Assess(presented, _roots, _options.UseSystemTrustStore);
        Task<Revocation.ChainRevocationFacts>? revocation = !_options.SkipRevocationCheck && assessment is { ChainValid: true, Chain.Count: > 1 }
            ? _revocation.Value.Checker.CheckAsync(assessment.Chain, cancellationToken)
            : null;
        return (assessment, revocation);
    }

    /// <summary>The targets of a route: every address of every host, hosts in preference order.</summary>
    public static IReadOnlyList<MailTlsTarget> Targets(MailRoute route, int port) =>
        route.Hosts.SelectMany(h => h.Addresses.Select(a => new MailTlsTarget
        {
            Domain = route.Domain,
            MxHost = h.Name,
            Preference = h.Preference,
            Address = a,
            Port = port,
        })).ToList();

    /// <summary>
    /// Probes, assesses and judges one address. Never throws for a failure of the server; throws
    /// <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<MailTlsResult> TestAddressAsync(MailTlsTarget target, CancellationToken cancellationToken) =>
        (await ProbeAndJudgeAsync(target, cancellationToken).ConfigureAwait(false)).Result;

    private async Task<(MailTlsResult Result, ProbeFailure? Failure)> ProbeAndJudgeAsync(MailTlsTarget target, CancellationToken cancellationToken,
        MailTlsPolicyFacts? policyFacts = null, MailTlsPolicy? policy = null)
    {
        var probeTarget = new ProbeTarget
        {
            HostName = target.MxHost,
            Address = target.Address,
            Port = target.Port,
            StartTls = _options.TlsMode == MailTlsMode.StartTls ? StartTlsProtocol.Smtp : StartTlsProtocol.None,
            HeloName = _options.HeloName,
        };
        // The chain is assessed, and a validated chain's revocation check started, as soon as the
        // handshake is done: the CRL and OCSP fetches run while the probe finishes its dialog over TLS.
        Task<(CertificateAssessment Assessment, Task<Revocation.ChainRevocationFacts>? Revocation)>? early = null;
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(probeTarget, new TlsProbeOptions
        {
            Timeout = TimeSpan.FromSeconds(_options.TimeoutSeconds),
            RecordTranscript = _options.IncludeTranscript,
            SmtpDialogOverTls = true,
            OnSession = session => early = session.PresentedCertificates.Count == 0 ? null
                : Task.Run(() => AssessAndCheck(session.PresentedCertificates, cancellationToken)),
        }, cancellationToken).ConfigureAwait(false);
        CertificateAssessment? certificate = null;
        Task<Revocation.ChainRevocationFacts>? revocation = null;
        if (facts.Failure is null && facts.Tls is { PresentedCertificates.Count: > 0 } tls)
        {
            (certificate, revocation) = early is not null
                ? await early.ConfigureAwait(false)
                : AssessAndCheck(tls.PresentedCertificates, cancellationToken);
        }
        // Exchange Online's suites, asked with exactly Microsoft's list, decide a TLS 1.2 session
        // (not the suites this machine's stack happened to offer).
        Task<CipherSuites.ExchangeOnlineSuiteFacts>? exchangeOnline = facts.Failure is null && facts.Tls?.Protocol == "Tls12"
            ? CipherSuites.ExchangeOnlineSuiteProbe.AskAsync(probeTarget, TimeSpan.FromSeconds(_options.TimeoutSeconds), cancellationToken)
            : null;
        CipherSuites.ExchangeOnlineSuiteFacts? exchangeOnlineFacts = exchangeOnline is null ? null : await exchangeOnline.ConfigureAwait(false);
        Revocation.ChainRevocationFacts? revocationFacts = revocation is null ? null : await revocation.ConfigureAwait(false);
        MailTlsResult result = MailTlsJudgement.Judge(target, facts, certificate, DateTime.UtcNow, _options.IncludeTranscript, exchangeOnlineFacts, revocationFacts);
        if (policyFacts is not null && policy is not null)
        {
            MailTlsPolicyResultFacts.Apply(result, policyFacts, policy, facts, DateTime.UtcNow);
        }
        if (_options.IncludeProtocolScan && facts.Tls is not null)
        {
            await CipherSuites.ProtocolScanColumns.AddAsync(result, probeTarget, _options.TimeoutSeconds, cancellationToken).ConfigureAwait(false);
        }
        return (result, facts.Failure);
    }
}
