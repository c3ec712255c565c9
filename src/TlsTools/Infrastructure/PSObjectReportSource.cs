using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using TlsTools.Reporting;

namespace TlsTools.Commands;

/// <summary>
/// Reads a PowerShell object for the report by property name: live TlsTools objects, and the
/// property bags (type names <c>Deserialized.TlsTools.…</c>) that come back through remoting or
/// PSSerializer, whose enums may be names or numbers and whose nested objects may be bags too.
/// </summary>
internal sealed class PSObjectReportSource : IReportSource
{
    private readonly PSObject _object;
    private string[]? _typeNames;

    public PSObjectReportSource(PSObject value) => _object = value;

    public IReadOnlyList<string> TypeNames => _typeNames ??= ReadTypeNames();

    public string Text => _object.ToString();

    public bool Has(string name) => _object.Properties[name] is not null;

    public object? Get(string name)
    {
        PSPropertyInfo? property = _object.Properties[name];
        if (property is null)
        {
            return null;
        }
        object? value;
        try
        {
            value = property.Value;
        }
        catch (GetValueException)
        {
            return null;
        }
        return Wrap(value);
    }

    private string[] ReadTypeNames()
    {
        var names = new string[_object.TypeNames.Count];
        _object.TypeNames.CopyTo(names, 0);
        return names;
    }

    private static object? Wrap(object? value)
    {
        if (value is null)
        {
            return null;
        }
        if (value is PSObject pso)
        {
            // A deserialized bag keeps its properties on the PSObject; a wrapped live value on its base object.
            // A deserialized list (a summary's Results) also carries a Deserialized. type name, but its
            // items are in the base ArrayList: it is read as a list, not as one empty record.
            bool isCollection = pso.BaseObject is IEnumerable and not string;
            if (pso.BaseObject is PSCustomObject
                || !isCollection && pso.TypeNames.Count > 0 && pso.TypeNames[0].StartsWith("Deserialized.", StringComparison.Ordinal))
            {
                return new PSObjectReportSource(pso);
            }
            value = pso.BaseObject;
        }
        if (ReportValue.IsScalar(value))
        {
            return value;
        }
        if (value is IDictionary dictionary)
        {
            return new PSObjectReportSource(PSObject.AsPSObject(dictionary));
        }
        if (value is IEnumerable items)
        {
            var list = new List<object?>();
            foreach (object? item in items)
            {
                list.Add(Wrap(item));
            }
            return list;
        }
        return new PSObjectReportSource(PSObject.AsPSObject(value));
    }
}
