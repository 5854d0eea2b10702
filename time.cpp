// time.cpp: the runtime's timers, mirroring time.go at go1.22.12. The
// design header (states, invariants, locks) is in time.hpp.
//
// Who calls what:
//   package time (time/sleep.cpp, time/tick.cpp), over linkname:
//     Sleep -> timeSleep; NewTimer, AfterFunc, NewTicker -> startTimer;
//     Stop -> stopTimer; Timer.Reset -> resetTimer; Ticker.Reset -> modTimer
//   the scheduler (proc.cpp): checkTimers -> adjusttimers, runtimer,
//     clearDeletedTimers; findRunnable/stealWork/checkTimersNoP ->
//     nobarrierWakeTime; p.destroy -> moveTimers; sysmon -> timeSleepUntil
//
// Departure: Go's timer functions are func values and their arguments
// interfaces (goroutineReady's arg.(*g)); here a C function pointer and an
// untyped heap pointer, which each function converts back itself.
#include "time.hpp"

#include "malloc.hpp"
#include "netpoll.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "slice.hpp"

namespace runtime {

uint32* timerpMask;

static void goroutineReady(void* arg, uintptr seq);
static bool resetForSleep(g* gp, void* ut);
static void doaddtimer(p* pp, timer* t);
static int dodeltimer(p* pp, int i);
static void dodeltimer0(p* pp);
static void addAdjustedTimers(p* pp, heapPtr<timer>* moved, int32 n);
SYSTEMSTACK static void runOneTimer(p* pp, timer* t, int64 now);
static void updateTimer0When(p* pp);
static void updateTimerModifiedEarliest(p* pp, int64 nextwhen);
static int siftupTimer(heapPtr<timer>* t, int32 n, int i);
static void siftdownTimer(heapPtr<timer>* t, int32 n, int i);
[[noreturn]] static void badTimer();

/// verifyTimers: check the heap after each adjustment (a debugging switch,
/// off as in Go). \gosrc{time.go,verifyTimers}
inline constexpr bool verifyTimers = false;

/// timeSleep puts the calling goroutine to sleep for at least ns
/// nanoseconds: time.Sleep. The goroutine's own timer (g.timer, made on its
/// first sleep) is armed by resetForSleep after the goroutine is parked, so
/// that the timer cannot fire and ready it before it is off its stack.
/// \gosrc{time.go,timeSleep}
void timeSleep(int64 ns) LINKNAME("time.Sleep");
void timeSleep(int64 ns) {
  if (ns <= 0) return;
  g* gp = getg();
  timer* t = gp->timer;
  if (t == nullptr) {
    t = newobject<timer>();
    gp->timer = t;
  }
  t->f = goroutineReady;
  t->arg = gp;
  // Go's int64 addition wraps, and the negative result is the overflow
  // test; in C++ signed overflow is undefined, so the sum wraps as uint64.
  t->nextwhen = int64(uint64(nanotime()) + uint64(ns));
  if (t->nextwhen < 0) t->nextwhen = maxWhen;  // overflow
  gopark(resetForSleep, t, waitReasonSleep, 1);
}

/// resetForSleep: timeSleep's unlock function, run on g0 once the goroutine
/// is parked: arm its timer. \gosrc{time.go,resetForSleep}
static bool resetForSleep(g*, void* ut) {
  auto* t = static_cast<timer*>(ut);
  resettimer(t, t->nextwhen);
  return true;
}

/// startTimer adds t, set up by package time, to the current P's heap.
/// \gosrc{time.go,startTimer}
void startTimer(timer* t) LINKNAME("time.startTimer");
void startTimer(timer* t) { addtimer(t); }

/// stopTimer stops t; false if it had already run or been stopped.
/// \gosrc{time.go,stopTimer}
bool stopTimer(timer* t) LINKNAME("time.stopTimer");
bool stopTimer(timer* t) { return deltimer(t); }

/// resetTimer makes an inactive timer active again or an active one run at
/// when instead; true if it was active. \gosrc{time.go,resetTimer}
bool resetTimer(timer* t, int64 when) LINKNAME("time.resetTimer");
bool resetTimer(timer* t, int64 when) { return resettimer(t, when); }

/// modTimer changes every field package time sets (Ticker.Reset).
/// \gosrc{time.go,modTimer}
void modTimer(timer* t, int64 when, int64 period, void (*f)(void*, uintptr), void* arg, uintptr seq)
    LINKNAME("time.modTimer");
void modTimer(timer* t, int64 when, int64 period, void (*f)(void*, uintptr), void* arg, uintptr seq) {
  modtimer(t, when, period, f, arg, seq);
}

/// goroutineReady: the function of a sleeping goroutine's timer.
/// \gosrc{time.go,goroutineReady}
static void goroutineReady(void* arg, uintptr) { goready(static_cast<g*>(arg), 0); }

/// addtimer puts a new timer, never added before, on the current P.
/// \gosrc{time.go,addtimer}
void addtimer(timer* t) {
  // when must be positive: a negative when would make the heap's
  // comparisons wrap (package time's when() never gives one).
  if (t->when <= 0) throw_("timer when must be positive");
  if (t->period < 0) throw_("timer period must be non-negative");
  if (t->status.Load() != timerNoStatus) throw_("addtimer called with initialized timer");
  t->status.Store(timerWaiting);
  int64 when = t->when;
  // Stay on this M (and so this P) between reading the P and unlocking it.
  m* mp = acquirem();
  p* pp = getg()->m->p.ptr();
  lock(&pp->timersLock);
  cleantimers(pp);
  doaddtimer(pp, t);
  unlock(&pp->timersLock);
  wakeNetPoller(when);
  releasem(mp);
}

/// appendTimer: append(pp.timers, t), or to any []*timer kept as an array,
/// a length and a capacity. Departure: Go's slices; the array is a heap
/// object of pointer words, grown by growslice as append grows it.
static void appendTimer(heapPtr<heapPtr<timer>>* arr, int32* len, int32* cap, timer* t) {
  if (*len == *cap) {
    slice s = growslice(arr->get(), *len + 1, *cap, 1, &typeOf<timer*>);
    *arr = static_cast<heapPtr<timer>*>(s.array);
    *cap = s.cap;
  }
  (*arr)[*len] = t;
  (*len)++;
}

/// doaddtimer adds t to pp's heap. Caller holds pp.timersLock. The first
/// timer of the program starts the network poller, in which Ms sleep until
/// the next timer (findRunnable). \gosrc{time.go,doaddtimer}
static void doaddtimer(p* pp, timer* t) {
  if (netpollInited.Load() == 0) netpollGenericInit();
  if (t->pp) throw_("doaddtimer: P already set in timer");
  t->pp.set(pp);
  int32 i = pp->timersLen;
  appendTimer(&pp->timers, &pp->timersLen, &pp->timersCap, t);
  siftupTimer(pp->timers, pp->timersLen, i);
  if (t == pp->timers[0]) pp->timer0When.Store(t->when);
  pp->numTimers.Add(1);
}

/// deltimer stops t: it will not run (unless it runs now). The owner
/// removes it from its heap later (cleantimers, adjusttimers, runtimer).
/// Reports whether t was stopped before it ran. \gosrc{time.go,deltimer}
bool deltimer(timer* t) {
  for (;;) {
    switch (uint32 s = t->status.Load(); s) {
      case timerWaiting:
      case timerModifiedLater:
      case timerModifiedEarlier: {
        // Pin the M so that the Modifying state is short (Go: so that
        // a preempted goroutine does not leave the timer locked).
        m* mp = acquirem();
        if (t->status.CompareAndSwap(s, timerModifying)) {
          p* tpp = t->pp.ptr();
          if (!t->status.CompareAndSwap(timerModifying, timerDeleted)) badTimer();
          releasem(mp);
          tpp->deletedTimers.Add(1);
          return true;  // stopped before it ran
        }
        releasem(mp);
        break;
      }
      case timerDeleted:
      case timerRemoving:
      case timerRemoved:
        return false;  // stopped already
      case timerRunning:
      case timerMoving:
        osyield();  // the owner is busy with it; wait
        break;
      case timerNoStatus:
        return false;  // never added, or already run
      case timerModifying:
        osyield();  // another Stop or Reset at the same time
        break;
      default:
        badTimer();
    }
  }
}

/// dodeltimer removes the i'th timer from pp's heap, returning the smallest
/// index whose timer changed. Caller holds pp.timersLock. \gosrc{time.go,dodeltimer}
static int dodeltimer(p* pp, int i) {
  if (timer* t = pp->timers[i]; t->pp.ptr() != pp) {
    throw_("dodeltimer: wrong P");
  } else {
    t->pp.set(nullptr);
  }
  int last = pp->timersLen - 1;
  if (i != last) pp->timers[i] = pp->timers[last];
  pp->timers[last] = nullptr;
  pp->timersLen = last;
  int smallestChanged = i;
  if (i != last) {
    // The moved timer may belong above i or below it.
    smallestChanged = siftupTimer(pp->timers, pp->timersLen, i);
    siftdownTimer(pp->timers, pp->timersLen, i);
  }
  if (i == 0) updateTimer0When(pp);
  uint32 n = pp->numTimers.Add(-1);
  if (n == 0) pp->timerModifiedEarliest.Store(0);  // no timer left to be early
  return smallestChanged;
}

/// dodeltimer0 removes the earliest timer. Caller holds pp.timersLock.
/// \gosrc{time.go,dodeltimer0}
static void dodeltimer0(p* pp) {
  if (timer* t = pp->timers[0]; t->pp.ptr() != pp) {
    throw_("dodeltimer0: wrong P");
  } else {
    t->pp.set(nullptr);
  }
  int last = pp->timersLen - 1;
  if (last > 0) pp->timers[0] = pp->timers[last];
  pp->timers[last] = nullptr;
  pp->timersLen = last;
  if (last > 0) siftdownTimer(pp->timers, pp->timersLen, 0);
  updateTimer0When(pp);
  uint32 n = pp->numTimers.Add(-1);
  if (n == 0) pp->timerModifiedEarliest.Store(0);
}

/// modtimer changes t's when, period, function and argument. A timer still
/// in a heap is only marked (ModifiedEarlier/Later, its new when in
/// nextwhen); the owner moves it later. A timer in no heap is added to the
/// current P's. Reports whether t was pending (not yet run or stopped).
/// \gosrc{time.go,modtimer}
bool modtimer(timer* t, int64 when, int64 period, void (*f)(void*, uintptr), void* arg, uintptr seq) {
  if (when <= 0) throw_("timer when must be positive");
  if (period < 0) throw_("timer period must be non-negative");
  uint32 status = timerNoStatus;
  bool wasRemoved = false;
  bool pending = false;
  m* mp = nullptr;
  for (bool done = false; !done;) {
    switch (status = t->status.Load(); status) {
      case timerWaiting:
      case timerModifiedEarlier:
      case timerModifiedLater:
        mp = acquirem();
        if (t->status.CompareAndSwap(status, timerModifying)) {
          pending = true;  // not run yet
          done = true;
          break;
        }
        releasem(mp);
        break;
      case timerNoStatus:
      case timerRemoved:
        mp = acquirem();
        // In no heap: Go's comment notes that t.pp may still be set for a
        // moment by a racing move; it is cleared by then.
        if (t->status.CompareAndSwap(status, timerModifying)) {
          wasRemoved = true;
          pending = false;  // run or stopped already
          done = true;
          break;
        }
        releasem(mp);
        break;
      case timerDeleted:
        mp = acquirem();
        if (t->status.CompareAndSwap(status, timerModifying)) {
          t->pp.ptr()->deletedTimers.Add(-1);
          pending = false;  // stopped already
          done = true;
          break;
        }
        releasem(mp);
        break;
      case timerRunning:
      case timerRemoving:
      case timerMoving:
        osyield();  // the owner is busy with it
        break;
      case timerModifying:
        osyield();  // another change at the same time
        break;
      default:
        badTimer();
    }
  }

  t->period = period;
  t->f = f;
  t->arg = arg;
  t->seq = seq;

  if (wasRemoved) {
    t->when = when;
    p* pp = getg()->m->p.ptr();
    lock(&pp->timersLock);
    doaddtimer(pp, t);
    unlock(&pp->timersLock);
    if (!t->status.CompareAndSwap(timerModifying, timerWaiting)) badTimer();
    releasem(mp);
    wakeNetPoller(when);
  } else {
    // Still in a heap: record the new time; the owner moves it (only the
    // owner may change when, which orders its heap).
    t->nextwhen = when;
    uint32 newStatus = timerModifiedLater;
    if (when < t->when) newStatus = timerModifiedEarlier;
    p* tpp = t->pp.ptr();
    if (newStatus == timerModifiedEarlier) updateTimerModifiedEarliest(tpp, when);
    if (!t->status.CompareAndSwap(timerModifying, newStatus)) badTimer();
    releasem(mp);
    // Earlier than the heap says: a sleeping M may need to wake sooner.
    if (newStatus == timerModifiedEarlier) wakeNetPoller(when);
  }
  return pending;
}

/// resettimer: modtimer with t's own function and argument.
/// \gosrc{time.go,resettimer}
bool resettimer(timer* t, int64 when) { return modtimer(t, when, t->period, t->f, t->arg, t->seq); }

/// cleantimers removes deleted timers from the top of pp's heap and moves
/// modified ones to their place, until the top is a waiting timer. Caller
/// holds pp.timersLock. \gosrc{time.go,cleantimers}
void cleantimers(p* pp) {
  g* gp = getg();
  for (;;) {
    if (pp->timersLen == 0) return;
    // A goroutine asked to stop (suspendG) should not wait for this.
    if (gp->preemptStop) return;
    timer* t = pp->timers[0];
    if (t->pp.ptr() != pp) throw_("cleantimers: bad p");
    switch (uint32 s = t->status.Load(); s) {
      case timerDeleted:
        if (!t->status.CompareAndSwap(s, timerRemoving)) continue;
        dodeltimer0(pp);
        if (!t->status.CompareAndSwap(timerRemoving, timerRemoved)) badTimer();
        pp->deletedTimers.Add(-1);
        break;
      case timerModifiedEarlier:
      case timerModifiedLater:
        if (!t->status.CompareAndSwap(s, timerMoving)) continue;
        t->when = t->nextwhen;
        dodeltimer0(pp);
        doaddtimer(pp, t);
        if (!t->status.CompareAndSwap(timerMoving, timerWaiting)) badTimer();
        break;
      default:
        return;  // the top is ready to wait for
    }
  }
}

/// moveTimers adds the n timers of a dying P to pp (p.destroy, the world
/// stopped, both timersLocks held). \gosrc{time.go,moveTimers}
void moveTimers(p* pp, heapPtr<timer>* timers, int32 n) {
  for (int32 i = 0; i < n; i++) {
    timer* t = timers[i];
    for (bool done = false; !done;) {
      switch (uint32 s = t->status.Load(); s) {
        case timerWaiting:
          if (!t->status.CompareAndSwap(s, timerMoving)) continue;
          t->pp.set(nullptr);
          doaddtimer(pp, t);
          if (!t->status.CompareAndSwap(timerMoving, timerWaiting)) badTimer();
          done = true;
          break;
        case timerModifiedEarlier:
        case timerModifiedLater:
          if (!t->status.CompareAndSwap(s, timerMoving)) continue;
          t->when = t->nextwhen;
          t->pp.set(nullptr);
          doaddtimer(pp, t);
          if (!t->status.CompareAndSwap(timerMoving, timerWaiting)) badTimer();
          done = true;
          break;
        case timerDeleted:
          if (!t->status.CompareAndSwap(s, timerRemoved)) continue;
          t->pp.set(nullptr);
          // Not added: it is gone.
          done = true;
          break;
        case timerModifying:
          osyield();  // wait for the change to finish
          break;
        case timerNoStatus:
        case timerRemoved:
          badTimer();  // not in a heap: cannot be in this one
        case timerRunning:
        case timerRemoving:
        case timerMoving:
          badTimer();  // only the owner does these, and it is dying
        default:
          badTimer();
      }
    }
  }
}

/// adjusttimers: if some timer of pp was moved earlier and that time has
/// come, walk the heap, removing deleted timers and moving modified ones.
/// Caller holds pp.timersLock. \gosrc{time.go,adjusttimers}
void adjusttimers(p* pp, int64 now) {
  // Only an earlier change can make the heap wrong about what is due;
  // later ones are found at the top by runtimer.
  int64 first = pp->timerModifiedEarliest.Load();
  if (first == 0 || first > now) {
    if (verifyTimers) verifyTimerHeap(pp);
    return;
  }
  // Every timer modified earlier is looked at below.
  pp->timerModifiedEarliest.Store(0);

  heapPtr<heapPtr<timer>> moved;
  int32 movedLen = 0, movedCap = 0;
  for (int i = 0; i < pp->timersLen; i++) {
    timer* t = pp->timers[i];
    if (t->pp.ptr() != pp) throw_("adjusttimers: bad p");
    switch (uint32 s = t->status.Load(); s) {
      case timerDeleted:
        if (t->status.CompareAndSwap(s, timerRemoving)) {
          int changed = dodeltimer(pp, i);
          if (!t->status.CompareAndSwap(timerRemoving, timerRemoved)) badTimer();
          pp->deletedTimers.Add(-1);
          // Look again from the first slot the removal changed.
          i = changed - 1;
        }
        break;
      case timerModifiedEarlier:
      case timerModifiedLater:
        if (t->status.CompareAndSwap(s, timerMoving)) {
          t->when = t->nextwhen;
          // Out now, back in once the walk is done, so that the walk does
          // not meet it twice.
          int changed = dodeltimer(pp, i);
          appendTimer(&moved, &movedLen, &movedCap, t);
          i = changed - 1;
        }
        break;
      case timerNoStatus:
      case timerRunning:
      case timerRemoving:
      case timerRemoved:
      case timerMoving:
        badTimer();
      case timerWaiting:
        break;  // nothing to do
      case timerModifying:
        osyield();  // wait for the change, then look again
        i--;
        break;
      default:
        badTimer();
    }
  }
  if (movedLen > 0) addAdjustedTimers(pp, moved, movedLen);
  if (verifyTimers) verifyTimerHeap(pp);
}

/// addAdjustedTimers puts the timers adjusttimers took out back in.
/// \gosrc{time.go,addAdjustedTimers}
static void addAdjustedTimers(p* pp, heapPtr<timer>* moved, int32 n) {
  for (int32 i = 0; i < n; i++) {
    timer* t = moved[i];
    doaddtimer(pp, t);
    if (!t->status.CompareAndSwap(timerMoving, timerWaiting)) badTimer();
  }
}

/// nobarrierWakeTime: when pp next has a timer to look at (0: none), read
/// without its lock ([timer0when]). Go names it for its use from code that
/// may not have write barriers. \gosrc{time.go,nobarrierWakeTime}
NOWRITEBARRIERREC int64 nobarrierWakeTime(p* pp) {
  int64 next = pp->timer0When.Load();
  int64 nextAdj = pp->timerModifiedEarliest.Load();
  if (next == 0 || (nextAdj != 0 && nextAdj < next)) next = nextAdj;
  return next;
}

/// runtimer looks at the top of pp's heap: if a timer is due, runs it and
/// returns 0; if none is due, returns when the top one is (or -1 for an
/// empty heap). Caller holds pp.timersLock, which runOneTimer drops while
/// the timer's function runs. \gosrc{time.go,runtimer}
SYSTEMSTACK int64 runtimer(p* pp, int64 now) {
  systemstackcheck();
  for (;;) {
    timer* t = pp->timers[0];
    if (t->pp.ptr() != pp) throw_("runtimer: bad p");
    switch (uint32 s = t->status.Load(); s) {
      case timerWaiting:
        if (t->when > now) return t->when;  // not due
        if (!t->status.CompareAndSwap(s, timerRunning)) continue;
        // Due: run it. runOneTimer takes it out of the heap (or, periodic,
        // moves it to its next time) before it unlocks.
        runOneTimer(pp, t, now);
        return 0;
      case timerDeleted:
        if (!t->status.CompareAndSwap(s, timerRemoving)) continue;
        dodeltimer0(pp);
        if (!t->status.CompareAndSwap(timerRemoving, timerRemoved)) badTimer();
        pp->deletedTimers.Add(-1);
        if (pp->timersLen == 0) return -1;
        break;
      case timerModifiedEarlier:
      case timerModifiedLater:
        if (!t->status.CompareAndSwap(s, timerMoving)) continue;
        t->when = t->nextwhen;
        dodeltimer0(pp);
        doaddtimer(pp, t);
        if (!t->status.CompareAndSwap(timerMoving, timerWaiting)) badTimer();
        break;
      case timerModifying:
        osyield();  // wait for the change
        break;
      case timerNoStatus:
      case timerRemoved:
        badTimer();  // not in a heap
      case timerRunning:
      case timerRemoving:
      case timerMoving:
        badTimer();  // only this P does these, and it is not
      default:
        badTimer();
    }
  }
}

/// runOneTimer runs t, the due top of pp's heap, in state Running. Caller
/// holds pp.timersLock; it is dropped around the call of t.f.
/// \gosrc{time.go,runOneTimer}
SYSTEMSTACK static void runOneTimer(p* pp, timer* t, int64 now) {
  systemstackcheck();
  auto f = t->f;
  void* arg = t->arg;
  uintptr seq = t->seq;
  if (t->period > 0) {
    // Periodic: its next time is the first multiple of period after now
    // (skipping the ticks it was too late for).
    int64 delta = t->when - now;
    // (Wrapping arithmetic, as Go's int64: see timeSleep.)
    t->when = int64(uint64(t->when) + uint64(t->period) * uint64(1 + -delta / t->period));
    if (t->when < 0) t->when = maxWhen;  // overflow
    siftdownTimer(pp->timers, pp->timersLen, 0);
    if (!t->status.CompareAndSwap(timerRunning, timerWaiting)) badTimer();
    updateTimer0When(pp);
  } else {
    dodeltimer0(pp);
    if (!t->status.CompareAndSwap(timerRunning, timerNoStatus)) badTimer();
  }
  unlock(&pp->timersLock);
  f(arg, seq);
  lock(&pp->timersLock);
}

/// clearDeletedTimers removes every deleted timer from pp's heap at once
/// (checkTimers calls it when they are more than a quarter of the heap),
/// moving modified timers on the way. Caller holds pp.timersLock.
/// \gosrc{time.go,clearDeletedTimers}
void clearDeletedTimers(p* pp) {
  // Every modified timer is moved below.
  pp->timerModifiedEarliest.Store(0);
  int32 cdel = 0;
  int to = 0;
  bool changedHeap = false;
  heapPtr<timer>* timers = pp->timers;
  int32 n = pp->timersLen;
  for (int32 i = 0; i < n; i++) {
    timer* t = timers[i];
    for (bool next = false; !next;) {
      switch (uint32 s = t->status.Load(); s) {
        case timerWaiting:
          if (changedHeap) {
            timers[to] = t;
            siftupTimer(timers, to + 1, to);
          }
          to++;
          next = true;
          break;
        case timerModifiedEarlier:
        case timerModifiedLater:
          if (t->status.CompareAndSwap(s, timerMoving)) {
            t->when = t->nextwhen;
            timers[to] = t;
            siftupTimer(timers, to + 1, to);
            to++;
            changedHeap = true;
            if (!t->status.CompareAndSwap(timerMoving, timerWaiting)) badTimer();
            next = true;
          }
          break;
        case timerDeleted:
          if (t->status.CompareAndSwap(s, timerRemoving)) {
            t->pp.set(nullptr);
            cdel++;
            if (!t->status.CompareAndSwap(timerRemoving, timerRemoved)) badTimer();
            changedHeap = true;
            next = true;
          }
          break;
        case timerModifying:
          osyield();  // wait for the change
          break;
        case timerNoStatus:
        case timerRemoved:
          badTimer();  // not in a heap
        case timerRunning:
        case timerRemoving:
        case timerMoving:
          badTimer();  // only this P does these, and it is not
        default:
          badTimer();
      }
    }
  }
  // Clear the tail, so that the array keeps nothing alive.
  for (int32 i = to; i < n; i++) timers[i] = nullptr;
  pp->deletedTimers.Add(-cdel);
  pp->numTimers.Add(-cdel);
  pp->timersLen = to;
  updateTimer0When(pp);
  if (verifyTimers) verifyTimerHeap(pp);
}

/// verifyTimerHeap checks [timer-heap] (with verifyTimers on).
/// \gosrc{time.go,verifyTimerHeap}
void verifyTimerHeap(p* pp) {
  for (int32 i = 1; i < pp->timersLen; i++) {
    int32 parent = (i - 1) / 4;
    timer* t = pp->timers[i];
    if (t->when < pp->timers[parent]->when) {
      print("bad timer heap at ", i, ": ", parent, ": ", pp->timers[parent]->when, ", ", i, ": ", t->when, "\n");
      throw_("bad timer heap");
    }
  }
  if (int32 numTimers = int32(pp->numTimers.Load()); pp->timersLen != numTimers) {
    print("timer heap len ", pp->timersLen, " != numTimers ", numTimers, "\n");
    throw_("bad timer heap len");
  }
}

/// updateTimer0When keeps [timer0when] after the top of the heap changed.
/// Caller holds pp.timersLock. \gosrc{time.go,updateTimer0When}
static void updateTimer0When(p* pp) {
  if (pp->timersLen == 0) {
    pp->timer0When.Store(0);
  } else {
    pp->timer0When.Store(pp->timers[0]->when);
  }
}

/// updateTimerModifiedEarliest lowers pp.timerModifiedEarliest to nextwhen
/// if that is earlier (or it was 0). \gosrc{time.go,updateTimerModifiedEarliest}
static void updateTimerModifiedEarliest(p* pp, int64 nextwhen) {
  for (;;) {
    int64 old = pp->timerModifiedEarliest.Load();
    if (old != 0 && old < nextwhen) return;
    if (pp->timerModifiedEarliest.CompareAndSwap(old, nextwhen)) return;
  }
}

/// timeSleepUntil: the earliest time any P has a timer to look at, or
/// maxWhen if none has (sysmon). \gosrc{time.go,timeSleepUntil}
int64 timeSleepUntil() {
  int64 next = maxWhen;
  // allpLock keeps allp from changing under the walk.
  lock(&allpLock);
  for (int32 i = 0; i < allplen; i++) {
    p* pp = allp[i];
    if (pp == nullptr) continue;  // procresize is setting it up
    int64 w = pp->timer0When.Load();
    if (w != 0 && w < next) next = w;
    w = pp->timerModifiedEarliest.Load();
    if (w != 0 && w < next) next = w;
  }
  unlock(&allpLock);
  return next;
}

// The heap is 4-ary, not binary: fewer levels, so fewer cache misses on
// the way down (Go's CL 13094, measured in its commit message).

/// siftupTimer moves t[i] up to its place among the n timers; returns
/// where it stopped. \gosrc{time.go,siftupTimer}
static int siftupTimer(heapPtr<timer>* t, int32 n, int i) {
  if (i >= n) badTimer();
  int64 when = t[i]->when;
  if (when <= 0) badTimer();
  timer* tmp = t[i];
  while (i > 0) {
    int parent = (i - 1) / 4;
    if (when >= t[parent]->when) break;
    t[i] = t[parent];
    i = parent;
  }
  if (tmp != t[i]) t[i] = tmp;
  return i;
}

/// siftdownTimer moves t[i] down to its place among the n timers.
/// \gosrc{time.go,siftdownTimer}
static void siftdownTimer(heapPtr<timer>* t, int32 n, int i) {
  if (i >= n) badTimer();
  int64 when = t[i]->when;
  if (when <= 0) badTimer();
  timer* tmp = t[i];
  for (;;) {
    int c = i * 4 + 1;  // the leftmost child
    int c3 = c + 2;     // the third child
    if (c >= n) break;
    int64 w = t[c]->when;
    if (c + 1 < n && t[c + 1]->when < w) {
      w = t[c + 1]->when;
      c++;
    }
    if (c3 < n) {
      int64 w3 = t[c3]->when;
      if (c3 + 1 < n && t[c3 + 1]->when < w3) {
        w3 = t[c3 + 1]->when;
        c3++;
      }
      if (w3 < w) {
        w = w3;
        c = c3;
      }
    }
    if (w >= when) break;
    t[i] = t[c];
    i = c;
  }
  if (tmp != t[i]) t[i] = tmp;
}

/// badTimer: a timer's state is impossible; package time was used
/// concurrently without synchronization. \gosrc{time.go,badTimer}
static void badTimer() { throw_("timer data corruption"); }

}  // namespace runtime
