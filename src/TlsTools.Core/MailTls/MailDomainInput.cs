using System;
using TlsTools.Net;

namespace TlsTools.MailTls;

/// <summary>
/// Turns what Exchange and CSV files hold into a mail domain: accepted-domain names,
/// outbound connector RecipientDomains (<c>*.contoso.com</c>) and send connector AddressSpaces
/// (<c>SMTP:contoso.com;1</c>).
/// </summary>
public static class MailDomainInput
{
    /// <summary>Returns the domain to test, or null with a reason when the value names none.</summary>
    public static string? Normalize(string value, out string? reason)
    {
        reason = null;
        string s = (value ?? string.Empty).Trim();
        int colon = s.IndexOf(':');
        if (colon > 0 && s.Substring(0, colon).Equals("smtp", StringComparison.OrdinalIgnoreCase))
        {
            s = s.Substring(colon + 1);
        }
        int semicolon = s.IndexOf(';');
        if (semicolon >= 0)
        {
            s = s.Substring(0, semicolon);
        }
        if (s.StartsWith("*.", StringComparison.Ordinal))
        {
            // "*.contoso.com" covers contoso.com and its subdomains: the parent is the one with MX records.
            s = s.Substring(2);
        }
        s = s.TrimEnd('.');
        if (s.Length == 0 || s == "*" || s == "--")
        {
            reason = $"'{value}' covers every domain; name the partner domains to test.";
            return null;
        }
        string ascii = DomainName.Normalize(s);
        if (s.IndexOf('*') >= 0 || !DomainName.IsValidHostName(ascii) || ascii.IndexOf('.') < 0)
        {
            reason = $"'{value}' is not a mail domain.";
            return null;
        }
        return ascii;
    }
}
