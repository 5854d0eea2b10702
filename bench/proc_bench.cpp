// bench/proc_bench.cpp: the scheduler benchmarks of proc_test.go
// (go1.22.12), under Go's names.
//
// How a Go benchmark maps onto Google Benchmark here (the same in every
// bench/*_bench.cpp):
//   - Go calls BenchmarkX(b) with growing b.N and reports the time the body
//     took divided by b.N. goBench() does the same: it runs the body once per
//     Google Benchmark run with N = state.max_iterations (one batch of N
//     iterations, KeepRunningBatch), timing it with B's own clock, and hands
//     that time over with SetIterationTime; the benchmarks are registered
//     with UseManualTime, so the reported time per iteration is exactly
//     Go's ns/op: elapsed / N.
//   - B's ResetTimer, StartTimer and StopTimer behave as testing.B's
//     (testing/benchmark.go), so a port keeps Go's calls where Go has them.
//   - Everything runs on goroutines: gort_bench's main (bench/main.cpp) runs
//     Google Benchmark on the main goroutine.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>

#include "chan.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "select.hpp"

namespace {

/// B: the part of testing.B that the ported bodies use.
struct B {
  int64_t N = 0;

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
  double seconds() const { return std::chrono::duration<double>(duration).count(); }

 private:
  using clock = std::chrono::steady_clock;
  clock::time_point start;
  clock::duration duration = clock::duration::zero();
  bool timerOn = false;
};

/// goBench runs body(b) as one Go benchmark run of b.N = max_iterations
/// iterations and reports the time the way Go's runN does.
template <class F>
void goBench(benchmark::State& state, F&& body) {
  const benchmark::IterationCount n = state.max_iterations;
  while (state.KeepRunningBatch(n)) {
    B b;
    b.N = static_cast<int64_t>(n);
    b.StartTimer();
    body(b);
    b.StopTimer();
    state.SetIterationTime(b.seconds());
  }
}

/// Registers fn under Go's name with the timing goBench needs.
#define GO_BENCHMARK(name) \
  BENCHMARK(name)->UseManualTime()->MeasureProcessCPUTime()->Unit(benchmark::kNanosecond)

// --- BenchmarkPingPongHog ----------------------------------------------------

/// proc_test.go:494 at go1.22.12 (BenchmarkPingPongHog). With one P, a
/// goroutine that spins in a select-with-default competes with two
/// goroutines that pass a token back and forth over unbuffered channels;
/// the time per op is one round trip plus whatever the hog steals, so it
/// measures how fairly a woken goroutine is scheduled against a hog.
void BenchmarkPingPongHog(benchmark::State& state) {
  goBench(state, [](B& b) {
    if (b.N == 0) return;
    // Go: defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)); the destructor
    // runs at the end of the body, after StopTimer, as the defer does.
    struct restoreProcs {
      int procs;
      ~restoreProcs() { runtime::GOMAXPROCS(procs); }
    } restore{runtime::GOMAXPROCS(1)};

    // The hog: polls stop without blocking until it is closed.
    auto stop = gort::make_chan<bool>();
    auto done = gort::make_chan<bool>();
    gort::go([stop, done]() mutable {
      for (;;) {
        if (gort::select({gort::recv(stop)}, gort::default_) == 0) {
          done.send(true);
          return;
        }
      }
    });

    // b.N round trips.
    auto ping = gort::make_chan<bool>();
    auto pong = gort::make_chan<bool>();
    const int64_t N = b.N;
    gort::go([ping, pong, stop, done, N]() mutable {
      for (int64_t j = 0; j < N; j++) pong.send(ping.recv());
      gort::close(stop);
      done.send(true);
    });
    gort::go([ping, pong, done, N]() mutable {
      for (int64_t i = 0; i < N; i++) ping.send(pong.recv());
      done.send(true);
    });
    b.ResetTimer();
    ping.send(true);  // the first serve
    stop.recv();
    b.StopTimer();
    ping.recv();  // the last return, so the second goroutine can finish
    done.recv();  // all three goroutines have exited
    done.recv();
    done.recv();
  });
}
GO_BENCHMARK(BenchmarkPingPongHog);

// --- BenchmarkCreateGoroutines, BenchmarkCreateGoroutinesParallel -------------

/// The recursive f of benchmarkCreateGoroutines: each goroutine starts the
/// next one and exits, and the last of a chain of n+1 reports on c.
void createGoroutinesStep(gort::chan<bool> c, int64_t n) {
  if (n == 0) {
    c.send(true);
    return;
  }
  gort::go(createGoroutinesStep, c, n - 1);
}

/// proc_test.go:674 at go1.22.12 (benchmarkCreateGoroutines): procs chains
/// of b.N/procs goroutines, each goroutine creating its successor, so the
/// time per op is the cost of one go statement plus the new goroutine's
/// start and exit.
void benchmarkCreateGoroutines(B& b, int procs) {
  auto c = gort::make_chan<bool>();
  for (int i = 0; i < procs; i++) gort::go(createGoroutinesStep, c, b.N / procs);
  for (int i = 0; i < procs; i++) c.recv();
}

/// proc_test.go:666 at go1.22.12 (BenchmarkCreateGoroutines): one chain.
void BenchmarkCreateGoroutines(benchmark::State& state) {
  goBench(state, [](B& b) { benchmarkCreateGoroutines(b, 1); });
}
GO_BENCHMARK(BenchmarkCreateGoroutines);

/// proc_test.go:670 at go1.22.12 (BenchmarkCreateGoroutinesParallel): one
/// chain per P.
void BenchmarkCreateGoroutinesParallel(benchmark::State& state) {
  goBench(state, [](B& b) { benchmarkCreateGoroutines(b, runtime::GOMAXPROCS(-1)); });
}
GO_BENCHMARK(BenchmarkCreateGoroutinesParallel);

}  // namespace
