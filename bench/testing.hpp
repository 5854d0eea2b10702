// bench/testing.hpp: the part of Go's package testing that the ported
// benchmark bodies use (testing/benchmark.go at go1.22.12): B with N, its
// timer and RunParallel, PB, and the glue that runs a Go body as a Google
// Benchmark.
//
// How a Go benchmark maps onto Google Benchmark here:
//   - Go calls BenchmarkX(b) with growing b.N, chosen by testing's own rule
//     (B.launch), and reports the last run's time divided by its b.N.
//     goBench applies the same rule, not Google Benchmark's: b.N = 1 first,
//     then 1.2 times the N that the last run's pace predicts for the bench
//     time (--benchmark_min_time, read into benchTime), at most 100 times
//     the last N and at least one more, until a run lasts the bench time.
//     Google Benchmark sees one iteration (registerGo: Iterations(1)) whose
//     manual time (SetIterationTime) is that ns/op; the final b.N goes
//     into the counter N. (Its CPU column then counts the main thread over
//     every run, and means nothing here.) With Google Benchmark's rule (up
//     to tenfold steps, 1.4 times the prediction) a row ran other N's than
//     Go's, and a body whose cost per iteration grows with N compared
//     unequal runs: BenchmarkFinalizerRun, whose objects with finalizers
//     pile up, ran about 500 000 iterations at 300 ms where Go ran about
//     400 000.
//   - B's ResetTimer, StartTimer and StopTimer behave as testing.B's, so a
//     port keeps Go's calls where Go has them.
//   - b.ReportMetric(n, unit) keeps n under unit, the last value per unit,
//     and ResetTimer forgets them all, as Go's does (so each run of b.N
//     starts with none). After the last run, a reported "ns/op" replaces
//     the computed time per iteration (0 means none, as Go prints no ns/op
//     then; the manual time is 0), and every other unit becomes a Google
//     Benchmark user counter of that name (state.counters["p50-ns"]), in
//     the JSON report beside "N"; bench/compare pairs each with Go's value
//     of the same unit.
//   - b.RunParallel starts parallelism*GOMAXPROCS goroutines (parallelism
//     is 1 unless b.SetParallelism changed it) that take iterations from one
//     shared atomic counter in grains sized from the previous run (about
//     100us of work, at most 1e4), and waits for them all with a
//     sync.WaitGroup, as Go does.
//   - Everything runs on goroutines: gort_bench's main (bench/main.cpp) runs
//     Google Benchmark on the main goroutine.
#pragma once
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <map>
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
  /// ResetTimer: testing.B.ResetTimer (testing/benchmark.go at go1.22.12):
  /// the time so far and the metrics reported so far are dropped.
  void ResetTimer() {
    extra.clear();
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

  /// ReportMetric: testing.B.ReportMetric (testing/benchmark.go:342 at
  /// go1.22.12): n is reported under unit ("p50-ns", by Go's convention
  /// "x/op" for a per-iteration figure), replacing a value reported before
  /// under the same unit. "ns/op" replaces the measured time per iteration,
  /// and 0 there means the benchmark reports none. An empty unit, or one
  /// with white space, is Go's panic. Call it from the benchmark's own
  /// goroutine (Go's map has no lock either).
  /// Departure: Go prints "B/op", "allocs/op" and "MB/s" only with
  /// -benchmem or SetBytes, which gort's harness does not have; goBench
  /// reports those units nowhere (Go, run as bench/compare runs it, prints
  /// them nowhere either).
  void ReportMetric(double n, std::string unit) {
    if (unit.empty()) gort::panic("metric unit must not be empty");
    // Go tests each rune with unicode.IsSpace. Departure: only its Latin-1
    // spaces are looked for here (ASCII's, and U+0085 and U+00A0, two bytes
    // each in UTF-8), not the rarer ones from U+1680 on.
    for (size_t i = 0; i < unit.size(); i++) {
      unsigned char c = static_cast<unsigned char>(unit[i]);
      bool latin1 = c == 0xC2 && i + 1 < unit.size() &&
                 (static_cast<unsigned char>(unit[i + 1]) == 0x85 || static_cast<unsigned char>(unit[i + 1]) == 0xA0);
      if (c == ' ' || (c >= '\t' && c <= '\r') || latin1) gort::panic("metric unit must not contain whitespace");
    }
    extra[unit] = n;
  }

  /// The metrics reported since the last ResetTimer, by unit (Go: b.extra).
  const std::map<std::string, double>& Extra() const { return extra; }

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
  std::map<std::string, double> extra;  // ReportMetric's values by unit
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

/// benchTime: testing's -benchtime as a duration, in seconds: what one run
/// of a benchmark must last (bench/main.cpp sets it from
/// --benchmark_min_time; 0.5 s otherwise, Google Benchmark's default).
inline double benchTime = 0.5;

/// Google Benchmark's own names in a run's JSON record (its version 1.7,
/// with its memory manager's): a unit named like one of them, or like the
/// counter "N", would be confused with it (bench/compare takes the other
/// numbers of a record for counters), so reportExtra refuses it.
inline constexpr const char* reservedCounterNames[] = {
    "N",           "name",           "family_index",   "per_family_instance_index",
    "run_name",    "run_type",       "repetitions",    "repetition_index",
    "threads",     "iterations",     "real_time",      "cpu_time",
    "time_unit",   "label",          "error_occurred", "error_message",
    "aggregate_name", "aggregate_unit", "allocs_per_iter", "max_bytes_used",
    "total_allocated_bytes", "net_heap_growth"};

/// reportExtra carries the units b reported (ReportMetric) to state's user
/// counters, as BenchmarkResult.String (testing/benchmark.go:417 at
/// go1.22.12) prints them after ns/op: every unit but ns/op (which is the
/// manual time) and the three Go prints only with -benchmem or SetBytes.
inline void reportExtra(benchmark::State& state, const B& b) {
  for (const auto& [unit, n] : b.Extra()) {
    if (unit == "ns/op" || unit == "MB/s" || unit == "B/op" || unit == "allocs/op") continue;
    bool reserved = false;
    for (const char* r : reservedCounterNames) reserved = reserved || unit == r;
    if (reserved) {
      state.SkipWithError(("ReportMetric: unit \"" + unit + "\" is a name of gort_bench's own report").c_str());
      return;
    }
    state.counters[unit] = double(n);
  }
}

/// goBench runs body as go test -bench runs a benchmark function: B.run1's
/// first run of b.N = 1, then B.launch's loop (testing/benchmark.go at
/// go1.22.12), each run through runN, which collects the garbage first and
/// leaves the run's N and time in b.previousN and b.previousDuration for
/// RunParallel's grains. The last run's time per iteration is the result,
/// unless that run reported an ns/op; the metrics it reported go with it.
template <class F>
void goBench(benchmark::State& state, F& body) {
  for (auto _ : state) {
    B b;
    auto runN = [&](int64_t n) {
      // A comparable start for each run: the garbage of the last one
      // collected, as Go's runN does.
      runtime::GC();
      b.N = n;
      b.SetParallelism(1);
      b.ResetTimer();
      b.StartTimer();
      body(b);
      b.StopTimer();
      b.previousN = n;
      b.previousDuration = b.nanoseconds();
    };
    const int64_t goalns = int64_t(benchTime * 1e9);
    runN(1);
    for (int64_t n = 1; !b.Failed() && !b.Skipped() && b.nanoseconds() < goalns && n < 1000000000;) {
      const int64_t last = n;
      int64_t prevns = b.nanoseconds();
      if (prevns <= 0) prevns = 1;
      // Multiply first, then divide (Go's comment: dividing first can hide
      // an order of magnitude in a fast benchmark). __int128: goalns*N can
      // pass 2^63 for a benchmark of a few nanoseconds per iteration.
      n = int64_t(__int128(goalns) * b.N / prevns);
      n += n / 5;
      n = std::min(n, 100 * last);
      n = std::max(n, last + 1);
      n = std::min<int64_t>(n, 1000000000);
      runN(n);
    }
    // BenchmarkResult.String's ns/op: a reported one wins over the
    // measured one.
    double ns = double(b.nanoseconds()) / double(b.N);
    if (auto it = b.Extra().find("ns/op"); it != b.Extra().end()) ns = it->second;
    state.SetIterationTime(ns * 1e-9);
    state.counters["N"] = double(b.N);
    reportExtra(state, b);
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
  benchmark::RegisterBenchmark(name, [body](benchmark::State& state) mutable { goBench(state, body); })
      ->Iterations(1)
      ->UseManualTime()
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
