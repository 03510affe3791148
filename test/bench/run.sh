#!/usr/bin/env bash
# `npm run bench`: builds and packs the package, makes sure of Node 24 and the pinned n8n (the e2e
# tests' cache), then runs test/bench/run.mjs with them. Extra arguments go to run.mjs, e.g.
# `npm run bench -- --quick` or `npm run bench -- --only search,latency`. BENCH_SKIP_BUILD=1 packs dist/ as is.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/tools.sh
set -euo pipefail

# In the worktree, ignored by git (.e2e/ is the end-to-end tests' work folder).
WORK="$PWD/.e2e/bench"
mkdir -p "$WORK"
end_recorded_processes_on_exit "$WORK"
ensure_n8n
if [ "${BENCH_SKIP_BUILD:-}" != "1" ]; then
	npm run build >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
fi
rm -f "$WORK"/n8n-nodes-audit-log-*.tgz
TARBALL="$WORK/$(npm pack --pack-destination "$WORK" 2>/dev/null | tail -1)"
node test/bench/run.mjs --tarball "$TARBALL" --n8n-home "$N8N_HOME" "$@"
