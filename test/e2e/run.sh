#!/usr/bin/env bash
# End-to-end tests (`npm run test:e2e`, called by .ci/run): the packed package in a real, pinned n8n
# against the vendor simulator. Prints "N passed, M failed"; exits non-zero on any failure.
# Extra arguments go to the driver, e.g. `npm run test:e2e -- --only 'search|export' --keep`.
# E2E_TIMEOUT_SECONDS bounds the whole run (default 900); E2E_SKIP_BUILD=1 packs the current dist/.
# `--n8n-version <v>` (first argument) runs against another n8n, e.g. 1.123.81 for the 1.x line; it is
# installed into the cache on first use (scripts/tools.sh ensure_n8n).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/tools.sh
set -euo pipefail

WORK="$PWD/.e2e"
TIMEOUT="${E2E_TIMEOUT_SECONDS:-900}"
mkdir -p "$WORK"
end_recorded_processes_on_exit "$WORK"

version="$N8N_VERSION"
if [ "${1:-}" = "--n8n-version" ]; then
	version="${2:?--n8n-version needs a version, e.g. 1.123.81}"
	shift 2
fi

started=$(date +%s)
ensure_n8n "$version"
if [ "${E2E_SKIP_BUILD:-}" != "1" ]; then
	echo "e2e: npm run build"
	npm run build >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
fi
rm -f "$WORK"/n8n-nodes-audit-log-*.tgz
TARBALL="$WORK/$(npm pack --pack-destination "$WORK" 2>/dev/null | tail -1)"
echo "e2e: packed $TARBALL; n8n $version from $N8N_HOME (setup $(($(date +%s) - started)) s)"

remaining=$((TIMEOUT - ($(date +%s) - started)))
timeout --kill-after=20 "$remaining" node test/e2e/run.mjs \
	--tarball "$TARBALL" --n8n-home "$N8N_HOME" --timeout-seconds "$((remaining - 15))" "$@"
