#!/usr/bin/env bash
# run.bash: test gort, as Go's src/run.bash tests Go. Run ./make.bash first.
#
#   ./run.bash [ctest args...]      e.g. ./run.bash -R gort_test_cpu4 -V
#
# Brings the build up to date (Go's run.bash also rebuilds), then runs every
# ctest test: gort_test at GOMAXPROCS=1, 2 and 4, the installed-package
# consumer test, and the tools' checks. Then it rebuilds the book, whose
# chapter 9 shows each test's result in this run (from the reports gort_test
# leaves in $GORT_BUILD/test-results/). Exits with ctest's status
# when a test failed, else non-zero if the book did not rebuild.
#
# Environment:
#   GORT_BUILD         build directory (default: build)
#   GORT_JOBS          parallel build jobs (default: nproc)
#   GORT_TEST_TIMEOUT  seconds per test that sets no timeout of its own
#                      (default: 600, go test's default of 10 minutes)
#   GORT_SANITIZE      run the sanitizer build of that name (build-<name>/,
#                      made by GORT_SANITIZE=<name> ./make.bash)
set -euo pipefail

cd "$(dirname "$0")"
if [ -n "${GORT_SANITIZE:-}" ]; then
	BUILD="${GORT_BUILD:-build-${GORT_SANITIZE//,/-}}"
else
	BUILD="${GORT_BUILD:-build}"
fi

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
	echo "run.bash: $BUILD is not configured; run ./make.bash first" >&2
	exit 1
fi

cmake --build "$BUILD" -j "${GORT_JOBS:-$(nproc)}"

# gort_test's reports go to test-results/ (made when CMake configures; again
# here in case it was removed, since Catch2 does not create folders).
mkdir -p "$BUILD/test-results"
status=0
ctest --test-dir "$BUILD" --output-on-failure --no-tests=error \
	--timeout "${GORT_TEST_TIMEOUT:-600}" "$@" || status=$?

# The book's chapter 9 shows each ported test's result in the last run
# (test-results/gort_test_cpu<n>.*): rebuild it, whatever the tests said, so
# that the site carries this run. It takes seconds (Doxygen and most pages
# are reused), and nothing when the reports did not change (-L book).
if grep -qs '^GORT_BOOK_TARGET:INTERNAL=ON$' "$BUILD/CMakeCache.txt"; then
	echo "run.bash: rebuilding the book with this run's results" >&2
	if ! cmake --build "$BUILD" --target book; then
		echo "run.bash: the book did not rebuild" >&2
		[ "$status" -ne 0 ] || status=1
	fi
fi
exit "$status"
