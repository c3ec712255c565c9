using System;
using System.Collections.Generic;
using System.Linq;

namespace TlsTools.CipherSuites;

/// <summary>
/// Cipher suite names as mail servers write them, mapped to IANA names: OpenSSL's names (what
/// Postfix, sendmail and Exim with OpenSSL record, e.g. ECDHE-RSA-AES256-GCM-SHA384), GnuTLS's
/// names (Exim with GnuTLS, e.g. ECDHE_RSA_AES_256_GCM_SHA384 or, for TLS 1.3,
/// ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM), and the IANA names themselves (Exchange, Gmail,
/// Exim 4.92 and later, every TLS 1.3 suite).
/// </summary>
internal static class CipherSuiteNames
{
    /// <summary>
    /// OpenSSL name to IANA code. Generated with OpenSSL 3.0 from
    /// <c>openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'</c> (every suite it knows
    /// but the TLS 1.3 ones, whose OpenSSL names are their IANA names), plus the names of suites that
    /// OpenSSL 3.0 builds no longer carry (3DES, RC4, DES, export, SEED, IDEA) from OpenSSL 1.1.1's
    /// table (ssl/s3_lib.c), which older servers still write.
    /// </summary>
    internal static readonly (string OpenSsl, ushort Code)[] OpenSsl =
    {
        ("ECDHE-ECDSA-AES256-GCM-SHA384", 0xC02C),
        ("ECDHE-RSA-AES256-GCM-SHA384", 0xC030),
        ("DHE-DSS-AES256-GCM-SHA384", 0x00A3),
        ("DHE-RSA-AES256-GCM-SHA384", 0x009F),
        ("ECDHE-ECDSA-CHACHA20-POLY1305", 0xCCA9),
        ("ECDHE-RSA-CHACHA20-POLY1305", 0xCCA8),
        ("DHE-RSA-CHACHA20-POLY1305", 0xCCAA),
        ("ECDHE-ECDSA-AES256-CCM8", 0xC0AF),
        ("ECDHE-ECDSA-AES256-CCM", 0xC0AD),
        ("DHE-RSA-AES256-CCM8", 0xC0A3),
        ("DHE-RSA-AES256-CCM", 0xC09F),
        ("ECDHE-ECDSA-ARIA256-GCM-SHA384", 0xC05D),
        ("ECDHE-ARIA256-GCM-SHA384", 0xC061),
        ("DHE-DSS-ARIA256-GCM-SHA384", 0xC057),
        ("DHE-RSA-ARIA256-GCM-SHA384", 0xC053),
        ("ADH-AES256-GCM-SHA384", 0x00A7),
        ("ECDHE-ECDSA-AES128-GCM-SHA256", 0xC02B),
        ("ECDHE-RSA-AES128-GCM-SHA256", 0xC02F),
        ("DHE-DSS-AES128-GCM-SHA256", 0x00A2),
        ("DHE-RSA-AES128-GCM-SHA256", 0x009E),
        ("ECDHE-ECDSA-AES128-CCM8", 0xC0AE),
        ("ECDHE-ECDSA-AES128-CCM", 0xC0AC),
        ("DHE-RSA-AES128-CCM8", 0xC0A2),
        ("DHE-RSA-AES128-CCM", 0xC09E),
        ("ECDHE-ECDSA-ARIA128-GCM-SHA256", 0xC05C),
        ("ECDHE-ARIA128-GCM-SHA256", 0xC060),
        ("DHE-DSS-ARIA128-GCM-SHA256", 0xC056),
        ("DHE-RSA-ARIA128-GCM-SHA256", 0xC052),
        ("ADH-AES128-GCM-SHA256", 0x00A6),
        ("ECDHE-ECDSA-AES256-SHA384", 0xC024),
        ("ECDHE-RSA-AES256-SHA384", 0xC028),
        ("DHE-RSA-AES256-SHA256", 0x006B),
        ("DHE-DSS-AES256-SHA256", 0x006A),
        ("ECDHE-ECDSA-CAMELLIA256-SHA384", 0xC073),
        ("ECDHE-RSA-CAMELLIA256-SHA384", 0xC077),
        ("DHE-RSA-CAMELLIA256-SHA256", 0x00C4),
        ("DHE-DSS-CAMELLIA256-SHA256", 0x00C3),
        ("ADH-AES256-SHA256", 0x006D),
        ("ADH-CAMELLIA256-SHA256", 0x00C5),
        ("ECDHE-ECDSA-AES128-SHA256", 0xC023),
        ("ECDHE-RSA-AES128-SHA256", 0xC027),
        ("DHE-RSA-AES128-SHA256", 0x0067),
        ("DHE-DSS-AES128-SHA256", 0x0040),
        ("ECDHE-ECDSA-CAMELLIA128-SHA256", 0xC072),
        ("ECDHE-RSA-CAMELLIA128-SHA256", 0xC076),
        ("DHE-RSA-CAMELLIA128-SHA256", 0x00BE),
        ("DHE-DSS-CAMELLIA128-SHA256", 0x00BD),
        ("ADH-AES128-SHA256", 0x006C),
        ("ADH-CAMELLIA128-SHA256", 0x00BF),
        ("ECDHE-ECDSA-AES256-SHA", 0xC00A),
        ("ECDHE-RSA-AES256-SHA", 0xC014),
        ("DHE-RSA-AES256-SHA", 0x0039),
        ("DHE-DSS-AES256-SHA", 0x0038),
        ("DHE-RSA-CAMELLIA256-SHA", 0x0088),
        ("DHE-DSS-CAMELLIA256-SHA", 0x0087),
        ("AECDH-AES256-SHA", 0xC019),
        ("ADH-AES256-SHA", 0x003A),
        ("ADH-CAMELLIA256-SHA", 0x0089),
        ("ECDHE-ECDSA-AES128-SHA", 0xC009),
        ("ECDHE-RSA-AES128-SHA", 0xC013),
        ("DHE-RSA-AES128-SHA", 0x0033),
        ("DHE-DSS-AES128-SHA", 0x0032),
        ("DHE-RSA-CAMELLIA128-SHA", 0x0045),
        ("DHE-DSS-CAMELLIA128-SHA", 0x0044),
        ("AECDH-AES128-SHA", 0xC018),
        ("ADH-AES128-SHA", 0x0034),
        ("ADH-CAMELLIA128-SHA", 0x0046),
        ("RSA-PSK-AES256-GCM-SHA384", 0x00AD),
        ("DHE-PSK-AES256-GCM-SHA384", 0x00AB),
        ("RSA-PSK-CHACHA20-POLY1305", 0xCCAE),
        ("DHE-PSK-CHACHA20-POLY1305", 0xCCAD),
        ("ECDHE-PSK-CHACHA20-POLY1305", 0xCCAC),
        ("DHE-PSK-AES256-CCM8", 0xC0AB),
        ("DHE-PSK-AES256-CCM", 0xC0A7),
        ("RSA-PSK-ARIA256-GCM-SHA384", 0xC06F),
        ("DHE-PSK-ARIA256-GCM-SHA384", 0xC06D),
        ("AES256-GCM-SHA384", 0x009D),
        ("AES256-CCM8", 0xC0A1),
        ("AES256-CCM", 0xC09D),
        ("ARIA256-GCM-SHA384", 0xC051),
        ("PSK-AES256-GCM-SHA384", 0x00A9),
        ("PSK-CHACHA20-POLY1305", 0xCCAB),
        ("PSK-AES256-CCM8", 0xC0A9),
        ("PSK-AES256-CCM", 0xC0A5),
        ("PSK-ARIA256-GCM-SHA384", 0xC06B),
        ("RSA-PSK-AES128-GCM-SHA256", 0x00AC),
        ("DHE-PSK-AES128-GCM-SHA256", 0x00AA),
        ("DHE-PSK-AES128-CCM8", 0xC0AA),
        ("DHE-PSK-AES128-CCM", 0xC0A6),
        ("RSA-PSK-ARIA128-GCM-SHA256", 0xC06E),
        ("DHE-PSK-ARIA128-GCM-SHA256", 0xC06C),
        ("AES128-GCM-SHA256", 0x009C),
        ("AES128-CCM8", 0xC0A0),
        ("AES128-CCM", 0xC09C),
        ("ARIA128-GCM-SHA256", 0xC050),
        ("PSK-AES128-GCM-SHA256", 0x00A8),
        ("PSK-AES128-CCM8", 0xC0A8),
        ("PSK-AES128-CCM", 0xC0A4),
        ("PSK-ARIA128-GCM-SHA256", 0xC06A),
        ("AES256-SHA256", 0x003D),
        ("CAMELLIA256-SHA256", 0x00C0),
        ("AES128-SHA256", 0x003C),
        ("CAMELLIA128-SHA256", 0x00BA),
        ("ECDHE-PSK-AES256-CBC-SHA384", 0xC038),
        ("ECDHE-PSK-AES256-CBC-SHA", 0xC036),
        ("SRP-DSS-AES-256-CBC-SHA", 0xC022),
        ("SRP-RSA-AES-256-CBC-SHA", 0xC021),
        ("SRP-AES-256-CBC-SHA", 0xC020),
        ("RSA-PSK-AES256-CBC-SHA384", 0x00B7),
        ("DHE-PSK-AES256-CBC-SHA384", 0x00B3),
        ("RSA-PSK-AES256-CBC-SHA", 0x0095),
        ("DHE-PSK-AES256-CBC-SHA", 0x0091),
        ("ECDHE-PSK-CAMELLIA256-SHA384", 0xC09B),
        ("RSA-PSK-CAMELLIA256-SHA384", 0xC099),
        ("DHE-PSK-CAMELLIA256-SHA384", 0xC097),
        ("AES256-SHA", 0x0035),
        ("CAMELLIA256-SHA", 0x0084),
        ("PSK-AES256-CBC-SHA384", 0x00AF),
        ("PSK-AES256-CBC-SHA", 0x008D),
        ("PSK-CAMELLIA256-SHA384", 0xC095),
        ("ECDHE-PSK-AES128-CBC-SHA256", 0xC037),
        ("ECDHE-PSK-AES128-CBC-SHA", 0xC035),
        ("SRP-DSS-AES-128-CBC-SHA", 0xC01F),
        ("SRP-RSA-AES-128-CBC-SHA", 0xC01E),
        ("SRP-AES-128-CBC-SHA", 0xC01D),
        ("RSA-PSK-AES128-CBC-SHA256", 0x00B6),
        ("DHE-PSK-AES128-CBC-SHA256", 0x00B2),
        ("RSA-PSK-AES128-CBC-SHA", 0x0094),
        ("DHE-PSK-AES128-CBC-SHA", 0x0090),
        ("ECDHE-PSK-CAMELLIA128-SHA256", 0xC09A),
        ("RSA-PSK-CAMELLIA128-SHA256", 0xC098),
        ("DHE-PSK-CAMELLIA128-SHA256", 0xC096),
        ("AES128-SHA", 0x002F),
        ("CAMELLIA128-SHA", 0x0041),
        ("PSK-AES128-CBC-SHA256", 0x00AE),
        ("PSK-AES128-CBC-SHA", 0x008C),
        ("PSK-CAMELLIA128-SHA256", 0xC094),
        ("ECDHE-ECDSA-NULL-SHA", 0xC006),
        ("ECDHE-RSA-NULL-SHA", 0xC010),
        ("AECDH-NULL-SHA", 0xC015),
        ("NULL-SHA256", 0x003B),
        ("ECDHE-PSK-NULL-SHA384", 0xC03B),
        ("ECDHE-PSK-NULL-SHA256", 0xC03A),
        ("ECDHE-PSK-NULL-SHA", 0xC039),
        ("RSA-PSK-NULL-SHA384", 0x00B9),
        ("RSA-PSK-NULL-SHA256", 0x00B8),
        ("DHE-PSK-NULL-SHA384", 0x00B5),
        ("DHE-PSK-NULL-SHA256", 0x00B4),
        ("RSA-PSK-NULL-SHA", 0x002E),
        ("DHE-PSK-NULL-SHA", 0x002D),
        ("NULL-SHA", 0x0002),
        ("NULL-MD5", 0x0001),
        ("PSK-NULL-SHA384", 0x00B1),
        ("PSK-NULL-SHA256", 0x00B0),
        ("PSK-NULL-SHA", 0x002C),
        // Not in OpenSSL 3.0's default provider; names from OpenSSL 1.1.1.
        ("DES-CBC3-SHA", 0x000A),
        ("EDH-RSA-DES-CBC3-SHA", 0x0016),
        ("DHE-RSA-DES-CBC3-SHA", 0x0016),
        ("EDH-DSS-DES-CBC3-SHA", 0x0013),
        ("ECDHE-RSA-DES-CBC3-SHA", 0xC012),
        ("ECDHE-ECDSA-DES-CBC3-SHA", 0xC008),
        ("RC4-SHA", 0x0005),
        ("RC4-MD5", 0x0004),
        ("EXP-RC4-MD5", 0x0003),
        ("ECDHE-RSA-RC4-SHA", 0xC011),
        ("ECDHE-ECDSA-RC4-SHA", 0xC007),
        ("DES-CBC-SHA", 0x0009),
        ("EDH-RSA-DES-CBC-SHA", 0x0015),
        ("EXP-DES-CBC-SHA", 0x0008),
        ("EXP-EDH-RSA-DES-CBC-SHA", 0x0014),
        ("SEED-SHA", 0x0096),
        ("DHE-RSA-SEED-SHA", 0x009A),
        ("IDEA-CBC-SHA", 0x0007),
    };

    private static readonly Lazy<Dictionary<string, ushort>> s_openSsl = new(() =>
    {
        var map = new Dictionary<string, ushort>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, code) in OpenSsl)
        {
            map[name] = code;
        }
        return map;
    });

    private static readonly Lazy<Dictionary<string, ushort>> s_iana = new(() =>
        CipherSuiteRegistry.Entries.ToDictionary(e => e.Name, e => e.Code, StringComparer.OrdinalIgnoreCase));

    /// <summary>The IANA name with this code, or null when the registry has none.</summary>
    internal static string? IanaName(ushort code) => CipherSuiteInfo.Find(code)?.Name;

    /// <summary>
    /// The IANA name of a suite written the way an MTA writes it, or null when the name is none
    /// this module knows. <paramref name="tls13"/> tells whether the hop used TLS 1.3 (GnuTLS's
    /// TLS 1.3 names carry the cipher only).
    /// </summary>
    internal static string? ToIana(string? written, bool tls13 = false)
    {
        if (string.IsNullOrWhiteSpace(written))
        {
            return null;
        }
        string name = written!.Trim().Trim('"', '\'', ',', ';');
        if (name.Length == 0 || name.Length > 200)
        {
            return null;
        }
        if (s_iana.Value.TryGetValue(name, out ushort code) || s_openSsl.Value.TryGetValue(name, out code))
        {
            return IanaName(code);
        }
        // SSL_ prefixed names (Java, old Windows): SSL_RSA_WITH_3DES_EDE_CBC_SHA.
        if (name.StartsWith("SSL_", StringComparison.OrdinalIgnoreCase) && s_iana.Value.TryGetValue("TLS_" + name.Substring(4), out code))
        {
            return IanaName(code);
        }
        return FromGnuTls(name.ToUpperInvariant(), tls13);
    }

    // GnuTLS writes key exchange, cipher and MAC joined by underscores without _WITH_
    // (ECDHE_RSA_AES_256_GCM_SHA384, RSA_AES_128_CBC_SHA1, ECDHE_ECDSA_CHACHA20_POLY1305), and for
    // TLS 1.3 "group__signature__cipher" (ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM).
    private static readonly string[] s_cipherStarts =
    {
        "AES_", "CHACHA20_POLY1305", "3DES_", "CAMELLIA_", "ARIA_", "ARCFOUR_", "NULL", "SEED_", "IDEA_", "DES_",
    };

    private static string? FromGnuTls(string name, bool tls13)
    {
        if (name.Contains("__"))
        {
            string cipher = name.Substring(name.LastIndexOf("__", StringComparison.Ordinal) + 2);
            return Tls13ForCipher(cipher);
        }
        if (tls13 && Tls13ForCipher(name) is { } direct)
        {
            return direct;
        }
        foreach (string start in s_cipherStarts)
        {
            int at = name.IndexOf("_" + start, StringComparison.Ordinal);
            if (at <= 0)
            {
                continue;
            }
            string kx = name.Substring(0, at);
            string rest = name.Substring(at + 1).Replace("ARCFOUR_", "RC4_");
            if (rest.EndsWith("_SHA1", StringComparison.Ordinal))
            {
                rest = rest.Substring(0, rest.Length - 1);
            }
            if (rest == "CHACHA20_POLY1305")
            {
                rest += "_SHA256";
            }
            kx = kx switch
            {
                "ANON_DH" => "DH_anon",
                "ANON_ECDH" => "ECDH_anon",
                _ => kx,
            };
            if (s_iana.Value.TryGetValue($"TLS_{kx}_WITH_{rest}", out ushort code))
            {
                return IanaName(code);
            }
        }
        return null;
    }

    private static string? Tls13ForCipher(string cipher) => cipher switch
    {
        "AES_256_GCM" or "AES-256-GCM" => "TLS_AES_256_GCM_SHA384",
        "AES_128_GCM" or "AES-128-GCM" => "TLS_AES_128_GCM_SHA256",
        "CHACHA20_POLY1305" or "CHACHA20-POLY1305" => "TLS_CHACHA20_POLY1305_SHA256",
        "AES_128_CCM" or "AES-128-CCM" => "TLS_AES_128_CCM_SHA256",
        "AES_128_CCM_8" or "AES-128-CCM-8" => "TLS_AES_128_CCM_8_SHA256",
        _ => null,
    };
}
