#!/usr/bin/env bash
# The test command (README): installs what the tests need on a fresh Debian machine, then
# type-checks and runs the whole suite. Debian's ffmpeg and chromium are installed with apt-get
# when missing and we are root; npm packages come from `npm ci` (README's command runs it first).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test: WARNING: ${missing[*]} missing and not root: tests that need them will be skipped" >&2
  fi
fi
[ -d node_modules ] || npm ci --no-audit --no-fund

echo "test: type-check"
npx tsc -p tsconfig.json --noEmit
npx tsc -p tsconfig.build.json
echo "test: suite"
# Every temporary file of the run (s3rver stores, fixtures, browser profiles, a test killed before
# its teardown) lives in one folder that is removed when the run ends, pass or fail.
run_tmp="$(mktemp -d "${TMPDIR:-/tmp}/s3hls-test.XXXXXX")"
trap 'rm -rf "$run_tmp"' EXIT
TMPDIR="$run_tmp" npx tap "$@"
