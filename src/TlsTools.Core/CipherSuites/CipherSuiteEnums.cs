namespace TlsTools;

/// <summary>A protocol version a cipher suite scan can try, oldest first.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum TlsProtocolVersion
{
    /// <summary>SSL 3.0 (RFC 6101), prohibited by RFC 7568.</summary>
    Ssl3,
    /// <summary>TLS 1.0 (RFC 2246), deprecated by RFC 8996.</summary>
    Tls10,
    /// <summary>TLS 1.1 (RFC 4346), deprecated by RFC 8996.</summary>
    Tls11,
    /// <summary>TLS 1.2 (RFC 5246).</summary>
    Tls12,
    /// <summary>TLS 1.3 (RFC 8446).</summary>
    Tls13,
}

/// <summary>
/// The security of a cipher suite as ciphersuite.info classifies it (https://ciphersuite.info):
/// Insecure (broken: anonymous, NULL, export, RC4, DES, MD5, ...), Weak (no forward secrecy, DHE,
/// CBC, 3DES), Secure, and Recommended (forward-secret AEAD suites that ciphersuite.info recommends).
/// </summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum CipherSuiteStrength
{
    Insecure,
    Weak,
    Secure,
    Recommended,
}
