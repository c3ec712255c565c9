using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.X509;

namespace TlsTools.Certificates;

/// <summary>Reads certificates from files: DER, PEM (one or many, a chain file), or a certs-only PKCS#7 (.p7b/.p7c).</summary>
public static class CertificateFile
{
    /// <summary>Files larger than this are not certificate files.</summary>
    public const long MaximumFileBytes = 4 * 1024 * 1024;

    /// <summary>Every certificate in the file; throws <see cref="InvalidDataException"/> when it holds none.</summary>
    public static IReadOnlyList<X509Certificate2> Read(string path)
    {
        var info = new FileInfo(path);
        if (info.Length > MaximumFileBytes)
        {
            throw new InvalidDataException($"'{path}' is {info.Length} bytes: too large for a certificate file.");
        }
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Every certificate in <paramref name="data"/>.</summary>
    public static IReadOnlyList<X509Certificate2> Parse(byte[] data, string source)
    {
        IList<Org.BouncyCastle.X509.X509Certificate> parsed;
        try
        {
            parsed = new X509CertificateParser().ReadCertificates(data);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{source}' holds no certificate that can be read: {e.Message}", e);
        }
        if (parsed is null || parsed.Count == 0)
        {
            throw new InvalidDataException($"'{source}' holds no certificate (DER, PEM or PKCS#7 expected).");
        }
        var result = new List<X509Certificate2>(parsed.Count);
        foreach (Org.BouncyCastle.X509.X509Certificate c in parsed)
        {
            result.Add(new X509Certificate2(c.GetEncoded()));
        }
        return result;
    }
}
