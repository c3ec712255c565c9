using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using TlsTools.CipherSuites;
using TlsTools.Headers;
using Xunit;

namespace TlsTools.Tests;

/// <summary>
/// Get-MailTlsPath's core on fixtures: every MTA's TLS wording (real Postfix headers from the bed,
/// Exchange, Exchange Online, Gmail, sendmail and Exim built from their documented formats), header
/// text copied from Outlook, odd syntax, hostile input, cipher name mapping and the path summary.
/// </summary>
public class MailTlsPathTests
{
    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Headers", name);

    private static List<MailTlsHop> Hops(string fixture, params string[] own)
    {
        MessageHeaders message = MailHeaderReader.ReadFile(FixturePath(fixture));
        return MailTlsPath.Build(message, own);
    }

    private static MailTlsHop One(string header) =>
        MailTlsPath.Build(MailHeaderReader.ReadText(header + "\r\n")).Single();

    [Fact]
    public void PostfixTls13WithClientCertificateFromTheBed()
    {
        List<MailTlsHop> hops = Hops("postfix-bed-path-tls.eml");
        Assert.Equal(2, hops.Count);
        MailTlsHop first = hops[0];
        Assert.Equal(1, first.Index);
        Assert.Equal("client.partner.test", first.From);
        Assert.Null(first.FromHostName);
        Assert.Equal("127.0.0.1", first.FromAddress);
        Assert.Equal("relay.path.bed.test", first.By);
        Assert.Equal("ESMTPS", first.Protocol);
        Assert.Equal(HopTls.True, first.Tls);
        Assert.Equal(TlsProtocolVersion.Tls13, first.TlsVersion);
        Assert.Equal("TLS_AES_256_GCM_SHA384", first.CipherSuite);
        Assert.Equal(256, first.Bits);
        Assert.Equal("Postfix", first.Software);
        Assert.False(first.ClientCertificate!.Requested);
        Assert.True(first.CrossesOrganization);

        MailTlsHop second = hops[1];
        Assert.Equal("relay.path.bed.test", second.From);
        Assert.Equal("sink.path.bed.test", second.By);
        Assert.Equal("bob@tls.path.bed.test", second.For);
        Assert.True(second.ClientCertificate!.Presented);
        Assert.Equal("good.mx.bed.test", second.ClientCertificate.Subject);
        Assert.Equal("TlsTools Test Bed Intermediate CA", second.ClientCertificate.Issuer);
        Assert.False(second.ClientCertificate.Verified);
        Assert.False(second.CrossesOrganization);
        Assert.NotNull(second.Delay);
        Assert.True(second.Delay >= TimeSpan.Zero);
        Assert.Empty(second.Notes);
        Assert.StartsWith("Received: from relay.path.bed.test", second.RawHeader, StringComparison.Ordinal);
    }

    [Fact]
    public void PostfixTls12OpenSslNameIsMappedToIana()
    {
        MailTlsHop hop = Hops("postfix-bed-path-tls12.eml")[1];
        Assert.Equal(TlsProtocolVersion.Tls12, hop.TlsVersion);
        Assert.Equal("ECDHE-RSA-AES128-GCM-SHA256", hop.RecordedCipher);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", hop.CipherSuite);
        Assert.Equal(128, hop.Bits);
        Assert.True(hop.ClientCertificate!.Requested);
        Assert.False(hop.ClientCertificate.Presented);
    }

    [Fact]
    public void PostfixInClearAndBareKeyword()
    {
        List<MailTlsHop> plain = Hops("postfix-bed-path-plain.eml");
        Assert.Equal(HopTls.True, plain[0].Tls);
        Assert.Equal(HopTls.False, plain[1].Tls);
        Assert.Equal("ESMTP", plain[1].Protocol);
        Assert.Null(plain[1].TlsVersion);
        Assert.Null(plain[1].ClientCertificate);

        MailTlsHop bare = Hops("postfix-bed-path-bare.eml")[1];
        Assert.Equal("ESMTPS", bare.Protocol);
        Assert.Equal(HopTls.True, bare.Tls);
        Assert.Null(bare.TlsVersion);
        Assert.Null(bare.CipherSuite);

        Assert.All(Hops("postfix-bed-path-clear.eml"), h => Assert.Equal(HopTls.False, h.Tls));
    }

    [Fact]
    public void ExchangeOnlineAndExchangeServer()
    {
        List<MailTlsHop> hops = Hops("exchange-online.eml");
        Assert.Equal(5, hops.Count);
        Assert.Equal("mapi", hops[0].Protocol);
        Assert.Equal(HopTls.Unknown, hops[0].Tls);
        Assert.Equal("Exchange", hops[0].Software);

        Assert.Equal("Microsoft SMTP Server", hops[1].Protocol);
        Assert.Equal(HopTls.True, hops[1].Tls);
        Assert.Equal(TlsProtocolVersion.Tls12, hops[1].TlsVersion);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", hops[1].CipherSuite);
        Assert.Equal("10.1.2.3", hops[1].FromAddress);
        Assert.Equal("15.2.1544.14", hops[1].Id);

        MailTlsHop entry = hops[2];
        Assert.Equal("mail.fabrikam.com", entry.From);
        Assert.Equal("203.0.113.25", entry.FromAddress);
        Assert.Equal("AM0PR10CA0011.outlook.office365.com", entry.By);
        Assert.Equal(TlsProtocolVersion.Tls13, entry.TlsVersion);
        Assert.Equal("TLS_AES_256_GCM_SHA384", entry.CipherSuite);
        Assert.Equal("Exchange Online", entry.Software);
        Assert.True(entry.CrossesOrganization);

        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", hops[3].CipherSuite);
        Assert.False(hops[3].CrossesOrganization);
        Assert.Equal("HTTPS", hops[4].Protocol);
        Assert.Equal(HopTls.True, hops[4].Tls);
        Assert.Equal(TimeSpan.FromSeconds(1), hops[4].Delay);
    }

    [Fact]
    public void Exchange2010RecordsTlsWithoutDetailsAndNothingWithout()
    {
        List<MailTlsHop> hops = Hops("exchange-2010.eml");
        Assert.Equal(HopTls.Unknown, hops[0].Tls);
        Assert.Equal(HopTls.True, hops[1].Tls);
        Assert.Null(hops[1].TlsVersion);
    }

    [Fact]
    public void Gmail()
    {
        List<MailTlsHop> hops = Hops("gmail.eml");
        Assert.Equal(4, hops.Count);
        Assert.Null(hops[0].From);
        Assert.Equal("mail-wm1-f54.google.com", hops[0].By);
        Assert.Equal(HopTls.False, hops[0].Tls);
        Assert.False(hops[0].CrossesOrganization);

        Assert.Equal("SMTPS", hops[1].Protocol);
        Assert.Equal(HopTls.True, hops[1].Tls);
        Assert.Contains(hops[1].Notes, n => n.Contains("Google Transport Security"));

        MailTlsHop mx = hops[2];
        Assert.Equal("mail.partner.example", mx.FromHostName);
        Assert.Equal("203.0.113.5", mx.FromAddress);
        Assert.Equal(TlsProtocolVersion.Tls13, mx.TlsVersion);
        Assert.Equal("TLS_AES_256_GCM_SHA384", mx.CipherSuite);
        Assert.Equal(256, mx.Bits);
        Assert.Equal("Gmail", mx.Software);
        Assert.Equal("dave@gmail.com", mx.For);
        Assert.Equal(new DateTimeOffset(2024, 12, 3, 1, 20, 4, TimeSpan.FromHours(-8)), mx.Timestamp);
    }

    [Fact]
    public void Sendmail()
    {
        List<MailTlsHop> hops = Hops("sendmail.eml");
        Assert.All(hops, h => Assert.Equal("sendmail", h.Software));
        Assert.All(hops, h => Assert.Equal(HopTls.True, h.Tls));

        Assert.Null(hops[0].TlsVersion);
        Assert.Equal("TLS_RSA_WITH_3DES_EDE_CBC_SHA", hops[0].CipherSuite);
        Assert.True(hops[0].ClientCertificate!.Presented);
        Assert.False(hops[0].ClientCertificate!.Verified);
        Assert.Contains(hops[0].Notes, n => n.Contains("TLSv1/SSLv3"));
        Assert.Contains(hops[0].Notes, n => n.Contains("ESMTP says no TLS"));

        Assert.Equal("TLS_DHE_RSA_WITH_AES_256_CBC_SHA", hops[1].CipherSuite);
        Assert.False(hops[1].ClientCertificate!.Presented);

        Assert.Equal(TlsProtocolVersion.Tls12, hops[2].TlsVersion);
        Assert.True(hops[2].ClientCertificate!.Verified);

        Assert.Equal(TlsProtocolVersion.Tls13, hops[3].TlsVersion);
        Assert.False(hops[3].ClientCertificate!.Requested);
        Assert.Equal(256, hops[3].Bits);
    }

    [Fact]
    public void Exim()
    {
        List<MailTlsHop> hops = Hops("exim.eml");
        Assert.Equal(5, hops.Count);
        Assert.All(hops, h => Assert.Equal("Exim", h.Software));

        Assert.Equal("gnutls13.partner.example", hops[0].From);
        Assert.Equal("203.0.113.50", hops[0].FromAddress);
        Assert.Equal(TlsProtocolVersion.Tls13, hops[0].TlsVersion);
        Assert.Equal("TLS_AES_256_GCM_SHA384", hops[0].CipherSuite);

        Assert.Equal("local", hops[1].Protocol);
        Assert.Equal(HopTls.Unknown, hops[1].Tls);
        Assert.False(hops[1].CrossesOrganization);

        Assert.Equal("ESMTPSA", hops[2].Protocol);
        Assert.Equal("host.partner.example", hops[2].FromHostName);
        Assert.Equal("198.51.100.7", hops[2].FromAddress);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", hops[2].CipherSuite);

        Assert.Equal("ECDHE_RSA_AES_256_GCM_SHA384", hops[3].RecordedCipher);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", hops[3].CipherSuite);
        Assert.Equal("relay.partner.example", hops[3].From);

        MailTlsHop last = hops[4];
        Assert.Equal("smtp.partner.example", last.From);
        Assert.Equal("mail.partner.example", last.FromHostName);
        Assert.Equal("198.51.100.9", last.FromAddress);
        Assert.Equal("mx.example.org", last.By);
        Assert.Equal("ESMTPS", last.Protocol);
        Assert.Equal(TlsProtocolVersion.Tls13, last.TlsVersion);
        Assert.Equal("TLS_AES_256_GCM_SHA384", last.CipherSuite);
        Assert.Equal("1tI5Qx-000ABC-2k", last.Id);
        Assert.Equal("bob@example.org", last.For);
    }

    [Fact]
    public void HeadersCopiedFromOutlook()
    {
        List<MailTlsHop> hops = Hops("outlook-copied.txt");
        Assert.Equal(2, hops.Count);
        Assert.Equal(HopTls.False, hops[0].Tls);
        Assert.Equal(HopTls.True, hops[1].Tls);
        Assert.Equal("mail.contoso.com", hops[1].By);

        string text = File.ReadAllText(FixturePath("outlook-copied.txt"));
        Assert.Equal(2, MailTlsPath.Build(MailHeaderReader.ReadText(text)).Count);
    }

    [Fact]
    public void OdditiesGiveHopsWithNotesNeverExceptions()
    {
        List<MailTlsHop> hops = Hops("oddities.eml");
        Assert.Equal(8, hops.Count);
        MailTlsHop newest = hops[7];
        Assert.Equal("rdns.example", newest.FromHostName);
        Assert.Equal("TLS_AES_128_GCM_SHA256", newest.CipherSuite);
        Assert.Equal(new DateTimeOffset(2024, 12, 3, 10, 0, 5, TimeSpan.Zero), newest.Timestamp);

        Assert.Equal("spaced.example", hops[6].From);
        Assert.Equal("ESMTP", hops[6].Protocol);
        Assert.Contains(hops[6].Notes, n => n.Contains("no date"));

        Assert.Equal("nested.example", hops[5].From);
        Assert.Equal("LMTP", hops[5].Protocol);
        Assert.Equal(HopTls.False, hops[5].Tls);

        Assert.Equal(HopTls.Unknown, hops[4].Tls);
        Assert.Contains(hops[4].Notes, n => n.Contains("unbalanced"));

        Assert.Equal("müller.example", hops[3].From);
        Assert.Equal("UTF8SMTPS", hops[3].Protocol);
        Assert.Equal(HopTls.True, hops[3].Tls);

        Assert.Equal("café.example", hops[2].FromHostName);
        Assert.Contains(hops[2].Notes, n => n.Contains("Latin-1"));

        Assert.Equal(HopTls.Unknown, hops[1].Tls);
        Assert.Contains(hops[1].Notes, n => n.Contains("Not a Received header"));

        Assert.Null(hops[0].Timestamp);
        Assert.Contains(hops[0].Notes, n => n.Contains("not readable"));
        Assert.Null(hops[1].Delay);
    }

    [Theory]
    [InlineData("Received: from a.example by b.example with ESMTPSA id 1; Tue, 3 Dec 2024 10:00:00 +0000", HopTls.True)]
    [InlineData("Received: from a.example by b.example with esmtpa id 1; Tue, 3 Dec 2024 10:00:00 +0000", HopTls.False)]
    [InlineData("Received: from a.example by b.example with LMTPS id 1; Tue, 3 Dec 2024 10:00:00 +0000", HopTls.True)]
    [InlineData("Received: from a.example by b.example with SMTP id 1; Tue, 3 Dec 2024 10:00:00 +0000", HopTls.False)]
    [InlineData("Received: from a.example by b.example with HTTP; Tue, 3 Dec 2024 10:00:00 +0000", HopTls.False)]
    [InlineData("Received: from a.example by b.example id 1; Tue, 3 Dec 2024 10:00:00 +0000", HopTls.Unknown)]
    [InlineData("Received: from a.example by b.example with QMQP; Tue, 3 Dec 2024 10:00:00 +0000", HopTls.Unknown)]
    public void ProtocolKeywordsAloneFollowRfc3848(string header, HopTls expected)
    {
        Assert.Equal(expected, One(header).Tls);
    }

    [Theory]
    [InlineData("TLSv1.3", TlsProtocolVersion.Tls13)]
    [InlineData("TLS1_2", TlsProtocolVersion.Tls12)]
    [InlineData("TLS1.1", TlsProtocolVersion.Tls11)]
    [InlineData("TLSv1", TlsProtocolVersion.Tls10)]
    [InlineData("TLS1_0", TlsProtocolVersion.Tls10)]
    [InlineData("SSLv3", TlsProtocolVersion.Ssl3)]
    [InlineData("TLS 1.2", TlsProtocolVersion.Tls12)]
    public void VersionsInEveryMtaSpelling(string text, TlsProtocolVersion expected)
    {
        Assert.Equal(expected, ReceivedHeaderParser.ParseVersion(text));
    }

    [Theory]
    [InlineData("TLSv1/SSLv3")]
    [InlineData("TLS2.0")]
    [InlineData("banana")]
    public void UnknownVersionsAreNull(string text)
    {
        Assert.Null(ReceivedHeaderParser.ParseVersion(text));
    }

    [Theory]
    [InlineData("ECDHE-RSA-AES256-GCM-SHA384", false, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")]
    [InlineData("ECDHE-ECDSA-CHACHA20-POLY1305", false, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")]
    [InlineData("AES128-SHA", false, "TLS_RSA_WITH_AES_128_CBC_SHA")]
    [InlineData("DHE-RSA-AES256-SHA", false, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA")]
    [InlineData("DES-CBC3-SHA", false, "TLS_RSA_WITH_3DES_EDE_CBC_SHA")]
    [InlineData("RC4-SHA", false, "TLS_RSA_WITH_RC4_128_SHA")]
    [InlineData("TLS_AES_128_GCM_SHA256", true, "TLS_AES_128_GCM_SHA256")]
    [InlineData("tls_ecdhe_rsa_with_aes_128_gcm_sha256", false, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")]
    [InlineData("ECDHE_RSA_AES_128_GCM_SHA256", false, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")]
    [InlineData("RSA_AES_128_CBC_SHA1", false, "TLS_RSA_WITH_AES_128_CBC_SHA")]
    [InlineData("ECDHE_ECDSA_CHACHA20_POLY1305", false, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")]
    [InlineData("RSA_ARCFOUR_128_SHA1", false, "TLS_RSA_WITH_RC4_128_SHA")]
    [InlineData("ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__CHACHA20_POLY1305", true, "TLS_CHACHA20_POLY1305_SHA256")]
    [InlineData("AES_128_GCM", true, "TLS_AES_128_GCM_SHA256")]
    [InlineData("SSL_RSA_WITH_3DES_EDE_CBC_SHA", false, "TLS_RSA_WITH_3DES_EDE_CBC_SHA")]
    public void CipherNamesMapToIana(string written, bool tls13, string iana)
    {
        Assert.Equal(iana, CipherSuiteNames.ToIana(written, tls13));
    }

    [Theory]
    [InlineData("")]
    [InlineData("NOT-A-CIPHER")]
    [InlineData("ECDHE_RSA_BANANA_256")]
    public void UnknownCipherNamesAreNull(string written)
    {
        Assert.Null(CipherSuiteNames.ToIana(written));
    }

    [Fact]
    public void EveryOpenSslNameMapsToARegisteredSuite()
    {
        foreach (var (name, code) in CipherSuiteNames.OpenSsl)
        {
            Assert.True(CipherSuiteInfo.Find(code) is not null, $"{name} 0x{code:X4} is not in the IANA registry table");
        }
    }

    [Fact]
    public void SummaryOfTheBedsMessages()
    {
        MailTlsPathSummary tls = Summary("postfix-bed-path-tls.eml");
        Assert.Equal(2, tls.HopCount);
        Assert.Equal(2, tls.TlsHops);
        Assert.Equal(0, tls.ClearHops);
        Assert.Null(tls.FirstHopWithoutTls);
        Assert.Equal(1, tls.BoundaryHops);
        Assert.True(tls.BoundaryTls12OrLater);
        Assert.Equal(TlsProtocolVersion.Tls13, tls.LowestBoundaryTlsVersion);
        Assert.Equal("path-tls", tls.Subject);
        Assert.NotNull(tls.MessageId);
        Assert.DoesNotContain("<", tls.MessageId, StringComparison.Ordinal);

        MailTlsPathSummary clear = Summary("postfix-bed-path-clear.eml");
        Assert.Equal(2, clear.ClearHops);
        Assert.Equal(1, clear.FirstHopWithoutTls!.Index);
        Assert.False(clear.BoundaryTls12OrLater);

        // The clear hop is inside one organisation (bed.test): the boundary hop used TLS 1.3.
        MailTlsPathSummary plain = Summary("postfix-bed-path-plain.eml");
        Assert.Equal(2, plain.FirstHopWithoutTls!.Index);
        Assert.True(plain.BoundaryTls12OrLater);
    }

    [Fact]
    public void SummaryIsUnknownWhenABoundaryHopDoesNotSayAndFalseForOldVersions()
    {
        // Exchange 2010's "(TLS)": TLS without a version.
        MailTlsPathSummary e2010 = Summary("exchange-2010.eml");
        Assert.Null(e2010.BoundaryTls12OrLater);
        Assert.Contains(e2010.Notes, n => n.Contains("does not record the version"));

        // sendmail's TLSv1/SSLv3 hops are inside partner.example; the boundary hop used TLS 1.3.
        Assert.True(Summary("sendmail.eml").BoundaryTls12OrLater);

        MessageHeaders old = MailHeaderReader.ReadText(
            "Received: from mx.partner.example (mx.partner.example [192.0.2.1]) (using TLSv1 with cipher AES256-SHA (256/256 bits)) by mx.contoso.com (Postfix) with ESMTPS id A; Tue, 3 Dec 2024 10:00:00 +0000\r\n");
        MailTlsPathSummary s = MailTlsPath.Summarize(old, MailTlsPath.Build(old));
        Assert.False(s.BoundaryTls12OrLater);
        Assert.Equal(TlsProtocolVersion.Tls10, s.LowestBoundaryTlsVersion);
    }

    [Fact]
    public void OrganizationDomainJoinsDomains()
    {
        MessageHeaders message = MailHeaderReader.ReadFile(FixturePath("exchange-online.eml"));
        List<MailTlsHop> plain = MailTlsPath.Build(message);
        Assert.True(plain[1].CrossesOrganization);   // fabrikam.local -> fabrikam.com
        List<MailTlsHop> joined = MailTlsPath.Build(message, new[] { "fabrikam.local", "fabrikam.com" });
        Assert.False(joined[1].CrossesOrganization);
        Assert.True(joined[2].CrossesOrganization);   // fabrikam.com -> outlook.com
    }

    [Theory]
    [InlineData("mx.contoso.com", "contoso.com")]
    [InlineData("a.b.contoso.co.uk", "contoso.co.uk")]
    [InlineData("mail.example.com.au", "example.com.au")]
    [InlineData("AM0PR10CA0011.EURPRD10.PROD.OUTLOOK.COM.", "outlook.com")]
    [InlineData("192.0.2.1", null)]
    [InlineData("[192.0.2.1]", null)]
    [InlineData("localhost", null)]
    [InlineData("single", null)]
    public void OrganisationOfAHost(string host, string? expected)
    {
        Assert.Equal(expected, MailTlsPath.OrganizationOf(host, Array.Empty<string>()));
    }

    [Fact]
    public void TenThousandReceivedHeadersEndBoundedWithNotes()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 10_000; i++)
        {
            sb.Append("Received: from h").Append(i).Append(".example by mx.example.com with ESMTP id ").Append(i).Append("; Tue, 3 Dec 2024 10:00:00 +0000\r\n");
        }
        sb.Append("Subject: many\r\n\r\nbody\r\n");
        var watch = Stopwatch.StartNew();
        MessageHeaders message = MailHeaderReader.ReadText(sb.ToString());
        List<MailTlsHop> hops = MailTlsPath.Build(message);
        MailTlsPathSummary summary = MailTlsPath.Summarize(message, hops);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.Equal(MailTlsPath.MaxHops, hops.Count);
        Assert.Equal(9000, message.ReceivedSkipped);
        Assert.Contains(hops[0].Notes, n => n.Contains("9000 older Received headers"));
        Assert.Contains(summary.Notes, n => n.Contains("10000 Received headers"));
        Assert.Equal("h999.example", hops[0].From);   // the newest are kept
        Assert.Equal("h0.example", hops[^1].From);
    }

    [Fact]
    public void OneMegabyteHeaderIsAnUnknownHopWithANote()
    {
        string big = "Received: from x.example (" + new string('a', 1024 * 1024) + ") by mx.example.com with ESMTPS; Tue, 3 Dec 2024 10:00:00 +0000\r\nSubject: big\r\n\r\n";
        var watch = Stopwatch.StartNew();
        MailTlsHop hop = MailTlsPath.Build(MailHeaderReader.ReadText(big)).Single();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.Equal(HopTls.Unknown, hop.Tls);
        Assert.Contains(hop.Notes, n => n.Contains("characters long"));
        Assert.True(hop.RawHeader.Length <= ReceivedHeaderParser.MaxHeaderChars);
    }

    [Fact]
    public void BrokenEncodingsAndBinaryGarbageNeverThrow()
    {
        byte[] garbage = new byte[64 * 1024];
        new Random(14).NextBytes(garbage);
        string path = Path.Combine(Path.GetTempPath(), $"tlstools-garbage-{Guid.NewGuid():N}.eml");
        try
        {
            File.WriteAllBytes(path, garbage);
            MessageHeaders message = MailHeaderReader.ReadFile(path);
            foreach (MailTlsHop h in MailTlsPath.Build(message))
            {
                Assert.NotNull(h.RawHeader);
            }

            var bytes = new List<byte>();
            bytes.AddRange(Encoding.ASCII.GetBytes("Received: from "));
            bytes.AddRange(new byte[] { 0xFF, 0xFE, 0xC3, 0x41, 0x80, 0x00, 0x1B });
            bytes.AddRange(Encoding.ASCII.GetBytes(" (=?utf-8?B?broken?= [192.0.2.1]) by mx.example.com with ESMTPS; =?x?Q?bad?=\r\n\r\n"));
            File.WriteAllBytes(path, bytes.ToArray());
            MailTlsHop hop = MailTlsPath.Build(MailHeaderReader.ReadFile(path)).Single();
            Assert.Equal(HopTls.True, hop.Tls);
            Assert.Contains(hop.Notes, n => n.Contains("Latin-1"));
            Assert.Contains(hop.Notes, n => n.Contains("not readable"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void HeaderSectionAboveTheCapIsCutWithANote()
    {
        string line = "X-Filler: " + new string('x', 998) + "\r\n";
        var sb = new StringBuilder("Received: from a.example by b.example with ESMTPS id 1; Tue, 3 Dec 2024 10:00:00 +0000\r\n");
        while (sb.Length < MailHeaderReader.MaxHeaderBytes + 1024)
        {
            sb.Append(line);
        }
        MessageHeaders message = MailHeaderReader.ReadText(sb.ToString());
        Assert.Single(message.Received);
        Assert.Contains(message.Notes, n => n.Contains("only its first"));
    }

    [Fact]
    public void MessageWithoutReceivedHeaders()
    {
        MessageHeaders message = MailHeaderReader.ReadText("From: a@example.com\r\nSubject: none\r\n\r\nbody\r\n");
        List<MailTlsHop> hops = MailTlsPath.Build(message);
        Assert.Empty(hops);
        MailTlsPathSummary summary = MailTlsPath.Summarize(message, hops);
        Assert.Equal(0, summary.HopCount);
        Assert.Null(summary.BoundaryTls12OrLater);
        Assert.Contains(summary.Notes, n => n.Contains("no Received header"));
    }

    [Fact]
    public void MboxFromLineAndBareLfAreRead()
    {
        string text = "From alice@example.com Tue Dec  3 10:00:00 2024\nReceived: from a.example (a.example [192.0.2.1]) by b.example with ESMTPS id 1; Tue, 3 Dec 2024 10:00:00 +0000\nSubject: mbox\n\nbody\n";
        MessageHeaders message = MailHeaderReader.ReadText(text);
        Assert.Equal("mbox", message.Subject);
        Assert.Equal(HopTls.True, MailTlsPath.Build(message).Single().Tls);
    }

    [Fact]
    public void MimeMessageObjectsAreReadThroughReflection()
    {
        MimeKit.MimeMessage message = MimeKit.MimeMessage.Load(FixturePath("postfix-bed-path-tls12.eml"));
        Assert.True(MailHeaderReader.IsMimeMessage(message));
        MessageHeaders headers = MailHeaderReader.ReadMessageObject(message);
        List<MailTlsHop> hops = MailTlsPath.Build(headers);
        Assert.Equal(2, hops.Count);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", hops[1].CipherSuite);
        Assert.Equal("path-tls12", headers.Subject);
        Assert.False(MailHeaderReader.IsMimeMessage("not a message"));
    }

    [Fact]
    public void OutlookMsgTransportHeaders()
    {
        MessageHeaders message = MailHeaderReader.ReadFile(FixturePath("outlook.msg"));
        Assert.Equal("saved from Outlook", message.Subject);
        Assert.Equal("msg-fixture@fabrikam.com", message.MessageId);
        List<MailTlsHop> hops = MailTlsPath.Build(message);
        Assert.Equal(2, hops.Count);
        Assert.Equal(HopTls.False, hops[0].Tls);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", hops[1].CipherSuite);
        Assert.Equal(hops[0].Source, FixturePath("outlook.msg"));
    }

    [Fact]
    public void DamagedOutlookMsgIsANoteNotAnException()
    {
        byte[] msg = File.ReadAllBytes(FixturePath("outlook.msg"));
        string path = Path.Combine(Path.GetTempPath(), $"tlstools-damaged-{Guid.NewGuid():N}.msg");
        try
        {
            // Directory sector pointing past the end of the file; then a FAT chain that loops.
            byte[] broken = (byte[])msg.Clone();
            BitConverter.GetBytes(9999u).CopyTo(broken, 0x30);
            File.WriteAllBytes(path, broken);
            MessageHeaders a = MailHeaderReader.ReadFile(path);
            Assert.Empty(a.Received);
            Assert.Contains(a.Notes, n => n.Contains("damaged"));

            broken = (byte[])msg.Clone();
            BitConverter.GetBytes(3u).CopyTo(broken, 512 + 3 * 4);   // FAT[3] -> 3: the mini stream's chain loops
            File.WriteAllBytes(path, broken);
            MessageHeaders b = MailHeaderReader.ReadFile(path);
            Assert.Empty(b.Received);
            Assert.Contains(b.Notes, n => n.Contains("damaged"));

            File.WriteAllBytes(path, msg.Take(600).ToArray());
            Assert.Contains(MailHeaderReader.ReadFile(path).Notes, n => n.Contains("damaged"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static MailTlsPathSummary Summary(string fixture)
    {
        MessageHeaders message = MailHeaderReader.ReadFile(FixturePath(fixture));
        return MailTlsPath.Summarize(message, MailTlsPath.Build(message));
    }
}
