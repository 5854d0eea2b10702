#!/bin/bash
# binarytrees_check.sh PROGRAM DEPTH: run a binary-trees program (gort's,
# Boehm's, or Go's built by bench/compare) at DEPTH and compare its stdout
# with the game's output computed from the formulas (a perfect tree of
# depth d has 2^(d+1)-1 nodes). Its figures line goes to stderr, shown.
set -euo pipefail
prog=$1 depth=$2
min=4
max=$(( depth < min + 2 ? min + 2 : depth ))
expect() {
	printf 'stretch tree of depth %d\t check: %d\n' $((max + 1)) $(( (1 << (max + 2)) - 1 ))
	for ((d = min; d <= max; d += 2)); do
		it=$(( 1 << (max - d + min) ))
		printf '%d\t trees of depth %d\t check: %d\n' $it $d $(( it * ((1 << (d + 1)) - 1) ))
	done
	printf 'long lived tree of depth %d\t check: %d\n' $max $(( (1 << (max + 1)) - 1 ))
}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$prog" "$depth" > "$out"
if ! diff <(expect) "$out"; then
	echo "binarytrees_check: $prog $depth: output differs from the formulas (< expected, > got)" >&2
	exit 1
fi
echo "binarytrees_check: $prog $depth: output as expected"
