// preempt.hpp: stopping one goroutine at a safe point (preempt.go at
// go1.22.12): suspendG, resumeG and canPreemptM, and the asynchronous
// kind (asyncPreempt2, wantAsyncPreempt, isAsyncSafePoint; preemptM is
// signal_unix.go's). preempt.cpp's header gives the design, the safe-point
// rule, the invariants and who may call what.
#pragma once
#include "runtime2.hpp"

namespace runtime {

/// suspendGState: what suspendG did, for resumeG to undo.
/// \gosrc{preempt.go,suspendGState}
struct suspendGState {
  g* g_;  // the suspended goroutine (nullptr when dead). Departure: named
          // g_ because C++ cannot reuse the type name g here (as sudog.g_)
  // dead: gp was _Gdead, so nothing was suspended. The g may be reused at
  // once, so the caller must not assume it stays dead.
  bool dead;
  // stopped: this suspendG stopped gp through g.preemptStop (it parked in
  // _Gpreempted and was claimed), so resumeG must ready it.
  bool stopped;
};

/// suspendG stops gp at a safe point and holds it there (its _Gscan bit
/// set) until resumeG; meanwhile the caller may read gp's state and stack.
/// Contexts: the system stack of an M whose user goroutine, if any, is not
/// _Grunning (casGToWaiting it first), with no runtime lock held; gp is not
/// that goroutine unless it is already not running. Between suspendG and
/// resumeG the caller stays on the system stack: a P that picks gp from a
/// run queue spins in casgstatus until resumeG.
SYSTEMSTACK suspendGState suspendG(g* gp);

/// resumeG lets the goroutine that suspendG stopped go on from its safe
/// point. Same contexts as suspendG.
void resumeG(suspendGState state);

/// canPreemptM: may the goroutine on mp be stopped now? Not while mp holds
/// runtime locks, allocates, has a preemptoff reason, or lacks a running P.
/// Any context. \gosrc{preempt.go,canPreemptM}
NOSPLIT bool canPreemptM(m* mp);

/// asyncPreempt: saves every register, calls asyncPreempt2, restores them
/// (preempt_amd64.S). Entered only through a signal's return, never called.
/// \gosrc{preempt_amd64.s,asyncPreempt}
extern "C" void asyncPreempt() asm("runtime.asyncPreempt");

/// asyncPreemptInit sizes asyncPreempt's frame and finds the code ranges
/// isAsyncSafePoint reads (schedinit; Go: preempt.go's init).
/// \gosrc{preempt.go,asyncPreemptStack}
void asyncPreemptInit();

/// wantAsyncPreempt: gp (or its P) was asked to stop and gp still runs.
/// In the signal handler. \gosrc{preempt.go,wantAsyncPreempt}
NOSPLIT bool wantAsyncPreempt(g* gp);

/// isAsyncSafePoint: may gp, interrupted at pc with stack pointer sp, be
/// stopped there (preempt.cpp states the rule)? In the signal handler.
/// \gosrc{preempt.go,isAsyncSafePoint}
NOSPLIT bool isAsyncSafePoint(g* gp, uintptr pc, uintptr sp);

/// preemptM sends mp's thread the preemption signal, unless one is on its
/// way already. Any context. \gosrc{signal_unix.go,preemptM}
NOSPLIT void preemptM(m* mp);

}  // namespace runtime
