using System.Collections.Specialized;
using TlsTools.Connectors;

namespace TlsTools;

/// <summary>
/// One connector, or one organisation setting, to create or change so that mail to or from a partner
/// must travel over TLS: the Exchange cmdlet to run and the parameters to splat into it, with the
/// measurements the values came from and what to review before applying it.
/// </summary>
public sealed class ConnectorSpec
{
    public ConnectorPlatform Platform { get; set; }

    /// <summary>Inbound or Outbound; Both for a setting that serves both directions (Set-TransportConfig).</summary>
    public ConnectorDirection Direction { get; set; }

    /// <summary>The Exchange cmdlet the parameters are for, e.g. New-OutboundConnector.</summary>
    public string Cmdlet { get; set; } = string.Empty;

    /// <summary>The connector's name (for Set-ReceiveConnector: its identity).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// The parameters, in order, keyed by the exact parameter names of <see cref="Cmdlet"/>; values are
    /// bool, int, string or string[] (the two domain secure lists take an @{ Add = ... } hashtable, so
    /// that other partners' entries stay). Splat them: <c>$p = $spec.Parameters; &amp; $spec.Cmdlet @p</c>.
    /// </summary>
    public OrderedDictionary Parameters { get; set; } = new();

    /// <summary>What to look at before applying, one line each, prefixed with the rule id.</summary>
    public StringList Warnings { get; set; } = StringList.None;

    /// <summary>Where the values came from: which measurement, certificate or parameter.</summary>
    public StringList Evidence { get; set; } = StringList.None;

    /// <summary>True when no warning blocks: nothing measured says that this connector would bounce or queue mail.</summary>
    public bool ReadyToApply { get; set; }

    public override string ToString() => Cmdlet + " '" + Name + "'";
}
