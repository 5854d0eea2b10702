// bench/sync_bench.cpp: package sync's benchmarks (src/sync/*_test.go at
// go1.22.12) under Go's names: the semaphore and Mutex benchmarks of
// mutex_test.go, and every benchmark of waitgroup_test.go, cond_test.go,
// rwmutex_test.go, once_test.go (BenchmarkOnce) and runtime_sema_test.go.
//
// How a Go benchmark maps onto Google Benchmark: bench/testing.hpp.
//
// Runtime_Semacquire and Runtime_Semrelease are what sync/export_test.go
// exports to these tests: sync's own runtime_Semacquire and
// runtime_Semrelease, which the linker binds to the runtime's semaphores
// (sync/runtime.hpp explains the back channel).
//
// The `foo *= 2; foo /= 2` loops. go1.22's compiler keeps each loop and its
// iteration count, and keeps the arithmetic only where foo can be nonzero:
// in benchmarkMutex, benchmarkSema and benchmarkWaitGroupAddDone foo starts
// at 0 and stays 0, so `go tool objdump` of sync.test shows an empty
// counting loop (INCQ/CMPQ/JL); in benchmarkRWMutex foo counts iterations,
// and the loop shifts and adds for real. mulDivWork does both on GCC: the
// counter goes through keepLoop so an empty loop survives, and the
// arithmetic wraps as Go's int does (GCC may not assume foo*2 overflows
// never, so it cannot fold foo*2/2 to foo where foo is unknown).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <iterator>

#include "chan.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "sync/runtime.hpp"
#include "sync/sync.hpp"
#include "testing.hpp"

namespace {

using namespace gort_bench;
using gort::sync::Cond;
using gort::sync::Mutex;
using gort::sync::Once;
using gort::sync::RWMutex;
using gort::sync::WaitGroup;

// sync/export_test.go at go1.22.12: the semaphore calls, under the names the
// tests use.
void Runtime_Semacquire(uint32_t* s) { gort::sync::runtime_Semacquire(s); }
void Runtime_Semrelease(uint32_t* s, bool handoff, int skipframes) {
  gort::sync::runtime_Semrelease(s, handoff, skipframes);
}

/// keepLoop makes a loop counter opaque to the optimizer (no instruction is
/// emitted), so a loop whose body folds away still runs its iterations.
inline void keepLoop(int& i) { asm volatile("" : "+r"(i)); }

/// opaque hides a value from the optimizer: the value a Go closure reads
/// from its context, which go1.22 does not specialize on (benchmarkRWMutex's
/// closure divides by writeRatio with an IDIV).
template <class T>
inline T opaque(T v) {
  asm volatile("" : "+r"(v));
  return v;
}

/// The `for i := 0; i < w; i++ { foo *= 2; foo /= 2 }` loop of the sync
/// benchmarks, with Go's wrapping int arithmetic (see the header).
inline void mulDivWork(int64_t& foo, int w) {
  for (int i = 0; i != w; i++) {
    keepLoop(i);
    foo = int64_t(uint64_t(foo) * 2);
    foo /= 2;
  }
}

/// `defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))`: the destructor runs at
/// the end of the body, as the defer does (so Go and gort both time it).
struct restoreProcs {
  int procs;
  ~restoreProcs() { runtime::GOMAXPROCS(procs); }
};

// --- mutex_test.go -----------------------------------------------------------

/// mutex_test.go:21 at go1.22.12 (HammerSemaphore): loops acquire/release
/// pairs on s, then reports on cdone.
void HammerSemaphore(uint32_t* s, int64_t loops, gort::chan<bool> cdone) {
  for (int64_t i = 0; i < loops; i++) {
    Runtime_Semacquire(s);
    Runtime_Semrelease(s, false, 0);
  }
  cdone.send(true);
}

/// mutex_test.go:41 at go1.22.12 (BenchmarkUncontendedSemaphore): one
/// goroutine, a semaphore that always has a unit: the fast paths only.
void BenchmarkUncontendedSemaphore(B& b) {
  uint32_t s = 1;  // Go: new(uint32), *s = 1
  HammerSemaphore(&s, b.N, gort::make_chan<bool>(2));
}

/// mutex_test.go:47 at go1.22.12 (BenchmarkContendedSemaphore): two
/// goroutines at GOMAXPROCS 2 pass one unit back and forth.
void BenchmarkContendedSemaphore(B& b) {
  b.StopTimer();
  uint32_t s = 1;
  auto c = gort::make_chan<bool>();
  restoreProcs restore{runtime::GOMAXPROCS(2)};
  b.StartTimer();

  gort::go(HammerSemaphore, &s, b.N / 2, c);
  gort::go(HammerSemaphore, &s, b.N / 2, c);
  c.recv();
  c.recv();
}

/// mutex_test.go:231 at go1.22.12 (BenchmarkMutexUncontended): each worker
/// locks and unlocks a Mutex of its own, padded off its neighbours' lines.
void BenchmarkMutexUncontended(B& b) {
  struct PaddedMutex {
    Mutex mu;
    uint8_t pad[128];
  };
  b.RunParallel([](PB& pb) {
    PaddedMutex mu{};
    while (pb.Next()) {
      mu.mu.Lock();
      mu.mu.Unlock();
    }
  });
}

/// mutex_test.go:245 at go1.22.12 (benchmarkMutex): every worker locks and
/// unlocks one shared Mutex; slack starts ten workers per P, work adds 100
/// iterations of local work outside the lock.
void benchmarkMutex(B& b, bool slack, bool work) {
  Mutex mu;
  if (slack) b.SetParallelism(10);
  b.RunParallel([&mu, work](PB& pb) {
    int64_t foo = 0;
    while (pb.Next()) {
      mu.Lock();
      mu.Unlock();
      if (work) mulDivWork(foo, 100);
    }
    benchmark::DoNotOptimize(foo);  // Go: _ = foo
  });
}

/// mutex_test.go:282 at go1.22.12 (BenchmarkMutexNoSpin): four workers per
/// P; one iteration in four takes the shared lock, the other three touch 32
/// KiB of their own and hand the P to a fresh goroutine and back, so that a
/// waiter spinning for the lock would waste time other goroutines could use.
void BenchmarkMutexNoSpin(B& b) {
  Mutex m;
  uint64_t acc0 = 0, acc1 = 0;
  b.SetParallelism(4);
  b.RunParallel([&m, &acc0, &acc1](PB& pb) {
    auto c = gort::make_chan<bool>();
    uint64_t data[4 << 10] = {};
    for (int i = 0; pb.Next(); i++) {
      if (i % 4 == 0) {
        m.Lock();
        acc0 -= 100;
        acc1 += 100;
        m.Unlock();
      } else {
        for (size_t i = 0; i < std::size(data); i += 4) data[i]++;
        // Go never reads data either, but keeps the stores; so must GCC.
        benchmark::DoNotOptimize(data);
        // A Gosched that keeps the goroutine off the global run queue.
        gort::go([c]() mutable { c.send(true); });
        c.recv();
      }
    }
  });
}

/// mutex_test.go:316 at go1.22.12 (BenchmarkMutexSpin): one worker per P,
/// each taking the shared lock and then touching 128 KiB of its own, where
/// spinning for the lock pays because a reschedule would cost cache misses.
void BenchmarkMutexSpin(B& b) {
  Mutex m;
  uint64_t acc0 = 0, acc1 = 0;
  b.RunParallel([&m, &acc0, &acc1](PB& pb) {
    uint64_t data[16 << 10] = {};
    for (int i = 0; pb.Next(); i++) {
      m.Lock();
      acc0 -= 100;
      acc1 += 100;
      m.Unlock();
      for (size_t i = 0; i < std::size(data); i += 4) data[i]++;
      benchmark::DoNotOptimize(data);  // as in BenchmarkMutexNoSpin
    }
  });
}

// --- waitgroup_test.go -------------------------------------------------------

/// waitgroup_test.go:101 at go1.22.12 (BenchmarkWaitGroupUncontended): each
/// worker runs Add, Done, Wait on a WaitGroup of its own.
void BenchmarkWaitGroupUncontended(B& b) {
  struct PaddedWaitGroup {
    WaitGroup wg;
    uint8_t pad[128];
  };
  b.RunParallel([](PB& pb) {
    PaddedWaitGroup wg{};
    while (pb.Next()) {
      wg.wg.Add(1);
      wg.wg.Done();
      wg.wg.Wait();
    }
  });
}

/// waitgroup_test.go:116 at go1.22.12 (benchmarkWaitGroupAddDone): every
/// worker adds to and takes from one shared counter.
void benchmarkWaitGroupAddDone(B& b, int localWork) {
  WaitGroup wg;
  b.RunParallel([&wg, localWork](PB& pb) {
    int64_t foo = 0;
    while (pb.Next()) {
      wg.Add(1);
      mulDivWork(foo, localWork);
      wg.Done();
    }
    benchmark::DoNotOptimize(foo);
  });
}

/// waitgroup_test.go:140 at go1.22.12 (benchmarkWaitGroupWait): every
/// worker calls Wait on a shared WaitGroup whose counter is always zero.
void benchmarkWaitGroupWait(B& b, int localWork) {
  WaitGroup wg;
  b.RunParallel([&wg, localWork](PB& pb) {
    int64_t foo = 0;
    while (pb.Next()) {
      wg.Wait();
      mulDivWork(foo, localWork);
    }
    benchmark::DoNotOptimize(foo);
  });
}

/// waitgroup_test.go:163 at go1.22.12 (BenchmarkWaitGroupActuallyWait):
/// per iteration, a new WaitGroup, a goroutine that calls Done, and a Wait
/// that usually parks. Go's b.ReportAllocs has no counterpart here.
///
/// Departure: Go's wg escapes to the heap (the goroutine's closure refers to
/// it); here it lives in the worker's frame. That is safe: Done's last use of
/// the WaitGroup's memory comes before Wait can return (its final
/// Semrelease adds to wg.sema first and then only touches the semaphore
/// table, where the address serves as a key).
void BenchmarkWaitGroupActuallyWait(B& b) {
  b.RunParallel([](PB& pb) {
    while (pb.Next()) {
      WaitGroup wg;
      wg.Add(1);
      gort::go([&wg] { wg.Done(); });
      wg.Wait();
    }
  });
}

// --- cond_test.go ------------------------------------------------------------

/// cond_test.go:279 at go1.22.12 (benchmarkCond): waiters+1 goroutines
/// share a Cond; in each round all but the last to arrive Wait, and the last
/// Broadcasts, so a round is one Broadcast that wakes `waiters` goroutines.
void benchmarkCond(B& b, int waiters) {
  Mutex mu;  // Go: NewCond(&Mutex{})
  auto c = gort::sync::NewCond(&mu);
  auto done = gort::make_chan<bool>();
  int id = 0;
  const int64_t N = b.N;

  for (int routine = 0; routine < waiters + 1; routine++) {
    gort::go([&c, &id, done, N, waiters]() mutable {
      for (int64_t i = 0; i < N; i++) {
        c->L.Lock();
        if (id == -1) {
          c->L.Unlock();
          break;
        }
        id++;
        if (id == waiters + 1) {
          id = 0;
          c->Broadcast();
        } else {
          c->Wait();
        }
        c->L.Unlock();
      }
      c->L.Lock();
      id = -1;
      c->Broadcast();
      c->L.Unlock();
      done.send(true);
    });
  }
  for (int routine = 0; routine < waiters + 1; routine++) done.recv();
}

// --- rwmutex_test.go ---------------------------------------------------------

/// rwmutex_test.go:191 at go1.22.12 (BenchmarkRWMutexUncontended): each
/// worker takes its own RWMutex twice for reading, then once for writing.
void BenchmarkRWMutexUncontended(B& b) {
  struct PaddedRWMutex {
    RWMutex rwm;
    uint32_t pad[32];
  };
  b.RunParallel([](PB& pb) {
    PaddedRWMutex rwm{};
    while (pb.Next()) {
      rwm.rwm.RLock();
      rwm.rwm.RLock();
      rwm.rwm.RUnlock();
      rwm.rwm.RUnlock();
      rwm.rwm.Lock();
      rwm.rwm.Unlock();
    }
  });
}

/// rwmutex_test.go:209 at go1.22.12 (benchmarkRWMutex): every worker shares
/// one RWMutex; one iteration in writeRatio writes, the rest read with
/// localWork iterations of work under the read lock.
void benchmarkRWMutex(B& b, int localWork, int writeRatio) {
  RWMutex rwm;
  localWork = opaque(localWork);
  writeRatio = opaque(writeRatio);
  b.RunParallel([&rwm, localWork, writeRatio](PB& pb) {
    int64_t foo = 0;
    while (pb.Next()) {
      foo++;
      if (foo % writeRatio == 0) {
        rwm.Lock();
        rwm.Unlock();
      } else {
        rwm.RLock();
        mulDivWork(foo, localWork);
        rwm.RUnlock();
      }
    }
    benchmark::DoNotOptimize(foo);
  });
}

// --- once_test.go ------------------------------------------------------------

/// once_test.go:60 at go1.22.12 (BenchmarkOnce): Do on a Once that is
/// already done, from every P: the fast path's one atomic load.
void BenchmarkOnce(B& b) {
  Once once;
  auto f = [] {};
  b.RunParallel([&once, f](PB& pb) {
    while (pb.Next()) once.Do(f);
  });
}

// --- runtime_sema_test.go ----------------------------------------------------

/// runtime_sema_test.go:13 at go1.22.12 (BenchmarkSemaUncontended): each
/// worker releases and acquires a semaphore of its own.
void BenchmarkSemaUncontended(B& b) {
  struct PaddedSem {
    uint32_t sem;
    uint32_t pad[32];
  };
  b.RunParallel([](PB& pb) {
    PaddedSem sem{};  // Go: new(PaddedSem)
    while (pb.Next()) {
      Runtime_Semrelease(&sem.sem, false, 0);
      Runtime_Semacquire(&sem.sem);
    }
  });
}

/// runtime_sema_test.go:27 at go1.22.12 (benchmarkSema): every worker
/// releases and then acquires one shared semaphore. With block, a goroutine
/// first takes GOMAXPROCS/2 units as they appear, so that many workers
/// find the count at zero and sleep.
void benchmarkSema(B& b, bool block, bool work) {
  if (b.N == 0) return;
  uint32_t sem = 0;
  gort::chan<bool> done;
  if (block) {
    done = gort::make_chan<bool>();
    gort::go([&sem, done]() mutable {
      for (int p = 0; p < runtime::GOMAXPROCS(0) / 2; p++) Runtime_Semacquire(&sem);
      done.send(true);
    });
  }
  // Go: defer func() { <-done }(); runs when the body returns.
  struct waitDone {
    gort::chan<bool>& done;
    bool block;
    ~waitDone() {
      if (block) done.recv();
    }
  } deferred{done, block};
  b.RunParallel([&sem, work](PB& pb) {
    int64_t foo = 0;
    while (pb.Next()) {
      Runtime_Semrelease(&sem, false, 0);
      if (work) mulDivWork(foo, 100);
      Runtime_Semacquire(&sem);
    }
    benchmark::DoNotOptimize(foo);
    Runtime_Semrelease(&sem, false, 0);
  });
}

void registerAll() {
  // mutex_test.go:41 to :316 at go1.22.12.
  registerGo("BenchmarkUncontendedSemaphore", BenchmarkUncontendedSemaphore);
  registerGo("BenchmarkContendedSemaphore", BenchmarkContendedSemaphore);
  registerGo("BenchmarkMutexUncontended", BenchmarkMutexUncontended);
  registerGo("BenchmarkMutex", [](B& b) { benchmarkMutex(b, false, false); });
  registerGo("BenchmarkMutexSlack", [](B& b) { benchmarkMutex(b, true, false); });
  registerGo("BenchmarkMutexWork", [](B& b) { benchmarkMutex(b, false, true); });
  registerGo("BenchmarkMutexWorkSlack", [](B& b) { benchmarkMutex(b, true, true); });
  registerGo("BenchmarkMutexNoSpin", BenchmarkMutexNoSpin);
  registerGo("BenchmarkMutexSpin", BenchmarkMutexSpin);

  // waitgroup_test.go:101 to :163 at go1.22.12.
  registerGo("BenchmarkWaitGroupUncontended", BenchmarkWaitGroupUncontended);
  registerGo("BenchmarkWaitGroupAddDone", [](B& b) { benchmarkWaitGroupAddDone(b, 0); });
  registerGo("BenchmarkWaitGroupAddDoneWork", [](B& b) { benchmarkWaitGroupAddDone(b, 100); });
  registerGo("BenchmarkWaitGroupWait", [](B& b) { benchmarkWaitGroupWait(b, 0); });
  registerGo("BenchmarkWaitGroupWaitWork", [](B& b) { benchmarkWaitGroupWait(b, 100); });
  registerGo("BenchmarkWaitGroupActuallyWait", BenchmarkWaitGroupActuallyWait);

  // cond_test.go:255 to :275 at go1.22.12.
  registerGo("BenchmarkCond1", [](B& b) { benchmarkCond(b, 1); });
  registerGo("BenchmarkCond2", [](B& b) { benchmarkCond(b, 2); });
  registerGo("BenchmarkCond4", [](B& b) { benchmarkCond(b, 4); });
  registerGo("BenchmarkCond8", [](B& b) { benchmarkCond(b, 8); });
  registerGo("BenchmarkCond16", [](B& b) { benchmarkCond(b, 16); });
  registerGo("BenchmarkCond32", [](B& b) { benchmarkCond(b, 32); });

  // rwmutex_test.go:191 to :243 at go1.22.12.
  registerGo("BenchmarkRWMutexUncontended", BenchmarkRWMutexUncontended);
  registerGo("BenchmarkRWMutexWrite100", [](B& b) { benchmarkRWMutex(b, 0, 100); });
  registerGo("BenchmarkRWMutexWrite10", [](B& b) { benchmarkRWMutex(b, 0, 10); });
  registerGo("BenchmarkRWMutexWorkWrite100", [](B& b) { benchmarkRWMutex(b, 100, 100); });
  registerGo("BenchmarkRWMutexWorkWrite10", [](B& b) { benchmarkRWMutex(b, 100, 10); });

  // once_test.go:60 at go1.22.12.
  registerGo("BenchmarkOnce", BenchmarkOnce);

  // runtime_sema_test.go:13 to :73 at go1.22.12.
  registerGo("BenchmarkSemaUncontended", BenchmarkSemaUncontended);
  registerGo("BenchmarkSemaSyntNonblock", [](B& b) { benchmarkSema(b, false, false); });
  registerGo("BenchmarkSemaSyntBlock", [](B& b) { benchmarkSema(b, true, false); });
  registerGo("BenchmarkSemaWorkNonblock", [](B& b) { benchmarkSema(b, false, true); });
  registerGo("BenchmarkSemaWorkBlock", [](B& b) { benchmarkSema(b, true, true); });
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
