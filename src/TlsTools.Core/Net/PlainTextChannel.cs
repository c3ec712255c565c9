using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Net;

/// <summary>
/// Reads and writes CRLF-terminated protocol lines over a stream before a TLS upgrade. Every read
/// is capped: a line longer than <see cref="MaxLineLength"/> is a protocol violation, not a reason
/// to keep allocating. It remembers whether bytes are buffered beyond the last line read, so the
/// caller can refuse to start TLS on top of injected plain text.
/// </summary>
public sealed class PlainTextChannel
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    public PlainTextChannel(Stream stream, int maxLineLength = 2048)
    {
        _stream = stream;
        MaxLineLength = maxLineLength;
    }

    /// <summary>The longest line accepted, in bytes, excluding CRLF.</summary>
    public int MaxLineLength { get; }

    /// <summary>True when bytes the peer sent are waiting beyond the last line read.</summary>
    public bool HasBufferedData => _end > _start;

    /// <summary>Optional sink for every line read and written (the transcript).</summary>
    public Action<bool, string>? Log { get; set; }

    /// <summary>Reads one line without its line ending; throws <see cref="ProbeException"/> on EOF or an overlong line.</summary>
    public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            for (int i = _start; i < _end; i++)
            {
                if (_buffer[i] == (byte)'\n')
                {
                    AppendLatin1(line, _buffer, _start, i - _start);
                    _start = i + 1;
                    if (line.Length > 0 && line[line.Length - 1] == '\r')
                    {
                        line.Length--;
                    }
                    CheckLength(line);
                    string text = line.ToString();
                    Log?.Invoke(false, text);
                    return text;
                }
            }

            AppendLatin1(line, _buffer, _start, _end - _start);
            _start = _end = 0;
            CheckLength(line);

            int read = await _stream.ReadAsync(_buffer, 0, _buffer.Length, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new ProbeException(ProbeFailureKind.ConnectionClosed,
                    line.Length == 0 ? "The server closed the connection." : $"The server closed the connection in the middle of a line: '{Printable(line.ToString())}'.");
            }
            _end = read;
        }
    }

    /// <summary>Writes <paramref name="line"/> followed by CRLF.</summary>
    public async Task WriteLineAsync(string line, CancellationToken cancellationToken)
    {
        Log?.Invoke(true, line);
        byte[] bytes = Encoding.ASCII.GetBytes(line + "\r\n");
        await _stream.WriteAsync(bytes, 0, bytes.Length, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void CheckLength(StringBuilder line)
    {
        if (line.Length > MaxLineLength + 1)
        {
            throw new ProbeException(ProbeFailureKind.ProtocolViolation,
                $"The server sent a line longer than {MaxLineLength} bytes.");
        }
    }

    private static void AppendLatin1(StringBuilder sb, byte[] bytes, int offset, int count)
    {
        for (int i = 0; i < count; i++)
        {
            sb.Append((char)bytes[offset + i]);
        }
    }

    /// <summary>Replaces control characters so server text is safe to show in a console.</summary>
    public static string Printable(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            sb.Append(c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ? '?' : c);
        }
        return sb.ToString();
    }
}
