using System;
using System.Collections;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using TlsTools.MailTls;

namespace TlsTools.Connectors;

/// <summary>What New-ForcedTlsConnectorSpec was asked for: one partner (one or more domains) and how to force TLS with it.</summary>
public sealed class ConnectorSpecRequest
{
    /// <summary>The partner's domains. On Exchange Online with ConnectorType OnPremises: your on-premises domains; on Exchange Server with OnPremises: your tenant's routing domain.</summary>
    public IList<string> PartnerDomains { get; set; } = new List<string>();

    public ConnectorDirection Direction { get; set; } = ConnectorDirection.Both;
    public ConnectorPlatform Platform { get; set; } = ConnectorPlatform.ExchangeOnline;
    public ConnectorType ConnectorType { get; set; } = ConnectorType.Partner;
    public TlsAuthLevel TlsSettings { get; set; } = TlsAuthLevel.DomainValidation;

    /// <summary>The name the partner's certificates must carry for outbound DomainValidation; measured when not given.</summary>
    public string? TlsDomain { get; set; }

    /// <summary>The certificate name Exchange Online expects from the partner's sending servers; measured when not given.</summary>
    public string? TlsSenderCertificateName { get; set; }

    public IList<string> SmartHosts { get; set; } = new List<string>();
    public IList<string> SenderIPAddresses { get; set; } = new List<string>();

    /// <summary>On-premises domain security (mutual TLS) with the partner.</summary>
    public bool DomainSecure { get; set; }

    /// <summary>The connector name; by default "Forced TLS to/from &lt;domain&gt;".</summary>
    public string? Name { get; set; }

    /// <summary>The certificate of your own on-premises Exchange servers (TlsCertificateName; the names Exchange Online expects from them).</summary>
    public X509Certificate2? TlsCertificate { get; set; }

    /// <summary>Exchange Server, OnPremises, inbound: the identity of the existing receive connector Exchange Online's mail arrives on.</summary>
    public string? ReceiveConnector { get; set; }

    /// <summary>Measurements of the partner domains (Test-MailTls -Summary).</summary>
    public IList<MailTlsDomainSummary> Evidence { get; set; } = new List<MailTlsDomainSummary>();

    /// <summary>How the evidence was obtained, as the Evidence lines name it.</summary>
    public string EvidenceSource { get; set; } = "Test-MailTls";

    /// <summary>More parameters for the target cmdlets, by parameter name; a $null value removes a parameter. Each goes to every call whose cmdlet has the parameter.</summary>
    public IDictionary? AdditionalParameters { get; set; }

    /// <summary>The time expiry is judged against (UTC).</summary>
    public DateTime Now { get; set; } = DateTime.UtcNow;
}

/// <summary>The specifications built, or the rules that stopped them.</summary>
public sealed class ConnectorSpecResult
{
    internal ConnectorSpecResult(IReadOnlyList<ConnectorSpec> specs, IReadOnlyList<ConnectorFinding> errors)
    {
        Specs = specs;
        Errors = errors;
    }

    /// <summary>The specifications; empty when there are errors.</summary>
    public IReadOnlyList<ConnectorSpec> Specs { get; }

    /// <summary>The rules of severity Error that were broken.</summary>
    public IReadOnlyList<ConnectorFinding> Errors { get; }

    public bool Succeeded => Errors.Count == 0;
}
