using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace TlsTools.Loader;

/// <summary>
/// The module's own assembly load context. TlsTools.dll and every assembly beside it
/// (TlsTools.Core, BouncyCastle, DnsClient) load here, so a PowerShell session that already loaded
/// other versions of them (the Exchange modules ship their own) keeps working, and so do we.
/// Anything not found beside the module (System.Management.Automation, the framework) falls back
/// to the default context, which is what makes PowerShell's own types shared.
/// </summary>
public sealed class LoadContext : AssemblyLoadContext
{
    private static readonly object s_sync = new();
    private static LoadContext? s_instance;

    private readonly string _assemblyDir;
    private readonly Assembly _loaderAssembly;
    private readonly Assembly _moduleAssembly;

    private LoadContext(string moduleAssemblyPath)
        : base(name: "TlsTools", isCollectible: false)
    {
        _assemblyDir = Path.GetDirectoryName(moduleAssemblyPath) ?? string.Empty;
        _loaderAssembly = typeof(LoadContext).Assembly;
        _moduleAssembly = LoadFromAssemblyPath(moduleAssemblyPath);
    }

    /// <summary>Returns the module assembly, creating the load context on first use.</summary>
    public static Assembly Initialize()
    {
        lock (s_sync)
        {
            if (s_instance is null)
            {
                string loaderPath = typeof(LoadContext).Assembly.Location;
                string modulePath = Path.Combine(Path.GetDirectoryName(loaderPath)!, "TlsTools.dll");
                s_instance = new LoadContext(modulePath);
            }
            return s_instance._moduleAssembly;
        }
    }

    /// <summary>Loads a dependency of the module by simple name into the module's context.</summary>
    public static Assembly LoadDependency(string name)
    {
        Initialize();
        return s_instance!.LoadFromAssemblyName(new AssemblyName(name));
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // The loader itself must resolve to the copy PowerShell already loaded.
        if (string.Equals(assemblyName.Name, _loaderAssembly.GetName().Name, StringComparison.Ordinal))
        {
            return _loaderAssembly;
        }

        string candidate = Path.Combine(_assemblyDir, assemblyName.Name + ".dll");
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }
}
