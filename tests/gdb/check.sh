#!/bin/bash
# check.sh PROGRAM: run PROGRAM under gdb, stop in a goroutine, and check that
# the backtrace ends at runtime.goexit with nothing broken below it.
set -u
out=$(timeout 120 gdb -q -batch -nx -ex 'break gort_gdb_stop' -ex run -ex bt "$1" < /dev/null 2>&1)
frames=$(printf '%s\n' "$out" | grep -E '^#[0-9]+ ')
printf '%s\n' "$frames"
last=$(printf '%s\n' "$frames" | tail -1)
case "$last" in
  *runtime.goexit*) ;;
  *) echo "FAIL: the backtrace does not end at runtime.goexit"; printf '%s\n' "$out"; exit 1 ;;
esac
if printf '%s\n' "$out" | grep -qE 'Backtrace stopped|corrupt stack'; then
  echo "FAIL: gdb could not unwind cleanly"; exit 1
fi
printf '%s\n' "$frames" | grep -q 'leaf' || { echo "FAIL: the goroutine's frames are missing"; exit 1; }
echo "ok: backtrace ends at runtime.goexit"
