#if NETFRAMEWORK
using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace TlsTools.Commands;

/// <summary>
/// Windows PowerShell 5.1 has no assembly load contexts and no binding redirects for a module:
/// when the runtime cannot find a dependency (BouncyCastle, DnsClient, System.Memory, ...), load it
/// from the module's own folder.
/// </summary>
public sealed class NetFrameworkAssemblyResolver : IModuleAssemblyInitializer
{
    private static readonly string s_directory = Path.GetDirectoryName(typeof(NetFrameworkAssemblyResolver).Assembly.Location) ?? string.Empty;

    public void OnImport() => AppDomain.CurrentDomain.AssemblyResolve += Resolve;

    private static Assembly? Resolve(object? sender, ResolveEventArgs args)
    {
        string candidate = Path.Combine(s_directory, new AssemblyName(args.Name).Name + ".dll");
        return File.Exists(candidate) ? Assembly.LoadFrom(candidate) : null;
    }
}
#endif
