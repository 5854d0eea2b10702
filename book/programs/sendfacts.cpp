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
//   sendfacts ring     a channel of capacity 8 after 5 sends, 2 receives
//                      and 5 more sends (the last ones wrap around): the
//                      runtime's hchan fields and its buffer's 8 slots
//                      after each step, read from the channel itself.
//
//   build/book/programs/sendfacts dump
//   GODEBUG=schedtrace=10 GOMAXPROCS=2 build/book/programs/sendfacts handoff
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "chan.hpp"
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

// One line of the channel's state: its hchan fields and the ints in its
// buffer's slots (a receive clears the slot it empties).
static void showRing(const char* step, gort::chan<int> ch) {
  runtime::hchan* c = ch.get();
  const int* slot = static_cast<const int*>(c->buf);
  std::printf("%-26s qcount=%d dataqsiz=%d sendx=%d recvx=%d buf=[", step, int(c->qcount), int(c->dataqsiz),
              int(c->sendx), int(c->recvx));
  for (uintptr_t i = 0; i < c->dataqsiz; i++) std::printf(i == 0 ? "%d" : " %d", slot[i]);
  std::printf("]\n");
}

static void ring() {
  auto ch = gort::make_chan<int>(8);
  showRing("make(chan int, 8)", ch);
  for (int v = 1; v <= 5; v++) ch.send(v);
  showRing("5 sends (1..5)", ch);
  int a = ch.recv(), b = ch.recv();
  char step[32];
  std::snprintf(step, sizeof step, "2 receives (got %d, %d)", a, b);
  showRing(step, ch);
  for (int v = 6; v <= 10; v++) ch.send(v);
  showRing("5 sends (6..10)", ch);
}

static int mode;

static void main_main() {
  if (mode == 0)
    dump();
  else if (mode == 1)
    handoff();
  else
    ring();
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const char* modes[] = {"dump", "handoff", "ring"};
  mode = -1;
  for (int i = 0; i < 3; i++)
    if (argc == 2 && std::strcmp(argv[1], modes[i]) == 0) mode = i;
  if (mode < 0) {
    std::fprintf(stderr, "usage: sendfacts dump|handoff|ring\n");
    return 2;
  }
  runtime::rt0_go(argc, argv, main_main);
}
