#!/usr/bin/env bash
# Everything a fresh Debian/Ubuntu machine needs to build, run and test Likelihood Lens:
# Debian packages (Chromium for the browser tests, ripgrep and Kerberos headers for code-server,
# GNU time for the benchmark's peak memory),
# the npm packages, and code-server from the npm registry. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(chromium ripgrep libkrb5-dev time)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  echo "Installing Debian packages: ${missing[*]}"
  sudo=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

echo "Installing npm packages"
npm ci --no-audit --no-fund --loglevel=error

bash scripts/install-code-server.sh
