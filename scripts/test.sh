#!/usr/bin/env bash
# Installs everything the test suite needs and runs the whole suite.
# Used by the README ("run the tests") and by CI (.ci/run). Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
[ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null 2>&1 || need_apt+=(nats-server)
# The polyglot market-data example: a Python bridge on Debian's websockets, a Java engine on JDK 17.
/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || need_apt+=(python3-websockets)
{ command -v java && command -v javac; } >/dev/null 2>&1 || need_apt+=(openjdk-17-jdk-headless)
# The browser tests (test/browser/) drive Debian's Chromium through playwright-core (no browser download).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# The metrics tests (test/ops/): promtool checks the alert rules, a real Prometheus scrapes a hub.
{ [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ]; } || need_apt+=(prometheus)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

echo "==> npm ci (builds every package)"
npm ci --no-audit --no-fund
echo "==> the switchboard command works right after install"
# `--no`: never fetch a package of that name from the registry; only the command this install linked counts.
for args in "--help" "start --help"; do
  # shellcheck disable=SC2086 # $args is two words on purpose
  if ! out=$(npx --no -- switchboard $args 2>&1) || ! grep -q '^Usage: switchboard' <<<"$out"; then
    echo "FAIL: \`npx switchboard $args\` after npm ci did not print its usage:" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "    npx switchboard $args: $(head -1 <<<"$out")"
done
echo "==> type-check tests"
npx tsc -p tsconfig.test.json
echo "==> lint (ESLint, import cycles, Prettier)"
npm run lint
echo "==> tests"
node scripts/run-tests.mjs "$@"
