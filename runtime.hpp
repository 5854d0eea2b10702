// runtime.hpp: package runtime's exported API, as a C++ user sees it.
//
// Go's exported runtime functions keep their names: Gosched, GOMAXPROCS,
// NumGoroutine, NumCPU, LockOSThread, UnlockOSThread, Goexit, Stack. The
// process entry that Go's linker provides (rt0_go, then runtime.main calling
// main.main) is rt0_go here: a C++ main hands it the program's main body.
#pragma once
#include <cstddef>
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
