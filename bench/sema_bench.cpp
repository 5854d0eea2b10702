// bench/sema_bench.cpp: the semaphore-table benchmark of sema_test.go
// (go1.22.12), BenchmarkSemTable, with its sub-benchmarks under Go's names
// (BenchmarkSemTable/OneAddrCollision/n=1000 and so on).
//
// How a Go benchmark maps onto Google Benchmark: bench/testing.hpp.
//
// The benchmark drives a semTable directly, without parking anyone: it
// queues and dequeues sudogs for chosen addresses to time the treap in
// semaRoot (sema.cpp). Go reaches the table through export_test.go's
// SemTable wrapper; so does this file, through tests/export_test.hpp, which
// gort_bench compiles in as go test compiles export_test.go into the
// package's benchmarks.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "export_test.hpp"
#include "runtime.hpp"
#include "testing.hpp"

namespace {

using namespace gort_bench;

using runtime::SemTable;
using runtime::SemTableSize;

/// sema_test.go:108 at go1.22.12 (BenchmarkSemTable/OneAddrCollision/n=N):
/// n waiters on two addresses (n/2 each) go in and come out, first address
/// first. With one tree node per address and a list behind it, each step is
/// O(1); were the waiters of both addresses on one list it would be O(n).
void oneAddrCollision(B& b, int n) {
  auto tab = std::make_unique<SemTable>();  // Go: Escape(new(SemTable))
  std::vector<uint32_t> u(SemTableSize + 1);

  b.ResetTimer();

  for (int64_t j = 0; j < b.N; j++) {
    for (int i = 0; i < n; i++) {
      if (i < n / 2) {
        tab->Enqueue(&u[0]);
      } else {
        tab->Enqueue(&u[SemTableSize]);
      }
    }
    for (int i = 0; i < n; i++) {
      bool ok;
      if (i < n / 2) {
        ok = tab->Dequeue(&u[0]);
      } else {
        ok = tab->Dequeue(&u[SemTableSize]);
      }
      if (!ok) {
        b.Error("failed to dequeue");  // Go: b.Fatal
        return;
      }
    }
  }
}

/// sema_test.go:147 at go1.22.12 (BenchmarkSemTable/ManyAddrCollision/n=N):
/// one waiter on each of n addresses SemTableSize words apart. Each tree
/// step is O(log n).
void manyAddrCollision(B& b, int n) {
  auto tab = std::make_unique<SemTable>();
  std::vector<uint32_t> u(size_t(n) * SemTableSize);

  b.ResetTimer();

  for (int64_t j = 0; j < b.N; j++) {
    for (int i = 0; i < n; i++) tab->Enqueue(&u[size_t(i) * SemTableSize]);
    for (int i = 0; i < n; i++) {
      if (!tab->Dequeue(&u[size_t(i) * SemTableSize])) {
        b.Error("failed to dequeue");  // Go: b.Fatal
        return;
      }
    }
  }
}

void registerAll() {
  // sema_test.go:106 at go1.22.12 (BenchmarkSemTable): b.Run of both
  // sub-benchmarks for each n, in Go's order.
  for (int n : {1000, 2000, 4000, 8000}) {
    std::string suffix = "/n=" + std::to_string(n);
    registerGo(("BenchmarkSemTable/OneAddrCollision" + suffix).c_str(),
               [n](B& b) { oneAddrCollision(b, n); });
    registerGo(("BenchmarkSemTable/ManyAddrCollision" + suffix).c_str(),
               [n](B& b) { manyAddrCollision(b, n); });
  }
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
