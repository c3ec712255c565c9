using System;
using System.Collections.Generic;
using System.IO;
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

    private const string Begin = "-----BEGIN CERTIFICATE-----";
    private const string End = "-----END CERTIFICATE-----";

    /// <summary>Reads every certificate of a PEM file (a chain file too) or one DER certificate.</summary>
    public static IReadOnlyList<X509Certificate2> LoadFile(string path, long maxBytes = 10 * 1024 * 1024)
    {
        var info = new FileInfo(path);
        if (info.Length > maxBytes)
        {
            throw new InvalidDataException($"'{path}' is larger than {maxBytes} bytes; it is not a certificate file.");
        }
        byte[] bytes = File.ReadAllBytes(path);
        string text = Encoding.ASCII.GetString(bytes);
        if (text.IndexOf(Begin, StringComparison.Ordinal) < 0)
        {
            return new[] { new X509Certificate2(bytes) };
        }
        return Decode(text);
    }

    /// <summary>Every CERTIFICATE block of a PEM text, in order.</summary>
    public static IReadOnlyList<X509Certificate2> Decode(string text)
    {
        var result = new List<X509Certificate2>();
        int at = 0;
        while ((at = text.IndexOf(Begin, at, StringComparison.Ordinal)) >= 0)
        {
            int end = text.IndexOf(End, at, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new InvalidDataException("A PEM certificate block has no END line.");
            }
            string body = text.Substring(at + Begin.Length, end - at - Begin.Length);
            result.Add(new X509Certificate2(Convert.FromBase64String(body.Replace("\r", string.Empty).Replace("\n", string.Empty).Trim())));
            at = end + End.Length;
        }
        return result;
    }
}
