using System;
using System.Collections.Generic;
using System.Net;

namespace TlsTools.Routing;

/// <summary>One host mail for a domain is delivered to, with its addresses.</summary>
public sealed class MailHost
{
    public MailHost(string name, int? preference, IReadOnlyList<IPAddress> addresses, string? resolutionError)
    {
        Name = name;
        Preference = preference;
        Addresses = addresses;
        ResolutionError = resolutionError;
    }

    /// <summary>The MX exchange name (or the domain itself for an implicit MX), without the root dot.</summary>
    public string Name { get; }

    /// <summary>The MX preference; null for an implicit MX or a host given directly.</summary>
    public int? Preference { get; }

    /// <summary>The host's addresses, of the families asked for.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    /// <summary>Why the host has no addresses, when it has none.</summary>
    public string? ResolutionError { get; }
}

/// <summary>Where mail for a domain goes (RFC 5321 section 5.1, RFC 7505).</summary>
public sealed class MailRoute
{
    public string Domain { get; init; } = string.Empty;

    /// <summary>The domain publishes a null MX ("0 ."): it accepts no mail.</summary>
    public bool IsNullMx { get; init; }

    /// <summary>The domain has no MX records, so its own address records are used.</summary>
    public bool IsImplicitMx { get; init; }

    /// <summary>The address families that were looked up.</summary>
    public AddressFamilyFilter Family { get; init; } = AddressFamilyFilter.Any;

    /// <summary>The hosts in delivery order: lowest preference first.</summary>
    public IReadOnlyList<MailHost> Hosts { get; init; } = Array.Empty<MailHost>();
}

/// <summary>A DNS look-up failed for a reason a report can name.</summary>
public sealed class DnsLookupException : Exception
{
    public DnsLookupException(string name, string reason, bool nameDoesNotExist, Exception? inner = null)
        : base($"DNS look-up of '{name}' failed: {reason}", inner)
    {
        Name = name;
        NameDoesNotExist = nameDoesNotExist;
    }

    public string Name { get; }

    /// <summary>NXDOMAIN: the name does not exist.</summary>
    public bool NameDoesNotExist { get; }
}
