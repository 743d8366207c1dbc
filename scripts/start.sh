#!/usr/bin/env bash
# Packages the extension, installs it into code-server (VS Code in the browser) and opens the
# bundled sample data. Open the printed URL; Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${LIKELIHOOD_LENS_CACHE:-$HOME/.cache/likelihood-lens}"
SERVER="$CACHE/code-server-4.100.3"
[[ -f "$SERVER/.installed" ]] || { echo "start: code-server is not installed; run bash scripts/setup.sh" >&2; exit 1; }
PORT="${PORT:-8080}"
PROFILE="$CACHE/profile"
WORKSPACE="$CACHE/samples"

npm run --silent package > /dev/null
mkdir -p "$PROFILE/user-data/User" "$PROFILE/extensions"
cat > "$PROFILE/user-data/User/settings.json" <<'JSON'
{
  "telemetry.telemetryLevel": "off",
  "workbench.startupEditor": "none",
  "terminal.integrated.hideOnStartup": "always",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "security.workspace.trust.enabled": false
}
JSON
# A copy of the samples, so edits made while trying the extension never touch the repository.
mkdir -p "$WORKSPACE"
cp -n media/samples/* "$WORKSPACE"/

export XDG_CONFIG_HOME="$PROFILE/config" XDG_DATA_HOME="$PROFILE/data"
export EXTENSIONS_GALLERY='{"serviceUrl":"http://127.0.0.1:9/gallery","itemUrl":"http://127.0.0.1:9/items"}'
common=(--user-data-dir "$PROFILE/user-data" --extensions-dir "$PROFILE/extensions")
node "$SERVER/out/node/entry.js" "${common[@]}" --force --install-extension likelihood-lens.vsix

echo
echo "Likelihood Lens is installed. Open http://127.0.0.1:$PORT/?folder=$WORKSPACE"
echo "then run 'Likelihood Lens: Open Loss Panel' from the command palette (Ctrl+Shift+P) on classifier.csv."
echo "Ctrl+C stops the server."
echo
# setsid: its own process group, so Ctrl+C stops the pty host and file watcher it forks too.
setsid node "$SERVER/out/node/entry.js" --auth none --bind-addr "127.0.0.1:$PORT" "${common[@]}" \
  --disable-telemetry --disable-update-check --disable-workspace-trust "$WORKSPACE" &
pid=$!
trap 'kill -TERM -- -"$pid" 2>/dev/null; wait "$pid" 2>/dev/null' INT TERM EXIT
wait "$pid"
