using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace TlsTools;

/// <summary>
/// A read-only list of strings that prints as one comma-separated value. Output objects use it for
/// multi-valued properties, so <c>Export-Csv</c> writes the values instead of a type name while
/// <c>ConvertTo-Json</c> still writes an array.
/// </summary>
public sealed class StringList : ReadOnlyCollection<string>
{
    public static readonly StringList None = new(new List<string>());

    public StringList(IEnumerable<string> items)
        : base(items.ToList())
    {
    }

    public override string ToString() => string.Join(", ", this);
}
