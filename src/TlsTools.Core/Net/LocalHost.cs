using System;

namespace TlsTools.Net;

/// <summary>This machine's names.</summary>
public static class LocalHost
{
    /// <summary>The fully qualified host name, as an EHLO argument wants it (RFC 5321 section 4.1.1.1).</summary>
    public static string FullyQualifiedName()
    {
        try
        {
            var props = System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties();
            string host = props.HostName;
            string domain = props.DomainName;
            if (!string.IsNullOrEmpty(domain) && !host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
            {
                host = host + "." + domain;
            }
            return DomainName.IsValidHostName(host) ? host : "localhost";
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            return "localhost";
        }
    }
}
