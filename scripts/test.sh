#!/usr/bin/env bash
# Every test: build, type-check, lint and format check, package the VSIX, then the three layers with
# Node's test runner: unit (engine, readers, CLI, the layout's import rule), webview (headless
# Chromium), integration (real VS Code extension host).
set -euo pipefail
cd "$(dirname "$0")/.."

[[ -x /usr/bin/chromium ]] || { echo "test: /usr/bin/chromium is missing; run bash scripts/setup.sh" >&2; exit 1; }
[[ -f "${LIKELIHOOD_LENS_CACHE:-$HOME/.cache/likelihood-lens}/code-server-4.100.3/.installed" ]] || { echo "test: code-server is not installed; run bash scripts/setup.sh" >&2; exit 1; }

node esbuild.mjs
npx tsc -p . --noEmit
npx eslint .
npx prettier --check . > /dev/null || { npx prettier --check .; exit 1; }
npm run --silent package > /dev/null
# One file at a time: the VS Code tests each start a code-server and a Chromium, and two at once
# on a 2-core machine starve each other into timeouts.
node --test --test-concurrency=1 out/test/unit/ out/test/webview/ out/test/vscode/
