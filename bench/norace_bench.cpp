// bench/norace_bench.cpp: the system-call benchmarks of
// runtime/norace_test.go at go1.22.12 under Go's names: RunParallel
// goroutines that enter and leave the scheduler's system-call state
// around a little work (or none), with excess goroutines per P.
//
// Departure: Go's benchmarks call runtime.Entersyscall and
// runtime.Exitsyscall (export_test.go) as two calls; the port's bracket is
// one call in assembly (syscall_call, asm_amd64.S: reentersyscall, the
// function, exitsyscall), which gort::syscall reaches (go.hpp), so the work
// loop is the bracketed function.
#include <benchmark/benchmark.h>

#include "go.hpp"
#include "testing.hpp"

namespace {

using namespace gort_bench;

// norace_test.go:33 at go1.22.12 (benchmarkSyscall)
void benchmarkSyscall(B& b, int work, int excess) {
  b.SetParallelism(excess);
  b.RunParallel([work](PB& pb) {
    int foo = 42;
    while (pb.Next()) {
      gort::syscall([&foo, work] {
        for (int i = 0; i < work; i++) {
          foo = int(unsigned(foo) * 2u);  // Go's int multiplication wraps
          foo /= 2;
        }
      });
    }
    benchmark::DoNotOptimize(foo);  // Go: _ = foo
  });
}

// norace_test.go:17 at go1.22.12
void BenchmarkSyscall(B& b) { benchmarkSyscall(b, 0, 1); }
// norace_test.go:21 at go1.22.12
void BenchmarkSyscallWork(B& b) { benchmarkSyscall(b, 100, 1); }
// norace_test.go:25 at go1.22.12
void BenchmarkSyscallExcess(B& b) { benchmarkSyscall(b, 0, 4); }
// norace_test.go:29 at go1.22.12
void BenchmarkSyscallExcessWork(B& b) { benchmarkSyscall(b, 100, 4); }

void registerAll() {
  registerGo("BenchmarkSyscall", BenchmarkSyscall);
  registerGo("BenchmarkSyscallWork", BenchmarkSyscallWork);
  registerGo("BenchmarkSyscallExcess", BenchmarkSyscallExcess);
  registerGo("BenchmarkSyscallExcessWork", BenchmarkSyscallExcessWork);
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
