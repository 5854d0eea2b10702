# goroutines.gdb: the gdb session of the gdb_goroutines ctest (session.py
# --check) and of the book's chapter 10 (session.py --transcript). gdb runs
# it in batch mode on tests/gdb/goroutines.cpp with runtime-gdb.py loaded
# from the program's .debug_gdb_scripts section. trace-commands echoes each
# command with a leading '+', which is how both readers split the output.
# GODEBUG=asyncpreemptoff=1: a preemption signal pending while gdb steps a
# thread over a breakpoint can move the goroutine to another thread, where
# gdb would report the same breakpoint again (README, Debugging with gdb).
set pagination off
set print thread-events off
set trace-commands on
set environment GODEBUG asyncpreemptoff=1
break gort_gdb_stop
run
printf "goids consumer=%d producer=%d,%d selector=%d locker=%d reader=%d joiner=%d nilrecv=%d spinner=%d,%d\n", gid_consumer, gid_producer[0], gid_producer[1], gid_selector, gid_locker, gid_reader, gid_joiner, gid_nilrecv, gid_spinner[0], gid_spinner[1]
info goroutines
goroutine gid_producer[0] bt
goroutine gid_joiner bt
goroutine gid_spinner[0] bt
goroutine gid_spinner[1] bt
p requests
p replies
p quit
p *requests.c_.p_->sendq.first.v
p *runtime::allgs[1]
continue
