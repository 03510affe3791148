#!/usr/bin/env bash
# `npm test`: the unit tests, as the first command typed in a fresh clone. Works from any Node >= 20
# with npm and without a terminal: brings Node 24 (scripts/tools.sh; the test dependencies need it,
# isolated-vm does not build on Node 20), installs the project's dependencies when they are missing
# (non-interactively: npm_config_yes answers the only-allow prompt of a dependency's preinstall),
# then runs jest. Arguments go to jest: `npm test -- test/core`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tools.sh
set -euo pipefail

if [ ! -x node_modules/.bin/jest ] || [ ! -d node_modules/n8n-core ]; then
	echo "test: installing the project's dependencies with Node $(node --version) (npm install; first run only)" >&2
	npm install --no-audit --no-fund </dev/null
fi
exec node_modules/.bin/jest "$@"
