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
// What differs from Go's run, and why (the numbers are not the same
// experiment yet):
//   - Go's collector runs during these loops and frees what they allocated;
//     gort has no collector, so every object stays allocated and the heap
//     only grows (a second of Malloc16 is about a gigabyte). The cost of
//     fresh memory (page faults) is in gort's number; Go's GC is in Go's.
//   - The MallocTypeInfo pair allocates pointerful objects: both write the
//     object's pointer bits (heapSetType) from the type's map, which gort
//     derives from the C++ type (type.hpp).
//
// BenchmarkGoroutineSelect, -Blocking, -ForRange and -Idle, also in
// malloc_test.go, time runtime.GC() with a thousand goroutines parked; they
// wait for the collector (tests/inventory/todo.tsv).
#include <benchmark/benchmark.h>

#include <cstdint>

#include "export_test.hpp"
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

void registerAll() {
  registerGo("BenchmarkMalloc8", mallocLoop<int64_t>);            // malloc_test.go:321
  registerGo("BenchmarkMalloc16", mallocLoop<int64x2>);           // malloc_test.go:328
  registerGo("BenchmarkMallocTypeInfo8", mallocLoop<ptrs8>);      // malloc_test.go:335
  registerGo("BenchmarkMallocTypeInfo16", mallocLoop<ptrs16>);    // malloc_test.go:344
  registerGo("BenchmarkMallocLargeStruct", BenchmarkMallocLargeStruct);
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
