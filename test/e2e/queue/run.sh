#!/usr/bin/env bash
# Queue-mode end-to-end tests (`npm run test:e2e:queue`): Redis and PostgreSQL from Debian's packages
# (installed with apt-get when missing), n8n 2.41.1 as one main and two workers with the packed
# package, against the vendor simulator. Prints per case the events appended, emitted and duplicated,
# then "N passed, M failed"; exits non-zero on any failure. Everything it started is stopped on exit.
# E2E_QUEUE_TIMEOUT_SECONDS bounds the whole run (default 720); E2E_SKIP_BUILD=1 packs the current
# dist/; QM_KEEP=1 keeps the services' folder; extra arguments go to the driver: --keep keeps the
# logs of a passing run, --only 3,4 runs those cases (1 and 2 run together).
set -euo pipefail
cd "$(dirname "$0")/../../.."
. scripts/tools.sh
. scripts/queue-mode-services.sh
set -euo pipefail

WORK="$PWD/.e2e"
TIMEOUT="${E2E_QUEUE_TIMEOUT_SECONDS:-720}"
mkdir -p "$WORK"
started=$(date +%s)

cleanup() {
	_end_recorded_processes
	qm_stop_services
}
mkdir -p "$WORK/queue"
end_recorded_processes_on_exit "$WORK/queue"
trap cleanup EXIT

qm_ensure_packages
qm_start_services "$(mktemp -d "${TMPDIR:-/tmp}/n8n-queue-e2e.XXXXXX")"

ensure_n8n
if [ "${E2E_SKIP_BUILD:-}" != "1" ]; then
	echo "e2e:queue: npm run build"
	npm run build >"$WORK/queue-build.log" 2>&1 || { tail -40 "$WORK/queue-build.log"; exit 1; }
fi
mkdir -p "$WORK/queue-pack"
rm -f "$WORK/queue-pack"/n8n-nodes-audit-log-*.tgz
TARBALL="$WORK/queue-pack/$(npm pack --pack-destination "$WORK/queue-pack" 2>/dev/null | tail -1)"
echo "e2e:queue: packed $TARBALL; n8n $N8N_VERSION from $N8N_HOME (setup $(($(date +%s) - started)) s)"

remaining=$((TIMEOUT - ($(date +%s) - started)))
status=0
timeout --kill-after=20 "$remaining" node test/e2e/queue/run.mjs \
	--tarball "$TARBALL" --n8n-home "$N8N_HOME" --timeout-seconds "$((remaining - 15))" \
	--redis-port "$QM_REDIS_PORT" --pg-port "$QM_PG_PORT" --pg-db "$QM_PG_DB" --pg-user "$QM_PG_USER" \
	--pg-password "$QM_PG_PASSWORD" "$@" || status=$?
echo "e2e:queue: $(($(date +%s) - started)) s in all"
exit "$status"
