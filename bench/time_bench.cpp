// bench/time_bench.cpp: package time's timer benchmarks (src/time/
// sleep_test.go and tick_test.go at go1.22.12) under Go's names. They
// measure the runtime's timers (time.cpp) through package time.
//
// How a Go benchmark maps onto Google Benchmark: bench/testing.hpp.
//
// Go's benchmark helper first makes 1<<15 timers an hour away on every P
// (so that each P's heap is deep, as in a server), then runs the body,
// bench(1000), in RunParallel; the garbage timers are stopped after. The
// timers are kept in gort::slices, which the collector scans.
//
// BenchmarkParallelTimerLatency and BenchmarkStaggeredTickerLatency measure
// something else: how late timers and tickers fire while the goroutines
// around them keep their Ps busy (Go's issue 38860). Their results are the
// mean and the largest lateness, reported through b.ReportMetric as
// avg-late-ns and max-late-ns, with no ns/op (bench/testing.hpp). Both
// skip below GOMAXPROCS 2 or above NumCPU, as in Go. Go's parent
// BenchmarkStaggeredTickerLatency makes its sub-benchmarks with b.Run; here
// each is registered on its own, under Go's name for it.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "chan.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "slice.hpp"
#include "sync/sync.hpp"
#include "testing.hpp"
#include "time/time.hpp"

namespace {

using namespace gort_bench;
using gort::time::AfterFunc;
using gort::time::Duration;
using gort::time::Hour;
using gort::time::Microsecond;
using gort::time::Millisecond;
using gort::time::Nanosecond;
using gort::time::Now;
using gort::time::Second;
using gort::time::Since;
using gort::time::Ticker;
using gort::time::Time;
using gort::time::Timer;
using gort::sync::atomic::AddInt32;
using gort::sync::atomic::LoadInt32;

/// atomic.StoreInt32, which gort's sync/atomic (sync/atomic/type.hpp) does
/// not have yet: the same sequentially consistent store.
inline void StoreInt32(int32_t* addr, int32_t val) { __atomic_store_n(addr, val, __ATOMIC_SEQ_CST); }

// sleep_test.go:87 at go1.22.12 (benchmark)
template <class Bench>
void benchmark(B& b, Bench bench) {
  // Equal numbers of garbage timers on each P first.
  gort::sync::WaitGroup wg;
  int procs = runtime::GOMAXPROCS(0);
  auto garbageAll = gort::make<gort::slice<gort::ptr<Timer>>>(procs);
  for (int i = 0; i < procs; i++) {
    wg.Add(1);
    gort::go([&wg, garbageAll, i] {
      auto garbage = gort::make<gort::ptr<Timer>>(1 << 15);
      for (int j = 0; j < gort::len(garbage); j++) garbage[j] = AfterFunc(Hour, nullptr);
      garbageAll[i] = garbage;
      wg.Done();
    });
  }
  wg.Wait();

  b.ResetTimer();
  b.RunParallel([&bench](PB& pb) {
    while (pb.Next()) bench(1000);
  });
  b.StopTimer();

  for (auto& garbage : garbageAll) {
    for (auto& t : garbage) t->Stop();
  }
}

// sleep_test.go:120 at go1.22.12. n timers in a chain, each made by the
// previous one's function.
struct afterFuncChain {
  int n;
  gort::chan<bool> c;
};
void afterFuncStep(gort::ptr<afterFuncChain> st) {
  st->n--;
  if (st->n >= 0) {
    AfterFunc(0, [st] { afterFuncStep(st); });
  } else {
    st->c.send(true);
  }
}
void BenchmarkAfterFunc(B& b) {
  benchmark(b, [](int n) {
    auto st = gort::new_<afterFuncChain>(n, gort::make_chan<bool>());
    AfterFunc(0, [st] { afterFuncStep(st); });
    (void)st->c.recv();
  });
}

// sleep_test.go:138 at go1.22.12
void BenchmarkAfter(B& b) {
  benchmark(b, [](int n) {
    for (int i = 0; i < n; i++) (void)gort::time::After(1).recv();
  });
}

// sleep_test.go:146 at go1.22.12
void BenchmarkStop(B& b) {
  benchmark(b, [](int n) {
    for (int i = 0; i < n; i++) gort::time::NewTimer(1 * Second)->Stop();
  });
}

// sleep_test.go:154 at go1.22.12. The timers' closures hold the address of
// the body's WaitGroup, which outlives them (Wait returns after the last
// Done).
void BenchmarkSimultaneousAfterFunc(B& b) {
  benchmark(b, [](int n) {
    gort::sync::WaitGroup wg;
    auto* wgp = &wg;
    wg.Add(n);
    for (int i = 0; i < n; i++) AfterFunc(0, [wgp] { wgp->Done(); });
    wg.Wait();
  });
}

// sleep_test.go:165 at go1.22.12
void BenchmarkStartStop(B& b) {
  benchmark(b, [](int n) {
    auto timers = gort::make<gort::ptr<Timer>>(n);
    for (int i = 0; i < n; i++) timers[i] = AfterFunc(Hour, nullptr);
    for (int i = 0; i < n; i++) timers[i]->Stop();
  });
}

// sleep_test.go:178 at go1.22.12
void BenchmarkReset(B& b) {
  benchmark(b, [](int n) {
    auto t = gort::time::NewTimer(Hour);
    for (int i = 0; i < n; i++) t->Reset(Hour);
    t->Stop();
  });
}

// sleep_test.go:188 at go1.22.12
void BenchmarkSleep(B& b) {
  benchmark(b, [](int n) {
    gort::sync::WaitGroup wg;
    auto* wgp = &wg;
    wg.Add(n);
    for (int i = 0; i < n; i++) {
      gort::go([wgp] {
        gort::time::Sleep(Nanosecond);
        wgp->Done();
      });
    }
    wg.Wait();
  });
}

void warmupScheduler(int targetThreadCount);
void doWork(Duration dur);

/// One timer's or ticker's lateness, summed, at most, and counted; padded
/// to a cache line, as in Go, so that the goroutines do not share lines.
struct latencyStats {
  double sum;
  Duration max;
  int64_t count;
  int64_t pad[5];
};

/// sleep_test.go:639 at go1.22.12: b.N rounds of GOMAXPROCS-1 timers a
/// millisecond away, made by this goroutine, which then spins until they
/// have all fired; each timer's function records how late it ran and spins
/// until all have fired too, so the timers are run by the other Ps' threads
/// while each P is busy. A millisecond of spinning ends each round. The
/// result is the mean and the largest lateness (avg-late-ns, max-late-ns);
/// ns/op is reported as 0 (none).
void BenchmarkParallelTimerLatency(B& b) {
  int gmp = runtime::GOMAXPROCS(0);
  if (gmp < 2 || runtime::NumCPU() < gmp) {
    b.Skip("skipping with GOMAXPROCS < 2 or NumCPU < GOMAXPROCS");
    return;
  }

  // The statistics are allocated now, so no collection comes later.
  int timerCount = gmp - 1;
  auto stats = gort::make<latencyStats>(timerCount);

  // Threads to run the timers exist before the timing starts.
  warmupScheduler(gmp);

  // No other timers than the ones measured: this goroutine waits by
  // spinning (doWork), because before Go 1.15 sysmon could come out of its
  // deep sleep when every thread was idle.

  // Long enough for sysmon to sleep deeply.
  doWork(30 * Millisecond);

  b.ResetTimer();

  constexpr Duration delay = Millisecond;
  gort::sync::WaitGroup wg;
  auto* wgp = &wg;
  int32_t count = 0;
  int32_t* countp = &count;
  for (int64_t i = 0; i < b.N; i++) {
    wg.Add(timerCount);
    StoreInt32(&count, 0);
    for (int j = 0; j < timerCount; j++) {
      Time expectedWakeup = Now().Add(delay);
      AfterFunc(delay, [j, expectedWakeup, stats, countp, wgp, timerCount] {
        Duration late = Since(expectedWakeup);
        if (late < 0) late = 0;
        stats[j].count++;
        stats[j].sum += double(late);
        if (late > stats[j].max) stats[j].max = late;
        AddInt32(countp, 1);
        while (LoadInt32(countp) < int32_t(timerCount)) {
          // Until every timer of the round has fired.
        }
        wgp->Done();
      });
    }

    while (LoadInt32(&count) < int32_t(timerCount)) {
      // Until every timer of the round has fired.
    }
    wg.Wait();

    // A little spinning, so the other threads go idle before the next round.
    doWork(Millisecond);
  }
  double total = 0;
  double samples = 0;
  Duration max = 0;
  for (auto& s : stats) {
    if (s.max > max) max = s.max;
    total += s.sum;
    samples += double(s.count);
  }
  b.ReportMetric(0, "ns/op");
  b.ReportMetric(total / samples, "avg-late-ns");
  b.ReportMetric(double(max), "max-late-ns");
}

/// sleep_test.go:721 at go1.22.12, the sub-benchmark
/// work-dur=<dur>/tickers-per-P=<tickersPerP>: GOMAXPROCS*tickersPerP
/// tickers of 3 ms, started delay/GOMAXPROCS apart (by spinning), each read
/// b.N times by a goroutine of its own that spins for dur after each tick.
/// The result is the mean and the largest lateness of the ticks
/// (avg-late-ns, max-late-ns); ns/op is reported as 0 (none). The skip is
/// Go's parent benchmark's, done by each sub-benchmark here.
void staggeredTickerLatency(B& b, Duration dur, int tickersPerP) {
  int gmp = runtime::GOMAXPROCS(0);
  if (gmp < 2 || runtime::NumCPU() < gmp) {
    b.Skip("skipping with GOMAXPROCS < 2 or NumCPU < GOMAXPROCS");
    return;
  }

  constexpr Duration delay = 3 * Millisecond;
  int tickerCount = gmp * tickersPerP;

  // The statistics are allocated now, so no collection comes later.
  auto stats = gort::make<latencyStats>(tickerCount);

  // Threads to serve the tickers exist before the timing starts.
  warmupScheduler(gmp);

  b.ResetTimer();

  gort::sync::WaitGroup wg;
  auto* wgp = &wg;
  wg.Add(tickerCount);
  for (int j = 0; j < tickerCount; j++) {
    doWork(delay / Duration(gmp));
    Time expectedWakeup = Now().Add(delay);
    auto ticker = gort::time::NewTicker(delay);
    // Go's closure shares expectedWakeup with this iteration, which does not
    // use it again; the goroutine's copy is the same. firstWake is unused,
    // as in Go.
    gort::go(
        [j, expectedWakeup, stats, wgp, dur](int64_t c, gort::ptr<Ticker> ticker, Time firstWake) mutable {
          (void)firstWake;
          gort::deferred stop{[&ticker] { ticker->Stop(); }};

          for (; c > 0; c--) {
            (void)ticker->C.recv();
            Duration late = Since(expectedWakeup);
            if (late < 0) late = 0;
            stats[j].count++;
            stats[j].sum += double(late);
            if (late > stats[j].max) stats[j].max = late;
            expectedWakeup = expectedWakeup.Add(delay);
            doWork(dur);
          }
          wgp->Done();
        },
        b.N, ticker, expectedWakeup);
  }
  wg.Wait();

  double total = 0;
  double samples = 0;
  Duration max = 0;
  for (auto& s : stats) {
    if (s.max > max) max = s.max;
    total += s.sum;
    samples += double(s.count);
  }
  b.ReportMetric(0, "ns/op");
  b.ReportMetric(total / samples, "avg-late-ns");
  b.ReportMetric(double(max), "max-late-ns");
}

/// sleep_test.go:798 at go1.22.12: targetThreadCount goroutines that spin
/// until all of them run, then a millisecond more, so the scheduler has
/// that many threads.
void warmupScheduler(int targetThreadCount) {
  gort::sync::WaitGroup wg;
  auto* wgp = &wg;
  int32_t count = 0;
  int32_t* countp = &count;
  for (int i = 0; i < targetThreadCount; i++) {
    wg.Add(1);
    gort::go([wgp, countp, targetThreadCount] {
      AddInt32(countp, 1);
      while (LoadInt32(countp) < int32_t(targetThreadCount)) {
        // Until every goroutine has started.
      }

      // A little more, so that each is on a CPU of its own.
      doWork(Millisecond);
      wgp->Done();
    });
  }
  wg.Wait();
}

/// sleep_test.go:817 at go1.22.12: spins for dur.
void doWork(Duration dur) {
  Time start = Now();
  while (Since(start) < dur) {
  }
}

// tick_test.go:148 at go1.22.12
void BenchmarkTicker(B& b) {
  benchmark(b, [](int n) {
    auto ticker = gort::time::NewTicker(Nanosecond);
    for (int i = 0; i < n; i++) (void)ticker->C.recv();
    ticker->Stop();
  });
}

// tick_test.go:158 at go1.22.12
void BenchmarkTickerReset(B& b) {
  benchmark(b, [](int n) {
    auto ticker = gort::time::NewTicker(Nanosecond);
    for (int i = 0; i < n; i++) ticker->Reset(Nanosecond * 2);
    ticker->Stop();
  });
}

// tick_test.go:168 at go1.22.12
void BenchmarkTickerResetNaive(B& b) {
  benchmark(b, [](int n) {
    auto ticker = gort::time::NewTicker(Nanosecond);
    for (int i = 0; i < n; i++) {
      ticker->Stop();
      ticker = gort::time::NewTicker(Nanosecond * 2);
    }
    ticker->Stop();
  });
}

void registerAll() {
  registerGo("BenchmarkAfterFunc", BenchmarkAfterFunc);
  registerGo("BenchmarkAfter", BenchmarkAfter);
  registerGo("BenchmarkStop", BenchmarkStop);
  registerGo("BenchmarkSimultaneousAfterFunc", BenchmarkSimultaneousAfterFunc);
  registerGo("BenchmarkStartStop", BenchmarkStartStop);
  registerGo("BenchmarkReset", BenchmarkReset);
  registerGo("BenchmarkSleep", BenchmarkSleep);
  registerGo("BenchmarkParallelTimerLatency", BenchmarkParallelTimerLatency);
  // sleep_test.go:729-733's sub-benchmarks: for each work duration, 1 to
  // delay/dur tickers per P (delay is 3 ms).
  for (Duration dur : {300 * Microsecond, 2 * Millisecond}) {
    for (int tickersPerP = 1; tickersPerP < int((3 * Millisecond) / dur) + 1; tickersPerP++) {
      registerGo(("BenchmarkStaggeredTickerLatency/work-dur=" + gort::time::DurationString(dur) +
                  "/tickers-per-P=" + std::to_string(tickersPerP))
                     .c_str(),
                 [dur, tickersPerP](B& b) { staggeredTickerLatency(b, dur, tickersPerP); });
    }
  }
  registerGo("BenchmarkTicker", BenchmarkTicker);
  registerGo("BenchmarkTickerReset", BenchmarkTickerReset);
  registerGo("BenchmarkTickerResetNaive", BenchmarkTickerResetNaive);
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
