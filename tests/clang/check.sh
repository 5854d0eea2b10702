#!/bin/bash
# check.sh SOURCE_DIR BUILD_DIR: build the runtime and its tests with clang++
# (the README promises clang 14 builds gort) and run the tests at
# GOMAXPROCS=2. Run by the clang_build ctest.
set -euo pipefail
src=$1 bld=$2
CXX=clang++ cmake -S "$src" -B "$bld" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	> "$bld.configure.log" 2>&1 || { cat "$bld.configure.log"; exit 1; }
cmake --build "$bld" -j "$(nproc)" --target gort_test testprog > "$bld.build.log" 2>&1 ||
	{ tail -50 "$bld.build.log"; exit 1; }
GOMAXPROCS=2 GORT_TESTPROG="$bld/tests/testprog" "$bld/tests/gort_test"
