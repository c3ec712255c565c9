using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Linq;
using TlsTools.Certificates;
using TlsTools.MailTls;

namespace TlsTools.Connectors;

/// <summary>
/// Builds the connector specifications that force TLS with one partner: composes each target
/// cmdlet's parameters from the request and the measured evidence, applies the caller's additional
/// parameters, then judges the result with the rule table (<see cref="ConnectorValidator"/>) and
/// flags what the measurements say would bounce or queue mail.
/// </summary>
public static class ConnectorSpecBuilder
{
    /// <summary>The name on Exchange Online's SMTP certificate, used for an on-premises send connector to the tenant when nothing was measured (HealthChecker's expectation).</summary>
    public const string ExchangeOnlineCertificateName = "mail.protection.outlook.com";

    private static readonly string[] DefaultBindings = { "0.0.0.0:25" };

    public static ConnectorSpecResult Build(ConnectorSpecRequest request)
    {
        var context = new BuildContext(request);
        var errors = new List<ConnectorFinding>();

        CheckApplicability(context, errors);
        List<Draft> drafts = Compose(context, errors);
        ApplyAdditionalParameters(context, drafts, errors);

        foreach (Draft d in drafts)
        {
            foreach (ConnectorFinding f in ConnectorValidator.Validate(d.Cmdlet.Name, d.Parameters))
            {
                (f.Rule.Severity == RuleSeverity.Error ? errors : d.Warnings).Add(f);
            }
        }
        errors.AddRange(ConnectorValidator.ValidateDomainSecurity(drafts.Select(d => (d.Cmdlet.Name, (IDictionary)d.Parameters)), context.Domains));

        if (errors.Count > 0)
        {
            var distinct = errors.GroupBy(e => e.Rule.Id + "\n" + e.Message).Select(g => g.First()).ToList();
            return new ConnectorSpecResult(Array.Empty<ConnectorSpec>(), distinct);
        }

        var specs = new List<ConnectorSpec>();
        foreach (Draft d in drafts)
        {
            if (d.IsConnector)
            {
                EvidenceWarnings(context, d);
            }
            specs.Add(new ConnectorSpec
            {
                Platform = context.Request.Platform,
                Direction = d.Direction,
                Cmdlet = d.Cmdlet.Name,
                Name = d.Name,
                Parameters = d.Parameters,
                Warnings = new StringList(d.Warnings.Select(w => w.ToString()).Distinct(StringComparer.Ordinal)),
                Evidence = new StringList(d.Evidence.Distinct(StringComparer.Ordinal)),
                ReadyToApply = !d.Warnings.Any(w => w.Blocks),
            });
        }
        return new ConnectorSpecResult(specs, Array.Empty<ConnectorFinding>());
    }

    // ------------------------------------------------------------------------------------------
    // Context: the request, normalised, and what the evidence says.

    private sealed class MeasuredCertificate
    {
        public MeasuredCertificate(string label, IReadOnlyList<string> names, string? commonName, string? subject)
        {
            Label = label;
            Names = names;
            CommonName = commonName;
            Subject = subject;
        }

        /// <summary>"mx1.partner.example (192.0.2.1, 192.0.2.2)" or "the certificate given with -TlsCertificate".</summary>
        public string Label { get; }
        public IReadOnlyList<string> Names { get; }
        public string? CommonName { get; }
        public string? Subject { get; }
    }

    private sealed class BuildContext
    {
        public BuildContext(ConnectorSpecRequest request)
        {
            Request = request;
            Domains = request.PartnerDomains
                .Where(d => !string.IsNullOrWhiteSpace(d))
                .Select(ConnectorValues.NormalizeDomain)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            // A measured domain joins the partner domains unless one of them covers it already
            // (*.partner.example is measured as partner.example).
            foreach (string measured in request.Evidence.Where(e => e is not null && !string.IsNullOrWhiteSpace(e.Domain)).Select(e => ConnectorValues.NormalizeDomain(e.Domain)))
            {
                if (!Domains.Any(d => Covers(d, measured)))
                {
                    Domains.Add(measured);
                }
            }
            Summaries = request.Evidence
                .Where(e => e is not null && !string.IsNullOrWhiteSpace(e.Domain))
                .ToList();
            Results = Summaries.SelectMany(s => s.Results ?? new MailTlsResultList(Array.Empty<MailTlsResult>())).Where(r => r is not null).ToList();
            MeasuredDomains = new HashSet<string>(Summaries.Select(s => ConnectorValues.NormalizeDomain(s.Domain)), StringComparer.OrdinalIgnoreCase);
            MeasuredCertificates = CollectMeasured();
            if (request.TlsCertificate is not null)
            {
                LocalFacts = CertificateFacts.From(request.TlsCertificate);
                LocalCertificate = new MeasuredCertificate("the certificate given with -TlsCertificate",
                    CertificateNameChooser.NamesOf(LocalFacts.DnsNames, LocalFacts.CommonName), LocalFacts.CommonName, LocalFacts.Subject);
            }
        }

        public ConnectorSpecRequest Request { get; }
        public List<string> Domains { get; }
        public List<MailTlsDomainSummary> Summaries { get; }
        public List<MailTlsResult> Results { get; }
        public HashSet<string> MeasuredDomains { get; }
        public List<MeasuredCertificate> MeasuredCertificates { get; }
        public CertificateFacts? LocalFacts { get; }
        public MeasuredCertificate? LocalCertificate { get; }

        /// <summary>Whether the measured certificates come from the summaries' name lists rather than per-address results.</summary>
        public bool NamesFromSummary { get; private set; }

        public bool Inbound => Request.Direction != ConnectorDirection.Outbound;
        public bool Outbound => Request.Direction != ConnectorDirection.Inbound;
        public bool Online => Request.Platform == ConnectorPlatform.ExchangeOnline;
        public bool OnPremisesType => Request.ConnectorType == ConnectorType.OnPremises;

        public string DomainList => Domains.Count == 0 ? "(no domain)" : string.Join(", ", Domains);

        public string BaseName
        {
            get
            {
                if (Domains.Count == 0)
                {
                    return "partner";
                }
                return Domains.Count == 1 ? Domains[0] : Domains[0] + " (+" + (Domains.Count - 1).ToString(CultureInfo.InvariantCulture) + ")";
            }
        }

        private List<MeasuredCertificate> CollectMeasured()
        {
            var list = new List<MeasuredCertificate>();
            foreach (var group in Results
                .Where(r => r.TlsEstablished)
                .GroupBy(r => (r.MxHost ?? string.Empty).ToLowerInvariant() + "\n" + (r.CertificateThumbprint ?? r.ExchangeCertificateName ?? string.Join(",", r.CertificateDnsNames ?? StringList.None))))
            {
                MailTlsResult first = group.First();
                string? cn = ConnectorValues.CommonName(first.CertificateSubject);
                IReadOnlyList<string> names = CertificateNameChooser.NamesOf(first.CertificateDnsNames, cn);
                if (names.Count > 0)
                {
                    list.Add(new MeasuredCertificate(HostLabel(group), names, cn, first.CertificateSubject));
                }
            }
            if (list.Count == 0)
            {
                foreach (MailTlsDomainSummary s in Summaries.Where(s => s.CertificateDnsNames is { Count: > 0 }))
                {
                    NamesFromSummary = true;
                    list.Add(new MeasuredCertificate("the certificates in the summary of " + s.Domain,
                        CertificateNameChooser.NamesOf(s.CertificateDnsNames, null), null, null));
                }
            }
            return list;
        }
    }

    /// <summary>"mx1.partner.example (192.0.2.1, 2001:db8::1), mx2.partner.example (192.0.2.2)".</summary>
    /// <summary>Whether partner domain <paramref name="domain"/> (possibly <c>*.x</c>) covers the measured domain.</summary>
    private static bool Covers(string domain, string measured) =>
        string.Equals(domain, measured, StringComparison.OrdinalIgnoreCase)
        || (domain.StartsWith("*.", StringComparison.Ordinal) && HostNameMatcher.MatchesConnectorDomain(domain, measured));

    private static string HostLabel(IEnumerable<MailTlsResult> results)
    {
        var parts = new List<string>();
        foreach (var host in results.GroupBy(r => string.IsNullOrEmpty(r.MxHost) ? "(unnamed host)" : r.MxHost, StringComparer.OrdinalIgnoreCase))
        {
            var addresses = host.Select(r => r.IPAddress).Where(a => !string.IsNullOrEmpty(a)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            parts.Add(addresses.Count == 0 ? host.Key : host.Key + " (" + string.Join(", ", addresses) + ")");
        }
        return parts.Count == 0 ? "(unnamed host)" : string.Join(", ", parts);
    }

    // ------------------------------------------------------------------------------------------
    // The calls being composed.

    private sealed class Draft
    {
        public Draft(ExchangeCmdlet cmdlet, ConnectorDirection direction, string name)
        {
            Cmdlet = cmdlet;
            Direction = direction;
            Name = name;
        }

        public ExchangeCmdlet Cmdlet { get; }
        public ConnectorDirection Direction { get; }
        public string Name { get; }
        public OrderedDictionary Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<string> Evidence { get; } = new();
        public List<ConnectorFinding> Warnings { get; } = new();

        /// <summary>The certificates the connector's expected name is checked against.</summary>
        public List<MeasuredCertificate> Peers { get; set; } = new();

        public bool IsConnector => Cmdlet != ExchangeCmdlets.SetTransportConfig;

        public Draft Set(string key, object? value)
        {
            if (value is not null)
            {
                Parameters[key] = value;
            }
            return this;
        }

        public object? Get(string key) => Parameters.Contains(key) ? Parameters[key] : null;
    }

    private static void CheckApplicability(BuildContext c, List<ConnectorFinding> errors)
    {
        ConnectorSpecRequest r = c.Request;
        void NotApplicable(string parameter, string why) =>
            errors.Add(new ConnectorFinding(ConnectorRules.ParameterNotApplicable, $"-{parameter} {why}", parameter));

        if (!string.IsNullOrWhiteSpace(r.TlsDomain) && !c.Outbound)
        {
            NotApplicable("TlsDomain", "is for outbound connectors; -Direction Inbound makes none.");
        }
        if (!string.IsNullOrWhiteSpace(r.TlsSenderCertificateName) && !(c.Online && c.Inbound))
        {
            NotApplicable("TlsSenderCertificateName", "is for Exchange Online inbound connectors (-Platform ExchangeOnline, -Direction Inbound or Both).");
        }
        if (r.SmartHosts.Count > 0 && !c.Outbound)
        {
            NotApplicable("SmartHost", "is for outbound connectors; -Direction Inbound makes none.");
        }
        if (r.SenderIPAddresses.Count > 0 && !c.Inbound)
        {
            NotApplicable("SenderIPAddress", "is for inbound connectors; -Direction Outbound makes none.");
        }
        if (r.TlsCertificate is not null && c.Online && !c.OnPremisesType)
        {
            NotApplicable("TlsCertificate", "is your own on-premises servers' certificate: it is used with -Platform ExchangeServer or -ConnectorType OnPremises.");
        }
        if (!string.IsNullOrWhiteSpace(r.ReceiveConnector) && !(!c.Online && c.OnPremisesType && c.Inbound))
        {
            NotApplicable("ReceiveConnector", "is for the on-premises side of mail from Exchange Online (-Platform ExchangeServer -ConnectorType OnPremises, inbound).");
        }
        if (r.DomainSecure && (c.Online || c.OnPremisesType))
        {
            errors.Add(new ConnectorFinding(ConnectorRules.DomainSecureNeedsExchangeServer,
                "-DomainSecure (mutual TLS) is an on-premises Exchange feature between partner organisations: use it with -Platform ExchangeServer -ConnectorType Partner.", "DomainSecure"));
        }
        if (!string.IsNullOrWhiteSpace(r.TlsSenderCertificateName) && r.TlsSettings == TlsAuthLevel.EncryptionOnly)
        {
            errors.Add(new ConnectorFinding(ConnectorRules.TlsSenderCertificateNameNeedsCertificateValidation,
                "-TlsSenderCertificateName asks for the sender's certificate to be checked, which -TlsSettings EncryptionOnly does not do: use CertificateValidation or DomainValidation.", "TlsSenderCertificateName"));
        }
    }

    // ------------------------------------------------------------------------------------------
    // Names from measurements and certificates.

    private sealed class NameSource
    {
        public NameSource(string name, string evidence, List<MeasuredCertificate> peers)
        {
            Name = name;
            Evidence = evidence;
            Peers = peers;
        }

        public string Name { get; }
        public string Evidence { get; }
        public List<MeasuredCertificate> Peers { get; }
    }

    private static NameSource? Choose(BuildContext c, string parameter, List<MeasuredCertificate> peers, bool local, bool inboundAssumption,
        CertificateNameChoice? preset = null, string? suffix = null)
    {
        CertificateNameChoice? choice = preset ?? CertificateNameChooser.Choose(
            peers.Select(p => (p.Names, p.CommonName)).ToList(), c.Domains);
        if (choice is null)
        {
            return null;
        }
        string source = local ? string.Empty : " [" + c.Request.EvidenceSource + "]";
        string what;
        if (local)
        {
            what = $"{parameter} '{choice.Name}': from the certificate given with -TlsCertificate ({c.LocalFacts!.Subject}, thumbprint {c.LocalFacts.Thumbprint}).";
        }
        else if (c.NamesFromSummary)
        {
            what = $"{parameter} '{choice.Name}': from the certificate names in the measurement of {c.DomainList} ({string.Join(", ", peers.SelectMany(p => p.Names).Distinct())}){source}.";
        }
        else
        {
            string hosts = string.Join("; ", peers.Select(p => p.Label));
            what = choice.Basis switch
            {
                CertificateNameBasis.CarriedByAll => $"{parameter} '{choice.Name}': carried by the certificate of every TLS server measured for {c.DomainList}: {hosts}{source}.",
                CertificateNameBasis.CommonParent => $"{parameter} '{choice.Name}': no one name is on every certificate measured for {c.DomainList}, but each carries a name under {choice.Name.Substring(2)} (a connector's '*.' covers the domain and all subdomains): {hosts}{source}.",
                _ => $"{parameter} '{choice.Name}': the certificates measured for {c.DomainList} disagree; {choice.Covered} of {choice.Total} carry this name: {hosts}{source}.",
            };
        }
        if (inboundAssumption)
        {
            what += " The partner's outgoing servers are assumed to present the same certificate as its MX hosts; confirm it with the partner.";
        }
        if (suffix is not null)
        {
            what += " " + suffix;
        }
        return new NameSource(choice.Name, what, peers);
    }

    /// <summary>
    /// The TlsDomain of an outbound connector from the measurements: the first of the TlsDomain
    /// candidates, the values every measured certificate satisfies by Exchange's rule (one connector,
    /// one TlsDomain for all MX hosts; <see cref="TlsDomainCandidates"/>). Without a candidate, the
    /// name most certificates carry, which the CertificateNameMismatch warnings then flag.
    /// </summary>
    private static NameSource? ChooseTlsDomain(BuildContext c, List<MeasuredCertificate> peers, bool local)
    {
        IReadOnlyList<string> candidates;
        if (local || c.NamesFromSummary)
        {
            // Only the summaries' name lists: their own candidates, those every summary shares.
            candidates = local ? Array.Empty<string>() : c.Summaries
                .Select(s => (IEnumerable<string>)(s.TlsDomainCandidates ?? StringList.None))
                .Aggregate((a, b) => a.Intersect(b, StringComparer.OrdinalIgnoreCase))
                .ToList();
        }
        else
        {
            candidates = TlsDomainCandidates.From(peers.Select(p => (p.Names, p.CommonName)).ToList(), c.Domains);
        }
        if (candidates.Count == 0 && (local || c.NamesFromSummary))
        {
            return Choose(c, "TlsDomain", peers, local, inboundAssumption: false);
        }
        if (candidates.Count == 0)
        {
            string? none = peers.Count == 0 ? null
                : $"No TlsDomain candidate: no one value (a host name, or *.domain for the domain and its subdomains) fits every certificate measured for {c.DomainList}, so DomainValidation refuses some MX host whatever the TlsDomain; consider -TlsSettings CertificateValidation.";
            return Choose(c, "TlsDomain", peers, local, inboundAssumption: false, suffix: none);
        }
        string first = candidates[0];
        CertificateNameBasis basis = first.StartsWith("*.", StringComparison.Ordinal) ? CertificateNameBasis.CommonParent : CertificateNameBasis.CarriedByAll;
        string others = candidates.Count > 1 ? $"TlsDomain candidates (every measured certificate satisfies each): {string.Join(", ", candidates)}." : $"The only TlsDomain candidate.";
        return Choose(c, "TlsDomain", peers, local, inboundAssumption: false, new CertificateNameChoice(first, basis, peers.Count, peers.Count), others);
    }

    /// <summary>
    /// MtaStsMode and SmtpDaneMode of an Exchange Online outbound connector, chosen from the
    /// partner's policy evidence (the summaries' DeliveryHosts). SmtpDaneMode Mandatory ("the
    /// destination must support DANE and DNSSEC, or the message is queued 24 hours and then dropped",
    /// reference section 3) only when DANE applies to every measured MX host and every presented
    /// certificate matched its TLSA records; Opportunistic otherwise, Exchange Online's default, which
    /// still enforces the partner's DANE where it applies. MtaStsMode has no Mandatory: Opportunistic
    /// applies an enforce-mode policy the partner publishes (reference sections 3 and 10.4, blog 4501005).
    /// </summary>
    private static (string MtaSts, string Dane, List<string> Evidence) ChoosePolicyModes(BuildContext c)
    {
        var evidence = new List<string>();
        var measured = c.Summaries.Where(s => s.Verdict != MailTlsVerdict.NoMail).ToList();
        var read = measured.Where(s => s.DaneApplies is not null).ToList();
        if (measured.Count == 0 || read.Count < measured.Count)
        {
            string why = c.Summaries.Count == 0 ? "nothing was measured"
                : measured.Count == 0 ? "the partner accepts no mail (null MX)"
                : $"the DANE and MTA-STS policy of {string.Join(", ", measured.Where(s => s.DaneApplies is null).Select(s => s.Domain))} was not read (Test-MailTls -Summary and -Probe read it)";
            evidence.Add($"MtaStsMode 'Opportunistic', SmtpDaneMode 'Opportunistic': Exchange Online's documented defaults, set explicitly; {why}.");
            return ("Opportunistic", "Opportunistic", evidence);
        }

        var hosts = read.SelectMany(s => (s.DeliveryHosts ?? MxHostDeliveryList.None).Select(h => (s.Domain, Host: h))).ToList();
        bool fullDane = hosts.Count > 0 && hosts.All(h => h.Host.DaneApplies == true && h.Host.DaneMatch == true && h.Host.Delivery == MxDelivery.Tls);
        string dane;
        if (fullDane)
        {
            dane = "Mandatory";
            evidence.Add($"SmtpDaneMode 'Mandatory': DANE applies to every MX host of {string.Join(", ", read.Select(s => s.Domain))} ({string.Join(", ", hosts.Select(h => h.Host.MxHost).Distinct(StringComparer.OrdinalIgnoreCase))}) and every certificate presented matched its authenticated TLSA records, so requiring DANE and DNSSEC costs no delivery and keeps a downgrade from bypassing it.");
        }
        else
        {
            dane = "Opportunistic";
            var without = hosts.Where(h => h.Host.DaneApplies != true).Select(h => h.Host.MxHost).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var failing = hosts.Where(h => h.Host.DaneApplies == true && h.Host.DaneMatch != true).Select(h => h.Host.MxHost).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            string why = without.Count == hosts.Count ? "the partner publishes no DNSSEC-authenticated TLSA records for its MX hosts"
                : without.Count > 0 ? $"DANE does not cover {string.Join(", ", without)}, so Mandatory would queue and drop the mail they would take"
                : $"the TLSA records of {string.Join(", ", failing)} do not match every certificate presented";
            evidence.Add($"SmtpDaneMode 'Opportunistic' (Exchange Online's default, which still applies the partner's DANE records where they exist): {why}.");
        }

        var modes = read.Where(s => s.MtaStsMode is not null).Select(s => $"{s.Domain}: {s.MtaStsMode}").ToList();
        evidence.Add("MtaStsMode 'Opportunistic' (the only mode that applies a partner's policy; there is no Mandatory): "
            + (modes.Count == 0 ? "the partner publishes no MTA-STS policy; one it publishes later is applied." : $"the partner's MTA-STS policy mode is {string.Join(", ", modes)}; an enforce-mode policy is applied."));
        return ("Opportunistic", dane, evidence);
    }

    /// <summary>The certificates whose names a connector expects from the other end.</summary>
    private static (List<MeasuredCertificate> Peers, bool Local) PeerCertificates(BuildContext c)
    {
        if (c.Online && c.OnPremisesType && c.LocalCertificate is not null)
        {
            return (new List<MeasuredCertificate> { c.LocalCertificate }, true);
        }
        return (c.MeasuredCertificates, false);
    }

    // ------------------------------------------------------------------------------------------
    // Composition.

    private static string Comment(BuildContext c, string direction) =>
        $"Forced TLS {direction} {c.DomainList}. Specified with TlsTools New-ForcedTlsConnectorSpec on {c.Request.Now.ToUniversalTime():yyyy-MM-dd}.";

    private static string OutboundName(BuildContext c)
    {
        if (!string.IsNullOrWhiteSpace(c.Request.Name))
        {
            return c.Request.Name!;
        }
        string name = "Forced TLS to " + c.BaseName;
        return name.Length <= 64 ? name : name.Substring(0, 61) + "...";
    }

    private static string InboundName(BuildContext c) =>
        !string.IsNullOrWhiteSpace(c.Request.Name) ? c.Request.Name! : "Forced TLS from " + c.BaseName;

    private static List<Draft> Compose(BuildContext c, List<ConnectorFinding> errors)
    {
        var drafts = new List<Draft>();
        ConnectorSpecRequest r = c.Request;
        (List<MeasuredCertificate> peers, bool local) = PeerCertificates(c);
        string[] domains = c.Domains.ToArray();
        string[] smartHosts = r.SmartHosts.Where(h => !string.IsNullOrWhiteSpace(h)).Select(h => h.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        string[] senderIPs = r.SenderIPAddresses.Where(h => !string.IsNullOrWhiteSpace(h)).Select(h => h.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        string? localCertificateName = c.LocalFacts is null ? null : ExchangeNames.CertificateName(c.LocalFacts.Issuer, c.LocalFacts.Subject);
        string? localEvidence = c.LocalFacts is null ? null
            : $"TlsCertificateName: built as <I>issuer<S>subject from the certificate given with -TlsCertificate (thumbprint {c.LocalFacts.Thumbprint}, expires {c.LocalFacts.NotAfter:yyyy-MM-dd}).";

        // The name the partner's certificates must carry for outbound DomainValidation.
        NameSource? tlsDomain = null;
        if (c.Outbound)
        {
            if (!string.IsNullOrWhiteSpace(r.TlsDomain))
            {
                tlsDomain = new NameSource(ConnectorValues.NormalizeDomain(r.TlsDomain!), $"TlsDomain '{ConnectorValues.NormalizeDomain(r.TlsDomain!)}': given with -TlsDomain.", peers);
            }
            else if (r.TlsSettings == TlsAuthLevel.DomainValidation)
            {
                tlsDomain = ChooseTlsDomain(c, peers, local);
                if (tlsDomain is null && !c.Online && c.OnPremisesType)
                {
                    tlsDomain = new NameSource(ExchangeOnlineCertificateName,
                        $"TlsDomain '{ExchangeOnlineCertificateName}': the name on Exchange Online's SMTP certificate (documented; nothing was measured).", peers);
                }
            }
        }

        if (c.Online)
        {
            if (c.Inbound)
            {
                ComposeOnlineInbound(c, drafts, errors, peers, local, domains, senderIPs);
            }
            if (c.Outbound)
            {
                var d = new Draft(ExchangeCmdlets.NewOutboundConnector, ConnectorDirection.Outbound, OutboundName(c));
                d.Set("Name", d.Name)
                    .Set("ConnectorType", r.ConnectorType.ToString())
                    .Set("RecipientDomains", domains)
                    .Set("UseMXRecord", smartHosts.Length == 0)
                    .Set("SmartHosts", smartHosts.Length > 0 ? smartHosts : null)
                    .Set("TlsSettings", r.TlsSettings.ToString())
                    .Set("TlsDomain", tlsDomain?.Name);
                (string mtaSts, string dane, List<string> modeEvidence) = ChoosePolicyModes(c);
                d.Set("MtaStsMode", mtaSts)
                    .Set("SmtpDaneMode", dane)
                    .Set("Comment", Comment(c, "to"));
                if (tlsDomain is not null)
                {
                    d.Evidence.Add(tlsDomain.Evidence);
                    d.Peers = tlsDomain.Peers;
                }
                d.Evidence.AddRange(modeEvidence);
                drafts.Add(d);
            }
        }
        else
        {
            if (c.Outbound)
            {
                bool hybrid = c.OnPremisesType;
                var d = new Draft(ExchangeCmdlets.NewSendConnector, ConnectorDirection.Outbound, OutboundName(c));
                d.Set("Name", d.Name)
                    .Set("AddressSpaces", domains)
                    .Set("Usage", hybrid ? null : "Partner")
                    .Set("DNSRoutingEnabled", smartHosts.Length == 0)
                    .Set("SmartHosts", smartHosts.Length > 0 ? smartHosts : null)
                    .Set("RequireTLS", true)
                    .Set("IgnoreSTARTTLS", false)
                    .Set("TlsAuthLevel", r.TlsSettings.ToString())
                    .Set("TlsDomain", tlsDomain?.Name)
                    .Set("TlsCertificateName", localCertificateName);
                if (hybrid && c.LocalFacts is not null)
                {
                    string? fqdn = c.LocalFacts.CommonName is { } cn && ConnectorValues.IsDnsName(cn) ? cn.ToLowerInvariant() : null;
                    if (fqdn is not null)
                    {
                        d.Set("Fqdn", fqdn);
                        d.Evidence.Add($"Fqdn '{fqdn}': the common name of the certificate given with -TlsCertificate, so that Exchange Online attributes the mail to your organisation by it.");
                    }
                }
                d.Set("DomainSecureEnabled", r.DomainSecure ? true : null)
                    .Set("CloudServicesMailEnabled", hybrid ? true : null)
                    .Set("Comment", Comment(c, "to"));
                if (tlsDomain is not null)
                {
                    d.Evidence.Add(tlsDomain.Evidence);
                    d.Peers = tlsDomain.Peers;
                }
                if (localEvidence is not null)
                {
                    d.Evidence.Add(localEvidence);
                }
                drafts.Add(d);
            }
            if (c.Inbound)
            {
                ComposeServerInbound(c, drafts, senderIPs, localCertificateName, localEvidence);
            }
            if (r.DomainSecure)
            {
                var t = new Draft(ExchangeCmdlets.SetTransportConfig, ConnectorDirection.Both, "Domain security for " + c.BaseName);
                t.Set("TLSSendDomainSecureList", AddList(domains))
                    .Set("TLSReceiveDomainSecureList", AddList(domains));
                t.Evidence.Add("TLSSendDomainSecureList, TLSReceiveDomainSecureList: the partner domains are added (@{ Add = ... }), so the lists keep the other partners' entries.");
                drafts.Add(t);
            }
        }
        return drafts;
    }

    private static Hashtable AddList(string[] domains) =>
        new(StringComparer.OrdinalIgnoreCase) { ["Add"] = domains };

    private static void ComposeOnlineInbound(BuildContext c, List<Draft> drafts, List<ConnectorFinding> errors,
        List<MeasuredCertificate> peers, bool local, string[] domains, string[] senderIPs)
    {
        ConnectorSpecRequest r = c.Request;
        bool checkCertificate = r.TlsSettings != TlsAuthLevel.EncryptionOnly;
        NameSource? senderName = null;
        if (!string.IsNullOrWhiteSpace(r.TlsSenderCertificateName))
        {
            string n = ConnectorValues.NormalizeDomain(r.TlsSenderCertificateName!);
            senderName = new NameSource(n, $"TlsSenderCertificateName '{n}': given with -TlsSenderCertificateName.", peers);
        }
        else if (checkCertificate || (c.OnPremisesType && senderIPs.Length == 0))
        {
            senderName = Choose(c, "TlsSenderCertificateName", peers, local, inboundAssumption: !local && !c.OnPremisesType);
        }
        if (senderName is null && checkCertificate)
        {
            errors.Add(new ConnectorFinding(ConnectorRules.TlsSenderCertificateNameRequired,
                $"The inbound connector checks the certificate of the servers sending from {c.DomainList}, but the name to expect is unknown: give -TlsSenderCertificateName, pipe Test-MailTls -Summary, use -Probe"
                + (c.OnPremisesType ? ", give -TlsCertificate" : string.Empty) + ", or use -TlsSettings EncryptionOnly.", "TlsSenderCertificateName"));
        }

        bool partner = !c.OnPremisesType;
        bool separateIPConnector = partner && senderName is not null && senderIPs.Length > 0;
        var d = new Draft(ExchangeCmdlets.NewInboundConnector, ConnectorDirection.Inbound, InboundName(c));
        d.Set("Name", d.Name)
            .Set("ConnectorType", r.ConnectorType.ToString())
            .Set("SenderDomains", domains)
            .Set("RequireTls", true)
            .Set("RestrictDomainsToCertificate", partner && senderName is not null ? true : null)
            .Set("TlsSenderCertificateName", senderName?.Name);
        if (senderIPs.Length > 0 && !separateIPConnector)
        {
            d.Set("RestrictDomainsToIPAddresses", partner ? true : null).Set("SenderIPAddresses", senderIPs);
        }
        d.Set("Comment", Comment(c, "from"));
        if (senderName is not null)
        {
            d.Evidence.Add(senderName.Evidence);
            d.Peers = senderName.Peers;
        }
        drafts.Add(d);

        if (separateIPConnector)
        {
            var ip = new Draft(ExchangeCmdlets.NewInboundConnector, ConnectorDirection.Inbound, InboundName(c) + " by IP");
            ip.Set("Name", ip.Name)
                .Set("ConnectorType", r.ConnectorType.ToString())
                .Set("SenderDomains", domains)
                .Set("RequireTls", true)
                .Set("RestrictDomainsToIPAddresses", true)
                .Set("SenderIPAddresses", senderIPs)
                .Set("Comment", Comment(c, "from"));
            ip.Evidence.Add("A second connector restricts the partner by IP address: Exchange Online does not take an IP restriction and a certificate restriction on one Partner connector.");
            drafts.Add(ip);
        }
    }

    private static void ComposeServerInbound(BuildContext c, List<Draft> drafts, string[] senderIPs, string? localCertificateName, string? localEvidence)
    {
        ConnectorSpecRequest r = c.Request;
        bool hybrid = c.OnPremisesType;
        string? capability = null;
        string? capabilityEvidence = null;
        if (hybrid)
        {
            NameSource? exo = Choose(c, "TlsDomainCapabilities", c.MeasuredCertificates, local: false, inboundAssumption: false);
            string domain = exo?.Name ?? ExchangeOnlineCertificateName;
            capability = domain + ":AcceptCloudServicesMail";
            capabilityEvidence = exo is not null
                ? exo.Evidence.Replace("TlsDomainCapabilities '" + domain + "'", "TlsDomainCapabilities '" + capability + "'")
                : $"TlsDomainCapabilities '{capability}': the name on Exchange Online's SMTP certificate (documented; nothing was measured).";
        }

        if (hybrid && senderIPs.Length == 0)
        {
            string identity = r.ReceiveConnector?.Trim() ?? string.Empty;
            var s = new Draft(ExchangeCmdlets.SetReceiveConnector, ConnectorDirection.Inbound, identity);
            s.Set("Identity", identity.Length > 0 ? identity : null)
                .Set("TlsCertificateName", localCertificateName)
                .Set("TlsDomainCapabilities", new[] { capability! });
            s.Evidence.Add(capabilityEvidence!);
            if (localEvidence is not null)
            {
                s.Evidence.Add(localEvidence);
            }
            drafts.Add(s);
            return;
        }

        var d = new Draft(ExchangeCmdlets.NewReceiveConnector, ConnectorDirection.Inbound, InboundName(c));
        bool mutual = r.DomainSecure;
        d.Set("Name", d.Name)
            .Set("Usage", mutual ? "Partner" : "Custom")
            .Set("PermissionGroups", mutual ? null : "AnonymousUsers")
            .Set("TransportRole", "FrontendTransport")
            .Set("Bindings", (string[])DefaultBindings.Clone())
            .Set("RemoteIPRanges", senderIPs.Length > 0 ? senderIPs : null)
            .Set("AuthMechanism", "Tls")
            .Set("RequireTLS", true)
            .Set("DomainSecureEnabled", mutual ? true : null)
            .Set("TlsCertificateName", localCertificateName)
            .Set("TlsDomainCapabilities", capability is null ? null : new[] { capability })
            .Set("Comment", Comment(c, "from"));
        d.Evidence.Add("Bindings '0.0.0.0:25': port 25 on every address of the server; RemoteIPRanges keeps the connector to the given senders (-SenderIPAddress).");
        if (capabilityEvidence is not null)
        {
            d.Evidence.Add(capabilityEvidence);
        }
        if (localEvidence is not null)
        {
            d.Evidence.Add(localEvidence);
        }
        drafts.Add(d);
    }

    // ------------------------------------------------------------------------------------------
    // Additional parameters.

    private static void ApplyAdditionalParameters(BuildContext c, List<Draft> drafts, List<ConnectorFinding> errors)
    {
        IDictionary? extra = c.Request.AdditionalParameters;
        if (extra is null)
        {
            return;
        }
        foreach (DictionaryEntry e in extra)
        {
            string key = (e.Key as string ?? Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? string.Empty).Trim();
            if (key.Equals("Name", StringComparison.OrdinalIgnoreCase) || key.Equals("Identity", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new ConnectorFinding(ConnectorRules.ParameterNotApplicable,
                    $"-AdditionalParameter cannot set {key}: use -Name (or -ReceiveConnector for Set-ReceiveConnector).", key));
                continue;
            }
            if (ExchangeCmdlets.All.Any(cmd => cmd.IsReserved(key)))
            {
                errors.Add(new ConnectorFinding(ConnectorRules.ReservedParameter, $"-{key} is reserved for Microsoft and is never set.", key));
                continue;
            }
            var targets = drafts.Where(d => d.Cmdlet.Find(key) is not null).ToList();
            if (targets.Count == 0)
            {
                errors.Add(new ConnectorFinding(ConnectorRules.UnknownParameter,
                    $"-{key} is not a parameter of {string.Join(" or ", drafts.Select(d => d.Cmdlet.Name).Distinct())}.", key));
                continue;
            }
            if (!ParameterValues.TryNormalize(e.Value, out object? value))
            {
                errors.Add(new ConnectorFinding(ConnectorRules.InvalidParameterValue,
                    $"-{key} takes a plain value ($true/$false, a number, a string or strings), not {ParameterValues.DescribeValue(e.Value)}.", key));
                continue;
            }
            foreach (Draft d in targets)
            {
                ExchangeParameter parameter = d.Cmdlet.Find(key)!;
                if (value is null)
                {
                    d.Parameters.Remove(parameter.Name);
                    d.Evidence.Add($"{parameter.Name}: removed with -AdditionalParameter.");
                }
                else
                {
                    d.Parameters[parameter.Name] = ParameterValues.Coerce(parameter, value);
                    d.Evidence.Add($"{parameter.Name}: given with -AdditionalParameter.");
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // What the measurements say about a connector.

    private static bool DemandsValidation(Draft d)
    {
        string? Str(string k) => d.Get(k) as string;
        return d.Cmdlet.Name switch
        {
            "New-OutboundConnector" => Str("TlsSettings") is "CertificateValidation" or "DomainValidation",
            "New-InboundConnector" => Str("TlsSenderCertificateName") is not null,
            "New-SendConnector" => Str("TlsAuthLevel") is "CertificateValidation" or "DomainValidation",
            _ => d.Get("DomainSecureEnabled") as bool? == true || d.Get("TlsDomainCapabilities") is not null,
        };
    }

    private static (string Parameter, string Name)? ExpectedName(Draft d)
    {
        string? Str(string k) => d.Get(k) as string;
        return d.Cmdlet.Name switch
        {
            "New-OutboundConnector" when Str("TlsSettings") == "DomainValidation" && Str("TlsDomain") is { } t => ("TlsDomain", t),
            "New-SendConnector" when Str("TlsAuthLevel") == "DomainValidation" && Str("TlsDomain") is { } t => ("TlsDomain", t),
            "New-InboundConnector" when Str("TlsSenderCertificateName") is { } n => ("TlsSenderCertificateName", n),
            _ => null,
        };
    }

    private static void EvidenceWarnings(BuildContext c, Draft d)
    {
        bool validates = DemandsValidation(d);
        bool inbound = d.Direction == ConnectorDirection.Inbound;
        bool forced = d.Cmdlet != ExchangeCmdlets.SetReceiveConnector;
        var blocking = new List<ConnectorFinding>();
        void Warn(ConnectorRule rule, string message, object? target, bool? blocks = null)
        {
            var f = new ConnectorFinding(rule, message, target, blocks);
            d.Warnings.Add(f);
            if (f.Blocks)
            {
                blocking.Add(f);
            }
        }

        foreach (MailTlsDomainSummary s in c.Summaries)
        {
            var hosts = (s.MxHosts ?? StringList.None).ToList();
            d.Evidence.Add($"{s.Domain}: {c.Request.EvidenceSource} tested {s.AddressesTested.ToString(CultureInfo.InvariantCulture)} address(es) of {(hosts.Count > 0 ? string.Join(", ", hosts) : "no MX host")}; lowest ExchangeTlsLevel {s.LowestExchangeTlsLevel}; verdict {s.Verdict}.");
            if (s.Verdict == MailTlsVerdict.NoMail)
            {
                Warn(ConnectorRules.PartnerAcceptsNoMail, $"{s.Domain} publishes a null MX (RFC 7505): it accepts no mail, so a connector for it carries none.", s.Domain);
            }
        }

        // Hosts that did not negotiate TLS.
        var withoutTls = new Dictionary<string, List<MailTlsResult>>(StringComparer.OrdinalIgnoreCase);
        foreach (MailTlsResult r in c.Results.Where(r => !r.TlsEstablished))
        {
            string host = string.IsNullOrEmpty(r.MxHost) ? r.IPAddress : r.MxHost;
            if (!withoutTls.TryGetValue(host, out List<MailTlsResult>? list))
            {
                withoutTls[host] = list = new List<MailTlsResult>();
            }
            list.Add(r);
        }
        foreach (MailTlsDomainSummary s in c.Summaries)
        {
            foreach (string host in s.HostsWithoutTls ?? StringList.None)
            {
                if (!withoutTls.ContainsKey(host))
                {
                    withoutTls[host] = new List<MailTlsResult>();
                }
            }
        }
        foreach (var pair in withoutTls.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            string label = pair.Value.Count > 0 ? HostLabel(pair.Value) : pair.Key;
            MailTlsResult? first = pair.Value.FirstOrDefault();
            string why = first is null ? "no TLS" : first.ErrorId ?? (first.StartTlsOffered ? "the STARTTLS handshake failed" : "STARTTLS not offered");
            string consequence = inbound
                ? "if the partner's outgoing servers are like its MX hosts, this connector rejects their mail"
                : "forced TLS will queue mail routed to it, and bounce it when no other MX host takes it";
            Warn(ConnectorRules.MxHostWithoutStartTls, $"{label} did not negotiate TLS ({why}): {consequence}.", pair.Key);
        }

        // The name the connector expects, against the certificates seen at the other end.
        if (ExpectedName(d) is { } expected)
        {
            foreach (MeasuredCertificate peer in d.Peers.Where(p => !ConnectorValues.CertificateMatches(expected.Name, p.Names)))
            {
                string consequence = inbound
                    ? "if the partner's servers send with this certificate, Exchange Online rejects their mail"
                    : "DomainValidation will refuse to deliver to it";
                Warn(ConnectorRules.CertificateNameMismatch,
                    $"The certificate of {peer.Label} carries {string.Join(", ", peer.Names)}, which does not match {expected.Parameter} '{expected.Name}': {consequence}.", peer.Label);
            }
        }

        // Expiry and trust of what was measured (and of the local certificate the connector names).
        var expiryDone = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in c.Results.Where(r => r.TlsEstablished)
            .GroupBy(r => r.CertificateThumbprint ?? r.ExchangeCertificateName ?? r.CertificateSubject ?? r.MxHost, StringComparer.OrdinalIgnoreCase))
        {
            MailTlsResult r = group.First();
            int? days = r.DaysUntilExpiry ?? (r.CertificateNotAfter is { } na ? (int)Math.Floor((na.ToUniversalTime() - c.Request.Now.ToUniversalTime()).TotalDays) : null);
            if (days is null)
            {
                continue;
            }
            expiryDone.Add(r.Domain ?? string.Empty);
            string who = $"the certificate of {HostLabel(group)}" + (r.CertificateSubject is null ? string.Empty : $" ({r.CertificateSubject})");
            ExpiryWarning(who, days.Value, r.CertificateNotAfter, validates, Warn);
        }
        foreach (MailTlsDomainSummary s in c.Summaries.Where(s => s.SoonestExpiry is not null && !c.Results.Any(r => r.TlsEstablished && (r.DaysUntilExpiry is not null || r.CertificateNotAfter is not null))))
        {
            int days = (int)Math.Floor((s.SoonestExpiry!.Value.ToUniversalTime() - c.Request.Now.ToUniversalTime()).TotalDays);
            ExpiryWarning($"a certificate of {s.Domain}'s MX hosts", days, s.SoonestExpiry, validates, Warn);
        }
        if (c.LocalFacts is not null && (d.Get("TlsCertificateName") is not null || d.Peers.Contains(c.LocalCertificate!)))
        {
            ExpiryWarning($"the certificate given with -TlsCertificate ({c.LocalFacts.Subject})", c.LocalFacts.DaysUntilExpiry(c.Request.Now), c.LocalFacts.NotAfter, true, Warn);
        }

        foreach (var group in c.Results.Where(r => r.TlsEstablished && r.ChainValid == false)
            .GroupBy(r => r.MxHost ?? string.Empty, StringComparer.OrdinalIgnoreCase))
        {
            MailTlsResult r = group.First();
            string errorsText = r.ChainErrors is { Count: > 0 } ? " (" + string.Join("; ", r.ChainErrors) + ")" : string.Empty;
            string consequence = validates
                ? (inbound ? "Exchange rejects mail from servers presenting it" : "certificate validation will refuse to deliver to it")
                : "this connector does not check certificates, but CertificateValidation would fail";
            Warn(ConnectorRules.CertificateChainNotTrusted,
                $"The certificate chain of {HostLabel(group)} is not trusted{errorsText}: {consequence}.", r.MxHost, validates);
        }

        // What the partner's own DANE records and MTA-STS policy make Exchange Online do, under the
        // modes this connector sets (reference sections 3 and 10.4: queued 24 hours, then dropped).
        if (d.Cmdlet == ExchangeCmdlets.NewOutboundConnector)
        {
            PolicyWarnings(c, d, Warn);
        }

        // The measured level, when nothing more specific explains a shortfall.
        var tested = c.Summaries.Where(s => s.AddressesTested > 0 || (s.Results?.Count ?? 0) > 0).ToList();
        if (forced && tested.Count > 0 && blocking.Count == 0)
        {
            ExchangeTlsLevel needed = validates ? ExchangeTlsLevel.CertificateValidation : ExchangeTlsLevel.EncryptionOnly;
            foreach (MailTlsDomainSummary s in tested.Where(s => s.LowestExchangeTlsLevel < needed))
            {
                string reasons = s.Reasons is { Count: > 0 } ? " (" + string.Join("; ", s.Reasons) + ")" : string.Empty;
                Warn(ConnectorRules.TlsSettingsAboveMeasuredLevel,
                    $"This connector needs {needed} or better, but the lowest ExchangeTlsLevel measured for {s.Domain} is {s.LowestExchangeTlsLevel}{reasons}.", s.Domain);
            }
        }

        // Smart hosts that the measurement did not look at.
        if (d.Get("SmartHosts") is string[] smartHosts && c.Summaries.Count > 0)
        {
            var measured = new HashSet<string>(c.Summaries.SelectMany(s => s.MxHosts ?? StringList.None).Concat(c.Results.Select(r => r.MxHost)), StringComparer.OrdinalIgnoreCase);
            foreach (string h in smartHosts.Where(h => !measured.Contains(h)))
            {
                Warn(ConnectorRules.SmartHostNotMeasured,
                    $"Smart host {h} is not one of the measured MX hosts: the certificate names and warnings here describe the MX hosts; check {h} with Get-RemoteCertificate -ComputerName {h} -Port 25.", h);
            }
        }

        var unmeasured = c.Domains.Where(x => !c.MeasuredDomains.Any(m => Covers(x, m))).ToList();
        if (unmeasured.Count > 0)
        {
            Warn(ConnectorRules.NoEvidence,
                $"Nothing was measured for {string.Join(", ", unmeasured)}: the values were not checked against its servers. Pipe Test-MailTls -Summary into this command, or use -Probe.", string.Join(",", unmeasured));
        }
    }

    private static void PolicyWarnings(BuildContext c, Draft d, Action<ConnectorRule, string, object?, bool?> warn)
    {
        string daneMode = d.Get("SmtpDaneMode") as string ?? "Opportunistic";
        string stsMode = d.Get("MtaStsMode") as string ?? "Opportunistic";
        bool daneOn = !string.Equals(daneMode, "None", StringComparison.OrdinalIgnoreCase);
        bool stsOn = !string.Equals(stsMode, "None", StringComparison.OrdinalIgnoreCase);
        foreach (MailTlsDomainSummary s in c.Summaries.Where(s => s.DaneApplies is not null))
        {
            var hosts = (s.DeliveryHosts ?? MxHostDeliveryList.None).ToList();
            var refused = hosts.Where(h => h.Delivery == MxDelivery.Refused
                && ((h.RefusedBy == "DANE" && daneOn) || (h.RefusedBy == "MTA-STS" && stsOn))).ToList();
            bool all = refused.Count > 0 && hosts.All(h => h.Delivery is MxDelivery.Refused or MxDelivery.Unknown);
            foreach (MxHostDelivery h in refused)
            {
                string what = h.RefusedBy == "DANE" ? $"DANE/TLSA (SmtpDaneMode {daneMode})" : $"MTA-STS (MtaStsMode {stsMode})";
                string consequence = all
                    ? $"no MX host of {s.Domain} takes the mail, so Exchange Online queues it for 24 hours and then drops it"
                    : "Exchange Online queues mail for this host for 24 hours while it tries another MX host, then drops what is left";
                warn(ConnectorRules.PartnerPolicyBlocksDelivery,
                    $"{h.MxHost}: the partner's records refuse delivery under {what}: {h.Reason}; {consequence}.", h.MxHost, all);
            }
        }

        if (!string.Equals(daneMode, "Mandatory", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        if (c.Summaries.Count == 0)
        {
            warn(ConnectorRules.SmtpDaneModeMandatoryWithoutDane,
                $"SmtpDaneMode Mandatory: nothing was measured for {c.DomainList}, so whether DANE/TLSA covers every MX host is not known; where it does not, Exchange Online queues the mail for 24 hours and then drops it.", "SmtpDaneMode", false);
            return;
        }
        foreach (MailTlsDomainSummary s in c.Summaries.Where(s => s.Verdict != MailTlsVerdict.NoMail))
        {
            if (s.DaneApplies is null)
            {
                warn(ConnectorRules.SmtpDaneModeMandatoryWithoutDane,
                    $"SmtpDaneMode Mandatory: the DANE/TLSA records of {s.Domain} were not read, so whether DANE covers every MX host is not known; where it does not, Exchange Online queues the mail for 24 hours and then drops it.", s.Domain, false);
                continue;
            }
            var without = (s.DeliveryHosts ?? MxHostDeliveryList.None).Where(h => h.DaneApplies != true).Select(h => h.MxHost).ToList();
            if (without.Count > 0)
            {
                warn(ConnectorRules.SmtpDaneModeMandatoryWithoutDane,
                    $"SmtpDaneMode Mandatory: DANE/TLSA does not cover {string.Join(", ", without)} of {s.Domain} (no DNSSEC-authenticated TLSA records), so Exchange Online queues mail for {(without.Count == s.DeliveryHosts!.Count ? "the domain" : "those hosts")} for 24 hours and then drops it.", s.Domain, null);
            }
        }
    }

    private static void ExpiryWarning(string who, int days, DateTime? notAfter, bool validates, Action<ConnectorRule, string, object?, bool?> warn)
    {
        string when = notAfter is { } na ? na.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "(date not known)";
        if (days < 0)
        {
            warn(ConnectorRules.CertificateExpired,
                $"{Capitalize(who)} expired on {when}" + (validates ? ": certificate validation fails until it is renewed." : "."), who, validates);
        }
        else if (CertificateExpiry.IsSoon(days))
        {
            warn(ConnectorRules.CertificateExpiresSoon,
                $"{Capitalize(who)} expires on {when}, in {days.ToString(CultureInfo.InvariantCulture)} days: after renewal, check that the new certificate carries the same names (and issuer, for TlsCertificateName).", who, null);
        }
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);
}
