# Installs portctl on Windows from a GitHub release, after checking its SHA-256.
#
#   irm https://github.com/portctl/portctl/releases/latest/download/install.ps1 | iex
#   .\install.ps1 [-InstallDir DIR] [-NoModifyPath]
#
# Environment (as for install.sh):
#   PORTCTL_INSTALL_DIR   where to put portctl.exe (default %LOCALAPPDATA%\portctl\bin)
#   PORTCTL_VERSION       a release tag such as v0.1.0 (default: the latest release)
#   PORTCTL_DOWNLOAD_URL  a base URL holding the archives and SHA256SUMS; overrides PORTCTL_VERSION
#   PORTCTL_REPO          owner/name of the GitHub repository (default portctl/portctl)
#
# The install folder is added to the user's PATH unless -NoModifyPath is given.
# Exit codes: 0 installed; 1 failed (download, checksum), nothing installed.
param(
    [string]$InstallDir = '',
    [switch]$NoModifyPath
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Fail([string]$Message) {
    [Console]::Error.WriteLine("portctl install: $Message")
    # Under `irm ... | iex` this runs in the user's own session, where `exit` would close the
    # window and the message with it: stop with an error there instead.
    if ($PSCommandPath) { exit 1 }
    throw "portctl install failed: $Message"
}

$target = 'x86_64-pc-windows-msvc' # the only Windows build; runs on ARM64 Windows 11 emulated
$archive = "portctl-$target.zip"
$repo = if ($env:PORTCTL_REPO) { $env:PORTCTL_REPO } else { 'portctl/portctl' }
$base = if ($env:PORTCTL_DOWNLOAD_URL) {
    $env:PORTCTL_DOWNLOAD_URL.TrimEnd('/')
} elseif ($env:PORTCTL_VERSION) {
    "https://github.com/$repo/releases/download/$($env:PORTCTL_VERSION)"
} else {
    "https://github.com/$repo/releases/latest/download"
}
if (-not $InstallDir) {
    $InstallDir = if ($env:PORTCTL_INSTALL_DIR) {
        $env:PORTCTL_INSTALL_DIR
    } else {
        Join-Path $env:LOCALAPPDATA 'portctl\bin'
    }
}

$tmp = Join-Path ([IO.Path]::GetTempPath()) ("portctl-" + [Guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $tmp | Out-Null
try {
    Write-Output "downloading $base/$archive"
    try {
        Invoke-WebRequest -UseBasicParsing -Uri "$base/$archive" -OutFile (Join-Path $tmp $archive)
        Invoke-WebRequest -UseBasicParsing -Uri "$base/SHA256SUMS" -OutFile (Join-Path $tmp 'SHA256SUMS')
    } catch {
        Fail "could not download from ${base}: $($_.Exception.Message)"
    }

    $expected = $null
    foreach ($line in Get-Content (Join-Path $tmp 'SHA256SUMS')) {
        $fields = $line -split '\s+', 2
        if ($fields.Count -eq 2 -and $fields[1].TrimStart('*') -eq $archive) {
            $expected = $fields[0].ToLowerInvariant()
            break
        }
    }
    if (-not $expected) { Fail "SHA256SUMS has no line for $archive; nothing installed" }
    $actual = (Get-FileHash -Algorithm SHA256 -Path (Join-Path $tmp $archive)).Hash.ToLowerInvariant()
    if ($actual -ne $expected) {
        Fail "checksum mismatch for $archive (expected $expected, got $actual); nothing installed"
    }
    Write-Output "checksum ok ($actual)"

    $unpacked = Join-Path $tmp 'unpacked'
    Expand-Archive -Path (Join-Path $tmp $archive) -DestinationPath $unpacked -Force
    $exe = Join-Path $unpacked 'portctl.exe'
    if (-not (Test-Path -LiteralPath $exe -PathType Leaf)) { Fail "$archive has no portctl.exe; nothing installed" }

    New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
    $dest = Join-Path $InstallDir 'portctl.exe'
    $staged = Join-Path $InstallDir ".portctl.tmp.$PID.exe"
    Copy-Item -LiteralPath $exe -Destination $staged -Force
    Move-Item -LiteralPath $staged -Destination $dest -Force
    Write-Output "installed portctl to $dest"

    if (-not $NoModifyPath -and $IsWindows -ne $false) {
        $userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
        $parts = if ($userPath) { $userPath -split ';' } else { @() }
        if ($parts -notcontains $InstallDir) {
            [Environment]::SetEnvironmentVariable('Path', (@($parts + $InstallDir) -join ';'), 'User')
            Write-Output "added $InstallDir to your user PATH; open a new terminal to use portctl"
        }
    }
} finally {
    Remove-Item -Recurse -Force -LiteralPath $tmp -ErrorAction SilentlyContinue
}
