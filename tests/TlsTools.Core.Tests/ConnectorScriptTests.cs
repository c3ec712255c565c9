using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using TlsTools.Connectors;
using Xunit;
using static TlsTools.Tests.Support.ConnectorEvidence;

namespace TlsTools.Tests;

public class ConnectorScriptTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("O'Brien", "'O''Brien'")]
    [InlineData("a\u2019b", "'a\u2019\u2019b'")]
    [InlineData("\u2018x\u201A\u201B", "'\u2018\u2018x\u201A\u201A\u201B\u201B'")]
    [InlineData("$(Remove-Item /)", "'$(Remove-Item /)'")]
    [InlineData("", "''")]
    public void QuotesEverySingleQuote(string value, string literal) => Assert.Equal(literal, ConnectorScript.Quote(value));

    [Fact]
    public void CommentsStayOnOneLine()
    {
        string c = ConnectorScript.Comment("a\nb\rc\u2028d\u2029e\u0085f\u0000g");
        Assert.Equal("a b c d e f g", c);
    }

    [Fact]
    public void LiteralsForEveryValueType()
    {
        Assert.Equal("$true", ConnectorScript.Literal(true));
        Assert.Equal("$false", ConnectorScript.Literal(false));
        Assert.Equal("25", ConnectorScript.Literal(25));
        Assert.Equal("@('a', 'b''c')", ConnectorScript.Literal(new[] { "a", "b'c" }));
        Assert.Equal("@{ Add = @('partner.example') }", ConnectorScript.Literal(new Hashtable { ["Add"] = new[] { "partner.example" } }));
        Assert.Throws<ArgumentException>(() => ConnectorScript.Literal(new object()));
    }

    [Fact]
    public void RendersSplattedCallsWithWarningsAndEvidence()
    {
        var r = new ConnectorSpecRequest { PartnerDomains = new List<string> { "partner.example" }, Name = "Partner's\nconnector" };
        r.Evidence.Add(Summary("partner.example",
            Result("mx1.partner.example", "192.0.2.1", new[] { "mail.partner.example" }),
            Result("mx2.partner.example", "192.0.2.2", Array.Empty<string>(), tls: false)));
        ConnectorSpecResult result = ConnectorSpecBuilder.Build(r);
        Assert.True(result.Succeeded, string.Join(" | ", result.Errors));
        string script = ConnectorScript.Render(result.Specs, "0.1.0", new DateTime(2026, 1, 2, 3, 4, 0, DateTimeKind.Utc));

        Assert.Contains("# Forced TLS connectors, specified with TlsTools 0.1.0 New-ForcedTlsConnectorSpec on 2026-01-02 03:04 UTC.", script);
        Assert.Contains("$spec1 = [ordered]@{", script);
        Assert.Contains("    Name                         = 'Partner''s\nconnector'", script);
        Assert.Contains("#   MxHostWithoutStartTls: mx2.partner.example (192.0.2.2) did not negotiate TLS", script);
        Assert.Contains("# New-InboundConnector @spec1    # blocked by the warnings above", script);
        Assert.Contains("# New-OutboundConnector @spec2    # blocked by the warnings above", script);
        // Every comment line is a whole line; the only multi-line text is inside a single-quoted string.
        string[] lines = script.Split('\n');
        Assert.Contains(lines, l => l == "connector'");
        Assert.DoesNotContain(lines, l => l.StartsWith("# ---- 1 of 2", StringComparison.Ordinal) && l.Contains('\r'));
        Assert.Contains("# ---- 1 of 2: New-InboundConnector Partner's connector (ExchangeOnline, Inbound)", script);
    }

    [Fact]
    public void ReadyCallsAreNotCommentedOut()
    {
        var r = new ConnectorSpecRequest { PartnerDomains = new List<string> { "partner.example" } };
        r.Evidence.Add(Good());
        ConnectorSpecResult result = ConnectorSpecBuilder.Build(r);
        string script = ConnectorScript.Render(result.Specs, "0.1.0", DateTime.UtcNow);
        Assert.Contains("\nNew-InboundConnector @spec1\n", script);
        Assert.Contains("\nNew-OutboundConnector @spec2\n", script);
        Assert.DoesNotContain("blocked", script);
    }
}
