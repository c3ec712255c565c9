using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.CipherSuites;

/// <summary>What a server answered to a crafted ClientHello.</summary>
internal enum ServerAnswerKind
{
    /// <summary>A ServerHello: the server accepted <see cref="ServerAnswer.Version"/> and <see cref="ServerAnswer.CipherSuite"/>.</summary>
    ServerHello,
    /// <summary>A TLS 1.3 HelloRetryRequest: it names the suite the server accepted and asks for another key share.</summary>
    HelloRetryRequest,
    /// <summary>An alert (handshake_failure, protocol_version, insufficient_security, ...).</summary>
    Alert,
    /// <summary>The server closed the connection without a word.</summary>
    Closed,
    /// <summary>The first bytes were not a TLS record (plain text, SSL 2.0).</summary>
    NotTls,
    /// <summary>TLS records that break the protocol (oversized, truncated, not a ServerHello).</summary>
    Malformed,
}

/// <summary>A server's answer to one ClientHello, as facts.</summary>
internal sealed class ServerAnswer
{
    public ServerAnswerKind Kind { get; init; }

    /// <summary>The negotiated version on the wire (supported_versions when present, else the ServerHello's version).</summary>
    public ushort Version { get; init; }

    public ushort CipherSuite { get; init; }

    public byte AlertLevel { get; init; }

    public byte AlertDescription { get; init; }

    /// <summary>What was seen, for messages.</summary>
    public string Detail { get; init; } = string.Empty;

    /// <summary>True when the answer names a suite the server would use.</summary>
    public bool Accepted => Kind is ServerAnswerKind.ServerHello or ServerAnswerKind.HelloRetryRequest;

    public override string ToString() => Detail;
}

/// <summary>
/// Reads the answer to a ClientHello: TLS records up to the first handshake message (which must be
/// a ServerHello) or an alert. Every length is capped (a record at most 2^14 + 2048 bytes, the
/// ServerHello at most 64 KiB) and the caller's token bounds the time.
/// </summary>
internal static class ServerHelloReader
{
    internal const int MaxRecordLength = (1 << 14) + 2048;
    internal const int MaxHandshakeMessage = 1 << 16;
    private const int MaxBytes = MaxHandshakeMessage + 4 * (MaxRecordLength + 5);

    /// <summary>SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest (RFC 8446 4.1.3).</summary>
    internal static readonly byte[] HelloRetryRandom =
    {
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    };

    /// <summary>Reads from <paramref name="stream"/> until the answer is known or the server closes.</summary>
    public static async Task<ServerAnswer> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[4096];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= MaxBytes)
                {
                    return new ServerAnswer { Kind = ServerAnswerKind.Malformed, Detail = "no ServerHello within " + MaxBytes + " bytes" };
                }
                Array.Resize(ref buffer, Math.Min(MaxBytes, buffer.Length * 2));
            }
            int read = await stream.ReadAsync(buffer, length, buffer.Length - length, cancellationToken).ConfigureAwait(false);
            if (read <= 0)
            {
                return length == 0
                    ? new ServerAnswer { Kind = ServerAnswerKind.Closed, Detail = "the server closed the connection" }
                    : new ServerAnswer { Kind = ServerAnswerKind.Malformed, Detail = "the server closed the connection within a record" };
            }
            length += read;
            ServerAnswer? answer = Parse(buffer, length);
            if (answer is not null)
            {
                return answer;
            }
        }
    }

    /// <summary>The answer in the first <paramref name="length"/> bytes, or null when more bytes are needed.</summary>
    internal static ServerAnswer? Parse(byte[] data, int length)
    {
        if (length > 0 && data[0] is not (0x14 or 0x15 or 0x16 or 0x17))
        {
            string what = (data[0] & 0x80) != 0 ? "an SSL 2.0 record" : $"not a TLS record (first byte 0x{data[0]:X2})";
            return new ServerAnswer { Kind = ServerAnswerKind.NotTls, Detail = "the server answered with " + what };
        }
        byte[] handshake = Array.Empty<byte>();
        int pos = 0;
        while (length - pos >= 5)
        {
            byte type = data[pos];
            int recordLength = (data[pos + 3] << 8) | data[pos + 4];
            if (type is not (0x15 or 0x16))
            {
                return Malformed($"a record of type {type} before the ServerHello");
            }
            if (data[pos + 1] != 0x03)
            {
                return Malformed($"a record of version 0x{data[pos + 1]:X2}{data[pos + 2]:X2}");
            }
            if (recordLength == 0 || recordLength > MaxRecordLength)
            {
                return Malformed($"a record of {recordLength} bytes");
            }
            if (length - pos - 5 < recordLength)
            {
                return null;
            }
            int start = pos + 5;
            pos = start + recordLength;
            if (type == 0x15)
            {
                if (recordLength < 2)
                {
                    return Malformed("a truncated alert");
                }
                byte level = data[start], description = data[start + 1];
                return new ServerAnswer
                {
                    Kind = ServerAnswerKind.Alert,
                    AlertLevel = level,
                    AlertDescription = description,
                    Detail = $"alert {AlertName(description)} ({description})",
                };
            }
            int old = handshake.Length;
            Array.Resize(ref handshake, old + recordLength);
            Array.Copy(data, start, handshake, old, recordLength);
            if (handshake.Length >= 4)
            {
                if (handshake[0] != 2)
                {
                    return Malformed($"handshake message {handshake[0]} instead of a ServerHello");
                }
                int messageLength = (handshake[1] << 16) | (handshake[2] << 8) | handshake[3];
                if (messageLength > MaxHandshakeMessage)
                {
                    return Malformed($"a ServerHello of {messageLength} bytes");
                }
                if (handshake.Length >= 4 + messageLength)
                {
                    return ParseServerHello(handshake, 4, messageLength);
                }
            }
        }
        return null;
    }

    private static ServerAnswer ParseServerHello(byte[] m, int offset, int length)
    {
        int end = offset + length;
        int p = offset;
        if (end - p < 2 + 32 + 1)
        {
            return Malformed("a truncated ServerHello");
        }
        ushort version = (ushort)((m[p] << 8) | m[p + 1]);
        p += 2;
        bool retry = true;
        for (int i = 0; i < 32; i++)
        {
            if (m[p + i] != HelloRetryRandom[i])
            {
                retry = false;
                break;
            }
        }
        p += 32;
        int sessionIdLength = m[p++];
        if (sessionIdLength > 32 || end - p < sessionIdLength + 3)
        {
            return Malformed("a truncated ServerHello");
        }
        p += sessionIdLength;
        ushort suite = (ushort)((m[p] << 8) | m[p + 1]);
        p += 3; // suite and compression method
        if (end - p >= 2)
        {
            int extensionsLength = (m[p] << 8) | m[p + 1];
            p += 2;
            if (end - p < extensionsLength)
            {
                return Malformed("truncated ServerHello extensions");
            }
            int extensionsEnd = p + extensionsLength;
            while (extensionsEnd - p >= 4)
            {
                int type = (m[p] << 8) | m[p + 1];
                int extLength = (m[p + 2] << 8) | m[p + 3];
                p += 4;
                if (extensionsEnd - p < extLength)
                {
                    return Malformed("a truncated ServerHello extension");
                }
                if (type == 0x002B && extLength == 2)
                {
                    version = (ushort)((m[p] << 8) | m[p + 1]); // supported_versions: the real version
                }
                p += extLength;
            }
        }
        string name = CipherSuiteInfo.Find(suite)?.Name ?? $"0x{suite:X4}";
        TlsProtocolVersion? protocol = ClientHello.FromWire(version);
        return new ServerAnswer
        {
            Kind = retry ? ServerAnswerKind.HelloRetryRequest : ServerAnswerKind.ServerHello,
            Version = version,
            CipherSuite = suite,
            Detail = $"{(retry ? "HelloRetryRequest" : "ServerHello")} {protocol?.ToString() ?? $"0x{version:X4}"} {name}",
        };
    }

    private static ServerAnswer Malformed(string what) =>
        new() { Kind = ServerAnswerKind.Malformed, Detail = "the server sent " + what };

    /// <summary>The RFC name of an alert description.</summary>
    internal static string AlertName(byte description) => description switch
    {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        22 => "record_overflow",
        40 => "handshake_failure",
        42 => "bad_certificate",
        47 => "illegal_parameter",
        50 => "decode_error",
        51 => "decrypt_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        109 => "missing_extension",
        110 => "unsupported_extension",
        112 => "unrecognized_name",
        _ => "alert",
    };
}
