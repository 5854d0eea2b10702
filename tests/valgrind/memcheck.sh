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
# Prints valgrind's report after the program's output.
set -uo pipefail
valgrind=$1 supp=$2
shift 2
log=$(mktemp)
trap 'rm -f "$log"' EXIT

memcheck_status=99
"$valgrind" --tool=memcheck --error-exitcode=$memcheck_status \
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
