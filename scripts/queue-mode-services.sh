# Redis and PostgreSQL for n8n's queue mode, from Debian's packages, as throw-away local services:
# installed with apt-get when missing, started on free loopback ports in one temp folder, stopped
# (and the folder removed) by qm_stop_services. Sourced by test/e2e/queue/run.sh; usable by hand:
#   . scripts/queue-mode-services.sh; qm_start_services /tmp/qm; env | grep QM_; qm_stop_services
# No `set -e` here: this file is sourced, and options would leak into the caller's shell.
# PostgreSQL's initdb and postgres refuse to run as root (CI runs as root): then they run as the
# `postgres` system user that Debian's package creates.

QM_PG_DB="n8n"
QM_PG_USER="n8n"
QM_PG_PASSWORD="n8n-queue-mode-e2e"

_qm_log() { echo "queue-mode services: $*" >&2; }

# Runs a command as the user PostgreSQL accepts: ourselves, or `postgres` when we are root.
_qm_as_pg() {
	if [ "$(id -u)" = "0" ]; then
		if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
	else
		"$@"
	fi
}

_qm_pg_bin() {
	local dir
	dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

_qm_free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# apt-get update once, then the missing packages; nothing when both are there.
qm_ensure_packages() {
	local missing=()
	command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
	_qm_pg_bin >/dev/null || missing+=(postgresql)
	[ ${#missing[@]} -eq 0 ] && return 0
	local sudo=()
	if [ "$(id -u)" != "0" ]; then
		command -v sudo >/dev/null 2>&1 || { _qm_log "need ${missing[*]}: run as root or install them"; return 1; }
		sudo=(sudo -n)
	fi
	_qm_log "installing ${missing[*]} with apt-get"
	"${sudo[@]}" apt-get update -qq >&2 || return 1
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || return 1
	# The package may start its own system-wide services; ours run on other ports regardless.
	return 0
}

# Starts both services under $1 (created, owned by us; PostgreSQL's part by the postgres user when root).
# Exports QM_DIR, QM_REDIS_PORT, QM_PG_PORT, QM_PG_DB, QM_PG_USER, QM_PG_PASSWORD.
qm_start_services() {
	export QM_DIR="$1"
	mkdir -p "$QM_DIR/redis" "$QM_DIR/pg"
	local pgbin
	pgbin=$(_qm_pg_bin) || { _qm_log "PostgreSQL binaries not found under /usr/lib/postgresql"; return 1; }

	QM_REDIS_PORT=$(_qm_free_port)
	redis-server --port "$QM_REDIS_PORT" --bind 127.0.0.1 --dir "$QM_DIR/redis" --save '' --appendonly no \
		--daemonize yes --pidfile "$QM_DIR/redis/redis.pid" --logfile "$QM_DIR/redis/redis.log" >&2 || return 1
	export QM_REDIS_PORT

	# The temp folder's parents must let the postgres user in; the cluster folder is its own.
	chmod 755 "$QM_DIR" "$QM_DIR/pg"
	[ "$(id -u)" = "0" ] && chown postgres "$QM_DIR/pg"
	QM_PG_PORT=$(_qm_free_port)
	local pwfile="$QM_DIR/pg/pw"
	echo "$QM_PG_PASSWORD" >"$pwfile"
	[ "$(id -u)" = "0" ] && chown postgres "$pwfile"
	_qm_as_pg "$pgbin/initdb" -D "$QM_DIR/pg/data" -U "$QM_PG_USER" --pwfile="$pwfile" --auth=scram-sha-256 \
		--encoding=UTF8 --no-locale >"$QM_DIR/pg/initdb.log" 2>&1 || { cat "$QM_DIR/pg/initdb.log" >&2; return 1; }
	# fsync off: a test database that is thrown away, on a busy machine.
	_qm_as_pg "$pgbin/pg_ctl" -D "$QM_DIR/pg/data" -l "$QM_DIR/pg/postgres.log" -w -t 60 \
		-o "-p $QM_PG_PORT -k $QM_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
		start >&2 || { tail -20 "$QM_DIR/pg/postgres.log" >&2; return 1; }
	export QM_PG_PORT
	PGPASSWORD="$QM_PG_PASSWORD" "$pgbin/createdb" -h 127.0.0.1 -p "$QM_PG_PORT" -U "$QM_PG_USER" "$QM_PG_DB" >&2 || return 1
	export QM_PG_DB QM_PG_USER QM_PG_PASSWORD
	_qm_log "redis on 127.0.0.1:$QM_REDIS_PORT, postgres on 127.0.0.1:$QM_PG_PORT (database $QM_PG_DB) in $QM_DIR"
}

# Stops what qm_start_services started (each by its own pid file) and removes the folder. Every step
# tolerates failure: this runs from EXIT traps, possibly under `set -e`, and must get to the end.
qm_stop_services() {
	[ -n "${QM_DIR:-}" ] || return 0
	local pgbin pid
	pgbin=$(_qm_pg_bin) || true
	if [ -n "$pgbin" ] && [ -f "$QM_DIR/pg/data/postmaster.pid" ]; then
		if ! _qm_as_pg "$pgbin/pg_ctl" -D "$QM_DIR/pg/data" -m immediate -w -t 20 stop >/dev/null 2>&1; then
			pid=$(head -1 "$QM_DIR/pg/data/postmaster.pid" 2>/dev/null) || true
			[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	if [ -f "$QM_DIR/redis/redis.pid" ]; then
		pid=$(cat "$QM_DIR/redis/redis.pid" 2>/dev/null) || true
		if [ -n "$pid" ]; then
			kill -TERM "$pid" 2>/dev/null || true
			for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	if [ "${QM_KEEP:-}" = "1" ]; then
		_qm_log "kept $QM_DIR"
	else
		rm -rf "$QM_DIR" || true
	fi
	QM_DIR=""
	return 0
}
