using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace TlsTools.Policy;

/// <summary>One TLSA record (RFC 6698 section 2): usage, selector, matching type and association data.</summary>
public sealed class TlsaRecordData
{
    public TlsaRecordData(int usage, int selector, int matchingType, byte[] data)
    {
        Usage = usage;
        Selector = selector;
        MatchingType = matchingType;
        Data = data;
    }

    /// <summary>0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE.</summary>
    public int Usage { get; }

    /// <summary>0 full certificate, 1 SubjectPublicKeyInfo.</summary>
    public int Selector { get; }

    /// <summary>0 exact, 1 SHA-256, 2 SHA-512.</summary>
    public int MatchingType { get; }

    public byte[] Data { get; }

    /// <summary>
    /// Whether an SMTP client may use the record (RFC 7672 section 3.1, RFC 7671 section 4): usage
    /// 2 or 3, selector 0 or 1, matching type 0, 1 or 2 with data of the digest's length.
    /// Usages 0 and 1 are unusable for SMTP (RFC 7672 section 3.1.3).
    /// </summary>
    public bool IsUsable => UnusableReason is null;

    /// <summary>Why the record is unusable, or null.</summary>
    public string? UnusableReason
    {
        get
        {
            if (Usage is 0 or 1)
            {
                return $"usage {Usage} ({(Usage == 0 ? "PKIX-TA" : "PKIX-EE")}) is not used for SMTP (RFC 7672 section 3.1.3)";
            }
            if (Usage is not (2 or 3))
            {
                return $"usage {Usage} is unknown";
            }
            if (Selector is not (0 or 1))
            {
                return $"selector {Selector} is unknown";
            }
            return MatchingType switch
            {
                0 when Data.Length == 0 => "matching type 0 with no data",
                1 when Data.Length != 32 => $"matching type 1 (SHA-256) with {Data.Length} bytes of data instead of 32",
                2 when Data.Length != 64 => $"matching type 2 (SHA-512) with {Data.Length} bytes of data instead of 64",
                0 or 1 or 2 => null,
                _ => $"matching type {MatchingType} is unknown",
            };
        }
    }

    /// <summary>Presentation form: "3 1 1 0A1B...", data in upper-case hex.</summary>
    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "{0} {1} {2} {3}", Usage, Selector, MatchingType, Hex(Data));

    /// <summary>Parses the presentation form "usage selector matching hex".</summary>
    public static TlsaRecordData Parse(string text)
    {
        string[] parts = text.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4)
        {
            throw new FormatException($"'{text}' is not 'usage selector matching-type data'.");
        }
        string hex = string.Concat(parts.Skip(3));
        return new TlsaRecordData(
            int.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture),
            int.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture),
            int.Parse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture),
            FromHex(hex));
    }

    internal static string Hex(byte[] data)
    {
        var sb = new StringBuilder(data.Length * 2);
        foreach (byte b in data)
        {
            sb.Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    internal static byte[] FromHex(string hex)
    {
        if (hex.Length % 2 != 0)
        {
            throw new FormatException("The hex data has an odd number of digits.");
        }
        var bytes = new byte[hex.Length / 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = byte.Parse(hex.Substring(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        return bytes;
    }
}
