#!/usr/bin/env bash
# Installs what building and testing TlsTools needs on a Debian machine that has the .NET SDK:
# PowerShell (as a .NET global tool), Pester (from NuGet), and the Debian packages of the
# loopback test bed (when running as root). Safe to run again: each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Signed-package revocation checks cannot complete without the network and cost ~30 s a restore.
export NUGET_CERT_REVOCATION_MODE="${NUGET_CERT_REVOCATION_MODE:-offline}"

pwsh_version=7.6.9
tools_dir="$HOME/.dotnet/tools"
if ! "$tools_dir/pwsh" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null | grep -qx "$pwsh_version"; then
    dotnet tool update --global PowerShell --version "$pwsh_version"
fi

dotnet restore tools/pester/pester.csproj --nologo -v quiet

# SharpFuzz's instrumenter, for tools/Invoke-Fuzz.ps1 -Engine Afl.
sharpfuzz_version=2.3.0
if ! dotnet tool list --global | grep -qiE "^sharpfuzz.commandline +$sharpfuzz_version"; then
    dotnet tool update --global SharpFuzz.CommandLine --version "$sharpfuzz_version"
fi

if [ "$(id -u)" = 0 ]; then
    bash tests/bed/install-deps.sh
else
    echo "bootstrap: not root; the loopback test bed's Debian packages were not installed (its tests will skip)." >&2
fi
echo "bootstrap: ready; PowerShell is $tools_dir/pwsh"
