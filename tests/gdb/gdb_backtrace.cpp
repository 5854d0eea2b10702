// gdb_backtrace.cpp: a program for the gdb_backtrace ctest. A goroutine
// stops in gort_gdb_stop; gdb's backtrace from there must end cleanly at the
// goroutine's bottom frame, runtime.goexit, whose CFI marks the return
// address undefined (asm_amd64.S), with no "Backtrace stopped" or corrupt
// frames below it.
#include "go.hpp"

extern "C" __attribute__((noinline)) void gort_gdb_stop(int x) { asm volatile("" : : "r"(x)); }

static __attribute__((noinline)) void leaf(int n) { gort_gdb_stop(n); }

static void main_main() {
  auto done = gort::make_chan<bool>();
  gort::go([done] {
    leaf(7);
    done.send(true);
  });
  done.recv();
}

int main(int argc, char** argv) { runtime::rt0_go(argc, argv, main_main); }
