#!/bin/bash
# memcheck.sh VALGRIND SUPPRESSIONS PROGRAM [ARGS...]: the ctests of label
# "valgrind" (cmake/valgrind.cmake). Runs PROGRAM under memcheck and fails
#   - on any memcheck error (invalid read or write, use of an uninitialised
#     value, bad free), and on memory definitely lost at exit that
#     SUPPRESSIONS does not name (tests/valgrind/gort.supp: each entry a
#     leak the port makes on purpose, with the reason);
#   - when PROGRAM fails;
#   - when valgrind reports "client switching stacks?": SP jumped to a stack
#     nobody registered, so memcheck had to guess whether the jump was a
#     switch or a huge frame. Every stack gort runs on is registered:
#     goroutine stacks (stack.cpp), signal stacks (signal_unix.cpp), the
#     threads' own (valgrind, when the thread is created).
# --fair-sched=yes: valgrind runs one thread at a time under a lock, and by
# default a thread that lets go of that lock may take it straight back. The
# runtime's spinning Ms (findRunnable's spin, lock_futex's procyield loops,
# a stop-the-world waiting on its Ps) then kept the thread they waited for
# off the CPU for seconds at a time: one runtime.GC in
# TestNoShrinkStackWhileParking took 115 s and valgrind_memcheck_cpu4 ran
# past its 600 s limit. With the lock handed out in turn the same tests run
# in about 15 s.
# Prints valgrind's report after the program's output.
set -uo pipefail
valgrind=$1 supp=$2
shift 2
log=$(mktemp)
trap 'rm -f "$log"' EXIT

memcheck_status=99
"$valgrind" --tool=memcheck --fair-sched=yes --error-exitcode=$memcheck_status \
	--leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--suppressions="$supp" --log-file="$log" "$@"
rc=$?
echo "--- valgrind's report:"
cat "$log"
echo "---"
case $rc in
0) echo "memcheck: no errors" ;;
"$memcheck_status") echo "memcheck: FAIL: memcheck found errors (see above)" ;;
*) echo "memcheck: FAIL: $1 exited with status $rc" ;;
esac
if grep -q "client switching stacks" "$log"; then
	echo "memcheck: FAIL: valgrind saw SP move to a stack that is not registered (see above)"
	[ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
