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
///
/// What the work loop costs in Go: foo is never read (`_ = foo` is no use),
/// so go1.22's compiler drops the arithmetic and keeps an empty counting
/// loop of work iterations (`go tool objdump -s benchmarkSyscall.func1` on
/// runtime.test shows DECQ/TESTQ/JG between the two calls). Here the loop
/// runs inside the function gort::syscall calls, so foo is that function's
/// own, where GCC sees it is never read and drops the arithmetic too;
/// keepLoop keeps the empty loop, which GCC would otherwise delete. Both
/// then run the same work-iteration empty loop (a foo shared with the
/// caller, as in Go's source, would be kept and computed for real here,
/// since the function's frame is not the caller's).
inline void keepLoop(int& i) { asm volatile("" : "+r"(i)); }

void benchmarkSyscall(B& b, int work, int excess) {
  b.SetParallelism(excess);
  b.RunParallel([work](PB& pb) {
    while (pb.Next()) {
      gort::syscall([work] {
        int64_t foo = 42;
        for (int i = 0; i < work; i++) {
          keepLoop(i);
          foo = int64_t(uint64_t(foo) * 2u);  // Go's int multiplication wraps
          foo /= 2;
        }
      });
    }
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
