# mcall.gdb: the gdb session of the book's assembly chapter (run by
# tests/gdb/session.py --transcript when the book is built). gdb stops
# sendfacts' parked sender (book/programs/sendfacts.cpp, mode dump) at the
# entry of runtime.mcall, on the goroutine's stack, and again at the first
# line of park_m, the function mcall called on g0's stack: the stack
# pointer has moved to g0's stack, and the parked goroutine's g.sched holds
# the stack pointer, resume address and frame pointer mcall saved.
# Breakpoints after the first are for the sender's thread only: other
# threads park goroutines through mcall too.
# GODEBUG=asyncpreemptoff=1: see memstats.gdb. SENDFACTS_NODUMP: main
# must not dump and exit while gdb holds the sender at a breakpoint.
set pagination off
set print thread-events off
set trace-commands on
set environment GODEBUG asyncpreemptoff=1
set environment SENDFACTS_NODUMP 1
break sender
run dump
eval "break runtime.mcall thread %d", $_thread
continue
bt
info registers rsp rbp rdi
info symbol $rdi
eval "break runtime::park_m thread %d", $_thread
continue
bt
info registers rsp
p ((runtime::g*)$rdi)->goid
p/x ((runtime::g*)$rdi)->stack_
p/x ((runtime::g*)$rdi)->sched
kill
