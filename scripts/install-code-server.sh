#!/usr/bin/env bash
# Installs code-server (the VS Code workbench and its Node extension host) from the npm registry
# into a cache folder, for the integration tests and `npm start`. Idempotent: a marker file is
# written only after the installed server reports its version.
set -euo pipefail

VERSION=4.100.3
CACHE="${LIKELIHOOD_LENS_CACHE:-$HOME/.cache/likelihood-lens}"
DEST="$CACHE/code-server-$VERSION"
MARKER="$DEST/.installed"

if [[ -f "$MARKER" ]]; then
  echo "code-server $VERSION is installed in $DEST"
  exit 0
fi

for tool in node npm rg; do
  command -v "$tool" >/dev/null || { echo "install-code-server: '$tool' is missing; run bash scripts/setup.sh" >&2; exit 1; }
done

echo "Installing code-server $VERSION into $DEST (npm registry only)..."
start=$SECONDS
rm -rf "$DEST"
mkdir -p "$DEST"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "code-server@$VERSION" >/dev/null)
tar -xzf "$work"/code-server-"$VERSION".tgz -C "$DEST" --strip-components=1

export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# Scripts are skipped so nothing downloads a binary; the native modules are rebuilt from source.
(cd "$DEST" && npm install --omit=dev --ignore-scripts --no-package-lock --loglevel=error && npm rebuild argon2 --loglevel=error)
(cd "$DEST/lib/vscode" && npm install --omit=dev --ignore-scripts --no-package-lock --loglevel=error \
  && npm rebuild @vscode/spdlog node-pty native-watchdog kerberos @vscode/deviceid --loglevel=error)
# @vscode/ripgrep would download its binary from GitHub; Debian's rg does the same job.
mkdir -p "$DEST/lib/vscode/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$DEST/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$DEST/lib/vscode/node_modules.asar"
(cd "$DEST/lib/vscode/extensions" && npm install --omit=dev --ignore-scripts --no-package-lock --loglevel=error)

reported="$(node "$DEST/out/node/entry.js" --version)"
echo "$reported"
[[ "$reported" == *"$VERSION"* ]] || { echo "install-code-server: unexpected version: $reported" >&2; exit 1; }
touch "$MARKER"
echo "code-server $VERSION installed in $((SECONDS - start)) s"
