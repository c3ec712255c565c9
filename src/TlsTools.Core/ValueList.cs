using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace TlsTools;

/// <summary>
/// A read-only list of values (enum members, numbers, strings) that prints as one comma-separated
/// value. Output objects use it for multi-valued properties, so <c>Export-Csv</c> writes
/// "Tls12, Tls13" instead of a type name while <c>ConvertTo-Json</c> still writes an array.
/// </summary>
public class ValueList<T> : ReadOnlyCollection<T>
{
    public ValueList(IEnumerable<T> items)
        : base(items.ToList())
    {
    }

    public override string ToString() => string.Join(", ", this);
}
