using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Net;

namespace TlsTools.Probing;

/// <summary>A request to fetch the certificate chain a server presents.</summary>
public sealed class RemoteCertificateRequest
{
    public string ComputerName { get; init; } = string.Empty;
    public int Port { get; init; } = 443;
    public StartTlsProtocol StartTls { get; init; }

    /// <summary>SNI name; null means the host name when it is not an address literal.</summary>
    public string? ServerName { get; init; }

    /// <summary>The name sent in EHLO for SMTP STARTTLS.</summary>
    public string? HeloName { get; init; } = LocalHost.FullyQualifiedName();

    /// <summary>The time allowed for the probe of one address.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// The chain a server presents, for Get-RemoteCertificate: one <see cref="TlsProbe"/> per address
/// of the host (the next address when one refuses, like any client), the chain as presented,
/// trusting nothing. Failures are thrown as <see cref="ProbeException"/>, one per target.
/// </summary>
public static class RemoteCertificateProbe
{
    public static async Task<IReadOnlyList<RemoteCertificate>> FetchAsync(RemoteCertificateRequest request, CancellationToken cancellationToken)
    {
        IPAddress[] addresses = await TcpConnector.ResolveAsync(request.ComputerName, cancellationToken).ConfigureAwait(false);
        ProbeFailure? refused = null;
        foreach (IPAddress address in addresses)
        {
            var target = new ProbeTarget
            {
                HostName = request.ComputerName,
                Address = address,
                Port = request.Port,
                StartTls = request.StartTls,
                ServerName = request.ServerName,
                HeloName = request.HeloName,
            };
            ServerTlsFacts facts = await TlsProbe.ProbeAsync(target, new TlsProbeOptions { Timeout = request.Timeout }, cancellationToken).ConfigureAwait(false);
            if (facts.Failure is { Kind: ProbeFailureKind.ConnectFailed } f)
            {
                refused = f;
                continue;
            }
            return Chain(facts);
        }
        throw refused?.ToException() ?? new ProbeException(ProbeFailureKind.NameResolution, $"'{request.ComputerName}' has no address.");
    }

    /// <summary>The presented chain as output objects, or the failure that prevented it.</summary>
    public static IReadOnlyList<RemoteCertificate> Chain(ServerTlsFacts facts)
    {
        if (facts.Failure is { } failure)
        {
            throw failure.ToException();
        }
        if (facts.Tls is null)
        {
            throw new ProbeException(ProbeFailureKind.StartTlsNotOffered, facts.Dialog?.EhloRefusal is { } refusal
                ? $"The server refused EHLO ({refusal}), so it offers no STARTTLS."
                : "The server does not advertise STARTTLS.");
        }
        DateTime now = DateTime.UtcNow;
        var result = new List<RemoteCertificate>(facts.Tls.PresentedCertificates.Count);
        for (int i = 0; i < facts.Tls.PresentedCertificates.Count; i++)
        {
            RemoteCertificate rc = RemoteCertificate.From(facts.Tls.PresentedCertificates[i], i, now);
            rc.ComputerName = facts.Target.HostName;
            rc.IPAddress = facts.Target.Address.ToString();
            rc.Port = facts.Target.Port;
            rc.ServerName = facts.Target.Sni;
            rc.TlsProtocol = facts.Tls.Protocol;
            result.Add(rc);
        }
        return result;
    }
}
