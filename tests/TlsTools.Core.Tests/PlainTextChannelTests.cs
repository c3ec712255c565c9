using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Net;
using Xunit;

namespace TlsTools.Tests;

public class PlainTextChannelTests
{
    private static PlainTextChannel Channel(string serverBytes, int maxLine = 2048) =>
        new(new MemoryStream(Encoding.GetEncoding(28591).GetBytes(serverBytes)), maxLine);

    [Fact]
    public async Task ReadsCrlfAndBareLfLines()
    {
        PlainTextChannel c = Channel("220 one\r\n250 two\n");
        Assert.Equal("220 one", await c.ReadLineAsync(CancellationToken.None));
        Assert.Equal("250 two", await c.ReadLineAsync(CancellationToken.None));
        Assert.False(c.HasBufferedData);
    }

    [Fact]
    public async Task KnowsWhenBytesWaitBeyondTheLine()
    {
        PlainTextChannel c = Channel("220 go ahead\r\n250 injected\r\n");
        await c.ReadLineAsync(CancellationToken.None);
        Assert.True(c.HasBufferedData);
    }

    [Fact]
    public async Task OverlongLineIsAViolation()
    {
        PlainTextChannel c = Channel(new string('A', 5000) + "\r\n", maxLine: 100);
        var e = await Assert.ThrowsAsync<ProbeException>(() => c.ReadLineAsync(CancellationToken.None));
        Assert.Equal(ProbeFailureKind.ProtocolViolation, e.Kind);
    }

    [Fact]
    public async Task OverlongLineWithoutEndIsCutOffEarly()
    {
        // A server that never sends a line end must not make the reader allocate without bound.
        PlainTextChannel c = Channel(new string('A', 100_000), maxLine: 512);
        var e = await Assert.ThrowsAsync<ProbeException>(() => c.ReadLineAsync(CancellationToken.None));
        Assert.Equal(ProbeFailureKind.ProtocolViolation, e.Kind);
    }

    [Fact]
    public async Task EndOfStreamIsConnectionClosed()
    {
        PlainTextChannel c = Channel("220 partial");
        var e = await Assert.ThrowsAsync<ProbeException>(() => c.ReadLineAsync(CancellationToken.None));
        Assert.Equal(ProbeFailureKind.ConnectionClosed, e.Kind);
    }

    [Fact]
    public void PrintableMasksControlCharacters()
    {
        Assert.Equal("a?b?c", PlainTextChannel.Printable("a\u001bb\u0007c"));
    }
}
