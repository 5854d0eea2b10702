#!/bin/bash
# stress.sh: run groups of gort_test's tests over and over in one
# configuration; the ctests of label "stress" (CMakeLists.txt) call it once
# per configuration.
#
#   stress.sh [-p GOMAXPROCS] [-c] [-g NAME=VALUE]... [-e NAME=VALUE]...
#             [-t SECONDS] -s RUNS:SPEC [-s RUNS:SPEC]... GORT_TEST
#
#   -p N           GOMAXPROCS=N for every run (default: as inherited)
#   -c             pin every run to one CPU (taskset -c, the first CPU this
#                  script may run on)
#   -g NAME=VALUE  a GODEBUG setting for every run; it goes before the
#                  inherited GODEBUG, so a setting given by the caller
#                  (GODEBUG=gortchaos=2 ctest -L stress) wins
#   -e NAME=VALUE  another environment variable for every run
#   -t SECONDS     limit of one run (default 120). A run still going then
#                  gets SIGQUIT, so the runtime prints every goroutine
#                  before it exits, and SIGKILL 10 s later.
#   -s RUNS:SPEC   run GORT_TEST with the Catch2 test spec SPEC (for
#                  example '[sync],[sema_test.go]') RUNS times. The groups
#                  take turns: round i runs each group whose RUNS >= i.
#
# Each run gets a fresh Catch2 --rng-seed (Catch2 runs the cases in random
# order), so runs differ in order as well as in timing, and --durations yes,
# so the output of a run that hangs lists the cases that finished. The first failing
# run stops the script: it prints which run, the configuration, a command
# that repeats it, and the run's whole output, then exits 1. The caller's
# environment reaches every run, GOMAXPROCS and the -g/-e settings aside.
set -uo pipefail

procs="" pin=0 godebug="" limit=120
env=() groups=()
while getopts "p:cg:e:t:s:" opt; do
	case $opt in
	p) procs=$OPTARG ;;
	c) pin=1 ;;
	g) godebug+="${godebug:+,}$OPTARG" ;;
	e) env+=("$OPTARG") ;;
	t) limit=$OPTARG ;;
	s) groups+=("$OPTARG") ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ] || [ ${#groups[@]} -eq 0 ]; then
	echo "usage: stress.sh [-p N] [-c] [-g NAME=VALUE]... [-e NAME=VALUE]... [-t S] -s RUNS:SPEC... GORT_TEST" >&2
	exit 2
fi
bin=$1

# The command prefix every run shares, and its description.
prefix=(env)
what=""
if [ -n "$procs" ]; then
	prefix+=("GOMAXPROCS=$procs")
	what+=" GOMAXPROCS=$procs"
fi
if [ -n "$godebug" ]; then
	prefix+=("GODEBUG=$godebug${GODEBUG:+,$GODEBUG}")
	what+=" GODEBUG=$godebug${GODEBUG:+,$GODEBUG}"
fi
for e in "${env[@]}"; do
	prefix+=("$e")
	what+=" $e"
done
if [ $pin -eq 1 ]; then
	# The first CPU of this process's affinity list ("0-3,8" -> 0): CPU 0
	# may not be ours in a container.
	cpu=$(taskset -pc $$ | sed 's/.*: *//; s/[-,].*//')
	prefix+=(taskset -c "$cpu")
	what+=" taskset -c $cpu"
fi
what=${what# }

out=$(mktemp)
trap 'rm -f "$out"' EXIT

maxruns=0
for g in "${groups[@]}"; do
	r=${g%%:*}
	[ "$r" -gt "$maxruns" ] && maxruns=$r
done

total=0
start=$SECONDS
for ((i = 1; i <= maxruns; i++)); do
	for g in "${groups[@]}"; do
		runs=${g%%:*} spec=${g#*:}
		[ "$i" -le "$runs" ] || continue
		seed=$(( (RANDOM << 15 | RANDOM) + 1 ))
		cmd=("${prefix[@]}" "$bin" --rng-seed "$seed" --durations yes "$spec")
		timeout --signal=QUIT --kill-after=10 "$limit" "${cmd[@]}" >"$out" 2>&1
		rc=$?
		total=$((total + 1))
		if [ $rc -ne 0 ]; then
			case $rc in
			124) why="still running after ${limit} s: sent SIGQUIT (goroutine dump below)" ;;
			137) why="still running 10 s after SIGQUIT: killed" ;;
			*) why="exit status $rc" ;;
			esac
			echo "stress: FAIL: run $i of $runs of '$spec' ($what): $why"
			printf 'stress: repeat it with:'
			printf ' %q' "${cmd[@]}"
			printf '\nstress: its output:\n'
			cat "$out"
			echo "stress: FAIL: run $i of $runs of '$spec' ($what)"
			exit 1
		fi
	done
done
summary=""
for g in "${groups[@]}"; do summary+=", ${g%%:*} x '${g#*:}'"; done
echo "stress: ${total} runs passed in $((SECONDS - start)) s ($what${summary})"
