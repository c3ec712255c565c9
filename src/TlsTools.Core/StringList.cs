using System.Collections.Generic;

namespace TlsTools;

/// <summary>
/// A read-only list of strings that prints as one comma-separated value (see
/// <see cref="ValueList{T}"/>): names, URLs, reasons and notes of the output objects.
/// </summary>
public sealed class StringList : ValueList<string>
{
    public static readonly StringList None = new(new List<string>());

    public StringList(IEnumerable<string> items)
        : base(items)
    {
    }
}
