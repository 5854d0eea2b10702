// sema.cpp: sleep and wake-up for package sync, mirroring sema.go at go1.22.12.
//
// These are not counting semaphores for users. They give sync.Mutex,
// RWMutex, WaitGroup and Cond one primitive: a goroutine sleeps on an
// address until a release of that address wakes it, and a release that
// comes before the sleep is not lost (the count in *addr remembers it). The
// design follows Mullender and Cox, "Semaphores in Plan 9". internal/poll's
// fdMutex sleeps on it too.
//
// Packages sync and internal/poll may not import the runtime, so they reach
// these functions the way Go's linker joins them: each entry point below is
// defined under the symbol the package's bodiless declaration names
// (LINKNAME("sync.runtime_...") or LINKNAME("internal..z2fpoll.runtime_...");
// see sync/runtime.hpp and internal/poll/fd_mutex.hpp for the other end,
// and the book's chapter on linkname for the nm output that shows the join).
//
// Invariants:
//   [sema-count]  *addr counts releases not yet consumed; an acquirer takes
//                 one with a CAS (cansemacquire) and never drives it below 0.
//   [sema-nwait]  root.nwait counts the sudogs queued in root, plus the
//                 acquirers between their nwait increment and their queue or
//                 retreat. A release that reads nwait == 0 after its Xadd
//                 needs to wake nobody: any acquirer not yet counted will
//                 re-check the count under the lock before it sleeps.
//   [sema-treap]  In root.treap, addresses are in binary-search order
//                 (prev: lower, next: higher) and tickets in heap order
//                 (a parent's ticket is <= its children's); tickets of tree
//                 nodes are odd, so never 0.
//   [sema-ticket] A sudog woken with ticket == 1 owns one count already
//                 (handoff); with ticket == 0 it must compete for it again.
//
// Locks: semaRoot.lock protects the treap and the wait lists hanging from it
// (sudog.prev/next/parent/waitlink/waittail/ticket of queued sudogs), never
// *addr. notifyList.lock protects notify's writes and the head/tail list.
// Neither is held across a park (goparkunlock releases it once the goroutine
// is off its stack) nor while readying a goroutine.
#include "sema.hpp"

#include "print.hpp"
#include "proc.hpp"

namespace runtime {

semTable semtable;

/// rootFor: the semaRoot that addr hashes to (word address modulo the prime
/// table size). \gosrc{sema.go,rootFor}
semaRoot* semTable::rootFor(uint32* addr) {
  return &t[(uintptr(addr) >> 3) % semTabSize].root;
}

// Departure: no profiler yet (mprof.go comes with a later issue), so both
// rates are zero; the sudog's acquiretime/releasetime bookkeeping is kept so
// that blockevent and mutexevent can be called where Go calls them.
constexpr int64 blockprofilerate = 0;
constexpr int64 mutexprofilerate = 0;

/// sync.runtime_Semacquire: WaitGroup.Wait's sleep.
/// \gosrc{sema.go,sync_runtime_Semacquire}
void sync_runtime_Semacquire(uint32* addr) LINKNAME("sync.runtime_Semacquire");
void sync_runtime_Semacquire(uint32* addr) {
  semacquire1(addr, false, semaBlockProfile, 0, waitReasonSemacquire);
}

/// internal/poll.runtime_Semacquire: fdMutex.rwlock's sleep while another
/// goroutine holds the descriptor's read or write lock
/// (internal/poll/fd_mutex.hpp declares the other end).
/// \gosrc{sema.go,poll_runtime_Semacquire}
void poll_runtime_Semacquire(uint32* addr) LINKNAME("internal..z2fpoll.runtime_Semacquire");
void poll_runtime_Semacquire(uint32* addr) {
  semacquire1(addr, false, semaBlockProfile, 0, waitReasonSemacquire);
}

/// sync.runtime_Semrelease: wake one sleeper on addr; with handoff, give it
/// the count and this P's time slice. \gosrc{sema.go,sync_runtime_Semrelease}
void sync_runtime_Semrelease(uint32* addr, bool handoff, int skipframes)
    LINKNAME("sync.runtime_Semrelease");
void sync_runtime_Semrelease(uint32* addr, bool handoff, int skipframes) {
  semrelease1(addr, handoff, skipframes);
}

/// sync.runtime_SemacquireMutex: Mutex.Lock's sleep ("sync.Mutex.Lock" in
/// dumps). \gosrc{sema.go,sync_runtime_SemacquireMutex}
void sync_runtime_SemacquireMutex(uint32* addr, bool lifo, int skipframes)
    LINKNAME("sync.runtime_SemacquireMutex");
void sync_runtime_SemacquireMutex(uint32* addr, bool lifo, int skipframes) {
  semacquire1(addr, lifo, semaProfileFlags(semaBlockProfile | semaMutexProfile), skipframes,
              waitReasonSyncMutexLock);
}

/// sync.runtime_SemacquireRWMutexR: RWMutex.RLock's sleep.
/// \gosrc{sema.go,sync_runtime_SemacquireRWMutexR}
void sync_runtime_SemacquireRWMutexR(uint32* addr, bool lifo, int skipframes)
    LINKNAME("sync.runtime_SemacquireRWMutexR");
void sync_runtime_SemacquireRWMutexR(uint32* addr, bool lifo, int skipframes) {
  semacquire1(addr, lifo, semaProfileFlags(semaBlockProfile | semaMutexProfile), skipframes,
              waitReasonSyncRWMutexRLock);
}

/// sync.runtime_SemacquireRWMutex: RWMutex.Lock's sleep while readers drain.
/// \gosrc{sema.go,sync_runtime_SemacquireRWMutex}
void sync_runtime_SemacquireRWMutex(uint32* addr, bool lifo, int skipframes)
    LINKNAME("sync.runtime_SemacquireRWMutex");
void sync_runtime_SemacquireRWMutex(uint32* addr, bool lifo, int skipframes) {
  semacquire1(addr, lifo, semaProfileFlags(semaBlockProfile | semaMutexProfile), skipframes,
              waitReasonSyncRWMutexLock);
}

/// internal/poll.runtime_Semrelease: wake one goroutine asleep in
/// poll_runtime_Semacquire on addr (fdMutex.rwunlock, and increfAndClose
/// once per waiter). \gosrc{sema.go,poll_runtime_Semrelease}
void poll_runtime_Semrelease(uint32* addr) LINKNAME("internal..z2fpoll.runtime_Semrelease");
void poll_runtime_Semrelease(uint32* addr) { semrelease(addr); }

/// readyWithTime: stamp the release time if s is being profiled, then make
/// s's goroutine runnable. \gosrc{sema.go,readyWithTime}
static void readyWithTime(sudog* s, int traceskip) {
  if (s->releasetime != 0) s->releasetime = cputicks();
  goready(s->g_, traceskip);
}

/// semacquire: the runtime's own blocking acquire, without profiling.
/// \gosrc{sema.go,semacquire}
void semacquire(uint32* addr) { semacquire1(addr, false, semaProfileFlags(0), 0, waitReasonSemacquire); }

NOINLINE static void semacquire1Slow(uint32* addr, bool lifo, semaProfileFlags profile,
                                     int skipframes, waitReason reason);

/// semacquire1: take one count from *addr, sleeping in addr's semaRoot
/// until a release hands one over. lifo queues at the head of addr's list
/// (a Mutex waiter that was already woken once). \gosrc{sema.go,semacquire1}
///
/// Departure [sema-fastpath]: as chansend's [chan-fastpath] in chan.cpp, the
/// easy case stays here and the rest of Go's body is semacquire1Slow, so an
/// acquire that finds a count saves and restores none of the callee-saved
/// registers the slow path needs (Go's ABI has none to save).
void semacquire1(uint32* addr, bool lifo, semaProfileFlags profile, int skipframes,
                 waitReason reason) {
  g* gp = getg();
  if (gp != gp->m->curg) throw_("semacquire not on the G stack");

  // The count is there: take it, no lock, no sudog.
  if (cansemacquire(addr)) return;
  semacquire1Slow(addr, lifo, profile, skipframes, reason);
}

/// semacquire1Slow: Go's semacquire1 after the easy case (see
/// [sema-fastpath]).
static void semacquire1Slow(uint32* addr, bool lifo, semaProfileFlags profile, int skipframes,
                            waitReason reason) {
  // Announce ourselves in nwait, look at the count once more under the
  // lock, and only then queue and sleep. The releaser dequeues us.
  sudog* s = acquireSudog();
  semaRoot* root = semtable.rootFor(addr);
  int64 t0 = 0;
  s->releasetime = 0;
  s->acquiretime = 0;
  s->ticket = 0;
  if ((profile & semaBlockProfile) != 0 && blockprofilerate > 0) {
    t0 = cputicks();
    s->releasetime = -1;
  }
  if ((profile & semaMutexProfile) != 0 && mutexprofilerate > 0) {
    if (t0 == 0) t0 = cputicks();
    s->acquiretime = t0;
  }
  for (;;) {
    lock(&root->lock);
    // Counted in nwait from here on, so semrelease1 cannot take its
    // no-waiters shortcut past us [sema-nwait].
    root->nwait.Add(1);
    // A release between our first look and the increment left a count.
    if (cansemacquire(addr)) {
      root->nwait.Add(uint32(-1));
      unlock(&root->lock);
      break;
    }
    // Every later release sees nwait > 0 and will come and dequeue us.
    root->queue(addr, s, lifo);
    goparkunlock(&root->lock, reason, 4 + skipframes);
    if (s->ticket != 0 || cansemacquire(addr)) break;
  }
  // Departure: blockevent(s.releasetime-t0, 3+skipframes) needs the
  // profiler; releasetime stays 0 while blockprofilerate is 0.
  releaseSudog(s);
}

/// semrelease: the runtime's own release, without handoff.
/// \gosrc{sema.go,semrelease}
void semrelease(uint32* addr) { semrelease1(addr, false, 0); }

NOINLINE static void semrelease1Slow(semaRoot* root, uint32* addr, bool handoff, int skipframes);

/// semrelease1: add one count to *addr and wake the first sleeper on addr,
/// if any. With handoff the count goes straight to that sleeper
/// [sema-ticket] and this goroutine yields so it runs at once.
/// \gosrc{sema.go,semrelease1}
///
/// Departure [sema-fastpath]: the no-waiter exit stays here and the rest of
/// Go's body is semrelease1Slow.
void semrelease1(uint32* addr, bool handoff, int skipframes) {
  semaRoot* root = semtable.rootFor(addr);
  atomic::Xadd(addr, 1);

  // Nobody waits: done. Reading nwait after the Xadd is what makes this
  // safe [sema-nwait].
  if (root->nwait.Load() == 0) return;
  semrelease1Slow(root, addr, handoff, skipframes);
}

/// semrelease1Slow: Go's semrelease1 once a waiter may exist (see
/// [sema-fastpath]).
static void semrelease1Slow(semaRoot* root, uint32* addr, bool handoff, int skipframes) {
  // Someone may wait: find the first sleeper on addr and take it out.
  lock(&root->lock);
  if (root->nwait.Load() == 0) {
    // Another acquirer took our count meanwhile; nobody to wake.
    unlock(&root->lock);
    return;
  }
  // t0 and tailtime are for the mutex profile (below).
  [[maybe_unused]] auto [s, t0, tailtime] = root->dequeue(addr);
  if (s != nullptr) root->nwait.Add(uint32(-1));
  unlock(&root->lock);
  if (s != nullptr) {  // readying may take a while or yield: lock released first
    // Departure: when s.acquiretime is set, Go charges the wait of s, and of
    // the s.waiters behind it (from t0 and tailtime), to the mutex profile
    // (mutexevent). No profiler yet, and acquiretime stays 0 without one.
    if (s->ticket != 0) throw_("corrupted semaphore ticket");
    if (handoff && cansemacquire(addr)) s->ticket = 1;
    // Departure: Go reads s.ticket again after readying s; by then a thief
    // may have run s's goroutine, which releases s for reuse (a C++ data
    // race). The port notes the hand-off before readying.
    bool handedOff = s->ticket == 1;
    readyWithTime(s, 5 + skipframes);
    if (handedOff && getg()->m->locks == 0) {
      // Handoff: the waiter is now this P's runnext; yielding (to the tail
      // of the local queue, keeping the rest of our time slice for it) lets
      // it run at once. Only in the starving case: otherwise another
      // goroutine could grab the count while we yield, for nothing.
      goyield();
    }
  }
}

/// cansemacquire: take one count from *addr if there is one.
/// \gosrc{sema.go,cansemacquire}
bool cansemacquire(uint32* addr) {
  for (;;) {
    uint32 v = atomic::Load(addr);
    if (v == 0) return false;
    if (atomic::Cas(addr, v, v - 1)) return true;
  }
}

/// queue: add s, for the current goroutine, to the waiters on addr. lifo
/// puts s at the head of addr's list, else at its tail; an address not yet
/// in the tree becomes a new leaf rotated up by its random ticket.
/// \gosrc{sema.go,queue}
void semaRoot::queue(uint32* addr, sudog* s, bool lifo) {
  s->g_ = getg();
  s->elem = addr;
  s->next = nullptr;
  s->prev = nullptr;
  s->waiters = 0;

  sudog* last = nullptr;
  heapPtr<sudog>* pt = &treap;
  for (sudog* t = *pt; t != nullptr; t = *pt) {
    if (t->elem == addr) {
      // addr already has a node in the tree.
      if (lifo) {
        // s takes t's place in the tree and t becomes the first of s's list.
        *pt = s;
        s->ticket = t->ticket;
        s->acquiretime = t->acquiretime;  // the head keeps the oldest wait time
        s->parent = t->parent;
        s->prev = t->prev;
        s->next = t->next;
        if (s->prev != nullptr) s->prev->parent = s;
        if (s->next != nullptr) s->next->parent = s;
        s->waitlink = t;
        s->waittail = t->waittail;
        if (s->waittail == nullptr) s->waittail = t;
        s->waiters = t->waiters;
        if (s->waiters + 1 != 0) s->waiters++;  // saturates instead of wrapping
        t->parent = nullptr;
        t->prev = nullptr;
        t->next = nullptr;
        t->waittail = nullptr;
      } else {
        // s joins the end of t's list.
        if (t->waittail == nullptr) {
          t->waitlink = s;
        } else {
          t->waittail->waitlink = s;
        }
        t->waittail = s;
        s->waitlink = nullptr;
        if (t->waiters + 1 != 0) t->waiters++;
      }
      return;
    }
    last = t;
    if (uintptr(addr) < uintptr(t->elem.get())) {
      pt = &t->prev;
    } else {
      pt = &t->next;
    }
  }

  // A new address: insert s as a leaf in search-tree order, then restore
  // heap order on tickets [sema-treap]. Random tickets keep the tree
  // balanced on average (a treap). The low bit is forced so that a node's
  // ticket is never 0, the value [sema-ticket] reserves.
  s->ticket = cheaprand() | 1;
  s->parent = last;
  *pt = s;

  while (s->parent != nullptr && s->parent->ticket > s->ticket) {
    if (s->parent->prev == s) {
      rotateRight(s->parent);
    } else {
      if (s->parent->next != s) panicplain("semaRoot queue");
      rotateLeft(s->parent);
    }
  }
}

/// dequeue: remove and return the first waiter on addr, or null. now is the
/// wake-up time when the waiter is profiled (else 0); tailtime is the
/// acquiretime of the last waiter left on addr's list (or of found itself).
/// \gosrc{sema.go,dequeue}
semaRoot::dequeueResult semaRoot::dequeue(uint32* addr) {
  heapPtr<sudog>* ps = &treap;
  sudog* s = *ps;
  for (; s != nullptr; s = *ps) {
    if (s->elem == addr) break;
    if (uintptr(addr) < uintptr(s->elem.get())) {
      ps = &s->prev;
    } else {
      ps = &s->next;
    }
  }
  if (s == nullptr) return {nullptr, 0, 0};

  int64 now = 0;
  int64 tailtime;
  if (s->acquiretime != 0) now = cputicks();
  if (sudog* t = s->waitlink; t != nullptr) {
    // The next waiter on addr takes s's node in the tree.
    *ps = t;
    t->ticket = s->ticket;
    t->parent = s->parent;
    t->prev = s->prev;
    if (t->prev != nullptr) t->prev->parent = t;
    t->next = s->next;
    if (t->next != nullptr) t->next->parent = t;
    if (t->waitlink != nullptr) {
      t->waittail = s->waittail;
    } else {
      t->waittail = nullptr;
    }
    t->waiters = s->waiters;
    if (t->waiters > 1) t->waiters--;
    // The caller charges the waits up to now for the whole list, so the
    // list's head and tail restart their clocks here.
    t->acquiretime = now;
    tailtime = s->waittail->acquiretime;
    s->waittail->acquiretime = now;
    s->waitlink = nullptr;
    s->waittail = nullptr;
  } else {
    // The last waiter on addr: rotate its node down to a leaf, keeping
    // heap order, then cut it off.
    while (s->next != nullptr || s->prev != nullptr) {
      if (s->next == nullptr || (s->prev != nullptr && s->prev->ticket < s->next->ticket)) {
        rotateRight(s);
      } else {
        rotateLeft(s);
      }
    }
    if (s->parent != nullptr) {
      if (s->parent->prev == s) {
        s->parent->prev = nullptr;
      } else {
        s->parent->next = nullptr;
      }
    } else {
      treap = nullptr;
    }
    tailtime = s->acquiretime;
  }
  s->parent = nullptr;
  s->elem = nullptr;
  s->next = nullptr;
  s->prev = nullptr;
  s->ticket = 0;
  return {s, now, tailtime};
}

/// rotateLeft: (x a (y b c)) becomes (y (x a b) c), in place under x's
/// parent. \gosrc{sema.go,rotateLeft}
void semaRoot::rotateLeft(sudog* x) {
  sudog* p = x->parent;
  sudog* y = x->next;
  sudog* b = y->prev;

  y->prev = x;
  x->parent = y;
  x->next = b;
  if (b != nullptr) b->parent = x;

  y->parent = p;
  if (p == nullptr) {
    treap = y;
  } else if (p->prev == x) {
    p->prev = y;
  } else {
    if (p->next != x) throw_("semaRoot rotateLeft");
    p->next = y;
  }
}

/// rotateRight: (y (x a b) c) becomes (x a (y b c)), in place under y's
/// parent. \gosrc{sema.go,rotateRight}
void semaRoot::rotateRight(sudog* y) {
  sudog* p = y->parent;
  sudog* x = y->prev;
  sudog* b = x->next;

  x->next = y;
  y->parent = x;
  y->prev = b;
  if (b != nullptr) b->parent = y;

  x->parent = p;
  if (p == nullptr) {
    treap = x;
  } else if (p->prev == y) {
    p->prev = x;
  } else {
    if (p->next != y) throw_("semaRoot rotateRight");
    p->next = x;
  }
}

/// less: a comes before b in wrapping 32-bit ticket order (their true
/// distance is below 2^31). \gosrc{sema.go,less}
static bool less(uint32 a, uint32 b) { return int32(a - b) < 0; }

/// sync.runtime_notifyListAdd: take the next ticket; the caller will wait
/// for it with notifyListWait. Safe without the lock (Cond.Wait may run
/// under an RWMutex read lock, concurrently). \gosrc{sema.go,notifyListAdd}
uint32 notifyListAdd(notifyList* l) LINKNAME("sync.runtime_notifyListAdd");
uint32 notifyListAdd(notifyList* l) { return l->wait.Add(1) - 1; }

/// sync.runtime_notifyListWait: sleep until ticket t is notified, or return
/// at once if it already was. \gosrc{sema.go,notifyListWait}
void notifyListWait(notifyList* l, uint32 t) LINKNAME("sync.runtime_notifyListWait");
void notifyListWait(notifyList* l, uint32 t) {
  lock(&l->lock);

  // Ticket t was notified between notifyListAdd and now.
  if (less(t, l->notify)) {
    unlock(&l->lock);
    return;
  }

  // Join the list and sleep.
  sudog* s = acquireSudog();
  s->g_ = getg();
  s->ticket = t;
  s->releasetime = 0;
  int64 t0 = 0;
  if (blockprofilerate > 0) {
    t0 = cputicks();
    s->releasetime = -1;
  }
  if (l->tail == nullptr) {
    l->head = s;
  } else {
    l->tail->next = s;
  }
  l->tail = s;
  goparkunlock(&l->lock, waitReasonSyncCondWait, 3);
  // Departure: blockevent(s.releasetime-t0, 2) needs the profiler.
  (void)t0;
  releaseSudog(s);
}

/// sync.runtime_notifyListNotifyAll: wake every waiter holding a ticket.
/// \gosrc{sema.go,notifyListNotifyAll}
void notifyListNotifyAll(notifyList* l) LINKNAME("sync.runtime_notifyListNotifyAll");
void notifyListNotifyAll(notifyList* l) {
  // No ticket handed out since the last notification: nothing to do, and
  // no lock taken.
  if (l->wait.Load() == atomic::Load(&l->notify)) return;

  // Detach the whole list under the lock; ready its goroutines after.
  lock(&l->lock);
  sudog* s = l->head;
  l->head = nullptr;
  l->tail = nullptr;

  // Every ticket below wait counts as notified now: holders already on the
  // list are in s, and later arrivals will see it in notifyListWait.
  atomic::Store(&l->notify, l->wait.Load());
  unlock(&l->lock);

  while (s != nullptr) {
    sudog* next = s->next;
    s->next = nullptr;
    readyWithTime(s, 4);
    s = next;
  }
}

/// sync.runtime_notifyListNotifyOne: wake the holder of the oldest
/// unnotified ticket. \gosrc{sema.go,notifyListNotifyOne}
void notifyListNotifyOne(notifyList* l) LINKNAME("sync.runtime_notifyListNotifyOne");
void notifyListNotifyOne(notifyList* l) {
  // Nothing new since the last notification: no lock needed.
  if (l->wait.Load() == atomic::Load(&l->notify)) return;

  lock(&l->lock);

  // Someone else may have notified the last ticket meanwhile.
  uint32 t = l->notify;
  if (t == l->wait.Load()) {
    unlock(&l->lock);
    return;
  }

  // Ticket t is notified from now on, whether or not its holder is queued.
  atomic::Store(&l->notify, t + 1);

  // Find t's holder. Taking a ticket and joining the list are separate
  // steps, so the list is only nearly in ticket order, and the holder may
  // not be on it yet (then it will not sleep: it sees the new notify). The
  // holder, when present, sits near the front.
  for (sudog *p = nullptr, *s = l->head; s != nullptr; p = s, s = s->next) {
    if (s->ticket == t) {
      sudog* n = s->next;
      if (p != nullptr) {
        p->next = n;
      } else {
        l->head = n;
      }
      if (n == nullptr) l->tail = p;
      unlock(&l->lock);
      s->next = nullptr;
      readyWithTime(s, 4);
      return;
    }
  }
  unlock(&l->lock);
}

/// sync.runtime_notifyListCheck: sync's notifyList must have the runtime's
/// size; sync checks once at start-up. \gosrc{sema.go,notifyListCheck}
void notifyListCheck(uintptr sz) LINKNAME("sync.runtime_notifyListCheck");
void notifyListCheck(uintptr sz) {
  if (sz != sizeof(notifyList)) {
    printlock();
    print("runtime: bad notifyList size - sync=", sz, " runtime=", sizeof(notifyList), "\n");
    printunlock();
    throw_("bad notifyList size");
  }
}

/// sync.runtime_nanotime: the monotonic clock, for Mutex's starvation
/// timer. \gosrc{sema.go,sync_nanotime}
int64 sync_nanotime() LINKNAME("sync.runtime_nanotime");
int64 sync_nanotime() { return nanotime(); }

}  // namespace runtime
