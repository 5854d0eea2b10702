#!/usr/bin/env bash
# run.bash: test gort, as Go's src/run.bash tests Go. Run ./make.bash first.
#
#   ./run.bash [ctest args...]      e.g. ./run.bash -R gort_test_cpu4 -V
#
# Brings the build up to date (Go's run.bash also rebuilds), then runs every
# ctest test: gort_test at GOMAXPROCS=1, 2 and 4, the installed-package
# consumer test, and the tools' checks. Exits non-zero if any test fails.
#
# Environment:
#   GORT_BUILD         build directory (default: build)
#   GORT_JOBS          parallel build jobs (default: nproc)
#   GORT_TEST_TIMEOUT  seconds per test that sets no timeout of its own
#                      (default: 600, go test's default of 10 minutes)
set -euo pipefail

cd "$(dirname "$0")"
BUILD="${GORT_BUILD:-build}"

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
	echo "run.bash: $BUILD is not configured; run ./make.bash first" >&2
	exit 1
fi

cmake --build "$BUILD" -j "${GORT_JOBS:-$(nproc)}"

exec ctest --test-dir "$BUILD" --output-on-failure --no-tests=error \
	--timeout "${GORT_TEST_TIMEOUT:-600}" "$@"
