// preemptfacts: asynchronous preemption at work, for the "Things to try" of
// the book's preemption chapter (book/chapters/18-preemption.rst). The
// book's build runs it (book/tools/gen.py) and checks that its output still
// shows what the chapter says; the timings vary from run to run and are read
// as such.
//
//   1. one P, a goroutine in a loop that calls nothing, and main sleeping
//      5 ms twenty times: each wake-up waits until sysmon has the spinner
//      stopped by a signal, since the P is the spinner's until then.
//   2. two Ps, two such goroutines, and runtime::GC(): the collection stops
//      the world twice and scans both spinners' stacks, all through
//      preemption signals.
//   3. what the runtime knows about this executable's code: the size of its
//      own text (gort_text, where no signal preempts).
//
//   build/book/programs/preemptfacts
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "debug/garbage.hpp"
#include "go.hpp"
#include "proc.hpp"
#include "runtime2.hpp"
#include "time/time.hpp"

using gort::time::Duration;
using gort::time::Millisecond;

extern "C" {
extern __attribute__((weak)) const char __start_gort_text[];
extern __attribute__((weak)) const char __stop_gort_text[];
}

// The preemption signals every M has handled so far (m.preemptGen).
static uint32_t signalsHandled() {
  uint32_t n = 0;
  for (runtime::m* mp = runtime::allm; mp != nullptr; mp = mp->alllink) n += mp->preemptGen.Load();
  return n;
}

static double ms(Duration d) { return double(d) / double(Millisecond); }

// A goroutine that spins in a loop with no call in it until stop is set.
static void spin(std::atomic<bool>* stop, std::atomic<int>* started) {
  started->fetch_add(1);
  while (!stop->load(std::memory_order_relaxed)) asm volatile("");
}

static uint32_t numGC() {
  runtime::MemStats st;
  runtime::ReadMemStats(&st);
  return st.NumGC;
}

static void main_main() {
  {
    // 1. One P: main's wake-ups wait for the spinner to be stopped.
    runtime::GOMAXPROCS(1);
    gort::debug::SetGCPercent(-1);  // only the collection of part 2
    std::printf("== 1. GOMAXPROCS 1: Sleep(5ms) x 20 beside a goroutine that calls nothing\n");
    std::atomic<bool> stop{false};
    std::atomic<int> started{0};
    gort::go(spin, &stop, &started);
    while (started.load() < 1) runtime::Gosched();
    uint32_t sig0 = signalsHandled();
    std::vector<Duration> late;
    for (int i = 0; i < 20; i++) {
      gort::time::Time t0 = gort::time::Now();
      gort::time::Sleep(5 * Millisecond);
      late.push_back(gort::time::Since(t0) - 5 * Millisecond);
    }
    std::sort(late.begin(), late.end());
    std::printf("late by: median %.3fms, min %.3fms, max %.3fms\n", ms(late[10]), ms(late.front()), ms(late.back()));
    std::printf("preemption signals handled: %u\n", signalsHandled() - sig0);
    stop.store(true);
    runtime::Gosched();

    // 2. Two Ps, two spinners, one collection.
    runtime::GOMAXPROCS(2);
    std::printf("== 2. GOMAXPROCS 2: runtime::GC() while two goroutines call nothing\n");
    std::atomic<bool> stop2{false};
    std::atomic<int> started2{0};
    gort::go(spin, &stop2, &started2);
    gort::go(spin, &stop2, &started2);
    while (started2.load() < 2) runtime::Gosched();
    gort::time::Sleep(20 * Millisecond);  // both spinning on their own P
    uint32_t sig1 = signalsHandled();
    uint32_t cycles = numGC();
    gort::time::Time t0 = gort::time::Now();
    runtime::GC();
    Duration took = gort::time::Since(t0);
    std::printf("runtime::GC() returned after %.3fms; cycles completed: %u\n", ms(took),
                numGC() - cycles);
    std::printf("preemption signals handled: %u\n", signalsHandled() - sig1);
    stop2.store(true);

    // 3. The code range the safe-point rule refuses.
    std::printf("== 3. this executable's code, as isAsyncSafePoint sees it\n");
    std::printf("gort_text (the runtime's code): %zu KiB\n",
                size_t(__stop_gort_text - __start_gort_text) / 1024);
  }
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  runtime::rt0_go(argc, argv, main_main);
}
