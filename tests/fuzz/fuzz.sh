#!/bin/bash
# fuzz.sh SOURCE_DIR BUILD_DIR SECONDS FUZZ_CHAN_RUN: the ctest fuzz_chan.
#
# Configures BUILD_DIR with clang++ and -DGORT_FUZZ=ON (whatever compiler
# the main build uses), builds fuzz_chan, assembles the text seeds of
# tests/fuzz/corpus into BUILD_DIR/seeds, and fuzzes for SECONDS starting
# from them (new inputs go to BUILD_DIR/corpus, emptied first, so that every
# run starts from the same seeds). Fails on a model violation, a crash, a
# hang or a fatal error in the runtime; then the input that did it is
# printed as a program and kept in BUILD_DIR/artifacts. FUZZ_CHAN_RUN (the
# main build's) assembles and prints programs.
set -uo pipefail
src=$1 bld=$2 secs=$3 run=$4
mkdir -p "$bld"
gen=()
if [ ! -f "$bld/CMakeCache.txt" ]; then
	if command -v ninja >/dev/null; then gen=(-G Ninja); else gen=(-G "Unix Makefiles"); fi
fi
t0=$(date +%s)
CXX=clang++ cmake -S "$src" -B "$bld" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGORT_FUZZ=ON \
	-DGORT_BOOK=OFF -DBUILD_TESTING=OFF >"$bld.configure.log" 2>&1 || { cat "$bld.configure.log"; exit 1; }
cmake --build "$bld" -j "$(nproc)" --target fuzz_chan >"$bld.build.log" 2>&1 ||
	{ tail -50 "$bld.build.log"; exit 1; }
echo "fuzz_chan: configured and built in $(($(date +%s) - t0)) s"

rm -rf "$bld/seeds" "$bld/corpus" "$bld/artifacts"
mkdir -p "$bld/seeds" "$bld/corpus" "$bld/artifacts"
for f in "$src"/tests/fuzz/corpus/*.txt; do
	"$run" asm "$f" "$bld/seeds/$(basename "$f" .txt)" || exit 1
done

last=$bld/last-input
FUZZ_CHAN_LAST_INPUT=$last "$bld/tests/fuzz_chan" -max_total_time="$secs" -max_len=64 -timeout=60 \
	-print_final_stats=1 -artifact_prefix="$bld/artifacts/" "$bld/corpus" "$bld/seeds" >"$bld/fuzz.log" 2>&1
rc=$?
grep -E '^Done |^stat::number_of_executed_units|^stat::average_exec_per_sec|^fuzz_chan: ' "$bld/fuzz.log"
if [ $rc -ne 0 ]; then
	echo "fuzz_chan: FAILED (exit status $rc); the end of its output:"
	tail -100 "$bld/fuzz.log"
	# The input being run when it stopped: a 4-byte length, then the bytes.
	n=$(od -An -tu4 -N4 "$last" | tr -d ' ')
	tail -c +5 "$last" | head -c "$n" >"$bld/artifacts/last-input"
	echo "fuzz_chan: the input it was running ($bld/artifacts/last-input):"
	"$run" print "$bld/artifacts/last-input"
	echo "fuzz_chan: replay with: $run check -n 1000 $bld/artifacts/last-input"
	exit 1
fi
echo "fuzz_chan: passed"
