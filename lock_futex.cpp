// lock_futex.cpp: runtime locks and notes over Linux futexes, mirroring
// lock_futex.go at go1.22.12.
//
// mutex.key states: mutex_unlocked (0), mutex_locked (1), mutex_sleeping (2:
// locked, and someone may sleep in futexsleep). A lock counts in m.locks so
// that the scheduler knows the M must not be switched away from.
//
// note.key: 0 until notewakeup sets it to 1, once; notesleep sleeps on the
// futex while it reads 0. A note has exactly one sleeper and one waker.
//
// Invariant [lock-no-park]: code holding a runtime mutex never parks its
// goroutine (gopark's unlock function is the only way to release across a
// park), so these locks block only the thread, briefly.
#include "proc.hpp"

namespace runtime {

namespace {
constexpr uint32 mutex_unlocked = 0;
constexpr uint32 mutex_locked = 1;
constexpr uint32 mutex_sleeping = 2;
constexpr int passive_spin = 1;

/// key32: the low 32 bits of a uintptr key, the futex word.
/// \gosrc{lock_futex.go,key32}
NOSPLIT_INLINE uint32* key32(uintptr* p) { return reinterpret_cast<uint32*>(p); }
}  // namespace

/// lockTimer: one wait of lock2 for a contended lock, timed for one wait in
/// gTrackingPeriod and added, scaled by the period, to the M's
/// mLockProfile.waitTime (/sync/mutex/wait/total:seconds).
/// Departure: the port has no mutex profile (Go's mutexprofilerate is
/// always 0 here), so no cycles are counted and no stack is recorded, and
/// the timer does not keep the lock (Go's names it in the profile).
/// \gosrc{mprof.go,lockTimer}
struct lockTimer {
  int64 timeRate = 0;
  int64 timeStart = 0;

  /// \gosrc{mprof.go,lockTimer.begin}
  void begin() {
    timeRate = gTrackingPeriod;
    if (int64(cheaprand()) % timeRate == 0) timeStart = nanotime();
  }
  /// \gosrc{mprof.go,lockTimer.end}
  void end() {
    if (timeStart != 0) getg()->m->mLockProfile.waitTime.Add((nanotime() - timeStart) * timeRate);
  }
};

/// lock2 in Go: spin a little, then sleep on the futex. \gosrc{lock_futex.go,lock2}
void lock(mutex* l) {
  g* gp = getg();
  if (gp->m->locks < 0) throw_("runtime·lock: lock count");
  gp->m->locks++;

  // One exchange first: all it takes when the lock is free.
  uint32 v = atomic::Xchg(key32(&l->key), mutex_locked);
  if (v == mutex_unlocked) return;

  // v was locked or sleeping. The value stored when we do take the lock must
  // never downgrade sleeping to locked, or a sleeper would miss its wakeup.
  uint32 wait = v;
  lockTimer timer;
  timer.begin();
  int spin = ncpu > 1 ? active_spin : 0;
  for (;;) {
    for (int i = 0; i < spin; i++) {
      while (atomic::Load(key32(&l->key)) == mutex_unlocked) {
        if (atomic::Cas(key32(&l->key), mutex_unlocked, wait)) {
          timer.end();
          return;
        }
      }
      procyield(active_spin_cnt);
    }
    for (int i = 0; i < passive_spin; i++) {
      while (atomic::Load(key32(&l->key)) == mutex_unlocked) {
        if (atomic::Cas(key32(&l->key), mutex_unlocked, wait)) {
          timer.end();
          return;
        }
      }
      osyield();
    }
    v = atomic::Xchg(key32(&l->key), mutex_sleeping);
    if (v == mutex_unlocked) {
      timer.end();
      return;
    }
    wait = mutex_sleeping;
    futexsleep(key32(&l->key), mutex_sleeping, -1);
  }
}

/// lockWithoutG takes l on a thread that has no g (and so no m to count
/// the lock on), for the one such caller: a thread the runtime did not start,
/// refused on its way out (badnog). It always marks the lock as having a
/// sleeper, so that unlock wakes it.
/// Departure: Go never runs runtime code on a thread without an m.
void lockWithoutG(mutex* l) {
  while (atomic::Xchg(key32(&l->key), mutex_sleeping) != mutex_unlocked)
    futexsleep(key32(&l->key), mutex_sleeping, -1);
}

/// unlock2 in Go. \gosrc{lock_futex.go,unlock2}
void unlock(mutex* l) {
  uint32 v = atomic::Xchg(key32(&l->key), mutex_unlocked);
  if (v == mutex_unlocked) throw_("unlock of unlocked lock");
  if (v == mutex_sleeping) futexwakeup(key32(&l->key), 1);
  g* gp = getg();
  gp->m->locks--;
  if (gp->m->locks < 0) throw_("runtime·unlock: lock count");
  chaos();
  if (gp->m->locks == 0 && gp->preempt) {
    // Put back a preemption request newstack set aside while locks were
    // held, as releasem does (and the guard word with it, [tls-guard]).
    gp->stackguard0 = stackPreempt;
    setTLSGuard(stackPreempt);
  }
}

/// \gosrc{lock_futex.go,noteclear}
void noteclear(note* n) { n->key = 0; }

/// \gosrc{lock_futex.go,notewakeup}
void notewakeup(note* n) {
  chaos();
  uint32 old = atomic::Xchg(key32(&n->key), uint32(1));
  if (old != 0) throw_("notewakeup - double wakeup");
  futexwakeup(key32(&n->key), 1);
}

/// notesleep sleeps until notewakeup; only g0 may sleep on a note, since the
/// whole thread blocks. \gosrc{lock_futex.go,notesleep}
void notesleep(note* n) {
  g* gp = getg();
  if (gp != gp->m->g0) throw_("notesleep not on g0");
  while (atomic::Load(key32(&n->key)) == 0) {
    gp->m->blocked = true;
    futexsleep(key32(&n->key), 0, -1);
    gp->m->blocked = false;
  }
}

/// \gosrc{lock_futex.go,notetsleep_internal}
NOSPLIT NOWRITEBARRIER static bool notetsleep_internal(note* n, int64 ns);
static bool notetsleep_internal(note* n, int64 ns) {
  g* gp = getg();
  if (ns < 0) {
    while (atomic::Load(key32(&n->key)) == 0) {
      gp->m->blocked = true;
      futexsleep(key32(&n->key), 0, -1);
      gp->m->blocked = false;
    }
    return true;
  }
  if (atomic::Load(key32(&n->key)) != 0) return true;
  int64 deadline = nanotime() + ns;
  for (;;) {
    gp->m->blocked = true;
    futexsleep(key32(&n->key), 0, ns);
    gp->m->blocked = false;
    if (atomic::Load(key32(&n->key)) != 0) break;
    int64 now = nanotime();
    if (now >= deadline) break;
    ns = deadline - now;
  }
  return atomic::Load(key32(&n->key)) != 0;
}

/// notetsleep: like notesleep with a timeout in ns (-1: none); reports
/// whether the note was woken. \gosrc{lock_futex.go,notetsleep}
bool notetsleep(note* n, int64 ns) {
  g* gp = getg();
  if (gp != gp->m->g0 && gp->m->preemptoff == nullptr) throw_("notetsleep not on g0");
  return notetsleep_internal(n, ns);
}

/// notetsleepg: notetsleep from a user goroutine. Go brackets the sleep with
/// entersyscallblock/exitsyscall to hand the P away. Departure: nothing in
/// the port calls it (Go's caller among the ported files,
/// gcBgMarkStartWorkers, waits on a channel here: mgc.hpp, bgMarkReady), so
/// it is the bare sleep, and a caller would keep its P while it sleeps.
/// \gosrc{lock_futex.go,notetsleepg}
bool notetsleepg(note* n, int64 ns) {
  g* gp = getg();
  if (gp == gp->m->g0) throw_("notetsleepg on g0");
  return notetsleep_internal(n, ns);
}

}  // namespace runtime
