// bench/testing.hpp: the part of Go's package testing that the ported
// benchmark bodies use (testing/benchmark.go at go1.22.12): B with N, its
// timer and RunParallel, PB, and the glue that runs a Go body as a Google
// Benchmark.
//
// How a Go benchmark maps onto Google Benchmark here:
//   - Go calls BenchmarkX(b) with growing b.N and reports the time the body
//     took divided by b.N. goBench does the same: it runs the body once per
//     Google Benchmark run with N = state.max_iterations (one batch of N
//     iterations, KeepRunningBatch), timing it with B's own clock, and hands
//     that time over with SetIterationTime; registerGo registers with
//     UseManualTime, so the reported time per iteration is Go's ns/op:
//     elapsed / N.
//   - B's ResetTimer, StartTimer and StopTimer behave as testing.B's, so a
//     port keeps Go's calls where Go has them.
//   - b.RunParallel starts parallelism*GOMAXPROCS goroutines (parallelism
//     is 1 unless b.SetParallelism changed it) that take iterations from one
//     shared atomic counter in grains sized from the previous run (about
//     100us of work, at most 1e4), and waits for them all with a
//     sync.WaitGroup, as Go does.
//   - Everything runs on goroutines: gort_bench's main (bench/main.cpp) runs
//     Google Benchmark on the main goroutine.
#pragma once
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>

#include "chan.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "sync/waitgroup.hpp"

namespace gort_bench {

/// B: testing.B's N, timer and RunParallel (testing/benchmark.go).
struct B {
  int64_t N = 0;
  int64_t previousN = 0;         // N of this benchmark's previous run
  int64_t previousDuration = 0;  // its duration, ns

  void StartTimer() {
    if (!timerOn) {
      start = clock::now();
      timerOn = true;
    }
  }
  void StopTimer() {
    if (timerOn) {
      duration += clock::now() - start;
      timerOn = false;
    }
  }
  void ResetTimer() {
    if (timerOn) start = clock::now();
    duration = clock::duration::zero();
  }
  int64_t nanoseconds() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
  }

  /// Error: testing.B.Error. Callable from any goroutine; goBench turns it
  /// into a failed benchmark once the body returns.
  void Error(const char* msg) {
    if (!failed.exchange(true)) failMsg = msg;
  }
  bool Failed() const { return failed.load(); }
  const char* failMsg = "";

  /// Skip: testing.B.Skip: the benchmark gives no result. Go's Skip also
  /// ends the benchmark's goroutine (runtime.Goexit); here the body returns
  /// right after calling it. goBench reports the skip through Google
  /// Benchmark's error (its version 1.7 has no skip), as "SKIP: msg", which
  /// bench/compare lists as skipped, as it does Go's `--- SKIP`.
  void Skip(const char* msg) {
    skipped = true;
    skipMsg = msg;
  }
  bool Skipped() const { return skipped; }
  const char* skipMsg = "";

  /// Logf: testing.B.Logf (testing/testing.go:1059 at go1.22.12). Go keeps
  /// the line and prints it after the benchmark's result; here it goes
  /// straight to standard error.
  [[gnu::format(printf, 2, 3)]] void Logf(const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    std::vfprintf(stderr, format, ap);
    va_end(ap);
    std::fputc('\n', stderr);
  }

  /// SetParallelism: testing.B.SetParallelism (testing/benchmark.go:809 at
  /// go1.22.12). RunParallel then starts p*GOMAXPROCS goroutines; p < 1 is
  /// ignored, as in Go.
  void SetParallelism(int p) {
    if (p >= 1) parallelism = p;
  }

  template <class Body>
  void RunParallel(Body body);

 private:
  using clock = std::chrono::steady_clock;
  clock::time_point start;
  clock::duration duration = clock::duration::zero();
  bool timerOn = false;
  int parallelism = 1;  // RunParallel's goroutines per P
  std::atomic<bool> failed{false};
  bool skipped = false;
};

/// PB: testing.PB, one RunParallel worker's view of the shared count
/// (testing/benchmark.go:737 at go1.22.12, (*PB).Next).
struct PB {
  std::atomic<uint64_t>* globalN;  // iterations claimed so far by all workers
  uint64_t grain;                  // iterations claimed at a time
  uint64_t cache = 0;              // claimed and not yet run
  uint64_t bN;                     // b.N

  bool Next() {
    if (cache == 0) {
      uint64_t n = globalN->fetch_add(grain) + grain;
      if (n <= bN) {
        cache = grain;
      } else if (n < bN + grain) {
        cache = bN + grain - n;
      } else {
        return false;
      }
    }
    cache--;
    return true;
  }
};

/// testing/benchmark.go:765 at go1.22.12 ((*B).RunParallel).
template <class Body>
void B::RunParallel(Body body) {
  if (N == 0) return;
  uint64_t grain = 0;
  if (previousN > 0 && previousDuration > 0) {
    grain = uint64_t(100000) * uint64_t(previousN) / uint64_t(previousDuration);
  }
  if (grain < 1) grain = 1;
  if (grain > 10000) grain = 10000;

  std::atomic<uint64_t> n{0};
  const int numProcs = parallelism * runtime::GOMAXPROCS(0);
  gort::sync::WaitGroup wg;
  wg.Add(numProcs);
  for (int p = 0; p < numProcs; p++) {
    gort::go([&n, grain, bN = uint64_t(N), body, &wg]() mutable {
      PB pb{&n, grain, 0, bN};
      body(pb);
      wg.Done();  // Go: defer wg.Done()
    });
  }
  wg.Wait();
  if (n.load() <= uint64_t(N) && !Failed()) {
    Error("RunParallel: body exited without pb.Next() == false");
  }
}

/// runHistory: what Go keeps in b.previousN and b.previousDuration, the
/// size and time of a benchmark's previous run (RunParallel sizes its grains
/// from them). One per registered benchmark.
struct runHistory {
  int64_t previousN = 0;
  int64_t previousDuration = 0;
};

/// goBench runs body(b) as one Go benchmark run of b.N = max_iterations and
/// reports its time as Go's runN measures it.
template <class F>
void goBench(benchmark::State& state, F& body, runHistory& hist) {
  const benchmark::IterationCount n = state.max_iterations;
  while (state.KeepRunningBatch(n)) {
    B b;
    b.N = static_cast<int64_t>(n);
    b.previousN = hist.previousN;
    b.previousDuration = hist.previousDuration;
    b.StartTimer();
    body(b);
    b.StopTimer();
    hist.previousN = b.N;
    hist.previousDuration = b.nanoseconds();
    state.SetIterationTime(double(b.nanoseconds()) * 1e-9);
    if (b.Failed()) {
      state.SkipWithError(b.failMsg);
    } else if (b.Skipped()) {
      state.SkipWithError((std::string("SKIP: ") + b.skipMsg).c_str());
    }
  }
}

/// Registers a body under Go's (sub-)benchmark name.
template <class F>
void registerGo(const char* name, F body) {
  benchmark::RegisterBenchmark(name,
                               [body, hist = runHistory{}](benchmark::State& state) mutable {
                                 goBench(state, body, hist);
                               })
      ->UseManualTime()
      ->MeasureProcessCPUTime()
      ->Unit(benchmark::kNanosecond);
}

/// slice_test.go:93-95 at go1.22.12: element types of several benchmarks
/// of package runtime_test (BenchmarkMakeSlice, BenchmarkGrowSlice,
/// BenchmarkMakeChan).
struct struct24 {
  int64_t a, b, c;
};
struct struct32 {
  int64_t a, b, c, d;
};
struct struct40 {
  int64_t a, b, c, d, e;
};

}  // namespace gort_bench
