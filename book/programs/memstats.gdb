# memstats.gdb: the gdb session of the book's memory chapter (run by
# tests/gdb/session.py --transcript when the book is built). gdb stops the
# program memstats.cpp just before its first new(node), then shows three
# stops: the first span it takes from the heap, the first reservation of
# address space, and the first mapping after that. At each, bt shows the
# thread's frames (on g0, up to systemstack) and runtime-gdb.py's
# `goroutine 1 bt` the main goroutine's, from systemstack's caller down to
# main_main.
# GODEBUG=asyncpreemptoff=1: a preemption signal pending while gdb steps a
# thread over a breakpoint can move the goroutine to another thread, where
# gdb would report the same breakpoint again (README, Debugging with gdb).
set pagination off
set print thread-events off
set trace-commands on
set environment GODEBUG asyncpreemptoff=1
break book_stop
run --quiet
break runtime::mheap::allocSpan
continue
bt
goroutine 1 bt
delete
break runtime::sysReserve
continue
bt
goroutine 1 bt
delete
break runtime::sysMap
continue
bt
goroutine 1 bt
delete
continue
