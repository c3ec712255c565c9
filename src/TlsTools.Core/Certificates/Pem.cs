using System;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace TlsTools.Certificates;

/// <summary>PEM encoding (RFC 7468) of certificates.</summary>
public static class Pem
{
    /// <summary>The certificate as a PEM block with 64-character lines and LF line ends.</summary>
    public static string Encode(X509Certificate2 certificate)
    {
        string b64 = Convert.ToBase64String(certificate.RawData);
        var sb = new StringBuilder();
        sb.Append("-----BEGIN CERTIFICATE-----\n");
        for (int i = 0; i < b64.Length; i += 64)
        {
            sb.Append(b64, i, Math.Min(64, b64.Length - i)).Append('\n');
        }
        sb.Append("-----END CERTIFICATE-----\n");
        return sb.ToString();
    }
}
