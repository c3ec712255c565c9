using System;
using System.IO;
using TlsTools.Policy;
using Xunit;

namespace TlsTools.Tests;

/// <summary>The MTA-STS record and policy parsers, the mx pattern rule and the TLS-RPT record parser, on fixtures.</summary>
public class PolicyParserTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Policy", name));

    [Theory]
    [InlineData("v=STSv1; id=20261128T000000;", "20261128T000000")]
    [InlineData("v=STSv1;id=abc", "abc")]
    [InlineData("v=STSv1; id=A1; ext-name=value;", "A1")]
    [InlineData("v=STSv1 ; id=12345678901234567890123456789012", "12345678901234567890123456789012")]
    public void MtaStsRecordParses(string text, string id)
    {
        MtaStsRecord? r = MtaStsRecord.Parse(text, out string? error);
        Assert.Null(error);
        Assert.Equal(id, r!.Id);
    }

    [Theory]
    [InlineData("v=STSv1;", "no id")]
    [InlineData("v=STSv1; id=;", "not 1 to 32")]
    [InlineData("v=STSv1; id=has-dash;", "not 1 to 32")]
    [InlineData("v=STSv1; id=123456789012345678901234567890123;", "not 1 to 32")]
    [InlineData("v=STSv1; id=a; id=b;", "more than one id")]
    [InlineData("v=STSv1; garbage;", "not name=value")]
    [InlineData("id=abc; v=STSv1;", "does not start with v=STSv1")]
    public void MtaStsRecordRejects(string text, string why)
    {
        Assert.Null(MtaStsRecord.Parse(text, out string? error));
        Assert.Contains(why, error);
    }

    [Fact]
    public void MtaStsRecordSelectIgnoresOtherTxtAndRefusesTwoRecords()
    {
        Assert.Equal("x1", MtaStsRecord.Select(new[] { "v=spf1 -all", "v=STSv1; id=x1;" }, out string? e1)!.Id);
        Assert.Null(e1);
        Assert.Null(MtaStsRecord.Select(new[] { "v=spf1 -all" }, out string? e2));
        Assert.Null(e2);
        Assert.Null(MtaStsRecord.Select(new[] { "v=STSv1; id=a;", "v=STSv1; id=b;" }, out string? e3));
        Assert.Contains("2 MTA-STS records", e3);
        // "v=STSv10" is not an STSv1 record at all.
        Assert.Null(MtaStsRecord.Select(new[] { "v=STSv10; id=a;" }, out string? e4));
        Assert.Null(e4);
    }

    [Fact]
    public void EnforcePolicyParses()
    {
        MtaStsPolicyDocument? p = MtaStsPolicyDocument.Parse(Fixture("enforce.txt"), out string? error);
        Assert.Null(error);
        Assert.Equal(MtaStsMode.Enforce, p!.Mode);
        Assert.Equal(604800, p.MaxAge);
        Assert.Equal(new[] { "mail.example.com", "*.example.net", "backupmx.example.com" }, p.Mx);
    }

    [Fact]
    public void TestingPolicyWithCrlfParses()
    {
        // CRLF whatever the checkout did to the fixture's line ends.
        string crlf = Fixture("testing-crlf.txt").Replace("\r\n", "\n").Replace("\n", "\r\n");
        MtaStsPolicyDocument? p = MtaStsPolicyDocument.Parse(crlf, out string? error);
        Assert.Null(error);
        Assert.Equal(MtaStsMode.Testing, p!.Mode);
        Assert.Equal(new[] { "*.mx.example.org" }, p.Mx);
    }

    [Fact]
    public void NonePolicyNeedsNoMx()
    {
        MtaStsPolicyDocument? p = MtaStsPolicyDocument.Parse(Fixture("none.txt"), out string? error);
        Assert.Null(error);
        Assert.Equal(MtaStsMode.None, p!.Mode);
        Assert.Empty(p.Mx);
    }

    [Fact]
    public void OnlyTheFirstModeCountsAndUnknownKeysAreIgnored()
    {
        MtaStsPolicyDocument? p = MtaStsPolicyDocument.Parse(Fixture("repeated-mode.txt"), out string? error);
        Assert.Null(error);
        Assert.Equal(MtaStsMode.Enforce, p!.Mode);
    }

    [Theory]
    [InlineData("enforce-without-mx.txt", "no mx pattern")]
    [InlineData("max-age-too-large.txt", "max_age")]
    [InlineData("wrong-version.txt", "not STSv1")]
    [InlineData("unknown-mode.txt", "not enforce, testing or none")]
    [InlineData("bad-pattern.txt", "mx pattern")]
    [InlineData("html.txt", "not 'key: value'")]
    public void InvalidPoliciesAreRefusedWithAReason(string fixture, string why)
    {
        Assert.Null(MtaStsPolicyDocument.Parse(Fixture(fixture), out string? error));
        Assert.Contains(why, error);
    }

    [Theory]
    [InlineData("mail.example.com", "mail.example.com", true)]
    [InlineData("MAIL.Example.com.", "mail.example.com", true)]
    [InlineData("mail.example.com", "mail2.example.com", false)]
    [InlineData("*.example.com", "mail.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("*.example.com", "mail.example.com.", true)]
    [InlineData("*.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com", true)]
    [InlineData("*.example.com", "mailexample.com", false)]
    public void MxPatternCoversExactlyOneLabel(string pattern, string host, bool covered) =>
        Assert.Equal(covered, MtaStsPolicyDocument.PatternCovers(pattern, host));

    [Fact]
    public void TlsRptRecordParsesSeveralAddresses()
    {
        TlsRptRecord? r = TlsRptRecord.Parse("v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.com/tlsrpt", out string? error);
        Assert.Null(error);
        Assert.Equal(new[] { "mailto:tlsrpt@example.com", "https://reports.example.com/tlsrpt" }, r!.Rua);
    }

    [Theory]
    [InlineData("v=TLSRPTv1;", "no rua")]
    [InlineData("v=TLSRPTv1; rua=ftp://example.com/", "neither a mailto: nor an https: URI")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", "more than one rua")]
    public void TlsRptRecordRejects(string text, string why)
    {
        Assert.Null(TlsRptRecord.Parse(text, out string? error));
        Assert.Contains(why, error);
    }

    [Fact]
    public void TwoTlsRptRecordsTurnReportingOff()
    {
        Assert.Null(TlsRptRecord.Select(new[] { "v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1; rua=mailto:b@example.com" }, out string? error));
        Assert.Contains("2 TLS-RPT records", error);
    }
}
