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
#include <benchmark/benchmark.h>

#include <cstdint>

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
using gort::time::Hour;
using gort::time::Nanosecond;
using gort::time::Second;
using gort::time::Timer;

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
  registerGo("BenchmarkTicker", BenchmarkTicker);
  registerGo("BenchmarkTickerReset", BenchmarkTickerReset);
  registerGo("BenchmarkTickerResetNaive", BenchmarkTickerResetNaive);
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
