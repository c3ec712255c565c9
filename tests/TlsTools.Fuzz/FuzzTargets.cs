using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using TlsTools.Certificates;
using TlsTools.CipherSuites;
using TlsTools.Headers;
using TlsTools.Policy;
using TlsTools.Revocation;
using TlsTools.Smtp;
using TlsTools.Tests.Support;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Fuzz;

/// <summary>
/// One entry per parser that reads what a remote party sends. A target returns normally for every
/// input the parser is meant to handle, including the refusals it documents (a ProbeException for a
/// bad SMTP line, a FormatException for a bad TLSA text, the platform refusing to load a
/// certificate); any other exception escaping a target is a crash.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The targets by name; the names are the corpus folder names.</summary>
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new SortedDictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["smtp-reply"] = SmtpReplyLines,
        ["server-hello"] = ServerHello,
        ["certificate"] = Certificate,
        ["crl"] = Crl,
        ["ocsp"] = Ocsp,
        ["mta-sts-policy"] = MtaStsPolicy,
        ["txt-record"] = TxtRecord,
        ["received-header"] = ReceivedHeader,
    };

    private static readonly Encoding Latin1 = Encoding.GetEncoding(28591);

    /// <summary>Lines as a server sends them, fed to the reply parser; each reply's EHLO keywords are read.</summary>
    public static void SmtpReplyLines(byte[] data)
    {
        var parser = new SmtpReplyParser(maxLines: 20);
        foreach (string raw in Latin1.GetString(data).Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            try
            {
                if (parser.Add(line) is SmtpReply reply)
                {
                    EhloCapabilities caps = EhloCapabilities.Parse(reply);
                    _ = caps.Keywords.Count;
                    _ = reply.ToString();
                }
            }
            catch (ProbeException e) when (e.Kind == ProbeFailureKind.ProtocolViolation)
            {
                parser = new SmtpReplyParser(maxLines: 20);
            }
        }
    }

    /// <summary>The first bytes a server answers a crafted ClientHello with.</summary>
    public static void ServerHello(byte[] data)
    {
        ServerAnswer? answer = ServerHelloReader.Parse(data, data.Length);
        if (answer is not null)
        {
            _ = answer.Detail;
            _ = answer.Accepted;
        }
    }

    /// <summary>A certificate the platform loads: its summary never throws.</summary>
    public static void Certificate(byte[] data)
    {
        X509Certificate2 certificate;
        try
        {
#pragma warning disable SYSLIB0057 // the loader of the platform the module runs on
            certificate = new X509Certificate2(data);
#pragma warning restore SYSLIB0057
            // Mono decodes lazily: a certificate it cannot decode fails on first use, here.
            _ = certificate.RawData;
        }
        catch (CryptographicException)
        {
            return; // the platform refuses it before our code sees it
        }
        if (certificate.Handle == IntPtr.Zero)
        {
            certificate.Dispose();
            return; // a PKCS #7 without certificates loads as an empty object; no server sends one
        }
        using (certificate)
        {
            CertificateFacts facts = CertificateFacts.From(certificate);
            _ = facts.ToString();
            _ = RemoteCertificate.From(certificate, 0, DateTime.UtcNow);
        }
    }

    private static readonly Lazy<(TestPki Ca, BcCertificate Leaf, OcspQuery Query)> Pki = new(() =>
    {
        var ca = new TestPki();
        BcCertificate leaf = ca.IssueLeaf("fuzz.partner.example");
        return (ca, leaf, OcspEvaluator.BuildRequest(leaf, ca.Intermediate));
    });

    /// <summary>A CRL body as a distribution point serves it, judged for a leaf of the test CA.</summary>
    public static void Crl(byte[] data)
    {
        var (ca, leaf, _) = Pki.Value;
        CrlEvaluator.Evaluate(data, leaf, ca.Intermediate, null, DateTime.UtcNow, new RevocationEndpointResult());
        if (CrlEvaluator.TryRead(data, out _) is { } crl)
        {
            CrlEvaluator.Evaluate(crl, leaf, null, "not given.", DateTime.UtcNow, new RevocationEndpointResult());
        }
    }

    /// <summary>An OCSP response body, judged for the query of a leaf of the test CA.</summary>
    public static void Ocsp(byte[] data)
    {
        var (ca, _, query) = Pki.Value;
        OcspEvaluator.Evaluate(data, query, ca.Intermediate, null, DateTime.UtcNow, new RevocationEndpointResult());
        OcspEvaluator.Evaluate(data, query, null, "not given.", DateTime.UtcNow, new RevocationEndpointResult());
    }

    /// <summary>The text of an MTA-STS policy file.</summary>
    public static void MtaStsPolicy(byte[] data)
    {
        MtaStsPolicyDocument? policy = MtaStsPolicyDocument.Parse(Encoding.UTF8.GetString(data), out _);
        if (policy is not null)
        {
            foreach (string mx in policy.Mx)
            {
                policy.CoveringPattern(mx.Replace("*", "a"));
            }
        }
    }

    /// <summary>A TXT or TLSA record's text: the first byte picks the parser, the rest is the text.</summary>
    public static void TxtRecord(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }
        string text = Encoding.UTF8.GetString(data, 1, data.Length - 1);
        switch (data[0] % 3)
        {
            case 0:
                MtaStsRecord.Parse(text, out _);
                break;
            case 1:
                TlsRptRecord.Parse(text, out _);
                break;
            default:
                try
                {
                    TlsaRecordData tlsa = TlsaRecordData.Parse(text);
                    _ = tlsa.ToString();
                    _ = tlsa.UnusableReason;
                }
                catch (FormatException)
                {
                    // documented: the text is not "usage selector matching-type data"
                }
                catch (OverflowException)
                {
                    // documented by int.Parse: a field beyond Int32
                }
                break;
        }
    }

    /// <summary>A Received header as it appears in a delivered message.</summary>
    public static void ReceivedHeader(byte[] data)
    {
        MailTlsHop hop = ReceivedHeaderParser.Parse("Received: " + Encoding.UTF8.GetString(data));
        _ = hop.ToString();
    }
}
