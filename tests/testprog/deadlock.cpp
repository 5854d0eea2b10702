// testprog/deadlock.cpp: sub-programs of go1.22.12
// runtime/testdata/testprog/deadlock.go: deadlocks the scheduler must detect,
// Goexit from main, stack overflow, panics in recovery paths.
//
// Translating defer and recover. Go's deferred calls are run by the runtime;
// in gort the C++ unwinder runs the code that stands for them:
//   - `defer func() { ... recover() ... }()` around a call that panics is a
//     try/catch of runtime::PanicError around that call;
//   - a deferred call that runs as the function returns normally is code at
//     the end of the function;
//   - a deferred call that runs while a panic or Goexit unwinds the function
//     and does not recover is `catch (...) { call; throw; }`: the call runs,
//     then the unwinding goes on (this catch (...) is deliberate: it always
//     rethrows, so it does not swallow Goexit's unwinding).
//
// Not ported from deadlock.go (and why):
//   ThreadExhaustion: needs debug.SetMaxThreads (runtime/debug), not in the
//     port yet.
//   RecoveredPanicAfterGoexit, RecoverBeforePanicAfterGoexit(2): they check
//     that the runtime resumes a Goexit after a deferred call recovered a
//     panic. In C++ the translation itself has to rethrow Goexit's unwinding
//     at the end of the catch block, so the program would test the
//     translation, not the runtime.
//   Breakpoint: needs runtime.Breakpoint, not in the port.
//   GoschedInPanic, SyscallInPanic, PanicLoop: need panic values whose Error
//     method runs code; a gort panic carries a message made when it starts.
//   PanicTraceback: checks Go function names (main.pt1.func1) in the
//     traceback.
#include <array>
#include <cstdint>
#include <string>

#include "chan.hpp"
#include "debug/garbage.hpp"
#include "go.hpp"
#include "pragmas.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

// deadlock.go:44 at go1.22.12
void SimpleDeadlock() {
  gort::select({});
  gort::panic("not reached");
}

// deadlock.go:49 at go1.22.12 (run as an init: see registerInit)
void InitDeadlock() {
  gort::select({});
  gort::panic("not reached");
}

// deadlock.go:54 at go1.22.12
void LockedDeadlock() {
  runtime::LockOSThread();
  gort::select({});
}

// deadlock.go:59 at go1.22.12
void LockedDeadlock2() {
  gort::go([]() {
    runtime::LockOSThread();
    gort::select({});
  });
  gort::time::Sleep(Millisecond);
  gort::select({});
}

// deadlock.go:68 at go1.22.12
void GoexitDeadlock() {
  auto F = []() {
    for (volatile int i = 0; i < 10;) {
      i = i + 1;
    }
  };

  gort::go(F);
  gort::go(F);
  runtime::Goexit();
}

// deadlock.go:79 at go1.22.12 (the recursive closure f)
//
// Each call has a 64 KiB frame. The buffer is volatile and the callee's
// result is stored into it, so each frame must live across the recursive
// call (GCC turns `buf[0] + f()` into a loop with an accumulator); the
// recursion can end (stopRecursion is never set) so that the compiler cannot
// prove it endless. noipa keeps GCC from cloning or specialising it.
volatile bool stopRecursion = false;
NOINLINE __attribute__((noipa)) uint8_t stackOverflowF() {
  volatile uint8_t buf[64 << 10];
  buf[0] = 0;
  if (stopRecursion) {
    return buf[0];
  }
  buf[1] = stackOverflowF();
  return uint8_t(buf[0] + buf[1]);
}

// deadlock.go:79 at go1.22.12
//
void StackOverflow() {
  gort::debug::SetMaxStack(1474560);
  stackOverflowF();
}

// deadlock.go:102 at go1.22.12
void RecursivePanic() {
  try {
    std::array<uint8_t, 8192> x{};
    [](std::array<uint8_t, 8192> x) {
      (void)x;
      try {
        gort::panic("bad");
      } catch (const runtime::PanicError& err) {
        gort::panic(std::string("wrap: ") + err.what());
      }
    }(x);
  } catch (const runtime::PanicError& r) {
    fmtPrintln(r.what());
  }
  gort::panic("again");
}

// deadlock.go:122 at go1.22.12
//
// The inner function's two defers run last-in first-out: the second one
// recovers "first panic", then the first one panics "second panic" as the
// function returns.
void RecursivePanic2() {
  try {
    std::array<uint8_t, 8192> x{};
    [](std::array<uint8_t, 8192> x) {
      (void)x;
      try {
        gort::panic("first panic");
      } catch (const runtime::PanicError& r) {
        fmtPrintln(r.what());
      }
      gort::panic("second panic");
    }(x);
  } catch (const runtime::PanicError& r) {
    fmtPrintln(r.what());
  }
  gort::panic("third panic");
}

// deadlock.go:186 at go1.22.12. Its defers, last registered first: one that
// prints recover() and panics "second panic", one that prints recover(), and
// an empty one.
NOINLINE void three() {
  try {
    try {
      gort::panic("first panic");
    } catch (const runtime::PanicError& r) {
      fmtPrintln(r.what());
      gort::panic("second panic");
    }
  } catch (const runtime::PanicError& r) {
    fmtPrintln(r.what());
  }
}

// deadlock.go:178 at go1.22.12 (its defer is empty)
NOINLINE void two() { three(); }

// deadlock.go:173 at go1.22.12
NOINLINE void one() { two(); }

// deadlock.go:143 at go1.22.12
//
// The deferred call runs while "first panic" unwinds; it panics "second
// panic" and its own deferred call recovers that one, so it returns normally
// and "first panic" goes on, unrecovered.
void RecursivePanic3() {
  try {
    gort::panic("first panic");
  } catch (...) {
    try {
      gort::panic("second panic");
    } catch (const runtime::PanicError&) {
    }
    throw;
  }
}

// deadlock.go:156 at go1.22.12
//
// The deferred call recovers "first panic" and, before it returns, panics
// "second panic": in Go the first is still on the panic stack, printed with
// "[recovered]"; here it is the exception being handled.
void RecursivePanic4() {
  try {
    gort::panic("first panic");
  } catch (const runtime::PanicError&) {
    gort::panic("second panic");
  }
}

// deadlock.go:167 at go1.22.12
void RecursivePanic5() {
  one();
  gort::panic("third panic");
}

// deadlock.go:202 at go1.22.12
//
// Go's i escapes to the heap (its address goes to SetFinalizer); here it
// is allocated there. The finalizer starts the finalizer goroutine, which
// the deadlock check must leave out (a system goroutine while it waits).
void GoexitExit() {
  println("t1");
  gort::go([]() { gort::time::Sleep(Millisecond); });
  auto i = gort::new_<int>(0);
  println("t2");
  runtime::SetFinalizer(i, [](int*) {});
  println("t3");
  runtime::GC();
  println("t4");
  runtime::Goexit();
}

// deadlock.go:216 at go1.22.12
void GoNil() {
  try {
    void (*f)() = nullptr;
    gort::go(f);
  } catch (const runtime::PanicError&) {
    // Go: defer func() { recover() }(). "go of nil func value" is a fatal
    // error, not a panic, so nothing is recovered.
  }
  gort::select({});
}

// deadlock.go:225 at go1.22.12
void MainGoroutineID() { gort::panic("test"); }

// deadlock.go:229 at go1.22.12
//
// The finalizer goroutine, started by SetFinalizer, and a pending
// AfterFunc timer (which starts no goroutine before it fires) must stay out
// of the panic's goroutine dump. Go's i escapes to the heap; here it is
// allocated there.
void NoHelperGoroutines() {
  auto i = gort::new_<int>(0);
  runtime::SetFinalizer(i, [](int*) {});
  gort::time::AfterFunc(gort::time::Hour, [] {});
  gort::panic("oops");
}

// deadlock.go:240 at go1.22.12
//
// The goroutine's deferred call Goexits while "hello" unwinds it: the Goexit
// ends the goroutine and the panic with it. Then main Goexits too.
void GoexitInPanic() {
  gort::go([]() {
    try {
      gort::panic("hello");
    } catch (...) {
      runtime::Goexit();
    }
  });
  runtime::Goexit();
}

// deadlock.go:273 at go1.22.12
void PanicAfterGoexit() {
  try {
    runtime::Goexit();
  } catch (...) {
    gort::panic("hello");
  }
}

// deadlock.go:14 at go1.22.12 (the init that registers them)
[[maybe_unused]] bool registered = [] {
  registerInit("InitDeadlock", InitDeadlock);

  register_("SimpleDeadlock", SimpleDeadlock);
  register_("LockedDeadlock", LockedDeadlock);
  register_("LockedDeadlock2", LockedDeadlock2);
  register_("GoexitDeadlock", GoexitDeadlock);
  register_("StackOverflow", StackOverflow);
  register_("RecursivePanic", RecursivePanic);
  register_("RecursivePanic2", RecursivePanic2);
  register_("RecursivePanic3", RecursivePanic3);
  register_("RecursivePanic4", RecursivePanic4);
  register_("RecursivePanic5", RecursivePanic5);
  register_("GoexitExit", GoexitExit);
  register_("GoNil", GoNil);
  register_("MainGoroutineID", MainGoroutineID);
  register_("NoHelperGoroutines", NoHelperGoroutines);
  register_("GoexitInPanic", GoexitInPanic);
  register_("PanicAfterGoexit", PanicAfterGoexit);
  return true;
}();

}  // namespace
}  // namespace testprog
