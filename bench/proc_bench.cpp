// bench/proc_bench.cpp: the scheduler benchmarks of proc_test.go
// (go1.22.12), under Go's names.
//
// How a Go benchmark maps onto Google Benchmark: bench/testing.hpp.
#include <benchmark/benchmark.h>

#include <errno.h>
#include <time.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>

#include "chan.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "slice.hpp"
#include "sync/waitgroup.hpp"
#include "testing.hpp"
#include "time/time.hpp"

namespace {

using namespace gort_bench;

// --- BenchmarkPingPongHog ----------------------------------------------------

/// proc_test.go:494 at go1.22.12 (BenchmarkPingPongHog). With one P, a
/// goroutine that spins in a select-with-default competes with two
/// goroutines that pass a token back and forth over unbuffered channels;
/// the time per op is one round trip plus whatever the hog steals, so it
/// measures how fairly a woken goroutine is scheduled against a hog.
void BenchmarkPingPongHog(B& b) {
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
}

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
void BenchmarkCreateGoroutines(B& b) { benchmarkCreateGoroutines(b, 1); }

/// proc_test.go:670 at go1.22.12 (BenchmarkCreateGoroutinesParallel): one
/// chain per P.
void BenchmarkCreateGoroutinesParallel(B& b) { benchmarkCreateGoroutines(b, runtime::GOMAXPROCS(-1)); }

// --- BenchmarkCreateGoroutinesCapture, BenchmarkCreateGoroutinesSingle ------

/// proc_test.go:692 at go1.22.12 (BenchmarkCreateGoroutinesCapture): per
/// iteration, four goroutines whose closures capture b, i and the
/// WaitGroup, and a Wait for all four; the closure's size is part of what
/// is timed. Go's b.ReportAllocs has no counterpart here.
void BenchmarkCreateGoroutinesCapture(B& b) {
  for (int64_t i = 0; i < b.N; i++) {
    constexpr int N = 4;
    gort::sync::WaitGroup wg;
    wg.Add(N);
    for (int i = 0; i < N; i++) {
      gort::go([&b, i, &wg] {
        if (i >= N) b.Logf("bad");  // just to capture b
        wg.Done();
      });
    }
    wg.Wait();
  }
}

/// proc_test.go:713 at go1.22.12 (warmupScheduler): start
/// targetThreadCount goroutines that spin until all of them are running and
/// then one millisecond more, so that every P has an M when the benchmark
/// starts.
void warmupScheduler(int targetThreadCount) {
  gort::sync::WaitGroup wg;
  std::atomic<int32_t> count{0};
  for (int i = 0; i < targetThreadCount; i++) {
    wg.Add(1);
    gort::go([&wg, &count, targetThreadCount] {
      count.fetch_add(1);
      while (count.load() < targetThreadCount) {
        // spin until all threads started
      }
      // Go: doWork(time.Millisecond), a wall-clock spin.
      auto start = std::chrono::steady_clock::now();
      while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1)) {
      }
      wg.Done();
    });
  }
  wg.Wait();
}

/// proc_test.go:744 at go1.22.12 (BenchmarkCreateGoroutinesSingle): the
/// benchmark goroutine alone starts b.N goroutines, so the other Ps get
/// work only by stealing it from this one's run queue.
void BenchmarkCreateGoroutinesSingle(B& b) {
  warmupScheduler(runtime::GOMAXPROCS(0));
  b.ResetTimer();

  gort::sync::WaitGroup wg;
  wg.Add(int(b.N));
  for (int64_t i = 0; i < b.N; i++) {
    gort::go([&wg] { wg.Done(); });
  }
  wg.Wait();
}

// --- BenchmarkWakeupParallelSpinning, BenchmarkWakeupParallelSyscall ------------

/// proc_test.go:772 at go1.22.12 (benchmarkWakeupParallel), one
/// sub-benchmark: two goroutines take turns as sender and receiver on two
/// unbuffered channels, each spinning for delay before its receive and
/// delay+5us before its send, so that the receiver is usually blocked when
/// the send comes: time per op is the cost of waking a blocked goroutine on
/// another P, plus the spins. spin(d) is the delay's way of spending time.
template <class Spin>
void benchmarkWakeupParallel(B& b, int64_t delay, Spin spin) {
  if (runtime::GOMAXPROCS(0) == 1) {
    b.Skip("skipping: GOMAXPROCS=1");
    return;
  }
  if (b.N == 0) return;
  constexpr int64_t wakeDelay = 5 * 1000;
  auto ping = gort::make_chan<gort::struct_>(), pong = gort::make_chan<gort::struct_>();
  auto start = gort::make_chan<gort::struct_>(), done = gort::make_chan<gort::struct_>();
  int64_t n = b.N;
  gort::go([=] {
    (void)start.recv();
    for (int64_t i = 0; i < n; i++) {
      spin(delay + wakeDelay);  // sender
      ping.send({});
      spin(delay);  // receiver
      (void)pong.recv();
    }
    done.send({});
  });
  gort::go([=] {
    for (int64_t i = 0; i < n; i++) {
      spin(delay);  // receiver
      (void)ping.recv();
      spin(delay + wakeDelay);  // sender
      pong.send({});
    }
    done.send({});
  });
  b.ResetTimer();
  start.send({});
  (void)done.recv();
  (void)done.recv();
}

/// The delays of the sub-benchmarks, and their names (Go's Duration.String).
constexpr struct {
  int64_t ns;
  const char* name;
} wakeupDelays[] = {{0, "0s"},       {1000, "1µs"},   {2000, "2µs"},   {5000, "5µs"},
                    {10000, "10µs"}, {20000, "20µs"}, {50000, "50µs"}, {100000, "100µs"}};

/// proc_test.go:858 at go1.22.12 (BenchmarkWakeupParallelSpinning's spin):
/// spin on the clock.
void spinClock(int64_t d) {
  auto end = gort::time::Now().Add(d);
  while (gort::time::Now().Before(end)) {
  }
}

/// proc_test.go:873 (BenchmarkWakeupParallelSyscall) and runtime_linux_test.go's
/// sysNanosleep at go1.22.12:
/// sleep in the kernel (nanosleep(2) in a system call, retried on EINTR),
/// so the thread blocks while its goroutine keeps no P.
void sysNanosleep(int64_t d) {
  struct timespec ts = {time_t(d / 1000000000), long(d % 1000000000)};
  gort::syscall([&ts] {
    while (::nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
  });
}

// --- BenchmarkStackGrowth, BenchmarkStackGrowthDeep -------------------------

/// proc_test.go:538 at go1.22.12 (padData).
std::array<uint64_t, 128> padData{};

/// proc_test.go:540 at go1.22.12 (stackGrowthRecursive): i frames of a
/// 1 KiB array, each compared with padData. In the port, 1024 of them pass
/// the first stack's end and run on segments (stack.cpp); Go copies the
/// stack to grow it.
__attribute__((noinline)) void stackGrowthRecursive(int i) {
  std::array<uint64_t, 128> pad;
  pad = padData;
  asm volatile("" : : "r"(pad.data()) : "memory");
  for (uint64_t v : pad) {
    if (v != 0) return;
  }
  if (i != 0) {
    stackGrowthRecursive(i - 1);
    asm volatile("" ::: "memory");  // a real call, as Go's (no tail call)
  }
}

/// proc_test.go:650 at go1.22.12 (benchmarkStackGrowth).
void benchmarkStackGrowth(B& b, int rec) {
  b.RunParallel([rec](PB& pb) {
    while (pb.Next()) stackGrowthRecursive(rec);
  });
}

// --- BenchmarkMatmult ----------------------------------------------------------

/// proc_test.go:882 at go1.22.12 (Matrix): a matrix as a slice of rows.
using Matrix = gort::slice<gort::slice<double>>;

/// proc_test.go:896 at go1.22.12 (makeMatrix): an n-by-n matrix whose
/// element (i, j) holds i*n+j.
Matrix makeMatrix(int n) {
  auto m = gort::make<gort::slice<double>>(n);
  for (int i = 0; i < n; i++) {
    m[i] = gort::make<double>(n);
    for (int j = 0; j < n; j++) {
      m[i][j] = double(i * n + j);
    }
  }
  return m;
}

/// proc_test.go:907 at go1.22.12 (matmult): adds A*B into C over the block
/// of rows [i0,i1), columns [j0,j1) and inner indices [k0,k1). While a side
/// is at least threshold long, it halves the block along its longest of i
/// and j, giving the first half to a new goroutine that reports on a
/// one-slot channel, or else along k, both halves on this goroutine (they
/// add into the same elements of C). A nil done: the caller is not waiting.
void matmult(gort::chan<gort::struct_> done, Matrix A, Matrix B, Matrix C, int i0, int i1, int j0, int j1, int k0,
             int k1, int threshold) {
  int di = i1 - i0;
  int dj = j1 - j0;
  int dk = k1 - k0;
  if (di >= dj && di >= dk && di >= threshold) {
    int mi = i0 + di / 2;
    auto done1 = gort::make_chan<gort::struct_>(1);
    gort::go(matmult, done1, A, B, C, i0, mi, j0, j1, k0, k1, threshold);
    matmult(nullptr, A, B, C, mi, i1, j0, j1, k0, k1, threshold);
    (void)done1.recv();
  } else if (dj >= dk && dj >= threshold) {
    int mj = j0 + dj / 2;
    auto done1 = gort::make_chan<gort::struct_>(1);
    gort::go(matmult, done1, A, B, C, i0, i1, j0, mj, k0, k1, threshold);
    matmult(nullptr, A, B, C, i0, i1, mj, j1, k0, k1, threshold);
    (void)done1.recv();
  } else if (dk >= threshold) {
    int mk = k0 + dk / 2;
    matmult(nullptr, A, B, C, i0, i1, j0, j1, k0, mk, threshold);
    matmult(nullptr, A, B, C, i0, i1, j0, j1, mk, k1, threshold);
  } else {
    for (int i = i0; i < i1; i++) {
      for (int j = j0; j < j1; j++) {
        for (int k = k0; k < k1; k++) {
          C[i][j] += A[i][k] * B[k][j];
        }
      }
    }
  }
  if (done) done.send({});
}

/// proc_test.go:884 at go1.22.12 (BenchmarkMatmult): one product of n-by-n
/// matrices, n the cube root of b.N plus one, so that the work (n^3
/// multiply-adds) grows as b.N does; the time per op is about one
/// multiply-add plus its share of the goroutines and channels.
void BenchmarkMatmult(B& b) {
  b.StopTimer();
  int n = int(std::cbrt(double(b.N))) + 1;
  Matrix A = makeMatrix(n);
  Matrix B = makeMatrix(n);
  Matrix C = makeMatrix(n);
  b.StartTimer();
  matmult(nullptr, A, B, C, 0, n, 0, n, 0, n, 8);
}

[[maybe_unused]] bool registered = [] {
  // proc_test.go:658, 662 at go1.22.12
  registerGo("BenchmarkStackGrowth", [](B& b) { benchmarkStackGrowth(b, 10); });
  registerGo("BenchmarkStackGrowthDeep", [](B& b) { benchmarkStackGrowth(b, 1024); });
  registerGo("BenchmarkPingPongHog", BenchmarkPingPongHog);
  registerGo("BenchmarkCreateGoroutines", BenchmarkCreateGoroutines);
  registerGo("BenchmarkCreateGoroutinesParallel", BenchmarkCreateGoroutinesParallel);
  registerGo("BenchmarkCreateGoroutinesCapture", BenchmarkCreateGoroutinesCapture);
  registerGo("BenchmarkCreateGoroutinesSingle", BenchmarkCreateGoroutinesSingle);
  registerGo("BenchmarkMatmult", BenchmarkMatmult);
  for (auto& d : wakeupDelays) {
    int64_t delay = d.ns;
    registerGo((std::string("BenchmarkWakeupParallelSpinning/") + d.name).c_str(),
               [delay](B& b) { benchmarkWakeupParallel(b, delay, spinClock); });
    registerGo((std::string("BenchmarkWakeupParallelSyscall/") + d.name).c_str(),
               [delay](B& b) { benchmarkWakeupParallel(b, delay, sysNanosleep); });
  }
  return true;
}();

}  // namespace
