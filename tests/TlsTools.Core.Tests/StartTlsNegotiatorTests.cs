using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Net;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

public class StartTlsNegotiatorTests
{
    private const string Ehlo = "250-mx.partner.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 8BITMIME\r\n";

    [Fact]
    public async Task SmtpReachesTheGoAhead()
    {
        var server = new ScriptedServerStream("220-mx.partner.example ESMTP\r\n220 welcome\r\n",
            ("EHLO probe.example", Ehlo),
            ("STARTTLS", "220 2.0.0 Ready to start TLS\r\n"));
        PlainTextDialogResult r = await StartTlsNegotiator.SmtpAsync(new PlainTextChannel(server), "probe.example", upgrade: true, CancellationToken.None);
        Assert.True(r.StartTlsOffered);
        Assert.Equal(220, r.GreetingCode);
        Assert.Equal("mx.partner.example ESMTP welcome", r.Banner);
        Assert.Equal(new[] { "EHLO probe.example", "STARTTLS" }, server.ClientLines);
    }

    [Fact]
    public async Task NeverSendsMailRcptOrData()
    {
        var server = new ScriptedServerStream("220 mx ESMTP\r\n",
            ("EHLO probe.example", Ehlo),
            ("STARTTLS", "220 go\r\n"));
        await StartTlsNegotiator.SmtpAsync(new PlainTextChannel(server), "probe.example", upgrade: true, CancellationToken.None);
        Assert.DoesNotContain(server.ClientLines, l => l.StartsWith("MAIL") || l.StartsWith("RCPT") || l.StartsWith("DATA"));
    }

    [Fact]
    public async Task MissingStartTlsIsReported()
    {
        var server = new ScriptedServerStream("220 mx ESMTP\r\n", ("EHLO", "250-mx\r\n250 PIPELINING\r\n"));
        var e = await Assert.ThrowsAsync<ProbeException>(() =>
            StartTlsNegotiator.SmtpAsync(new PlainTextChannel(server), "probe.example", upgrade: true, CancellationToken.None));
        Assert.Equal(ProbeFailureKind.StartTlsNotOffered, e.Kind);
    }

    [Fact]
    public async Task WithoutUpgradeItStopsAfterEhlo()
    {
        var server = new ScriptedServerStream("220 mx ESMTP\r\n", ("EHLO", "250-mx\r\n250 PIPELINING\r\n"));
        PlainTextDialogResult r = await StartTlsNegotiator.SmtpAsync(new PlainTextChannel(server), "probe.example", upgrade: false, CancellationToken.None);
        Assert.False(r.StartTlsOffered);
        Assert.Single(server.ClientLines);
    }

    [Fact]
    public async Task RefusedStartTlsKeepsTheServerText()
    {
        var server = new ScriptedServerStream("220 mx ESMTP\r\n",
            ("EHLO", Ehlo),
            ("STARTTLS", "454 4.7.0 TLS not available due to local problem\r\n"));
        var e = await Assert.ThrowsAsync<ProbeException>(() =>
            StartTlsNegotiator.SmtpAsync(new PlainTextChannel(server), "probe.example", upgrade: true, CancellationToken.None));
        Assert.Equal(ProbeFailureKind.StartTlsRefused, e.Kind);
        Assert.Contains("454", e.Message);
        Assert.Contains("TLS not available", e.ServerReply);
    }

    [Theory]
    [InlineData("421 4.3.2 Service shutting down, try later\r\n")]
    [InlineData("554 5.7.1 You are not welcome here\r\n")]
    public async Task RejectingGreetingIsNotReportedAsNoTls(string greeting)
    {
        var server = new ScriptedServerStream(greeting);
        var e = await Assert.ThrowsAsync<ProbeException>(() =>
            StartTlsNegotiator.SmtpAsync(new PlainTextChannel(server), "probe.example", upgrade: true, CancellationToken.None));
        Assert.Equal(ProbeFailureKind.GreetingRejected, e.Kind);
        Assert.Contains(greeting.Substring(0, 3), e.Message);
        Assert.Empty(server.ClientLines);
    }

    [Fact]
    public async Task InjectedBytesAfterTheGoAheadAreRefused()
    {
        var server = new ScriptedServerStream("220 mx ESMTP\r\n",
            ("EHLO", Ehlo),
            ("STARTTLS", "220 go ahead\r\n250 injected before TLS\r\n"));
        var e = await Assert.ThrowsAsync<ProbeException>(() =>
            StartTlsNegotiator.SmtpAsync(new PlainTextChannel(server), "probe.example", upgrade: true, CancellationToken.None));
        Assert.Equal(ProbeFailureKind.StartTlsInjection, e.Kind);
    }

    [Fact]
    public async Task ImapStartTls()
    {
        var server = new ScriptedServerStream("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n",
            ("A1 STARTTLS", "A1 OK Begin TLS negotiation now\r\n"));
        PlainTextDialogResult r = await StartTlsNegotiator.ImapAsync(new PlainTextChannel(server), CancellationToken.None);
        Assert.True(r.StartTlsOffered);
        Assert.Equal("A1 STARTTLS", server.ClientLines.Single());
    }

    [Fact]
    public async Task ImapRefusal()
    {
        var server = new ScriptedServerStream("* OK ready\r\n", ("A1 STARTTLS", "A1 BAD unknown command\r\n"));
        var e = await Assert.ThrowsAsync<ProbeException>(() => StartTlsNegotiator.ImapAsync(new PlainTextChannel(server), CancellationToken.None));
        Assert.Equal(ProbeFailureKind.StartTlsRefused, e.Kind);
    }

    [Fact]
    public async Task Pop3Stls()
    {
        var server = new ScriptedServerStream("+OK POP3 ready\r\n", ("STLS", "+OK Begin TLS\r\n"));
        PlainTextDialogResult r = await StartTlsNegotiator.Pop3Async(new PlainTextChannel(server), CancellationToken.None);
        Assert.True(r.StartTlsOffered);
    }

    [Fact]
    public async Task Pop3Refusal()
    {
        var server = new ScriptedServerStream("+OK POP3 ready\r\n", ("STLS", "-ERR not supported\r\n"));
        var e = await Assert.ThrowsAsync<ProbeException>(() => StartTlsNegotiator.Pop3Async(new PlainTextChannel(server), CancellationToken.None));
        Assert.Equal(ProbeFailureKind.StartTlsRefused, e.Kind);
    }
}
