// panic.cpp: fatal errors and panics, mirroring panic.go at go1.22.12:
// throw, fatal, fatalthrow, fatalpanic, startpanic_m, dopanic_m, gopanic,
// Goexit, and the bad* functions the assembly calls on impossible states.
//
// Departure: Go unwinds a panic itself, running deferred calls and stopping
// at a recover. The port carries a panic as a C++ exception (PanicError):
// destructors play the part of deferred calls and a catch the part of
// recover. An exception that no goroutine frame catches reaches the bottom
// frame, goexit, whose CFI ends the search; the C++ runtime then calls the
// terminate handler installed here without unwinding, so the panicking
// goroutine's stack is intact when fatalpanic prints it, as in Go.
//
// Exit status is 2 for every fatal error and unrecovered panic, as Go's.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "print.hpp"
#include "proc.hpp"
#include "runtime.hpp"

namespace runtime {

atomic::Uint32 panicking;  // non-zero while a fatal panic or throw prints
namespace {
mutex paniclk;  // held while printing a fatal error: one at a time
}

int32 gotraceback_level(bool* all, bool* crash);

/// exit ends the process now, with no C++ static destructors (Go's exit
/// does not run deferred calls either). \gosrc{sys_linux_amd64.s,exit}
void exit(int32 code) { _exit(code); }

/// flushstdout: what the program wrote to stdout before a fatal error is
/// shown, as it would be in Go, whose os.Stdout is unbuffered.
static void flushstdout() { fflush(stdout); }

/// panicerrorstring: panic(errorString(msg)), a runtime error whose text is
/// "runtime error: " and msg (makeslice's and growslice's panics).
/// Departure: Go panics with the errorString value; the port's panic value
/// carries the text errorString.Error gives. \gosrc{error.go,errorString.Error}
void panicerrorstring(const char* msg) { throw PanicError(std::string("runtime error: ") + msg, true); }

/// boundsError: an index or slice expression out of range, and the text Go
/// prints for it. Departure: error.go's type, kept here with the bounds
/// panics that raise it (the port has no error.cpp); only the codes the
/// port's slices raise. \gosrc{error.go,boundsError}
namespace {
enum boundsErrorCode : uint8 {
  boundsIndex,
  boundsSliceAlen,
  boundsSliceAcap,
  boundsSliceB,
  boundsSlice3Alen,
  boundsSlice3Acap,
  boundsSlice3B,
  boundsSlice3C,
};

struct boundsError {
  int64 x;
  int y;
  bool signed_;  // Go: signed, a C++ keyword
  boundsErrorCode code;

  /// Error: "runtime error: " and the format of the code, with x and y
  /// in decimal; a negative x drops y. \gosrc{error.go,boundsError.Error}
  std::string Error() const {
    static const char* const fmts[] = {
        "index out of range [%x] with length %y",
        "slice bounds out of range [:%x] with length %y",
        "slice bounds out of range [:%x] with capacity %y",
        "slice bounds out of range [%x:%y]",
        "slice bounds out of range [::%x] with length %y",
        "slice bounds out of range [::%x] with capacity %y",
        "slice bounds out of range [:%x:%y]",
        "slice bounds out of range [%x:%y:]",
    };
    static const char* const negFmts[] = {
        "index out of range [%x]",
        "slice bounds out of range [:%x]",
        "slice bounds out of range [:%x]",
        "slice bounds out of range [%x:]",
        "slice bounds out of range [::%x]",
        "slice bounds out of range [::%x]",
        "slice bounds out of range [:%x:]",
        "slice bounds out of range [%x::]",
    };
    const char* fmt = fmts[code];
    if (signed_ && x < 0) fmt = negFmts[code];
    std::string b = "runtime error: ";
    for (const char* c = fmt; *c != 0; c++) {
      if (*c != '%') {
        b += *c;
        continue;
      }
      c++;
      if (*c == 'x') {
        b += signed_ ? std::to_string(x) : std::to_string(uint64(x));
      } else if (*c == 'y') {
        b += std::to_string(y);
      }
    }
    return b;
  }
};
}  // namespace

/// goPanicIndex: s[x] with x outside [0, y). \gosrc{panic.go,goPanicIndex}
YESWRITEBARRIERREC void goPanicIndex(int x, int y) {
  // (Go's panicCheck1 turns a bounds failure inside the runtime into a
  // throw; the port's runtime does not index gort::slice.)
  throw PanicError(boundsError{int64(x), y, true, boundsIndex}.Error(), true);
}

/// goPanicSliceAcap: s[?:x] with x outside [0, cap(s)] (y).
/// \gosrc{panic.go,goPanicSliceAcap}
YESWRITEBARRIERREC void goPanicSliceAcap(int x, int y) {
  throw PanicError(boundsError{int64(x), y, true, boundsSliceAcap}.Error(), true);
}

/// goPanicSliceB: s[x:y] with x > y. \gosrc{panic.go,goPanicSliceB}
YESWRITEBARRIERREC void goPanicSliceB(int x, int y) {
  throw PanicError(boundsError{int64(x), y, true, boundsSliceB}.Error(), true);
}

/// goPanicSlice3Acap: s[?:?:x] with x outside [0, cap(s)] (y).
/// \gosrc{panic.go,goPanicSlice3Acap}
YESWRITEBARRIERREC void goPanicSlice3Acap(int x, int y) {
  throw PanicError(boundsError{int64(x), y, true, boundsSlice3Acap}.Error(), true);
}

/// goPanicSlice3B: s[?:x:y] with x > y. \gosrc{panic.go,goPanicSlice3B}
YESWRITEBARRIERREC void goPanicSlice3B(int x, int y) {
  throw PanicError(boundsError{int64(x), y, true, boundsSlice3B}.Error(), true);
}

/// goPanicSlice3C: s[x:y:?] with x > y. \gosrc{panic.go,goPanicSlice3C}
YESWRITEBARRIERREC void goPanicSlice3C(int x, int y) {
  throw PanicError(boundsError{int64(x), y, true, boundsSlice3C}.Error(), true);
}

/// Goexit runs the goroutine's destructors (its deferred calls) by unwinding
/// to its entry frame, which then calls goexit1. \gosrc{panic.go,Goexit}
void Goexit() {
  mustgetg("runtime.Goexit");
  throw goexitUnwind{};
}

/// printpanics prints the chain of panics, oldest first: those handled
/// (recovered) before the next one started are marked so.
/// \gosrc{panic.go,printpanics}
static void printpanics(const std::exception_ptr& p, bool recovered) {
  const PanicError* pe = nullptr;
  std::string other;
  try {
    std::rethrow_exception(p);
  } catch (const PanicError& e) {
    pe = &e;
  } catch (const std::exception& e) {
    other = e.what();
  } catch (...) {
    other = "unknown C++ exception";
  }
  if (pe != nullptr && pe->link()) {
    bool goexit = false;
    try {
      std::rethrow_exception(pe->link());
    } catch (const goexitUnwind&) {
      goexit = true;  // a Goexit in progress prints nothing (Go: p.goexit)
    } catch (...) {
    }
    if (!goexit) {
      printpanics(pe->link(), true);
      print("\t");
    }
  }
  print("panic: ", pe != nullptr ? pe->what() : other.c_str());
  if (pe == nullptr) print(" [C++ exception]");
  if (recovered) print(" [recovered]");
  print("\n");
}

/// gopanic: panic(v) with a string. \gosrc{panic.go,gopanic}
void gopanic(std::string msg) { throw PanicError(std::move(msg), false); }

/// sync.throw: package sync's internal fatal error (an inconsistent Mutex
/// state), reported as the runtime's own. \gosrc{panic.go,sync_throw}
[[noreturn]] void sync_throw(const char* s) LINKNAME("sync.throw");
void sync_throw(const char* s) { throw_(s); }

/// sync.fatal: package sync's fatal error for misuse by the program (unlock
/// of an unlocked mutex). \gosrc{panic.go,sync_fatal}
[[noreturn]] void sync_fatal(const char* s) LINKNAME("sync.fatal");
void sync_fatal(const char* s) { fatal(s); }

/// throw: a fatal error in the runtime itself ("fatal error: ...").
/// \gosrc{panic.go,throw}
void throw_(const char* s) {
  flushstdout();
  printlock();
  print("fatal error: ", s, "\n");
  printunlock();
  fatalthrow(throwTypeRuntime);
}

/// fatal: a fatal error caused by the user program (deadlock, misuse).
/// \gosrc{panic.go,fatal}
void fatal(const char* s) {
  flushstdout();
  printlock();
  print("fatal error: ", s, "\n");
  printunlock();
  fatalthrow(throwTypeUser);
}

static bool dopanic_m(g* gp);

/// fatalthrow: print the tracebacks and exit 2. \gosrc{panic.go,fatalthrow}
void fatalthrow(throwType t) {
  g* gp = getg();
  if (gp != nullptr && gp->m->throwing == throwTypeNone) gp->m->throwing = t;
  if (startpanic_m() && dopanic_m(gp)) {
    signal(SIGABRT, SIG_DFL);
    abort();  // GOTRACEBACK=crash
  }
  exit(2);
}

/// fatalpanic: an unrecovered panic ends the program. \gosrc{panic.go,fatalpanic}
[[noreturn]] NOSPLIT static void fatalpanic(const std::exception_ptr& p);
[[noreturn]] static void fatalpanic(const std::exception_ptr& p) {
  g* gp = getg();
  flushstdout();
  if (startpanic_m()) {
    printpanics(p, false);
    if (dopanic_m(gp)) {
      signal(SIGABRT, SIG_DFL);
      abort();
    }
  }
  exit(2);
}

/// startpanic_m prepares to print a fatal error: it counts this M as dying
/// and serialises fatal output. \gosrc{panic.go,startpanic_m}
NOWRITEBARRIERREC bool startpanic_m() {
  g* gp = getg();
  if (gp == nullptr) {
    // A thread the runtime did not start (badnog, or a signal handler on
    // such a thread): count the panic and serialise without a g.
    panicking.Add(1);
    lockWithoutG(&paniclk);
    return true;
  }
  gp->m->mallocing++;
  if (gp->m->locks < 0) gp->m->locks = 1;
  switch (gp->m->dying) {
    case 0:
      gp->m->dying = 1;
      panicking.Add(1);
      lock(&paniclk);
      return true;
    case 1:
      // Something failed while panicking; print a traceback only.
      gp->m->dying = 2;
      print("panic during panic\n");
      return false;
    default:
      print("stack trace unavailable\n");
      exit(4);
  }
}

/// dopanic_m prints the goroutine(s) per GOTRACEBACK and reports whether to
/// crash (GOTRACEBACK=crash). \gosrc{panic.go,dopanic_m}
static bool dopanic_m(g* gp) {
  bool all = false, docrash = false;
  int32 level = gotraceback_level(&all, &docrash);
  if (gp == nullptr) return docrash;
  if (level > 0) {
    if (gp != gp->m->curg) all = true;
    if (gp != gp->m->g0) {
      print("\n");
      goroutineheader(gp);
      traceback(gp, 2);
    } else if (level >= 2 || gp->m->throwing >= throwTypeRuntime) {
      print("\nruntime stack:\n");
      traceback(gp, 2);
    }
    if (all) tracebackothers(gp);
  }
  unlock(&paniclk);
  return docrash;
}

/// The terminate handler: reached at the throw of an exception that no frame
/// of the goroutine catches (see the file comment).
static void onterminate() {
  std::exception_ptr ep = std::current_exception();
  if (!ep) fatal("std::terminate called without an active exception");
  try {
    std::rethrow_exception(ep);
  } catch (const goexitUnwind&) {
    fatal("runtime.Goexit called outside a goroutine started by the runtime");
  } catch (...) {
  }
  fatalpanic(ep);
}

void installTerminateHandler() { std::set_terminate(onterminate); }

/// panicplain: panic(plainError(msg)), the runtime errors of chan.go.
/// \gosrc{error.go,plainError}
void panicplain(const char* msg) { throw PanicError(msg, true); }

/// badnog: a runtime function that needs a goroutine ran on a thread the
/// runtime does not own (or before rt0_go). Go cannot get here; a C++ program
/// can, so it is refused loudly rather than left to hang.
///
/// Exactly one fatal error is printed: the refusal counts as a panic
/// (panicking, which checkdead honours, as Go's does) and takes paniclk
/// (startpanic_m's branch for a thread with no g), then the print lock, in
/// the order every fatal path takes them. If another fatal error holds
/// them, that one is printed and this thread waits for the exit.
void badnog(const char* fn) {
  startpanic_m();
  lockWithoutG(&debuglock);
  print("fatal error: ", fn,
        " called from a thread with no goroutine (call it from a goroutine "
        "started by runtime::rt0_go or gort::go)\n");
  exit(2);
}

}  // namespace runtime

using namespace runtime;

extern "C" {
/// \gosrc{proc.go,badmcall}
[[noreturn]] void badmcall() asm("runtime.badmcall");
void badmcall() { throw_("runtime: mcall called on m->g0 stack"); }
/// \gosrc{proc.go,badmcall2}
[[noreturn]] void badmcall2() asm("runtime.badmcall2");
void badmcall2() { throw_("runtime: mcall function returned"); }
/// \gosrc{stubs.go,badsystemstack}
[[noreturn]] NOSPLIT NOWRITEBARRIERREC void badsystemstack() asm("runtime.badsystemstack");
void badsystemstack() { throw_("systemstack called from unexpected goroutine"); }
/// \gosrc{proc.go,badmorestackg0}
[[noreturn]] NOSPLIT void badmorestackg0(uintptr pc) asm("runtime.badmorestackg0");
NOWRITEBARRIERREC void badmorestackg0(uintptr pc) {
  uintptr tlsguard = getTLSGuard();
  setTLSGuard(0);
  gwrite("fatal: morestack on g0\n", 23);
  {
    g* gp = getg();
    uintptr sp = uintptr(__builtin_frame_address(0));
    print("runtime: morestack on g0: sp=", hex(sp), " stack=[", hex(gp->stack_.lo), ", ", hex(gp->stack_.hi),
          "] guard=", hex(gp->stackguard0), " tlsguard=", hex(tlsguard), " m=", gp->m->id, " pc=", hex(pc), " rel=", hex(pc - uintptr(&badmorestackg0)), "\n");
    traceback(gp, 0);
  }
  runtime::exit(2);
}
/// Port only: a guard word was set on a thread that has no g.
[[noreturn]] NOSPLIT void badmorestacknog() asm("runtime.badmorestacknog");
void badmorestacknog() {
  setTLSGuard(0);
  gwrite("fatal: morestack with no g\n", 27);
  runtime::exit(2);
}
}
