// runtime.hpp: package runtime's exported API, as a C++ user sees it.
//
// Go's exported runtime functions keep their names: Gosched, GOMAXPROCS,
// NumGoroutine, NumCPU, LockOSThread, UnlockOSThread, Goexit, Stack. The
// process entry that Go's linker provides (rt0_go, then runtime.main calling
// main.main) is rt0_go here: a C++ main hands it the program's main body.
#pragma once
#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <string>

#include "pragmas.hpp"

namespace runtime {

/// rt0_go boots the runtime on this thread (it becomes m0 with g0 on the
/// thread's stack), starts a goroutine that runs main_main, and never
/// returns: the process exits with status 0 when main_main returns, as
/// runtime.main does (proc.go), or with status 2 on a fatal error or an
/// unrecovered panic.
[[noreturn]] void rt0_go(int argc, char** argv, void (*main_main)());

/// Gosched yields the processor, letting other goroutines run (proc.go).
NOSPLIT void Gosched();
/// GOMAXPROCS sets the number of Ps and returns the previous value; n < 1
/// only reads it (debug.go).
int GOMAXPROCS(int n);
/// NumGoroutine returns the number of goroutines that currently exist.
int NumGoroutine();
/// NumCPU returns the number of CPUs usable by this process.
int NumCPU();
/// LockOSThread wires the calling goroutine to its current thread (proc.go).
NOSPLIT void LockOSThread();
/// UnlockOSThread undoes one LockOSThread.
NOSPLIT void UnlockOSThread();
/// Goexit ends the calling goroutine after running its pending destructors
/// (Go: deferred calls). Implemented by unwinding to the goroutine's entry.
[[noreturn]] void Goexit();
/// Stack writes a traceback of the calling goroutine (and of all goroutines
/// if all) into buf and returns the number of bytes written (mprof.go).
int Stack(std::span<char> buf, bool all);

/// GC runs a garbage collection and returns when it is complete, its sweep
/// included: every object unreachable when it started has been freed
/// (mgc.go). The collector sees GC references held on goroutine stacks, in
/// the program's globals and in heap objects; not those kept only in the
/// C++ heap (new, std::vector's buffer) or in thread-local variables.
void GC();

/// MemStats: statistics of the memory allocator (mstats.go), with Go's
/// fields and meanings. ReadMemStats fills one in. Objects are freed only
/// by GC (Go's tiny allocations also count as freed as soon as they are
/// made, here as in Go).
struct MemStats {
  // General statistics.
  uint64_t Alloc;       // bytes of allocated heap objects (= HeapAlloc)
  uint64_t TotalAlloc;  // cumulative bytes allocated for heap objects
  uint64_t Sys;         // bytes of memory obtained from the OS, in all
  uint64_t Lookups;     // pointer lookups by the runtime (always 0)
  uint64_t Mallocs;     // cumulative heap objects allocated
  uint64_t Frees;       // cumulative heap objects freed

  // Heap statistics.
  uint64_t HeapAlloc;     // bytes of allocated heap objects
  uint64_t HeapSys;       // bytes of heap memory obtained from the OS
  uint64_t HeapIdle;      // bytes in idle (unused) spans
  uint64_t HeapInuse;     // bytes in in-use spans
  uint64_t HeapReleased;  // bytes of physical memory returned to the OS
  uint64_t HeapObjects;   // allocated heap objects

  // Stack statistics.
  uint64_t StackInuse;  // bytes in stack spans
  uint64_t StackSys;    // bytes of stack memory obtained from the OS

  // Off-heap memory statistics.
  uint64_t MSpanInuse;   // bytes of allocated mspan structures
  uint64_t MSpanSys;     // bytes obtained from the OS for mspans
  uint64_t MCacheInuse;  // bytes of allocated mcache structures
  uint64_t MCacheSys;    // bytes obtained from the OS for mcaches
  uint64_t BuckHashSys;  // bytes of profiling bucket hash tables
  uint64_t GCSys;        // bytes of garbage collection metadata
  uint64_t OtherSys;     // bytes of miscellaneous off-heap allocations

  // Garbage collector statistics.
  uint64_t NextGC;          // the target heap size of the next GC cycle
  uint64_t LastGC;          // when the last GC finished, ns since 1970
  uint64_t PauseTotalNs;    // cumulative stop-the-world pause ns
  uint64_t PauseNs[256];    // recent pause times, a circular buffer
  uint64_t PauseEnd[256];   // recent pause end times
  uint32_t NumGC;           // completed GC cycles
  uint32_t NumForcedGC;     // GC cycles forced by the application
  double GCCPUFraction;     // the share of CPU time the GC used
  bool EnableGC;            // always true
  bool DebugGC;             // unused

  // BySize: allocations per size class (the first 61 classes).
  struct {
    uint32_t Size;
    uint64_t Mallocs;
    uint64_t Frees;
  } BySize[61];
};

/// ReadMemStats fills in *m with the allocator's statistics as of this
/// call. It stops the world while it reads (mstats.go).
void ReadMemStats(MemStats* m);

/// The value of a Go panic in flight. A C++ catch of PanicError plays the part
/// of a deferred recover(). msg is what Go's printpanicval prints.
class PanicError : public std::exception {
 public:
  /// The panic records the panic being handled when it was raised (Go's
  /// _panic.link): a panic raised in a handler of another one, which Go
  /// prints as "panic: first [recovered]" then "\tpanic: second".
  PanicError(std::string msg, bool runtimeError)
      : msg_(std::move(msg)), runtimeError_(runtimeError), link_(std::current_exception()) {}
  const char* what() const noexcept override { return msg_.c_str(); }
  /// True when the value implements runtime.Error (a runtime panic such as
  /// "send on closed channel").
  bool RuntimeError() const noexcept { return runtimeError_; }
  /// The panic that was being handled (recovered) when this one started.
  const std::exception_ptr& link() const noexcept { return link_; }

 private:
  std::string msg_;
  bool runtimeError_;
  std::exception_ptr link_;
};

/// gopanic starts a panic with a plain message (Go: panic(v) with a string).
[[noreturn]] void gopanic(std::string msg);

/// The unwinding token of Goexit. It is not a std::exception so that
/// ordinary handlers do not swallow it; catch (...) would, so do not.
struct goexitUnwind {};

}  // namespace runtime
