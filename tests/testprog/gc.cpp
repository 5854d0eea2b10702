// testprog/gc.cpp: sub-programs of go1.22.12
// runtime/testdata/testprog/gc.go.
//
// GCFairness2 is ported, but proc_test.cpp does not run it yet: the port's
// stop-the-world cycles let one allocating goroutine keep the only P for
// seconds (see TestGCFairness2 in tests/inventory/todo.tsv).
//
// Not ported from gc.go (and why):
//   GCFairness: main's time.Sleep must wake on a timer while two goroutines
//     hold the only P writing to /dev/null in system calls; the port has
//     neither timers (time.go) nor entersyscall/exitsyscall around a write.
//   GCSys, GCPhys, DeferLiveness, GCZombie, GCMemoryLimit,
//   GCMemoryLimitNoGCPercent: no ported test runs them yet.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "debug/garbage.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

// GCFairness2's count and sink. Go's are locals that its goroutines
// capture, and those goroutines run until the process exits; here they are
// globals, so that the goroutines never write into a stack frame that main
// has left. sink is a global so that the collector sees it (the program's
// data and bss are roots).
std::array<std::atomic<int64_t>, 3> gcFairness2Count;
std::array<gort::slice<uint8_t>, 3> gcFairness2Sink;

// gc.go:91 at go1.22.12
//
// User code must not be able to use the collector's priority in the
// scheduler to make scheduling unfair (go.dev/issue/15706): with one P and
// a collection after every 1% of heap growth, three goroutines that do
// nothing but allocate must all get to run. Departure: time.Sleep is
// timeSleep (testprog.hpp), which keeps main runnable instead of parked on
// a timer.
void GCFairness2() {
  runtime::GOMAXPROCS(1);
  gort::debug::SetGCPercent(1);
  for (int i = 0; i < int(gcFairness2Count.size()); i++) {
    gort::go(
        [](int i) {
          for (;;) {
            gcFairness2Sink[size_t(i)] = gort::make<uint8_t>(1024);
            gcFairness2Count[size_t(i)].fetch_add(1);
          }
        },
        i);
  }
  // If the scheduling is very unfair, main may not even get back from the
  // sleep. Go's comment: these times suit the scheduler as it is; if all
  // three have not run after 30 ms, wait a second more and look again
  // (OpenBSD's usleep takes 20 ms at least).
  timeSleep(30 * Millisecond);
  bool fail = false;
  for (auto& c : gcFairness2Count) {
    if (c.load() == 0) fail = true;
  }
  if (fail) {
    timeSleep(1000 * Millisecond);
    for (int i = 0; i < int(gcFairness2Count.size()); i++) {
      if (gcFairness2Count[size_t(i)].load() == 0) {
        fmtPrintln("goroutine " + std::to_string(i) + " did not run");
        return;
      }
    }
  }
  fmtPrintln("OK");
}

// gc.go:22 at go1.22.12
[[maybe_unused]] bool registered = register_("GCFairness2", GCFairness2);

}  // namespace
}  // namespace testprog
