#!/usr/bin/env bash
# `npm run demo`: n8n with this package against the vendor simulator, no vendor account needed.
# Installs Node 24 and the pinned n8n into ~/.cache/n8n-nodes-audit-log on first use (tools.sh),
# builds and packs the package, then runs scripts/demo/demo.mjs in the foreground until Ctrl-C.
# Flags: --check (or DEMO_EXIT_AFTER_READY=1) exits once ready; --screenshot <png> saves the editor;
# --screenshots <dir> takes the README's screenshots (docs/screenshots) in the real editor.
# Settings: DEMO_PORT (n8n, default 5678), DEMO_SIM_PORT (simulator, default 8600),
# AUDIT_LOG_DEMO_DIR (n8n user folder and logs, default .demo/ in the repo; kept between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tools.sh
set -euo pipefail

DEMO_DIR="${AUDIT_LOG_DEMO_DIR:-$PWD/.demo}"
mkdir -p "$DEMO_DIR"
end_recorded_processes_on_exit "$DEMO_DIR"

ensure_n8n
if [ ! -d node_modules ]; then
	echo "demo: installing the project's dependencies (npm install)"
	npm install --no-audit --no-fund
fi
echo "demo: building and packing the package"
npm run build >"$DEMO_DIR/build.log" 2>&1 || { tail -40 "$DEMO_DIR/build.log"; exit 1; }
rm -f "$DEMO_DIR"/n8n-nodes-audit-log-*.tgz
TARBALL="$DEMO_DIR/$(npm pack --pack-destination "$DEMO_DIR" 2>/dev/null | tail -1)"

node scripts/demo/demo.mjs --tarball "$TARBALL" --n8n-home "$N8N_HOME" --dir "$DEMO_DIR" "$@"
