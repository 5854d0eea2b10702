// time.hpp: the runtime's timers, mirroring time.go at go1.22.12.
//
// A timer is a time (when, a nanotime), a function and its argument. Each P
// keeps the timers added on it in a 4-ary min-heap ordered by when
// (p.timers); the scheduler runs the due ones (checkTimers, from
// findRunnable and stealWork) and, with nothing else to do, an M sleeps in
// the network poller until the earliest one (findRunnable, netpoll.cpp).
//
// A timer moves through the states below by CAS on t.status, so that
// goroutines on other Ps may stop or reset it without the owning P's lock;
// only the owner, holding timersLock, takes it out of its heap or moves it
// (the *ing states are held only briefly, and a thread that meets one
// spins with osyield). Go's time.go enumerates every transition in its
// header comment; in short:
//
//   addtimer:  NoStatus -> Waiting
//   deltimer:  Waiting/ModifiedEarlier/ModifiedLater -> Modifying -> Deleted
//   modtimer:  Waiting/Modified* -> Modifying -> ModifiedEarlier/Later
//              NoStatus/Removed  -> Modifying -> Waiting (added again)
//              Deleted           -> Modifying -> Modified*
//   the owner: Waiting -> Running -> NoStatus (one-shot) or Waiting (periodic)
//              Deleted -> Removing -> Removed
//              Modified* -> Moving -> Waiting (at its new place)
//
// Invariants:
//   [timer-heap]  pp.timers[0:timersLen] is a 4-ary heap on when; only code
//                 holding pp.timersLock reads or changes it, and t.pp is pp
//                 exactly while t is in it.
//   [timer0when]  pp.timer0When is the when of pp.timers[0], or 0 if there
//                 is none; pp.timerModifiedEarliest is 0 or at most the
//                 earliest nextwhen of a timer of pp in ModifiedEarlier.
//                 Together they say, without the lock, when pp next has work
//                 (nobarrierWakeTime).
//   [timerpmask]  a P's bit in timerpMask is set whenever it may have timers;
//                 it is cleared only by pidleput (updateTimerPMask) with
//                 numTimers seen 0 under timersLock.
//
// Locks: pp.timersLock protects pp.timers, timersLen and timersCap and the
// when of every timer in them; it is held while timers are added, removed
// or moved, never while a timer's function runs (runOneTimer drops it).
// Lock order: sched.lock before timersLock; two Ps' timersLocks are held
// together only by p.destroy (the world is stopped).
#pragma once
#include "runtime2.hpp"

namespace runtime {

/// timer: one timer. Package time embeds the same layout in its Timer and
/// Ticker (time/sleep.hpp, runtimeTimer); the runtime allocates one for a
/// sleeping goroutine (g.timer). \gosrc{time.go,timer}
struct timer {
  // pp: the P whose heap holds this timer (0 when none). Written only by
  // that P with its timersLock held, or with the timer in an *ing state.
  puintptr pp;
  int64 when;    // nanotime at which to run f
  int64 period;  // >0: run again every period ns
  // f(arg, seq), called on the scheduler's stack (g0) without locks, and so
  // must not block. Departure: Go's f is a func(any, uintptr) and arg an
  // interface; here a C function and a pointer to a heap object (the
  // goroutine, the Timer, the AfterFunc closure).
  void (*f)(void* arg, uintptr seq);
  heapPtr<void> arg;
  uintptr seq;
  int64 nextwhen;  // the when that modtimer asked for, while Modified*
  atomic::Uint32 status;
};
static_assert(sizeof(timer) == 64 && offsetof(timer, f) == 24 && offsetof(timer, arg) == 32 &&
                  offsetof(timer, status) == 56,
              "timer: the layout package time's runtimeTimer repeats (time/sleep.hpp)");

/// The states of timer.status. \gosrc{time.go,timerNoStatus}
enum : uint32 {
  timerNoStatus,         // not in any heap (new, run, or removed before adding)
  timerWaiting,          // in a P's heap, waiting to run
  timerRunning,          // its function runs now (owner only)
  timerDeleted,          // stopped; still in the heap until the owner removes it
  timerRemoving,         // being removed (owner only)
  timerRemoved,          // stopped and out of the heap
  timerModifying,        // being changed by deltimer or modtimer
  timerModifiedEarlier,  // reset to an earlier nextwhen; still in the heap at when
  timerModifiedLater,    // reset to a later (or same) nextwhen; still at when
  timerMoving,           // being moved in or between heaps (owner only)
};

/// maxWhen: the largest when; a sleep that would overflow ends there.
/// \gosrc{time.go,maxWhen}
inline constexpr int64 maxWhen = int64((uint64(1) << 63) - 1);

/// timerpMask: a bit per P that may have timers (see [timerpmask]).
/// Departure: Go's pMask is a []uint32; here an array of allpcap bits kept
/// beside idlepMask (procresize). \gosrc{runtime2.go,timerpMask}
extern uint32* timerpMask;

void timeSleep(int64 ns);
void addtimer(timer* t);
bool deltimer(timer* t);
bool modtimer(timer* t, int64 when, int64 period, void (*f)(void*, uintptr), void* arg, uintptr seq);
bool resettimer(timer* t, int64 when);
void cleantimers(p* pp);
void moveTimers(p* pp, heapPtr<timer>* timers, int32 n);
void adjusttimers(p* pp, int64 now);
NOWRITEBARRIERREC int64 nobarrierWakeTime(p* pp);
SYSTEMSTACK int64 runtimer(p* pp, int64 now);
void clearDeletedTimers(p* pp);
void verifyTimerHeap(p* pp);
int64 timeSleepUntil();

}  // namespace runtime
