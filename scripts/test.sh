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

# Each phase prints its wall time, so a slow run says where the time went.
phase() {
  local name="$1" t0=$SECONDS
  shift
  "$@"
  echo "test: $name: $((SECONDS - t0)) s"
}
# The suite runs TypeScript through tsx (esbuild, no type-check: package.json's tap config), so
# types are checked here, once, for src, tests, bench and examples together.
phase "type-check" npx tsc -p tsconfig.json --noEmit
# dist/ (the package's own entry points, which the examples and the package tests import as
# 's3hls') and build/examples, built once here rather than by the tests that need them.
phase "build dist and examples" npm run build:examples --silent
# tap rebuilds itself when its configured plugins differ from what it was built with (here: its
# ts-node plugin off, tsx instead); done up front so the suite's clock does not include it.
phase "tap build" npx tap build
echo "test: suite"
# The AWS SDK warns on every client of every test process on Node 20 (the CLI silences it itself,
# src/cli/main.ts); here it only buries the test output.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# Every temporary file of the run (s3rver stores, fixtures, browser profiles, a test killed before
# its teardown) lives in one folder that is removed when the run ends, pass or fail.
run_tmp="$(mktemp -d "${TMPDIR:-/tmp}/s3hls-test.XXXXXX")"
trap 'rm -rf "$run_tmp"' EXIT
TMPDIR="$run_tmp" npx tap "$@"
