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
//   sendfacts stacks   a goroutine parks (gopark, as a channel receive
//                      does, with an unlockf of the program's own that
//                      notes where park_m called it on g0); main then reads
//                      the parked g's sched and stack bounds and its M's
//                      g0 sched and stack bounds, and prints them as offsets
//                      from each stack's hi, with sched.pc as an offset
//                      into runtime.mcall (chapter 5's picture of mcall).
//
//   build/book/programs/sendfacts dump
//   GODEBUG=schedtrace=10 GOMAXPROCS=2 build/book/programs/sendfacts handoff
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "chan.hpp"
#include "go.hpp"
#include "proc.hpp"
#include "runtime.hpp"
#include "stack.hpp"
#include "stubs.hpp"
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

namespace runtime {
uintptr stackGuardSize();  // stack.cpp: g.stackguard0 = stack.lo + this
}

// stacks: the parked goroutine, its M, and what the unlockf saw on g0.
static std::atomic<runtime::g*> parkedG;
static std::atomic<runtime::m*> parkedM;
static std::atomic<bool> unlocked;
static uintptr_t unlockCallSp;  // park_m's %rsp where it called the unlockf
static bool unlockOnG0;

// gopark's unlockf: park_m calls it on g0 once the goroutine is off its
// stack. Its frame pointer sits just below the return address into park_m,
// so fp + 16 is park_m's stack pointer at the call.
__attribute__((noinline)) static bool noteUnlock(runtime::g*, void*) {
  runtime::g* gp = runtime::getg();
  unlockOnG0 = gp == gp->m->g0;
  unlockCallSp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) + 16;
  unlocked = true;
  return true;
}

__attribute__((noinline)) static void parker() {
  runtime::g* gp = runtime::getg();
  parkedM = gp->m;
  parkedG = gp;
  runtime::gopark(noteUnlock, nullptr, runtime::waitReasonZero);
}

static void stacks() {
  auto done = gort::make_chan<int>();
  gort::go([done] {
    parker();
    done.send(1);
  });
  // Until the goroutine is parked and the unlockf has run on g0.
  while (!unlocked.load()) gort::time::Sleep(gort::time::Millisecond);
  runtime::g* gp = parkedG.load();
  runtime::m* mp = parkedM.load();
  runtime::g* g0 = mp->g0;
  uintptr_t hi = gp->stack_.hi, lo = gp->stack_.lo;
  uintptr_t mcall = reinterpret_cast<uintptr_t>(&runtime::mcall);
  std::printf("parked g: status %s, on M%lld until it parked\n",
              runtime::readgstatus(gp) == runtime::_Gwaiting ? "_Gwaiting" : "other", (long long)mp->id);
  std::printf("g.stack: lo = hi - %#lx, guard = lo + %#lx\n", (unsigned long)(hi - lo),
              (unsigned long)runtime::stackGuardSize());
  std::printf("g.sched.sp = hi - %#lx\n", (unsigned long)(hi - gp->sched.sp));
  std::printf("g.sched.bp = hi - %#lx (sp + %lu)\n", (unsigned long)(hi - gp->sched.bp),
              (unsigned long)(gp->sched.bp - gp->sched.sp));
  std::printf("g.sched.pc = runtime.mcall+%#lx\n", (unsigned long)(gp->sched.pc - mcall));
  uintptr_t ghi = g0->stack_.hi, glo = g0->stack_.lo;
  std::printf("g0.stack: lo = hi - %#lx (%s)\n", (unsigned long)(ghi - glo),
              mp->id == 0 ? "m0: the main thread's stack" : "the thread's own stack");
  std::printf("g0.sched.sp = hi - %#lx (%s)\n", (unsigned long)(ghi - g0->sched.sp),
              g0->sched.sp > glo && g0->sched.sp < ghi ? "inside" : "outside");
  std::printf("park_m called the unlockf %s at g0.sched.sp - %#lx\n", unlockOnG0 ? "on g0" : "not on g0",
              (unsigned long)(g0->sched.sp - unlockCallSp));
  runtime::goready(gp);
  done.recv();
  std::printf("resumed: yes\n");
}

static int mode;

static void main_main() {
  if (mode == 0)
    dump();
  else if (mode == 1)
    handoff();
  else if (mode == 2)
    ring();
  else
    stacks();
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const char* modes[] = {"dump", "handoff", "ring", "stacks"};
  mode = -1;
  for (int i = 0; i < 4; i++)
    if (argc == 2 && std::strcmp(argv[1], modes[i]) == 0) mode = i;
  if (mode < 0) {
    std::fprintf(stderr, "usage: sendfacts dump|handoff|ring|stacks\n");
    return 2;
  }
  runtime::rt0_go(argc, argv, main_main);
}
