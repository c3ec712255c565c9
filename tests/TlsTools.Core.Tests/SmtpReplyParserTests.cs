using TlsTools.Smtp;
using Xunit;

namespace TlsTools.Tests;

public class SmtpReplyParserTests
{
    [Fact]
    public void SingleLineReplyIsComplete()
    {
        var parser = new SmtpReplyParser();
        SmtpReply? reply = parser.Add("220 mx.example.com ESMTP ready");
        Assert.NotNull(reply);
        Assert.Equal(220, reply!.Code);
        Assert.Equal("mx.example.com ESMTP ready", reply.Text);
        Assert.True(reply.IsPositive);
    }

    [Fact]
    public void MultiLineReplyCompletesOnTheSpaceLine()
    {
        var parser = new SmtpReplyParser();
        Assert.Null(parser.Add("220-mx.example.com ESMTP"));
        Assert.Null(parser.Add("220-No UCE"));
        SmtpReply? reply = parser.Add("220 ready");
        Assert.NotNull(reply);
        Assert.Equal(new[] { "mx.example.com ESMTP", "No UCE", "ready" }, reply!.Lines);
    }

    [Fact]
    public void BareCodeIsAReply()
    {
        SmtpReply? reply = new SmtpReplyParser().Add("250");
        Assert.Equal(250, reply!.Code);
        Assert.Equal(string.Empty, reply.Text);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("22")]
    [InlineData("2x0 nope")]
    [InlineData("220+odd separator")]
    [InlineData("199 below range")]
    [InlineData("600 above range")]
    public void MalformedLinesAreProtocolViolations(string line)
    {
        var e = Assert.Throws<ProbeException>(() => new SmtpReplyParser().Add(line));
        Assert.Equal(ProbeFailureKind.ProtocolViolation, e.Kind);
    }

    [Fact]
    public void CodeChangeInsideAReplyIsAViolation()
    {
        var parser = new SmtpReplyParser();
        parser.Add("250-first");
        var e = Assert.Throws<ProbeException>(() => parser.Add("251 second"));
        Assert.Equal(ProbeFailureKind.ProtocolViolation, e.Kind);
    }

    [Fact]
    public void EndlessRepliesAreCapped()
    {
        var parser = new SmtpReplyParser(maxLines: 5);
        for (int i = 0; i < 5; i++)
        {
            parser.Add("250-line");
        }
        Assert.Throws<ProbeException>(() => parser.Add("250-line"));
    }

    [Fact]
    public void FourXxIsTransient()
    {
        SmtpReply reply = new SmtpReplyParser().Add("421 4.7.0 Too many connections, try later")!;
        Assert.True(reply.IsTransientNegative);
        Assert.False(reply.IsPermanentNegative);
    }

    [Fact]
    public void ToStringRebuildsTheWireForm()
    {
        var parser = new SmtpReplyParser();
        parser.Add("250-a");
        SmtpReply reply = parser.Add("250 b")!;
        Assert.Equal("250-a\n250 b", reply.ToString());
    }
}

public class EhloCapabilitiesTests
{
    private static SmtpReply Ehlo(params string[] lines)
    {
        var parser = new SmtpReplyParser();
        SmtpReply? reply = null;
        for (int i = 0; i < lines.Length; i++)
        {
            reply = parser.Add("250" + (i == lines.Length - 1 ? " " : "-") + lines[i]);
        }
        return reply!;
    }

    [Fact]
    public void ReadsKeywordsAndParameters()
    {
        EhloCapabilities caps = EhloCapabilities.Parse(Ehlo("mx.example.com Hello", "PIPELINING", "SIZE 52428800", "starttls", "8BITMIME"));
        Assert.Equal("mx.example.com", caps.GreetingName);
        Assert.True(caps.StartTls);
        Assert.True(caps.Has("pipelining"));
        Assert.Equal("52428800", caps.Parameters("SIZE"));
        Assert.Null(caps.Parameters("CHUNKING"));
    }

    [Fact]
    public void NoStartTlsWhenNotAdvertised()
    {
        EhloCapabilities caps = EhloCapabilities.Parse(Ehlo("mx.example.com", "PIPELINING", "SIZE"));
        Assert.False(caps.StartTls);
    }

    [Fact]
    public void StartTlsInTheGreetingLineDoesNotCount()
    {
        // The first line is the server's name and greeting text, never a keyword.
        EhloCapabilities caps = EhloCapabilities.Parse(Ehlo("STARTTLS"));
        Assert.False(caps.StartTls);
    }
}
