// preempt.cpp: stopping a single goroutine at a safe point, mirroring
// preempt.go at go1.22.12 (suspendG, resumeG, canPreemptM). The collector
// uses it to scan one goroutine's stack while the others run.
//
// Safe points. A goroutine can be stopped where the runtime knows its whole
// state: (1) while it is not running at all (_Grunnable, _Gwaiting,
// _Gsyscall), and (2) at a synchronous safe point, the split-stack check in
// a function prologue. To reach (2), suspendG poisons the goroutine's guard
// (g.stackguard0 and, since the prologues compare with the thread's TLS
// word, that word too, as preemptone does) and sets g.preemptStop; the next
// prologue goes through __morestack to newstack (stack.cpp), which calls
// preemptPark (proc.cpp) instead of yielding. The goroutine then sits in
// _Gpreempted, in no run queue, until a suspender claims it. Go's third
// kind, asynchronous safe points reached by a signal (asyncPreempt), is not
// in the port: a loop that calls nothing cannot be stopped (see
// tools/fidelity_manifest.tsv).
//
// Invariants:
//   [gscan-lock]    the _Gscan bit of g.atomicstatus is a lock on that g's
//                   status: whoever set it (castogscanstatus,
//                   casGToPreemptScan) is the only one who may change the
//                   status, and clears the bit with casfrom_Gscanstatus;
//                   everyone else's casgstatus spins meanwhile. A g stays
//                   on its M while _Gscan|_Grunning is held (it cannot
//                   leave _Grunning), so g.m is stable then.
//   [suspended]     between suspendG and resumeG the target holds
//                   _Gscan with _Grunnable, _Gwaiting or _Gsyscall: it runs
//                   no code of its own. If a P takes it from a run queue,
//                   that P's M spins in execute's casgstatus until resumeG;
//                   if something readies it, the readier spins likewise.
//   [preempt-stop]  g.preemptStop is set only by suspendG under
//                   _Gscan|_Grunning, and cleared by suspendG when it claims
//                   the g, or by gdestroy if the g died first. A goroutine
//                   that finds it set at a safe point parks in _Gpreempted;
//                   only a suspender ever readies it from there.
//
// Contexts. suspendG and resumeG run on the system stack of an M whose
// user goroutine is not _Grunning (Go's rule: were it running, a goroutine
// suspending this one would wait forever for it, while it waits for the
// other). The collector's callers put their goroutine in _Gwaiting first
// (casGToWaiting), as Go's markroot does. Neither holds a runtime lock
// while it spins; both may be called from any M, with or without a P, but
// resumeG of a stopped goroutine readies it on the caller's P, so the caller
// needs one then. canPreemptM may be called anywhere (it only reads).
//
// Departure: Go backs synchronous preemption with a signal (preemptM) after
// each request; the port has only the synchronous kind.
#include "preempt.hpp"

#include "print.hpp"
#include "proc.hpp"
#include "stack.hpp"

namespace runtime {

uintptr stackGuardSize();

/// suspendG drives gp to a safe point and holds it there (see the header:
/// [suspended]). Several suspenders may aim at the same goroutine; they take
/// turns, each waiting while another holds the _Gscan bit. The goroutine may
/// run between two suspensions. Loops until it wins, spinning with PAUSE
/// for yieldDelay and then yielding the thread between tries, as Go does.
/// Context: see preempt.hpp. \gosrc{preempt.go,suspendG}
SYSTEMSTACK suspendGState suspendG(g* gp) {
  systemstackcheck();
  if (m* mp = getg()->m; mp->curg != nullptr && readgstatus(mp->curg) == _Grunning) {
    // The user goroutine of this M is stopped on this system stack at a
    // point that is not safe: a goroutine suspending it in turn would spin
    // forever.
    throw_("suspendG from non-preemptible goroutine");
  }

  // The back-off Go chose (golang.org/cl/21503): spin 10us, then yield.
  constexpr int64 yieldDelay = 10 * 1000;
  int64 nextYield = 0;

  // Bring the goroutine to a safe point.
  bool stopped = false;
  for (int i = 0;; i++) {
    uint32 s = readgstatus(gp);
    switch (s) {
      default:
        if ((s & _Gscan) != 0) {
          // Another suspender holds it (or its M holds it briefly on the
          // way into _Gpreempted): wait for the bit to go.
          break;
        }
        dumpgstatus(gp);
        throw_("invalid g status");

      case _Gdead:
        // Nothing to stop. A preemptStop that a previous round left on gp
        // cannot be cleared here (gp may be reused meanwhile): gdestroy
        // clears it. [preempt-stop]
        return suspendGState{nullptr, true, false};

      case _Gcopystack:
        // Go: the stack is moving; wait. Never set in the port, whose
        // stacks stay put.
        break;

      case _Gpreempted:
        // gp parked itself at some suspender's request. Claim it (only one
        // claimer wins the CAS to _Gwaiting); the winner readies it later.
        if (!casGFromPreempted(gp, _Gpreempted, _Gwaiting)) break;
        stopped = true;
        s = _Gwaiting;
        [[fallthrough]];

      case _Grunnable:
      case _Gsyscall:
      case _Gwaiting:
        // Already at a safe point: take the _Gscan bit to keep it there.
        // The CAS races with gp being run or readied; a loss means reread.
        if (!castogscanstatus(gp, s, s | _Gscan)) break;
        // Withdraw any request still pending: holding the bit, we own the
        // goroutine's guard word and flags. [preempt-stop]
        gp->preemptStop = false;
        gp->preempt = false;
        gp->stackguard0 = gp->stack_.lo + stackGuardSize();
        return suspendGState{gp, false, stopped};

      case _Grunning: {
        // The request from an earlier round is still pending: just wait.
        // (Go also waits for its signal-based request to be delivered.)
        if (gp->preemptStop && gp->preempt && gp->stackguard0 == stackPreempt) break;
        // Hold the status still while the request is written.
        if (!castogscanstatus(gp, _Grunning, _Gscan | _Grunning)) break;
        // Ask for a synchronous stop at the next prologue.
        gp->preemptStop = true;
        gp->preempt = true;
        gp->stackguard0 = stackPreempt;
        // Departure: the prologues compare with the thread's guard word,
        // not with g.stackguard0, so poke that word as preemptone does.
        // While we hold _Gscan|_Grunning, gp stays on gp.m ([gscan-lock]);
        // if the M is on g0 or gsignal just now, the poke trips there as a
        // stale request that __morestack drops, and the next switch back to
        // gp loads the poisoned g.stackguard0 anyway.
        m* mp = gp->m;
        if (mp != nullptr && mp->tcb != 0) atomic::Store(tlsguardword(mp), stackPreempt);
        casfrom_Gscanstatus(gp, _Gscan | _Grunning, _Grunning);
        // (Go sends the asynchronous request, preemptM, here.)
        break;
      }
    }

    // Not stopped yet: back off, then look again.
    if (i == 0) nextYield = nanotime() + yieldDelay;
    if (nanotime() < nextYield) {
      procyield(10);
    } else {
      osyield();
      nextYield = nanotime() + yieldDelay / 2;
    }
  }
}

/// resumeG undoes suspendG: it drops the _Gscan bit and, when suspendG
/// stopped the goroutine itself (it had parked in _Gpreempted), makes it
/// runnable again on the caller's P. Context: see preempt.hpp.
/// \gosrc{preempt.go,resumeG}
void resumeG(suspendGState state) {
  if (state.dead) return;  // nothing was stopped
  g* gp = state.g_;
  switch (uint32 s = readgstatus(gp)) {
    default:
      dumpgstatus(gp);
      throw_("unexpected g status");
    case _Grunnable | _Gscan:
    case _Gwaiting | _Gscan:
    case _Gsyscall | _Gscan:
      casfrom_Gscanstatus(gp, s, s & ~uint32(_Gscan));
  }
  if (state.stopped) {
    // It is _Gwaiting ("preempted") and in no run queue: put it in ours.
    ready(gp, 0, true);
  }
}

/// canPreemptM: see preempt.hpp. Departure: Go reads mp.p's status without
/// a nil check (its callers have a P); the port also answers false for an
/// M without a P. \gosrc{preempt.go,canPreemptM}
bool canPreemptM(m* mp) {
  return mp->locks == 0 && mp->mallocing == 0 && mp->preemptoff == nullptr && mp->p &&
         mp->p.ptr()->status == _Prunning;
}

}  // namespace runtime
