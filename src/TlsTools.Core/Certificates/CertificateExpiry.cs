namespace TlsTools.Certificates;

/// <summary>When a certificate's coming expiry becomes worth a warning, the same for every verdict.</summary>
public static class CertificateExpiry
{
    /// <summary>A certificate with fewer whole days left than this is about to expire (renewal is due).</summary>
    public const int WarningDays = 30;

    /// <summary>True when <paramref name="daysLeft"/> (whole days, negative once expired) is under the warning threshold but not yet past.</summary>
    public static bool IsSoon(double daysLeft) => daysLeft >= 0 && daysLeft < WarningDays;
}
