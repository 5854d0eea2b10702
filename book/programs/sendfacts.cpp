// sendfacts: one channel send seen from outside, for the "Things to try" of
// the book's chapters on ch <- v (book/chapters/04-chan-send.rst) and on
// the scheduler (book/chapters/06-scheduler.rst). The book's build runs it
// (book/tools/gen.py) in each mode and checks that its output still shows
// what the chapters say.
//
//   sendfacts dump     a goroutine parks in `ch <- v` on a channel no one
//                      receives from; then the program sends itself SIGQUIT,
//                      and the runtime prints every goroutine's stack, the
//                      parked sender's from gopark down to its own function,
//                      and exits with status 2.
//   sendfacts handoff  main and a goroutine pass a value back and forth
//                      over two unbuffered channels 100000 times; each
//                      send parks one and readies the other. It prints the
//                      round trips and their time, and is run under
//                      GODEBUG=schedtrace=10 so that sysmon prints the
//                      scheduler's state every 10 ms meanwhile.
//
//   build/book/programs/sendfacts dump
//   GODEBUG=schedtrace=10 GOMAXPROCS=2 build/book/programs/sendfacts handoff
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "go.hpp"
#include "runtime.hpp"
#include "time/time.hpp"

// The sender: its own function, so that the dump names it.
__attribute__((noinline)) static void sender(gort::chan<int> ch) {
  ch.send(42);  // no receiver ever comes: parks here for good
}

static void dump() {
  auto ch = gort::make_chan<int>();
  gort::go([ch] { sender(ch); });
  // Long enough for the sender to run and park (the dump says so if not).
  gort::time::Sleep(20 * gort::time::Millisecond);
  // Under gdb (mcall.gdb), which holds the sender at breakpoints for longer
  // than that: no dump, the session kills the program.
  if (std::getenv("SENDFACTS_NODUMP") != nullptr) gort::time::Sleep(3600 * gort::time::Second);
  std::fflush(stdout);
  raise(SIGQUIT);  // the runtime's handler prints the dump and exits 2
}

static void handoff() {
  constexpr int n = 100000;
  auto ping = gort::make_chan<int>();
  auto pong = gort::make_chan<int>();
  gort::go([ping, pong] {
    for (int i = 0; i < n; i++) pong.send(ping.recv() + 1);
  });
  int v = 0;
  gort::time::Time t0 = gort::time::Now();
  for (int i = 0; i < n; i++) {
    ping.send(v);
    v = pong.recv();
  }
  double ms = double(gort::time::Since(t0)) / 1e6;
  // Let sysmon print one more line after the loop.
  gort::time::Sleep(15 * gort::time::Millisecond);
  std::printf("round trips: %d, last value %d, %.1f ms, %.0f ns per round trip\n", n, v, ms, ms * 1e6 / n);
}

static int mode;

static void main_main() {
  if (mode == 0)
    dump();
  else
    handoff();
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (argc != 2 || (std::strcmp(argv[1], "dump") != 0 && std::strcmp(argv[1], "handoff") != 0)) {
    std::fprintf(stderr, "usage: sendfacts dump|handoff\n");
    return 2;
  }
  mode = std::strcmp(argv[1], "dump") == 0 ? 0 : 1;
  runtime::rt0_go(argc, argv, main_main);
}
