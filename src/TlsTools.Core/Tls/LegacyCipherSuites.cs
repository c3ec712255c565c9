#if NET8_0_OR_GREATER
using System;
using System.Net.Security;
using System.Runtime.Versioning;

namespace TlsTools.Tls;

/// <summary>
/// A client suite list for reaching old mail servers: the modern suites first, then CBC and RSA
/// key exchange suites that Exchange Online itself still lists, then 3DES. .NET on Linux offers
/// none of the legacy ones by default; Windows ignores client suite lists (Schannel decides).
/// </summary>
[UnsupportedOSPlatform("windows")]
internal static class LegacyCipherSuites
{
    private static readonly Lazy<CipherSuitesPolicy?> s_policy = new(Create);

    public static CipherSuitesPolicy? Policy => s_policy.Value;

    private static CipherSuitesPolicy? Create()
    {
        try
        {
            return new CipherSuitesPolicy(new[]
            {
                TlsCipherSuite.TLS_AES_256_GCM_SHA384,
                TlsCipherSuite.TLS_AES_128_GCM_SHA256,
                TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
                TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
                TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
                TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
                TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
                TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
                TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
                TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
                TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
                TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
                TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
                TlsCipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
                TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
                TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA256,
                TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256,
                TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
                TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
                TlsCipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
            });
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }
}
#endif
