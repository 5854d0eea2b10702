// timerfacts: the runtime's timers at work, for the "Things to try" of the
// book's timers chapter (book/chapters/15-timers.rst). The book's build runs
// it (book/tools/gen.py) and checks that its output still shows what the
// chapter says; the timings vary from run to run and are read as such.
//
//   1. how long Sleep(d) sleeps, for d from 10us to 10ms: an M with nothing
//      to run waits for the next timer in epoll_wait, whose timeout is in
//      whole milliseconds (netpoll rounds a shorter wait up to 1 ms).
//   2. 10000 goroutines sleep 100 ms at once: a sleeping goroutine is a
//      timer in a P's heap, not a thread; the threads and Ms are counted
//      while they sleep, and each one's lateness when it wakes.
//   3. 100000 timers of an hour, stopped in groups: a stopped timer stays in
//      its heap, marked deleted, until the P that owns the heap removes it
//      (cleantimers, clearDeletedTimers, runtimer). Run with one P
//      (GOMAXPROCS(1)), so that every timer is in one heap and every
//      scheduling round is that P's.
//   4. a Ticker of 10 ms read every 35 ms: the ticks the reader misses are
//      dropped, not queued (its channel holds one value).
//
//   build/book/programs/timerfacts
//   GOMAXPROCS=1 build/book/programs/timerfacts sleeps    (part 1 only)
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "debug/garbage.hpp"
#include "go.hpp"
#include "proc.hpp"
#include "runtime2.hpp"
#include "time/time.hpp"

#include "osthreads.hpp"

using gort::time::Duration;
using gort::time::Microsecond;
using gort::time::Millisecond;

// The timers in the Ps' heaps and, of them, those stopped but not yet
// removed (p.numTimers and p.deletedTimers, summed over allp).
struct heapCount {
  uint32_t timers, deleted;
};
static heapCount timersInHeaps() {
  heapCount c{0, 0};
  for (int i = 0; i < runtime::allplen; i++) {
    c.timers += runtime::allp[i]->numTimers.Load();
    c.deleted += runtime::allp[i]->deletedTimers.Load();
  }
  return c;
}

static double ms(Duration d) { return double(d) / double(Millisecond); }

// 1. How long Sleep(d) sleeps.
static void sleeps() {
  std::printf("== 1. how long Sleep(d) sleeps (7 sleeps each)\n");
  std::printf("%10s %12s %12s %12s %14s\n", "d", "median", "min", "max", "under 1ms");
  gort::time::Sleep(Millisecond);  // the goroutine's timer is made on its first sleep
  for (Duration d : {10 * Microsecond, 100 * Microsecond, Millisecond, 1500 * Microsecond, 10 * Millisecond}) {
    std::vector<Duration> got;
    for (int i = 0; i < 7; i++) {
      gort::time::Time t0 = gort::time::Now();
      gort::time::Sleep(d);
      got.push_back(gort::time::Since(t0));
    }
    std::sort(got.begin(), got.end());
    int under = int(std::count_if(got.begin(), got.end(), [](Duration g) { return g < Millisecond; }));
    std::printf("%10s %10.3fms %10.3fms %10.3fms %9d of 7\n", gort::time::DurationString(d).c_str(), ms(got[3]),
                ms(got.front()), ms(got.back()), under);
  }
}

// 2. 10000 goroutines asleep.
static const int nsleepers = 10000;
static int64_t lateness[nsleepers];  // how much later than 100 ms each one woke

static void sleeper(int i, gort::chan<int> gate, gort::chan<int> done) {
  gate.recv();  // all start sleeping together
  gort::time::Time t0 = gort::time::Now();
  gort::time::Sleep(100 * Millisecond);
  lateness[i] = gort::time::Since(t0) - 100 * Millisecond;
  done.send(1);
}

static void sleepers() {
  std::printf("\n== 2. %d goroutines sleep 100ms\n", nsleepers);
  std::printf("before: %d goroutines, %d Ms, %d threads\n", runtime::NumGoroutine(), int(runtime::mcount()),
              osThreads());
  auto gate = gort::make_chan<int>();
  auto done = gort::make_chan<int>(nsleepers);
  for (int i = 0; i < nsleepers; i++) gort::go(sleeper, i, gate, done);
  gort::time::Time t0 = gort::time::Now();
  gort::close(gate);
  gort::time::Sleep(50 * Millisecond);
  heapCount hc = timersInHeaps();
  std::printf("50ms after they were let go: %d goroutines, %d Ms, %d threads, %u timers in the heaps\n",
              runtime::NumGoroutine(), int(runtime::mcount()), osThreads(), hc.timers);
  for (int i = 0; i < nsleepers; i++) done.recv();
  gort::time::Duration all = gort::time::Since(t0);
  std::sort(lateness, lateness + nsleepers);
  std::printf("all awake %.1fms after they were let go; each one's sleep was longer than 100ms by:\n"
              "  median %.3fms, max %.3fms\n",
              ms(all), ms(lateness[nsleepers / 2]), ms(lateness[nsleepers - 1]));
  std::printf("after: %d Ms, %d threads\n", int(runtime::mcount()), osThreads());
}

// 3. Stopped timers leave their heap lazily.
static const int ntimers = 100000;
static gort::slice<gort::ptr<gort::time::Timer>> timers;  // a global: a root

// The counts less those of before the experiment (the runtime's own
// timers, such as the background scavenger's, if one is pending).
static void show(const char* what, heapCount base) {
  heapCount c = timersInHeaps();
  std::printf("%-44s %10ld %10ld\n", what, long(c.timers) - long(base.timers), long(c.deleted) - long(base.deleted));
}

static void stopped() {
  std::printf("\n== 3. %d timers of an hour, stopped (GOMAXPROCS(1): one P, one heap)\n", ntimers);
  int procs = runtime::GOMAXPROCS(1);
  int gcpercent = gort::debug::SetGCPercent(-1);  // no mark worker rounds meanwhile
  runtime::Gosched();
  heapCount base = timersInHeaps();
  std::printf("%-44s %10s %10s\n", "", "in heap", "deleted");
  timers = gort::make<gort::ptr<gort::time::Timer>>(ntimers);
  for (int i = 0; i < ntimers; i++) timers[i] = gort::time::NewTimer(gort::time::Hour);
  show("NewTimer(time.Hour) x 100000", base);
  for (int i = ntimers - 20000; i < ntimers; i++) timers[i]->Stop();
  show("Stop the last 20000 made", base);
  runtime::Gosched();
  show("runtime::Gosched()", base);
  for (int i = ntimers - 30000; i < ntimers - 20000; i++) timers[i]->Stop();
  show("Stop the 10000 made before them", base);
  runtime::Gosched();
  show("runtime::Gosched()", base);
  for (int i = 0; i < 10000; i++) timers[i]->Stop();
  show("Stop the first 10000 made", base);
  gort::ptr<gort::time::Timer> one = gort::time::NewTimer(gort::time::Hour);
  show("NewTimer(time.Hour) once more", base);
  one->Stop();
  for (int i = 10000; i < ntimers - 30000; i++) timers[i]->Stop();
  show("Stop it and all the others", base);
  runtime::Gosched();
  show("runtime::Gosched()", base);
  timers = {};
  gort::debug::SetGCPercent(gcpercent);
  runtime::GOMAXPROCS(procs);
}

// 4. A slow reader of a Ticker.
static void ticker() {
  std::printf("\n== 4. a Ticker of 10ms, read every 35ms\n");
  std::printf("%6s %14s %14s %10s %18s\n", "read", "sent at", "read at", "age", "since last sent");
  gort::time::Time t0 = gort::time::Now();
  auto tk = gort::time::NewTicker(10 * Millisecond);
  gort::time::Time last = t0;
  for (int i = 1; i <= 8; i++) {
    gort::time::Sleep(35 * Millisecond);
    gort::time::Time v = tk->C.recv();
    gort::time::Time now = gort::time::Now();
    std::printf("%6d %12.1fms %12.1fms %8.1fms", i, ms(v.Sub(t0)), ms(now.Sub(t0)), ms(now.Sub(v)));
    if (i > 1) std::printf(" %16.1fms", ms(v.Sub(last)));
    std::printf("\n");
    last = v;
  }
  gort::time::Duration total = gort::time::Since(t0);
  std::printf("%.0fms: about %d ticks were due, 8 were read\n", ms(total), int(total / (10 * Millisecond)));
  gort::time::Sleep(100 * Millisecond);
  int waiting = 0;
  gort::time::Time v;
  while (gort::select({gort::recv(tk->C, &v)}, gort::default_) == 0) waiting++;
  std::printf("100ms unread (about 10 ticks), then: %d value(s) waiting in C\n", waiting);
  tk->Stop();
}

static bool onlySleeps;  // argv[1] == "sleeps": part 1 only

static void main_main() {
  std::printf("GOMAXPROCS %d\n\n", runtime::GOMAXPROCS(0));
  sleeps();
  if (onlySleeps) return;
  sleepers();
  stopped();
  ticker();
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  onlySleeps = argc > 1 && std::strcmp(argv[1], "sleeps") == 0;
  runtime::rt0_go(argc, argv, main_main);
}
