// bench/malloc_bench.cpp: the allocation benchmarks of malloc_test.go
// (go1.22.12), under Go's names: BenchmarkMalloc8, BenchmarkMalloc16,
// BenchmarkMallocTypeInfo8, BenchmarkMallocTypeInfo16 and
// BenchmarkMallocLargeStruct.
//
// How a Go benchmark maps onto Google Benchmark: bench/testing.hpp.
//
// `new(T)` is runtime::newobject<T>() and `make([]T, n)` is
// runtime::newarray<T>(n), both through mallocgc (malloc.cpp); Escape is
// export_test.hpp's, as Go's is export_test.go's.
//
// What differs from Go's run, and why:
//   - Both collectors run concurrently with these loops and free what they
//     allocated, paced by the same rules; gort's cycle costs more CPU (a
//     conservative scan of stacks and runtime objects, mgc.hpp), so its
//     share of each number is not quite Go's.
//   - The MallocTypeInfo pair allocates pointerful objects: both write the
//     object's pointer bits (heapSetType) from the type's map, which gort
//     derives from the C++ type (type.hpp).
//
// BenchmarkGoroutineSelect, -Blocking, -ForRange and -Idle time
// runtime.GC() with n = 1000 goroutines parked (malloc_test.go's flag -n).
// In both, GC() is a concurrent cycle that the caller waits for, with
// two short stops of the world. time.Sleep between rounds is
// gort_test::Sleep (export_test.hpp), outside the timed region as in Go.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "export_test.hpp"
#include "go.hpp"
#include "malloc.hpp"
#include "runtime.hpp"
#include "testing.hpp"

namespace {

using namespace gort_bench;
using runtime::Escape;

/// [2]int64: 16 bytes without pointers.
struct int64x2 {
  int64_t v[2];
};
/// struct { p [1]*int }: 8 bytes, all pointer.
struct ptrs8 {
  gort::ptr<int> p[8 / sizeof(uintptr_t)];
};
/// struct { p [2]*int }: 16 bytes, all pointer.
struct ptrs16 {
  gort::ptr<int> p[16 / sizeof(uintptr_t)];
};
/// malloc_test.go's LargeStruct: 16 byte slices (a pointer, a length and a
/// capacity each: 384 bytes, pointers in every third word). Go's slice
/// header is spelled out: gort::slice<T>'s is 16 bytes (its int is the
/// port's 32-bit int, slice.hpp), and the benchmark should allocate what
/// Go's does.
struct LargeStruct {
  struct {
    gort::ptr<uint8_t> array;
    int64_t len, cap;
  } x[16];
};

/// The body of BenchmarkMalloc8, BenchmarkMalloc16 and the MallocTypeInfo
/// pair, which differ only in the type allocated: new(T), b.N times.
template <class T>
void mallocLoop(B& b) {
  for (int64_t i = 0; i < b.N; i++) {
    T* p = runtime::newobject<T>();
    Escape(p);
  }
}

/// malloc_test.go:357 at go1.22.12
void BenchmarkMallocLargeStruct(B& b) {
  for (int64_t i = 0; i < b.N; i++) {
    LargeStruct* p = runtime::newarray<LargeStruct>(2);
    Escape(p);
  }
}

/// malloc_test.go's flag n: the goroutines the GC benchmarks park.
constexpr int n = 1000;

struct empty {};

/// malloc_test.go:402 at go1.22.12: n goroutines each reading a buffered
/// channel with read; each round fills every channel, sleeps, and times
/// one runtime.GC(). read is any callable, as Go's is a func value: a
/// closure over the caller's locals (BenchmarkGoroutineSelect's quit).
template <class F>
void benchHelper(B& b, int n, F read) {
  gort::slice<gort::chan<empty>> m = gort::make<gort::chan<empty>>(n, n);
  for (int i = 0; i < n; i++) {
    m[i] = gort::make_chan<empty>(1);
    gort::go(read, m[i]);
  }
  b.StopTimer();
  b.ResetTimer();
  runtime::GC();

  for (int64_t i = 0; i < b.N; i++) {
    for (auto& ch : m) {
      if (ch != nullptr) ch.send(empty{});
    }
    gort_test::Sleep(10 * gort_test::Millisecond);
    b.StartTimer();
    runtime::GC();
    b.StopTimer();
  }

  for (auto& ch : m) gort::close(ch);
  gort_test::Sleep(10 * gort_test::Millisecond);
}

/// malloc_test.go:366 at go1.22.12
void BenchmarkGoroutineSelect(B& b) {
  auto quit = gort::make_chan<empty>();
  auto read = [quit](gort::chan<empty> ch) {
    for (;;) {
      empty v;
      bool ok = false;
      switch (gort::select({gort::recv(ch, &v, &ok), gort::recv(quit)})) {
        case 0:
          if (!ok) return;
          break;
        case 1:
          return;
      }
    }
  };
  benchHelper(b, n, read);
}

/// malloc_test.go:383 at go1.22.12
void BenchmarkGoroutineBlocking(B& b) {
  auto read = [](gort::chan<empty> ch) {
    for (;;) {
      auto [v, ok] = ch.recv2();
      (void)v;
      if (!ok) return;
    }
  };
  benchHelper(b, n, read);
}

/// malloc_test.go:394 at go1.22.12
void BenchmarkGoroutineForRange(B& b) {
  auto read = [](gort::chan<empty> ch) {
    for (empty v : ch) (void)v;
  };
  benchHelper(b, n, read);
}

/// malloc_test.go:430 at go1.22.12
void BenchmarkGoroutineIdle(B& b) {
  auto quit = gort::make_chan<empty>();
  for (int i = 0; i < n; i++) {
    gort::go([quit] { quit.recv(); });
  }

  runtime::GC();
  b.ResetTimer();

  for (int64_t i = 0; i < b.N; i++) runtime::GC();

  b.StopTimer();
  gort::close(quit);
  gort_test::Sleep(10 * gort_test::Millisecond);
}

void registerAll() {
  registerGo("BenchmarkMalloc8", mallocLoop<int64_t>);            // malloc_test.go:321
  registerGo("BenchmarkMalloc16", mallocLoop<int64x2>);           // malloc_test.go:328
  registerGo("BenchmarkMallocTypeInfo8", mallocLoop<ptrs8>);      // malloc_test.go:335
  registerGo("BenchmarkMallocTypeInfo16", mallocLoop<ptrs16>);    // malloc_test.go:344
  registerGo("BenchmarkMallocLargeStruct", BenchmarkMallocLargeStruct);
  registerGo("BenchmarkGoroutineSelect", BenchmarkGoroutineSelect);
  registerGo("BenchmarkGoroutineBlocking", BenchmarkGoroutineBlocking);
  registerGo("BenchmarkGoroutineForRange", BenchmarkGoroutineForRange);
  registerGo("BenchmarkGoroutineIdle", BenchmarkGoroutineIdle);
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
