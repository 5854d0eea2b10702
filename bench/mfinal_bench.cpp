// bench/mfinal_bench.cpp: the finalizer benchmarks of mfinal_test.go
// (go1.22.12), under Go's names: BenchmarkFinalizer (setting and removing
// finalizers) and BenchmarkFinalizerRun (setting one on each new object and
// letting the collector run them).
//
// How a Go benchmark maps onto Google Benchmark: bench/testing.hpp.
//
// Go's fin is a top-level function, whose func value is static data; its
// C++ counterpart is a lambda without captures, which SetFinalizer also
// gives one static closure (mfinal.hpp), so neither loop allocates a
// closure per call.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "export_test.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "testing.hpp"

namespace {

using namespace gort_bench;

/// mfinal_test.go:105's fin: a finalizer that does nothing.
constexpr auto fin = [](int64_t*) {};

/// mfinal_test.go:114 at go1.22.12: each worker sets and then removes a
/// finalizer on each of its 1000 objects per iteration.
void BenchmarkFinalizer(B& b) {
  constexpr int Batch = 1000;
  b.RunParallel([](PB& pb) {
    // The objects are held in a heap array, which the worker's frame
    // references, as Go's data array on the worker's stack.
    gort::slice<gort::ptr<int64_t>> data = gort::make<gort::ptr<int64_t>>(Batch);
    for (int i = 0; i < Batch; i++) data[i] = gort::new_<int64_t>();
    while (pb.Next()) {
      for (int i = 0; i < Batch; i++) runtime::SetFinalizer(data[i], fin);
      for (int i = 0; i < Batch; i++) runtime::SetFinalizer(data[i], nullptr);
    }
  });
}

/// mfinal_test.go:132 at go1.22.12: a finalizer on every new object; the
/// collector queues them and the finalizer goroutine runs them.
void BenchmarkFinalizerRun(B& b) {
  b.RunParallel([](PB& pb) {
    while (pb.Next()) {
      auto v = gort::new_<int64_t>();
      runtime::SetFinalizer(v, fin);
    }
  });
}

void registerAll() {
  registerGo("BenchmarkFinalizer", BenchmarkFinalizer);
  registerGo("BenchmarkFinalizerRun", BenchmarkFinalizerRun);
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
