using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace TlsTools.Tests.Support;

/// <summary>
/// A stream that plays a server: it sends a greeting, then answers each line the client writes
/// with the next scripted reply, and fails the test when the client writes something unexpected.
/// </summary>
internal sealed class ScriptedServerStream : Stream
{
    private readonly Queue<(string Expect, string Reply)> _script;
    private readonly MemoryStream _toClient = new();
    private readonly StringBuilder _fromClient = new();

    public ScriptedServerStream(string greeting, params (string Expect, string Reply)[] script)
    {
        _script = new Queue<(string, string)>(script);
        Enqueue(greeting);
    }

    public List<string> ClientLines { get; } = new();

    private void Enqueue(string text)
    {
        long pos = _toClient.Position;
        _toClient.Seek(0, SeekOrigin.End);
        byte[] bytes = Encoding.GetEncoding(28591).GetBytes(text);
        _toClient.Write(bytes, 0, bytes.Length);
        _toClient.Position = pos;
    }

    public override int Read(byte[] buffer, int offset, int count) => _toClient.Read(buffer, offset, count);

    public override void Write(byte[] buffer, int offset, int count)
    {
        _fromClient.Append(Encoding.ASCII.GetString(buffer, offset, count));
        string all = _fromClient.ToString();
        int nl;
        while ((nl = all.IndexOf("\r\n", StringComparison.Ordinal)) >= 0)
        {
            string line = all.Substring(0, nl);
            all = all.Substring(nl + 2);
            ClientLines.Add(line);
            if (_script.Count == 0)
            {
                throw new InvalidOperationException($"Unexpected client line '{line}'.");
            }
            (string expect, string reply) = _script.Dequeue();
            if (!line.StartsWith(expect, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Expected '{expect}', client sent '{line}'.");
            }
            Enqueue(reply);
        }
        _fromClient.Clear().Append(all);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
