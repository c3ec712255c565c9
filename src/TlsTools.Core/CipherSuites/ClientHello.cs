using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace TlsTools.CipherSuites;

/// <summary>
/// Builds the one TLS record of a crafted ClientHello: the version and suites to test, and the
/// extensions a real client sends, so that the server answers with its ServerHello (or a
/// HelloRetryRequest) or an alert. The handshake is never finished: no key is ever used, so a
/// random x25519 share is enough for TLS 1.3.
/// </summary>
internal static class ClientHello
{
    /// <summary>TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746), sent with SSL 3.0, which has no extensions.</summary>
    internal const ushort RenegotiationScsv = 0x00FF;

    // Every named group of the registry a TLS 1.2 server might hold, so that no ECDHE or FFDHE suite
    // is refused for want of a group: the old named curves, brainpool, x25519/x448, FFDHE.
    private static readonly ushort[] s_groupsTls12 =
    {
        0x001D, 0x0017, 0x0018, 0x0019, 0x001E, // x25519, secp256r1, secp384r1, secp521r1, x448
        0x001A, 0x001B, 0x001C,                 // brainpoolP256r1, P384r1, P512r1
        0x0016, 0x0015, 0x0014, 0x0013, 0x0012, 0x0011, 0x0010, 0x000F, // secp256k1 ... secp160k1
        0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x0008, 0x0009, 0x000A, 0x000B,
        0x000C, 0x000D, 0x000E,                 // sect163k1 ... sect571r1
        0x0100, 0x0101, 0x0102, 0x0103, 0x0104, // ffdhe2048 ... ffdhe8192
    };

    private static readonly ushort[] s_groupsTls13 =
    {
        0x001D, 0x0017, 0x0018, 0x0019, 0x001E, // x25519, secp256r1, secp384r1, secp521r1, x448
        0x001F, 0x0020, 0x0021,                 // brainpoolP256r1tls13, P384r1tls13, P512r1tls13
        0x0100, 0x0101, 0x0102, 0x0103, 0x0104, // ffdhe2048 ... ffdhe8192
    };

    private static readonly ushort[] s_signatureAlgorithms =
    {
        0x0403, 0x0503, 0x0603,         // ecdsa_secp256r1_sha256, secp384r1_sha384, secp521r1_sha512
        0x0807, 0x0808,                 // ed25519, ed448
        0x0804, 0x0805, 0x0806,         // rsa_pss_rsae_sha256/384/512
        0x0809, 0x080A, 0x080B,         // rsa_pss_pss_sha256/384/512
        0x081A, 0x081B, 0x081C,         // ecdsa_brainpoolP256r1tls13_sha256 ... P512r1tls13_sha512
        0x0401, 0x0501, 0x0601,         // rsa_pkcs1_sha256/384/512
        0x0301, 0x0303, 0x0302,         // sha224 with rsa, ecdsa, dsa
        0x0201, 0x0203, 0x0202,         // rsa_pkcs1_sha1, ecdsa_sha1, dsa_sha1
        0x0402, 0x0502, 0x0602,         // dsa with sha256/384/512
    };

    /// <summary>The two-byte version of a protocol on the wire.</summary>
    internal static ushort WireVersion(TlsProtocolVersion protocol) => protocol switch
    {
        TlsProtocolVersion.Ssl3 => 0x0300,
        TlsProtocolVersion.Tls10 => 0x0301,
        TlsProtocolVersion.Tls11 => 0x0302,
        TlsProtocolVersion.Tls12 => 0x0303,
        _ => 0x0304,
    };

    /// <summary>The protocol of a wire version, or null for one this scanner does not name.</summary>
    internal static TlsProtocolVersion? FromWire(ushort version) => version switch
    {
        0x0300 => TlsProtocolVersion.Ssl3,
        0x0301 => TlsProtocolVersion.Tls10,
        0x0302 => TlsProtocolVersion.Tls11,
        0x0303 => TlsProtocolVersion.Tls12,
        0x0304 => TlsProtocolVersion.Tls13,
        _ => null,
    };

    /// <summary>
    /// The record bytes of a ClientHello offering <paramref name="suites"/> in this order for
    /// <paramref name="protocol"/>. <paramref name="random"/> supplies the client random, the
    /// session id (TLS 1.3) and the key share, so that tests can build fixed bytes.
    /// </summary>
    internal static byte[] Build(TlsProtocolVersion protocol, IReadOnlyList<ushort> suites, string? serverName, Func<int, byte[]> random)
    {
        if (suites.Count == 0 || suites.Count > 4000)
        {
            throw new ArgumentOutOfRangeException(nameof(suites), "A ClientHello offers 1 to 4000 suites.");
        }
        bool tls13 = protocol == TlsProtocolVersion.Tls13;
        var body = new MemoryStream();
        // legacy_version: TLS 1.3 says 1.2 here and its real version in supported_versions.
        WriteUInt16(body, tls13 ? (ushort)0x0303 : WireVersion(protocol));
        Write(body, random(32));
        byte[] sessionId = tls13 ? random(32) : Array.Empty<byte>(); // TLS 1.3 middlebox compatibility (RFC 8446 D.4)
        body.WriteByte((byte)sessionId.Length);
        Write(body, sessionId);

        bool scsv = protocol == TlsProtocolVersion.Ssl3;
        WriteUInt16(body, (ushort)((suites.Count + (scsv ? 1 : 0)) * 2));
        foreach (ushort suite in suites)
        {
            WriteUInt16(body, suite);
        }
        if (scsv)
        {
            WriteUInt16(body, RenegotiationScsv);
        }
        body.WriteByte(1); // compression methods: null only
        body.WriteByte(0);

        if (protocol != TlsProtocolVersion.Ssl3)
        {
            byte[] extensions = Extensions(protocol, serverName, random);
            WriteUInt16(body, (ushort)extensions.Length);
            Write(body, extensions);
        }

        byte[] hello = body.ToArray();
        var handshake = new MemoryStream();
        handshake.WriteByte(1); // client_hello
        WriteUInt24(handshake, hello.Length);
        Write(handshake, hello);
        byte[] message = handshake.ToArray();

        var record = new MemoryStream();
        record.WriteByte(0x16); // handshake
        // The record version of a first ClientHello: 3.0 for SSL 3.0, else 3.1 as clients send it (RFC 8446 5.1).
        WriteUInt16(record, protocol == TlsProtocolVersion.Ssl3 ? (ushort)0x0300 : (ushort)0x0301);
        WriteUInt16(record, (ushort)message.Length);
        Write(record, message);
        return record.ToArray();
    }

    private static byte[] Extensions(TlsProtocolVersion protocol, string? serverName, Func<int, byte[]> random)
    {
        bool tls13 = protocol == TlsProtocolVersion.Tls13;
        var ext = new MemoryStream();
        if (!string.IsNullOrEmpty(serverName))
        {
            byte[] name = Encoding.ASCII.GetBytes(serverName);
            var sni = new MemoryStream();
            WriteUInt16(sni, (ushort)(name.Length + 3));
            sni.WriteByte(0); // host_name
            WriteUInt16(sni, (ushort)name.Length);
            Write(sni, name);
            Extension(ext, 0x0000, sni.ToArray());
        }
        Extension(ext, 0x000A, UInt16List(tls13 ? s_groupsTls13 : s_groupsTls12, lengthBytes: 2));
        if (!tls13)
        {
            Extension(ext, 0x000B, new byte[] { 3, 0, 1, 2 }); // ec_point_formats: uncompressed, ansiX962 prime and char2
        }
        Extension(ext, 0x000D, UInt16List(s_signatureAlgorithms, lengthBytes: 2));
        Extension(ext, 0x0017, Array.Empty<byte>()); // extended_master_secret
        Extension(ext, 0xFF01, new byte[] { 0 });   // renegotiation_info, initial handshake
        if (tls13)
        {
            Extension(ext, 0x002B, UInt16List(new ushort[] { 0x0304 }, lengthBytes: 1)); // supported_versions: TLS 1.3
            Extension(ext, 0x002D, new byte[] { 1, 1 }); // psk_key_exchange_modes: psk_dhe_ke
            var share = new MemoryStream();
            byte[] key = random(32);
            WriteUInt16(share, (ushort)(4 + key.Length));
            WriteUInt16(share, 0x001D); // x25519
            WriteUInt16(share, (ushort)key.Length);
            Write(share, key);
            Extension(ext, 0x0033, share.ToArray()); // key_share
        }
        return ext.ToArray();
    }

    private static byte[] UInt16List(ushort[] values, int lengthBytes)
    {
        var s = new MemoryStream();
        if (lengthBytes == 1)
        {
            s.WriteByte((byte)(values.Length * 2));
        }
        else
        {
            WriteUInt16(s, (ushort)(values.Length * 2));
        }
        foreach (ushort v in values)
        {
            WriteUInt16(s, v);
        }
        return s.ToArray();
    }

    private static void Extension(MemoryStream s, ushort type, byte[] data)
    {
        WriteUInt16(s, type);
        WriteUInt16(s, (ushort)data.Length);
        Write(s, data);
    }

    private static void Write(MemoryStream s, byte[] data) => s.Write(data, 0, data.Length);

    private static void WriteUInt16(MemoryStream s, ushort v)
    {
        s.WriteByte((byte)(v >> 8));
        s.WriteByte((byte)v);
    }

    private static void WriteUInt24(MemoryStream s, int v)
    {
        s.WriteByte((byte)(v >> 16));
        s.WriteByte((byte)(v >> 8));
        s.WriteByte((byte)v);
    }
}
