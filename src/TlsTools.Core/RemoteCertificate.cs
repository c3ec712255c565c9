using System;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Certificates;

namespace TlsTools;

/// <summary>
/// One certificate of the chain a server presented, as <c>Get-RemoteCertificate</c> emits it: one
/// object per chain element, leaf first (ChainIndex 0).
/// </summary>
public sealed class RemoteCertificate
{
    /// <summary>The host as it was asked for.</summary>
    public string ComputerName { get; set; } = string.Empty;

    /// <summary>The address actually connected to.</summary>
    public string IPAddress { get; set; } = string.Empty;

    public int Port { get; set; }

    /// <summary>The SNI name sent, if any.</summary>
    public string? ServerName { get; set; }

    /// <summary>0 for the leaf, then each issuer in turn, in the order the server sent them.</summary>
    public int ChainIndex { get; set; }

    public string Subject { get; set; } = string.Empty;
    public string Issuer { get; set; } = string.Empty;
    public string? CommonName { get; set; }
    public StringList DnsNames { get; set; } = StringList.None;
    public string Thumbprint { get; set; } = string.Empty;
    public string SerialNumber { get; set; } = string.Empty;
    public DateTime NotBefore { get; set; }
    public DateTime NotAfter { get; set; }

    /// <summary>Whole days until NotAfter; negative once expired.</summary>
    public int DaysUntilExpiry { get; set; }

    public string PublicKeyAlgorithm { get; set; } = string.Empty;
    public int KeySize { get; set; }
    public string SignatureAlgorithm { get; set; } = string.Empty;
    public bool IsSelfSigned { get; set; }
    public StringList CrlDistributionPoints { get; set; } = StringList.None;
    public StringList OcspUris { get; set; } = StringList.None;
    public StringList CaIssuersUris { get; set; } = StringList.None;

    /// <summary>The <c>&lt;I&gt;issuer&lt;S&gt;subject</c> string on-premises Exchange's TlsCertificateName takes.</summary>
    public string ExchangeCertificateName { get; set; } = string.Empty;

    /// <summary>The negotiated protocol of the connection that presented the chain.</summary>
    public string? TlsProtocol { get; set; }

    /// <summary>
    /// The parts of the certificate that could not be read ("subjectAltName: not valid DER (...)"),
    /// empty when everything was read: what a part would have said is then left empty, not guessed.
    /// </summary>
    public StringList Unreadable { get; set; } = StringList.None;

    /// <summary>The certificate itself, for X509 tooling.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Builds the object for one chain element.</summary>
    public static RemoteCertificate From(X509Certificate2 certificate, int chainIndex, DateTime now)
    {
        CertificateFacts f = CertificateFacts.From(certificate);
        return new RemoteCertificate
        {
            ChainIndex = chainIndex,
            Subject = f.Subject,
            Issuer = f.Issuer,
            CommonName = f.CommonName,
            DnsNames = new StringList(f.DnsNames),
            Thumbprint = f.Thumbprint,
            SerialNumber = f.SerialNumber,
            NotBefore = f.NotBefore,
            NotAfter = f.NotAfter,
            DaysUntilExpiry = f.DaysUntilExpiry(now),
            PublicKeyAlgorithm = f.PublicKeyAlgorithm,
            KeySize = f.KeySize,
            SignatureAlgorithm = f.SignatureAlgorithm,
            IsSelfSigned = f.IsSelfSigned,
            CrlDistributionPoints = new StringList(f.CrlDistributionPoints),
            OcspUris = new StringList(f.OcspUris),
            CaIssuersUris = new StringList(f.CaIssuersUris),
            ExchangeCertificateName = f.ExchangeCertificateName,
            Unreadable = new StringList(f.Unreadable),
            Certificate = certificate,
        };
    }
}
