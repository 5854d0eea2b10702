#!/bin/bash
# deadlock.sh FUZZ_CHAN_RUN DIR: the ctest fuzz_deadlock.
#
# DIR/must/*.txt deadlock in every interleaving, DIR/never/*.txt in none;
# the model (fuzz_chan_run classify, which explores every interleaving)
# must agree. Then each runs as its own Go program (fuzz_chan_run run: no
# harness watching, goroutine 0 on the main goroutine) RUNS times at
# GOMAXPROCS 1, 2 and 4. A must program has to end with exit status 2 and
# the runtime's fatal error as the first line of stderr; a never program
# has to finish with exit status 0 and never print that error.
set -uo pipefail
run=$1 dir=$2
RUNS=${RUNS:-10}
msg='fatal error: all goroutines are asleep - deadlock!'
fail=0 n=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
for want in must never; do
	for f in "$dir/$want"/*.txt; do
		class=$("$run" classify "$f")
		case "$want:$class" in
		must:*": must-deadlock "*|never:*": never-deadlocks "*) ;;
		*) echo "FAIL $f: the model says $class"; fail=1; continue ;;
		esac
		for procs in 1 2 4; do
			for ((i = 1; i <= RUNS; i++)); do
				GOMAXPROCS=$procs "$run" run "$f" >"$out" 2>"$err"
				rc=$? n=$((n + 1))
				if [ $want = must ]; then
					if [ $rc -ne 2 ] || [ "$(head -n1 "$err")" != "$msg" ]; then
						echo "FAIL $f (GOMAXPROCS=$procs, run $i): exit status $rc, expected 2 and '$msg'; stderr:"
						head -20 "$err"
						fail=1
						break 2
					fi
				elif [ $rc -ne 0 ] || grep -q deadlock "$err" || ! grep -q ': finished$' "$out"; then
					echo "FAIL $f (GOMAXPROCS=$procs, run $i): exit status $rc, expected 0; stderr:"
					head -20 "$err"
					fail=1
					break 2
				fi
			done
		done
		echo "ok   $class"
	done
done
echo "fuzz_deadlock: $n runs"
exit $fail
