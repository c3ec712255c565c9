using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace TlsTools.CipherSuites;

/// <summary>
/// One IANA cipher suite with its parts read from the registered name: key exchange,
/// authentication, encryption (cipher and mode), key bits and MAC; its strength as
/// ciphersuite.info classifies it, and whether Exchange Online offers it.
/// </summary>
public sealed class CipherSuiteInfo
{
    private static readonly Lazy<IReadOnlyDictionary<ushort, CipherSuiteInfo>> s_byCode = new(() =>
        CipherSuiteRegistry.Entries.ToDictionary(e => e.Code, e => Parse(e.Code, e.Name)));

    private static readonly Lazy<IReadOnlyList<CipherSuiteInfo>> s_all = new(() =>
        s_byCode.Value.Values.OrderBy(s => s.Code).ToArray());

    /// <summary>
    /// The TLS 1.2 suites Exchange Online offers, from Microsoft's published list "TLS cipher suites
    /// supported by Office 365" (Microsoft Learn, "Technical reference details about encryption",
    /// microsoft-365/compliance/technical-reference-details-about-encryption.md, MicrosoftDocs/microsoft-365-docs
    /// commit 00fff532; the design notes on Exchange connectors (exchange-connectors.md) section 10.3), strongest first, in
    /// Microsoft's order. The list names ECDHE_RSA and RSA suites only: no ECDSA suite has a source,
    /// so none is on it. This is the one list: <see cref="MailTls.CipherSuiteFacts.ExchangeOnlineTls12Suites"/>,
    /// the ExchangeOnline flag of Get-TlsCipherSuite and the ClientHello of
    /// <see cref="ExchangeOnlineSuiteProbe"/> all read it.
    /// </summary>
    public static readonly IReadOnlyList<string> ExchangeOnlineSuites = new[]
    {
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
    };

    private static readonly HashSet<string> s_exchangeOnline = new(ExchangeOnlineSuites, StringComparer.Ordinal);

    private static readonly Lazy<IReadOnlyList<ushort>> s_exchangeOnlineCodes = new(() =>
        ExchangeOnlineSuites.Select(n => CipherSuiteRegistry.Entries.First(e => e.Name == n).Code).ToArray());

    /// <summary>The codes of <see cref="ExchangeOnlineSuites"/>, in Microsoft's order: what an Exchange Online ClientHello offers for TLS 1.2.</summary>
    public static IReadOnlyList<ushort> ExchangeOnlineSuiteCodes => s_exchangeOnlineCodes.Value;

    // Key exchange and authentication of the part before _WITH_ (after TLS_, without _EXPORT).
    private static readonly Dictionary<string, (string Kx, string Au)> s_kxAu = new(StringComparer.Ordinal)
    {
        ["RSA"] = ("RSA", "RSA"),
        ["DH_DSS"] = ("DH", "DSS"),
        ["DH_RSA"] = ("DH", "RSA"),
        ["DHE_DSS"] = ("DHE", "DSS"),
        ["DHE_RSA"] = ("DHE", "RSA"),
        ["DH_anon"] = ("DH", "None"),
        ["KRB5"] = ("KRB5", "KRB5"),
        ["PSK"] = ("PSK", "PSK"),
        ["DHE_PSK"] = ("DHE", "PSK"),
        ["PSK_DHE"] = ("DHE", "PSK"),
        ["RSA_PSK"] = ("RSA", "PSK"),
        ["ECDHE_PSK"] = ("ECDHE", "PSK"),
        ["ECDH_ECDSA"] = ("ECDH", "ECDSA"),
        ["ECDH_RSA"] = ("ECDH", "RSA"),
        ["ECDHE_ECDSA"] = ("ECDHE", "ECDSA"),
        ["ECDHE_RSA"] = ("ECDHE", "RSA"),
        ["ECDH_anon"] = ("ECDH", "None"),
        ["SRP_SHA"] = ("SRP", "SRP"),
        ["SRP_SHA_RSA"] = ("SRP", "RSA"),
        ["SRP_SHA_DSS"] = ("SRP", "DSS"),
        ["ECCPWD"] = ("ECCPWD", "ECCPWD"),
        ["GOSTR341112_256"] = ("GOSTR341112", "GOSTR341012"),
    };

    // Encryption tokens at the start of the part after _WITH_: (shown as, key bits, AEAD).
    private static readonly (string Token, string Encryption, int Bits, bool Aead)[] s_ciphers = BuildCiphers();

    private static (string, string, int, bool)[] BuildCiphers()
    {
        var list = new List<(string, string, int, bool)>
        {
            ("NULL", "NULL", 0, false),
            ("RC4_40", "RC4", 40, false),
            ("RC4_128", "RC4", 128, false),
            ("RC2_CBC_40", "RC2-CBC", 40, false),
            ("DES40_CBC", "DES-CBC", 40, false),
            ("DES_CBC_40", "DES-CBC", 40, false),
            ("DES_CBC", "DES-CBC", 56, false),
            ("3DES_EDE_CBC", "3DES-EDE-CBC", 112, false),
            ("IDEA_CBC", "IDEA-CBC", 128, false),
            ("SEED_CBC", "SEED-CBC", 128, false),
            ("CHACHA20_POLY1305", "CHACHA20-POLY1305", 256, true),
            ("KUZNYECHIK_CTR_OMAC", "KUZNYECHIK-CTR", 256, false),
            ("MAGMA_CTR_OMAC", "MAGMA-CTR", 256, false),
            ("28147_CNT_IMIT", "GOST28147-CNT", 256, false),
            ("KUZNYECHIK_MGM_L", "KUZNYECHIK-MGM", 256, true),
            ("KUZNYECHIK_MGM_S", "KUZNYECHIK-MGM", 256, true),
            ("MAGMA_MGM_L", "MAGMA-MGM", 256, true),
            ("MAGMA_MGM_S", "MAGMA-MGM", 256, true),
            ("SM4_GCM", "SM4-GCM", 128, true),
            ("SM4_CCM", "SM4-CCM", 128, true),
        };
        foreach (string cipher in new[] { "AES", "CAMELLIA", "ARIA" })
        {
            foreach (int bits in new[] { 128, 256 })
            {
                list.Add(($"{cipher}_{bits}_CBC", cipher + "-CBC", bits, false));
                list.Add(($"{cipher}_{bits}_GCM", cipher + "-GCM", bits, true));
            }
        }
        foreach (int bits in new[] { 128, 256 })
        {
            list.Add(($"AES_{bits}_CCM_8", "AES-CCM8", bits, true));
            list.Add(($"AES_{bits}_CCM", "AES-CCM", bits, true));
        }
        // Longest token first, so AES_128_CCM_8 wins over AES_128_CCM.
        return list.OrderByDescending(c => c.Item1.Length).ToArray();
    }

    private CipherSuiteInfo(ushort code, string name)
    {
        Code = code;
        Name = name;
    }

    /// <summary>The two-byte code, for example 0xC02F.</summary>
    public ushort Code { get; }

    /// <summary>The code as written in the registry: "0xC02F".</summary>
    public string CodeText => "0x" + Code.ToString("X4", CultureInfo.InvariantCulture);

    /// <summary>The IANA name, for example TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.</summary>
    public string Name { get; }

    /// <summary>ECDHE, DHE, RSA, ECDH, DH, PSK, KRB5, SRP, ECCPWD, GOSTR341112; TLS 1.3 suites: ECDHE (the group is negotiated apart).</summary>
    public string KeyExchange { get; private set; } = string.Empty;

    /// <summary>RSA, ECDSA, DSS, PSK, KRB5, SRP, ...; None for anonymous suites; Any for TLS 1.3 suites (the certificate decides).</summary>
    public string Authentication { get; private set; } = string.Empty;

    /// <summary>Cipher and mode, for example AES-GCM, AES-CBC, CHACHA20-POLY1305, 3DES-EDE-CBC, RC4, NULL.</summary>
    public string Encryption { get; private set; } = string.Empty;

    /// <summary>The cipher's key bits (3DES: 112 effective bits; NULL: 0).</summary>
    public int Bits { get; private set; }

    /// <summary>AEAD for authenticated encryption, else the record MAC: SHA1, SHA256, SHA384, MD5, ...</summary>
    public string Mac { get; private set; } = string.Empty;

    /// <summary>True for suites defined for TLS 1.3 only (RFC 8446 and later); false for suites of TLS 1.2 and before.</summary>
    public bool IsTls13 { get; private set; }

    /// <summary>True for export-grade suites.</summary>
    public bool IsExport { get; private set; }

    /// <summary>True when the key exchange is ephemeral.</summary>
    public bool ForwardSecrecy => KeyExchange is "ECDHE" or "DHE" or "ECCPWD";

    /// <summary>Insecure, Weak, Secure or Recommended, following ciphersuite.info's classification.</summary>
    public CipherSuiteStrength Strength { get; private set; }

    /// <summary>True when the suite is on Microsoft's list of suites Exchange Online offers (<see cref="ExchangeOnlineSuites"/>).</summary>
    public bool ExchangeOnline => s_exchangeOnline.Contains(Name);

    /// <summary>Every suite of the registry, by code.</summary>
    public static IReadOnlyList<CipherSuiteInfo> All => s_all.Value;

    /// <summary>The suite with this code, or null when the registry has none.</summary>
    public static CipherSuiteInfo? Find(ushort code) => s_byCode.Value.TryGetValue(code, out CipherSuiteInfo? info) ? info : null;

    /// <summary>The suites a ClientHello of <paramref name="protocol"/> may offer: TLS 1.3 suites for TLS 1.3, every other suite otherwise.</summary>
    public static IReadOnlyList<CipherSuiteInfo> ForProtocol(TlsProtocolVersion protocol) =>
        All.Where(s => s.IsTls13 == (protocol == TlsProtocolVersion.Tls13)).ToArray();

    public override string ToString() => Name;

    /// <summary>Reads the parts of a suite from its IANA name.</summary>
    internal static CipherSuiteInfo Parse(ushort code, string name)
    {
        var info = new CipherSuiteInfo(code, name);
        if (!name.StartsWith("TLS_", StringComparison.Ordinal))
        {
            throw new ArgumentException("Not an IANA cipher suite name: " + name, nameof(name));
        }
        string rest = name.Substring(4);
        string encMac;
        int with = rest.IndexOf("_WITH_", StringComparison.Ordinal);
        if (with < 0 || IsTls13Code(code))
        {
            // TLS 1.3 names carry only the AEAD and the hash: TLS_AES_128_GCM_SHA256.
            info.IsTls13 = true;
            info.KeyExchange = "ECDHE";
            info.Authentication = "Any";
            encMac = with < 0 ? rest : rest.Substring(with + 6);
            if (with >= 0)
            {
                string kxPart = rest.Substring(0, with);
                if (s_kxAu.TryGetValue(kxPart, out var gost))
                {
                    info.KeyExchange = gost.Kx;
                    info.Authentication = gost.Au;
                }
            }
        }
        else
        {
            string kxAu = rest.Substring(0, with);
            encMac = rest.Substring(with + 6);
            if (kxAu.Contains("_EXPORT"))
            {
                info.IsExport = true;
                kxAu = kxAu.Replace("_EXPORT1024", string.Empty).Replace("_EXPORT", string.Empty);
            }
            if (!s_kxAu.TryGetValue(kxAu, out var parts))
            {
                throw new ArgumentException("Unknown key exchange in " + name, nameof(name));
            }
            info.KeyExchange = parts.Kx;
            info.Authentication = parts.Au;
        }

        if (encMac is "SHA256_SHA256" or "SHA384_SHA384")
        {
            // RFC 9150: integrity only, no encryption.
            info.Encryption = "NULL";
            info.Bits = 0;
            info.Mac = encMac.Substring(7);
        }
        else
        {
            bool found = false;
            foreach (var (token, encryption, bits, aead) in s_ciphers)
            {
                if (encMac == token || encMac.StartsWith(token + "_", StringComparison.Ordinal))
                {
                    info.Encryption = encryption;
                    info.Bits = bits;
                    string mac = encMac.Length > token.Length ? encMac.Substring(token.Length + 1) : string.Empty;
                    info.Mac = aead ? "AEAD" : mac switch
                    {
                        "SHA" => "SHA1",
                        "" => token.EndsWith("_OMAC", StringComparison.Ordinal) ? "OMAC" : token.EndsWith("_IMIT", StringComparison.Ordinal) ? "IMIT" : "NULL",
                        _ => mac,
                    };
                    found = true;
                    break;
                }
            }
            if (!found)
            {
                throw new ArgumentException("Unknown encryption in " + name, nameof(name));
            }
        }
        info.Strength = Classify(info);
        return info;
    }

    private static bool IsTls13Code(ushort code) =>
        code is >= 0x1301 and <= 0x13FF or 0x00C6 or 0x00C7 or 0xC0B4 or 0xC0B5 or >= 0xC103 and <= 0xC106;

    /// <summary>
    /// ciphersuite.info's rules as its directory applies them: a broken part makes a suite Insecure,
    /// a weakness makes it Weak, and a forward-secret GCM or ChaCha20 suite not authenticated by RSA
    /// is Recommended; everything else is Secure.
    /// </summary>
    internal static CipherSuiteStrength Classify(CipherSuiteInfo s)
    {
        bool insecure = s.Authentication == "None"
            || s.Encryption == "NULL"
            || s.IsExport
            || s.Encryption is "RC4" or "RC2-CBC" or "DES-CBC"
            || s.Mac == "MD5"
            || s.KeyExchange == "GOSTR341112"
            || s.Encryption.StartsWith("KUZNYECHIK", StringComparison.Ordinal)
            || s.Encryption.StartsWith("MAGMA", StringComparison.Ordinal)
            || s.Encryption.StartsWith("GOST", StringComparison.Ordinal)
            || s.Encryption.StartsWith("SM4", StringComparison.Ordinal);
        if (insecure)
        {
            return CipherSuiteStrength.Insecure;
        }
        bool weak = s.KeyExchange is not ("ECDHE" or "ECCPWD")
            || s.Encryption.EndsWith("-CBC", StringComparison.Ordinal);
        if (weak)
        {
            return CipherSuiteStrength.Weak;
        }
        bool recommended = (s.Encryption.EndsWith("-GCM", StringComparison.Ordinal) || s.Encryption == "CHACHA20-POLY1305")
            && s.Authentication != "RSA";
        return recommended ? CipherSuiteStrength.Recommended : CipherSuiteStrength.Secure;
    }
}
