using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Org.BouncyCastle.Ocsp;
using TlsTools.Revocation;
using TlsTools.Tests.Support;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Fuzz;

/// <summary>
/// Writes the seed corpus (tests/TlsTools.Fuzz/corpus): small valid and near-valid inputs per target,
/// taken from the xunit fixtures where they exist and made with the test CA for the binary ones.
/// Run again to refresh it: TlsTools.Fuzz seed CORPUS-DIR FIXTURES-DIR.
/// </summary>
internal static class Seeds
{
    public static int Write(string corpus, string fixtures)
    {
        var ca = new TestPki();
        BcCertificate leaf = ca.IssueLeaf("mx1.partner.example", "http://crl.partner.example/int.crl", "http://ocsp.partner.example", "http://ca.partner.example/int.cer");
        BcCertificate revoked = ca.IssueLeaf("revoked.partner.example");
        OcspQuery query = OcspEvaluator.BuildRequest(leaf, ca.Intermediate);
        var byIssuer = new RespID(TestPki.IntermediateName);

        var seeds = new Dictionary<string, Dictionary<string, byte[]>>
        {
            ["certificate"] = new()
            {
                ["leaf-ec.der"] = leaf.GetEncoded(),
                ["intermediate.der"] = ca.Intermediate.GetEncoded(),
                ["root.der"] = ca.Root.GetEncoded(),
                ["leaf-ec.pem"] = Encoding.ASCII.GetBytes(TlsTools.Certificates.Pem.Encode(TestBytes.LoadCertificate(leaf.GetEncoded()))),
            },
            ["crl"] = new()
            {
                ["one-entry.crl"] = ca.IntermediateCrl(revoked),
                ["empty.crl"] = ca.IntermediateCrl(),
                ["expired.crl"] = TestPki.Crl(TestPki.IntermediateName, ca.IntermediateKey.Private, DateTime.UtcNow.AddDays(-60), DateTime.UtcNow.AddDays(-30)),
            },
            ["ocsp"] = new()
            {
                ["good.ocsp"] = TestPki.OcspResponse(query.Id, CertificateStatus.Good, byIssuer, ca.IntermediateKey.Private),
                ["revoked.ocsp"] = TestPki.OcspResponse(query.Id, new RevokedStatus(DateTime.UtcNow.AddDays(-1), 1), byIssuer, ca.IntermediateKey.Private, new[] { ca.Intermediate }),
                ["unknown.ocsp"] = TestPki.OcspResponse(query.Id, new UnknownStatus(), new RespID(ca.IntermediateKey.Public), ca.IntermediateKey.Private),
                ["try-later.ocsp"] = TestPki.OcspError(3),
            },
            ["smtp-reply"] = Text(
                ("greeting.txt", "220 mx1.partner.example ESMTP Postfix\r\n"),
                ("ehlo.txt", "250-mx1.partner.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8\r\n"),
                ("refused.txt", "554 5.7.1 Service unavailable; client host blocked\r\n"),
                ("starttls.txt", "220 2.0.0 Ready to start TLS\r\n"),
                ("exchange-ehlo.txt", "250-EX01.fabrikam.local Hello [192.0.2.1]\r\n250-SIZE 37748736\r\n250-X-ANONYMOUSTLS\r\n250-AUTH NTLM\r\n250-X-EXPS GSSAPI NTLM\r\n250 XRDST\r\n")),
            ["mta-sts-policy"] = Directory.GetFiles(Path.Combine(fixtures, "Policy"), "*.txt")
                .ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes),
            ["txt-record"] = new()
            {
                ["mta-sts.txt"] = Tagged(0, "v=STSv1; id=20241203T101500;"),
                ["mta-sts-extra.txt"] = Tagged(0, "v=STSv1; id=abc123; ext=1"),
                ["tls-rpt.txt"] = Tagged(1, "v=TLSRPTv1; rua=mailto:tlsrpt@partner.example,https://report.partner.example/v1"),
                ["tlsa-spki.txt"] = Tagged(2, "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6"),
                ["tlsa-full.txt"] = Tagged(2, "2 0 2 " + new string('A', 128)),
            },
            ["received-header"] = ReceivedHeaders(Path.Combine(fixtures, "Headers")),
        };
        foreach (string hex in Directory.GetFiles(Path.Combine(fixtures, "CipherSuites"), "serverhello-*.hex").Concat(Directory.GetFiles(Path.Combine(fixtures, "CipherSuites"), "alert-*.hex")))
        {
            seeds.TryAdd("server-hello", new Dictionary<string, byte[]>());
            seeds["server-hello"][Path.GetFileNameWithoutExtension(hex) + ".bin"] = TestBytes.FromHex(File.ReadAllText(hex).Trim());
        }
        foreach (var (target, files) in seeds)
        {
            string dir = Path.Combine(corpus, target);
            Directory.CreateDirectory(dir);
            foreach (var (name, bytes) in files)
            {
                File.WriteAllBytes(Path.Combine(dir, name), bytes);
            }
            Console.WriteLine($"{target}: {files.Count} seed(s)");
        }
        return 0;
    }

    private static Dictionary<string, byte[]> Text(params (string Name, string Content)[] items) =>
        items.ToDictionary(i => i.Name, i => Encoding.UTF8.GetBytes(i.Content));

    private static byte[] Tagged(byte parser, string text) => new[] { parser }.Concat(Encoding.UTF8.GetBytes(text)).ToArray();

    /// <summary>Each Received header (unfolded to one field, without its name) of the message fixtures.</summary>
    private static Dictionary<string, byte[]> ReceivedHeaders(string dir)
    {
        var result = new Dictionary<string, byte[]>();
        foreach (string file in Directory.GetFiles(dir, "*.eml").OrderBy(f => f, StringComparer.Ordinal))
        {
            string text = File.ReadAllText(file);
            int i = 0;
            foreach (Match m in Regex.Matches(text, @"^Received:(?<v>.*(?:\r?\n[ \t].*)*)", RegexOptions.Multiline))
            {
                result[$"{Path.GetFileNameWithoutExtension(file)}-{++i}.txt"] = Encoding.UTF8.GetBytes(m.Groups["v"].Value.TrimStart());
            }
        }
        return result;
    }
}
