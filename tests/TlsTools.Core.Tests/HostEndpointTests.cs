using TlsTools.Net;
using Xunit;

namespace TlsTools.Tests;

public class HostEndpointTests
{
    [Theory]
    [InlineData("mx.example.com", "mx.example.com", null)]
    [InlineData("mx.example.com:25", "mx.example.com", 25)]
    [InlineData("mx.example.com.", "mx.example.com", null)]
    [InlineData(" 192.0.2.10:587 ", "192.0.2.10", 587)]
    [InlineData("2001:db8::1", "2001:db8::1", null)]
    [InlineData("[2001:db8::1]:25", "2001:db8::1", 25)]
    [InlineData("[::1]", "::1", null)]
    [InlineData("_25._tcp.mx.example", "_25._tcp.mx.example", null)]
    [InlineData("[192.0.2.1]", "192.0.2.1", null)]
    [InlineData("[192.0.2.1]:25", "192.0.2.1", 25)]
    [InlineData("[IPv6:2001:db8::1]", "2001:db8::1", null)]
    public void ParsesHostsAndPorts(string text, string host, int? port)
    {
        HostEndpoint e = HostEndpoint.Parse(text);
        Assert.Equal(host, e.Host);
        Assert.Equal(port, e.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("mx.example.com:0")]
    [InlineData("mx.example.com:70000")]
    [InlineData("mx.example.com:smtp")]
    [InlineData("[mx.example.com]")]
    [InlineData("[2001:db8::1")]
    [InlineData("bad host")]
    [InlineData("-leading.example")]
    [InlineData("a..b")]
    [InlineData("mail.example.com/path")]
    public void RejectsWhatIsNotAHost(string text)
    {
        Assert.False(HostEndpoint.TryParse(text, out _));
    }

    [Fact]
    public void FormatBracketsIPv6()
    {
        Assert.Equal("[::1]:25", HostEndpoint.Format("::1", 25));
        Assert.Equal("mx.example:25", HostEndpoint.Format("mx.example", 25));
    }

    [Theory]
    [InlineData(25, StartTlsProtocol.Smtp)]
    [InlineData(587, StartTlsProtocol.Smtp)]
    [InlineData(143, StartTlsProtocol.Imap)]
    [InlineData(110, StartTlsProtocol.Pop3)]
    [InlineData(465, StartTlsProtocol.None)]
    [InlineData(443, StartTlsProtocol.None)]
    public void PortChoosesStartTls(int port, StartTlsProtocol expected)
    {
        Assert.Equal(expected, PortDefaults.StartTlsForPort(port));
    }
}
