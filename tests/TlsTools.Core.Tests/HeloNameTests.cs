using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Net;
using TlsTools.Probing;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>
/// The default EHLO name: the machine's fully qualified name when it has one, else the address
/// literal of the local end of the connection (RFC 5321 sections 4.1.1.1 and 4.1.3), never a bare label.
/// </summary>
public class HeloNameTests
{
    [Theory]
    [InlineData("mail01.contoso.com", "", null, "mail01.contoso.com")]
    [InlineData("mail01", "contoso.com", null, "mail01.contoso.com")]
    [InlineData("mail01", "(none)", "mail01.corp.contoso.com", "mail01.corp.contoso.com")]
    [InlineData("vm", "", "vm", null)]                       // the build machine: EHLO vm no more
    [InlineData("vm", "", null, null)]
    [InlineData("vm", "", "localhost.localdomain", null)]
    [InlineData("vm", "localdomain", null, null)]
    [InlineData("vm", "", "127.0.0.1", null)]
    [InlineData("exch01", "corp.local", null, "exch01.corp.local")]
    public void TheFullyQualifiedNameIsChosenFromTheSystemsAnswers(string host, string domain, string? canonical, string? expected)
    {
        Assert.Equal(expected, LocalHost.ChooseFullyQualifiedName(host, domain, () => canonical));
    }

    [Theory]
    [InlineData("192.0.2.1", "[192.0.2.1]")]
    [InlineData("2001:db8::1", "[IPv6:2001:db8::1]")]
    [InlineData("::ffff:192.0.2.7", "[192.0.2.7]")]
    [InlineData("fe80::1%3", "[IPv6:fe80::1]")]
    [InlineData("::1", "[IPv6:::1]")]
    public void AddressLiteralsFollowRfc5321(string address, string literal)
    {
        Assert.Equal(literal, LocalHost.AddressLiteral(IPAddress.Parse(address)));
    }

    [Fact]
    public void AGivenNameWinsAndNoNameTakesTheLocalEnd()
    {
        Assert.Equal("probe.contoso.com", LocalHost.HeloName("probe.contoso.com", new IPEndPoint(IPAddress.Loopback, 1)));
        Assert.Equal("[198.51.100.4]", LocalHost.HeloName(null, new IPEndPoint(IPAddress.Parse("198.51.100.4"), 52000)));
        Assert.Equal("[IPv6:2001:db8::4]", LocalHost.HeloName(null, new IPEndPoint(IPAddress.Parse("2001:db8::4"), 52000)));
    }

    [Fact]
    public void TheMachinesNameIsFullyQualifiedOrAbsent()
    {
        string? name = LocalHost.FullyQualifiedName();
        Assert.True(name is null || LocalHost.IsFullyQualified(name), name);
    }

    [Fact]
    public async Task WithoutANameEachConnectionSendsTheAddressLiteralOfItsLocalEnd()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { EhloReply = "250 mx.probe.test" });
        var target = new ProbeTarget { HostName = "mx.probe.test", Address = IPAddress.Loopback, Port = server.Port, StartTls = StartTlsProtocol.Smtp, HeloName = null };
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(target, new TlsProbeOptions { Timeout = TimeSpan.FromSeconds(10), RecordTranscript = true }, CancellationToken.None);
        await server.ConnectionsEndedAsync();
        Assert.Contains("EHLO [127.0.0.1]", server.Received);
        Assert.Contains("C: EHLO [127.0.0.1]", facts.Transcript);
    }

    [Fact]
    public async Task TheDefaultTargetNeverSendsABareLabel()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { EhloReply = "250 mx.probe.test" });
        var target = new ProbeTarget { HostName = "mx.probe.test", Address = IPAddress.Loopback, Port = server.Port, StartTls = StartTlsProtocol.Smtp };
        await TlsProbe.ProbeAsync(target, new TlsProbeOptions { Timeout = TimeSpan.FromSeconds(10) }, CancellationToken.None);
        await server.ConnectionsEndedAsync();
        string ehlo = server.Received.First(l => l.StartsWith("EHLO ", StringComparison.Ordinal)).Substring(5);
        Assert.True(LocalHost.IsFullyQualified(ehlo) || ehlo == "[127.0.0.1]", ehlo);
    }
}
