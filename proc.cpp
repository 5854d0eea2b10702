// proc.cpp: the goroutine scheduler, mirroring proc.go at go1.22.12.
//
// The design is Go's (Vyukov, "Scalable Go Scheduler Design", 2012):
//   G  a goroutine: a stack, a saved context (g.sched) and a status.
//   M  an OS thread. It runs Go code only while it holds a P.
//   P  a processor: the right to run Go code, with a local run queue of
//      Gs (runnext + a 256-slot ring) and caches (free Gs, sudogs, stacks).
//      There are exactly GOMAXPROCS Ps.
// An M with a P loops in schedule(): findRunnable picks a G (runnext, the
// local queue, now and then the global queue, else steals half of another
// P's queue), execute switches to it with gogo, and the G comes back to the
// scheduler on g0's stack through mcall: gopark (block), Gosched (yield) or
// goexit1 (finish).
//
// Worker parking and unparking (Go's essay at the top of proc.go, in short):
// idle Ps and Ms are kept on lists in sched. When work appears (newproc,
// ready) and there is an idle P but no spinning M, wakep starts one M
// "spinning": looking for work without having found any. At most half the
// busy Ps' worth of Ms spin at once. A spinning M that finds work stops
// spinning and wakes another (resetspinning), so parallelism ramps up one M
// at a time; a spinning M that finds nothing releases its P, re-checks every
// queue after dropping the spinning count (to not lose a wakeup that raced
// with it), and sleeps in stopm.
//
// Invariants:
//   [spin-wake]  if there is an idle P and runnable work, some M is spinning
//                or is about to be started (wakep is called after every
//                enqueue of new work).
//   [locked-m]   a G with lockedm runs only on that M; an M with lockedg
//                runs only that G (stoplockedm/startlockedm hand the P over).
//   [g0-only]    schedule, findRunnable, execute, park_m, goexit0, and
//                everything they call run on g0 (via mcall or systemstack).
//   [safe-point] while forEachP runs, fn runs exactly once per P: every P
//                but the caller's has runSafePointFn set (under sched.lock),
//                and whoever CASes it from 1 to 0 runs fn: the P itself at
//                findRunnable's top, forEachP for a P on the idle list, or
//                the M putting a P on that list (findRunnable, handoffp
//                check the flag under sched.lock first).
//
// Locks: sched.lock (runtime2.hpp) protects midle/nmidle/pidle/npidle's
// list/runq/runqsize; allglock protects allgs while it grows; allpLock
// protects allp while GOMAXPROCS changes it. Lock order: sched.lock before
// allglock; no runtime lock is held across a park. A g's _Gscan bit
// (preempt.cpp, [gscan-lock]) also works as a lock, on that g's status; it
// is taken without runtime locks held and never across a park.
//
// Timers (time.cpp) are run by findRunnable and stealWork (checkTimers);
// an M with nothing to run sleeps in the network poller (netpoll.cpp) until
// the next timer or a descriptor a goroutine waits on is ready, and
// findRunnable, sysmon and startTheWorldWithSema make the goroutines netpoll
// returns runnable. A goroutine in a system call (gort::syscall) leaves its
// P in _Psyscall, which sysmon's retake hands to another M if the call
// lasts. Ms are pthreads (os_linux.cpp).
#include "proc.hpp"

#include <cxxabi.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "asan.hpp"
#include "valgrind.hpp"
#include "malloc.hpp"
#include "mcache.hpp"
#include "mfinal.hpp"
#include "mgc.hpp"
#include "mgcsweep.hpp"
#include "netpoll.hpp"
#include "print.hpp"
#include "preempt.hpp"
#include "race.hpp"
#include "runtime.hpp"
#include "sema.hpp"
#include "stack.hpp"
#include "time.hpp"

namespace runtime {
extern uint32 gcsema;  // mgc.cpp

// Globals of runtime2.go.
m* allm;
int32 gomaxprocs;
int32 ncpu;
schedt sched;
forcegcstate forcegc;
int32 newprocs;
p** allp;
int32 allplen;
int32 allpcap;
uint32* idlepMask;
bool mainStarted;
m m0;
g g0_;

// Globals of proc.go.
g** allgs;         // all Gs ever created; grows, never shrinks
int64 allglen;     // read atomically by tracebacks
mutex allglock;    // protects allgs/allgcap while appending
int64 runtimeInitTime;
namespace {
int64 allgcap;
int64 starttime;   // for schedtrace
void (*main_main_fn)();
}  // namespace

mutex allpLock;  // protects allp/allplen/idlepMask/timerpMask against resizing
randomOrder stealOrder;
uint32 worldsema = 1;

/// The current g (stubs.hpp). Zero on threads the runtime does not own.
thread_local g* tls_g asm("runtime.tls_g") = nullptr;

// Forward declarations, in Go's order of definition below.
void gfput(p* pp, g* gp);
g* gfget(p* pp);
static void gfpurge(p* pp);
[[noreturn]] void schedule();
static void park_m(g* gp);
static void gosched_m(g* gp);
static void goexit0(g* gp);
static void goyield_m(g* gp);
void mcommoninit(m* mp, int64 id);
static void checkdead();
static bool checkdead1(int pass);
/// How long checkdead waits before it reports a deadlock (see there).
inline constexpr uint32 deadlockGraceUS = 10 * 1000;
static void mput(m* mp);
static m* mget();
static g* globrunqget(p* pp, int32 max);
void globrunqputbatch(gQueue* batch, int32 n);
static void runqputbatch(p* pp, gQueue* q, int qsize);
static void init();
static std::tuple<p*, int64> pidleget(int64 now);
static std::tuple<p*, int64> pidlegetSpinning(int64 now);
static int64 pidleput(p* pp, int64 now);
static void startm(p* pp, bool spinning, bool lockheld);
static void stopm();
static void handoffp(p* pp);
static void acquirep(p* pp);
static p* releasep();
static void incidlelocked(int32 v);
static p* procresize(int32 nprocs);
void wakep();
static void newm(void (*fn)(), p* pp, int64 id);
static void sysmon();
bool preemptone(p* pp);
static bool preemptall();
void stackinit();
void osinit();
void mpreinit(m* mp);
void parsedebugvars();
bool envInt32(const char* name, int32* out);
void installTerminateHandler();
void initsig();
void minit();
NOSPLIT void unminit();
uintptr stackSize();


// The batch of goroutine IDs a P takes from sched.goidgen at once.
inline constexpr uint64 _GoidCacheBatch = 16;

/// \gosrc{proc.go,main}
/// runtime.main: the main goroutine. It starts sysmon, runs the program's
/// main body (C++ static initialisers have already run, as Go's init tasks
/// would have), and exits the process when it returns.
void main() {
  m* mp = getg()->m;
  mainStarted = true;
  systemstack([] { newm(sysmon, nullptr, -1); });
  // The main goroutine stays on m0 while the runtime initialises, as in
  // Go: until main.main starts. (gcenable parks it on a channel until the
  // sweeper is ready; without the lock it could come back on another M,
  // and a program that locks main to the main thread in its first lines,
  // as testprog's LockOSThread inits do, would lock the wrong thread.)
  lockOSThread();
  if (mp != &m0) throw_("runtime.main not on m0");
  runtimeInitTime = nanotime();
  if (runtimeInitTime == 0) throw_("nanotime returning zero");

  // The runtime's init tasks (Go: doInit1(runtime_inittasks)).
  init();

  gcenable();

  // (Go runs the program's package inits here, doInit(m.inittasks); C++
  // static initialisers have run before rt0_go.)
  unlockOSThread();

  void (*fn)() = main_main_fn;  // an indirect call, as in Go
  try {
    fn();
  } catch (const goexitUnwind&) {
    // main called Goexit: the main goroutine ends, the program goes on
    // until the other goroutines finish (then checkdead reports).
    goexit1();
  }
  if (panicking.Load() != 0) gopark(nullptr, nullptr, waitReasonPanicWait);
  // runExitHooks: Go's os.Stdout is unbuffered; C stdio is not, so what the
  // program printed is flushed before the process ends.
  fflush(nullptr);
  exit(0);
}

/// The first frame of the main goroutine, entered by gogo with its funcval.
static void main_entry(funcval*) { main(); }
static funcval mainPC{main_entry};

static void forcegchelper();
static void forcegchelper_entry(funcval*) { forcegchelper(); }
static funcval forcegchelperPC{forcegchelper_entry};

/// init: proc.go's init task: start the forced-GC helper. runtime.main
/// runs it before it enables the collector. \gosrc{proc.go,init}
static void init() { newproc(&forcegchelperPC); }

/// forcegchelper: a system goroutine that parks until sysmon wakes it
/// (forcegcperiod without a collection), then starts a time-triggered
/// cycle. \gosrc{proc.go,forcegchelper}
static void forcegchelper() {
  forcegc.g = getg();
  for (;;) {
    lock(&forcegc.lock);
    if (forcegc.idle.Load()) throw_("forcegc: phase error");
    forcegc.idle.Store(true);
    goparkunlock(&forcegc.lock, waitReasonForceGCIdle, 1);
    // sysmon readied this goroutine.
    if (debug.gctrace > 0) print("GC forced\n");
    gcStart(gcTrigger{gcTriggerTime, nanotime(), 0});
  }
}

/// \gosrc{proc.go,Gosched}
void Gosched() {
  mustgetg("runtime.Gosched");
  mcall(gosched_m);
}

/// goschedIfBusy: yield, unless this goroutine was not asked to and some
/// P is idle (then there is room to keep running). For background work
/// that should only use spare CPU: the sweeper. \gosrc{proc.go,goschedIfBusy}
void goschedIfBusy() {
  g* gp = getg();
  // A preemption request is honoured even with idle Ps: the caller may be
  // in a loop that makes no other check.
  if (!gp->preempt.load() && sched.npidle.Load() > 0) return;
  mcall(gosched_m);
}

/// gopark: block the running goroutine (_Gwaiting). Once it is off its
/// stack, unlockf(gp, lock) runs on g0; a false result makes it runnable
/// again at once. reason shows up in goroutine dumps. \gosrc{proc.go,gopark}
void gopark(bool (*unlockf)(g*, void*), void* lock, waitReason reason, int traceskip) {
  (void)traceskip;
  g* cur = mustgetg("gopark");
  if (cur == cur->m->g0) throw_("gopark on g0");
  m* mp = acquirem();
  g* gp = mp->curg;
  uint32 status = readgstatus(gp);
  // A suspender (suspendG) may hold the _Gscan bit for a moment while it
  // writes a stop request; park_m's casgstatus waits it out.
  if (status != _Grunning && status != (_Gscan | _Grunning)) throw_("gopark: bad g status");
  mp->waitlock = lock;
  mp->waitunlockf = unlockf;
  gp->waitreason = reason;
  releasem(mp);
  mcall(park_m);
}

static bool parkunlock_c(g*, void* lock);

/// goparkunlock parks and unlocks lock once the goroutine is off its stack.
/// \gosrc{proc.go,goparkunlock}
void goparkunlock(mutex* lock, waitReason reason, int traceskip) {
  gopark(parkunlock_c, lock, reason, traceskip);
}

/// goready makes gp runnable, on the current P's runnext. \gosrc{proc.go,goready}
void goready(g* gp, int traceskip) {
  systemstack([&] { ready(gp, traceskip, true); });
}

/// acquireSudog takes a sudog from the P's cache, refilling it from the
/// central cache or allocating. \gosrc{proc.go,acquireSudog}
sudog* acquireSudog() {
  m* mp = acquirem();
  p* pp = mp->p.ptr();
  constexpr int32 capacity = int32(sizeof pp->sudogcache / sizeof pp->sudogcache[0]);
  if (pp->sudogn == 0) {
    lock(&sched.sudoglock);
    while (pp->sudogn < capacity / 2 && sched.sudogcache != nullptr) {
      sudog* s = sched.sudogcache;
      sched.sudogcache = s->next;
      s->next = nullptr;
      pp->sudogcache[pp->sudogn++] = s;
    }
    unlock(&sched.sudoglock);
    // If the central cache is empty, allocate a new one.
    if (pp->sudogn == 0) pp->sudogcache[pp->sudogn++] = newobject<sudog>();
  }
  sudog* s = pp->sudogcache[--pp->sudogn];
  pp->sudogcache[pp->sudogn] = nullptr;
  if (s->elem != nullptr) throw_("acquireSudog: found s.elem != nil in cache");
  releasem(mp);
  return s;
}

/// releaseSudog returns s to the P's cache, moving half to the central
/// cache when full. \gosrc{proc.go,releaseSudog}
void releaseSudog(sudog* s) {
  if (s->elem != nullptr) throw_("runtime: sudog with non-nil elem");
  if (s->isSelect) throw_("runtime: sudog with non-false isSelect");
  if (s->next != nullptr) throw_("runtime: sudog with non-nil next");
  if (s->prev != nullptr) throw_("runtime: sudog with non-nil prev");
  if (s->waitlink != nullptr) throw_("runtime: sudog with non-nil waitlink");
  if (s->c != nullptr) throw_("runtime: sudog with non-nil c");
  g* gp = getg();
  if (gp->param != nullptr) throw_("runtime: releaseSudog with non-nil gp.param");
  m* mp = acquirem();
  p* pp = mp->p.ptr();
  constexpr int32 capacity = int32(sizeof pp->sudogcache / sizeof pp->sudogcache[0]);
  if (pp->sudogn == capacity) {
    sudog* first = nullptr;
    sudog* last = nullptr;
    while (pp->sudogn > capacity / 2) {
      sudog* q = pp->sudogcache[--pp->sudogn];
      pp->sudogcache[pp->sudogn] = nullptr;
      if (first == nullptr)
        first = q;
      else
        last->next = q;
      last = q;
    }
    lock(&sched.sudoglock);
    last->next = sched.sudogcache;
    sched.sudogcache = first;
    unlock(&sched.sudoglock);
  }
  pp->sudogcache[pp->sudogn++] = s;
  releasem(mp);
}

/// allgadd records gp in allgs, where tracebacks find it. \gosrc{proc.go,allgadd}
static void allgadd(g* gp) {
  if (readgstatus(gp) == _Gidle) throw_("allgadd: bad status Gidle");
  lock(&allglock);
  if (allglen == allgcap) {
    // Go appends to a slice; the old array is garbage once allgs moves on
    // (a racing reader that still holds it keeps it alive). The array is a
    // heap object, reachable from the global allgs, so the collector finds
    // every G through it.
    int64 ncap = allgcap == 0 ? 1024 : allgcap * 2;
    g** n = static_cast<g**>(newarray(&typeOf<g*>, int(ncap)));
    if (allglen > 0) {
      // The new array may be black already: the Gs copied in are recorded
      // (Go: growslice's bulkBarrierPreWriteSrcOnly).
      bulkBarrierPreWriteSrcOnly(uintptr(n), uintptr(allgs), uintptr(allglen) * sizeof(g*), nullptr);
      memcpy(n, allgs, size_t(allglen) * sizeof(g*));
    }
    atomicstorep(&allgs, n);
    allgcap = ncap;
  }
  writebarrierptr(&allgs[allglen], gp);
  atomic::Store(&allglen, allglen + 1);
  unlock(&allglock);
}

/// forEachG: fn(gp) for each entry of allgs, under allglock. \gosrc{proc.go,forEachG}
template <class F>
static void forEachG(F fn) {
  lock(&allglock);
  for (int64 i = 0; i < allglen; i++) fn(allgs[i]);
  unlock(&allglock);
}

/// schedinit: bootstrap, on g0 of m0, before any goroutine exists.
/// \gosrc{proc.go,schedinit}
static void schedinit() {
  g* gp = getg();
  sched.maxmcount = 10000;
  parsedebugvars();  // Departure: before stackinit, which reads GODEBUG
  asyncPreemptInit();  // Go: preempt.go's init
  stackinit();
  mallocinit();
  mcommoninit(gp->m, -1);
  installTerminateHandler();
  gcinit();

  lock(&sched.lock);
  sched.lastpoll.Store(nanotime());
  int32 procs = ncpu;
  int32 n = 0;
  if (envInt32("GOMAXPROCS", &n) && n > 0) procs = n;
  if (procresize(procs) != nullptr) throw_("unknown runnable goroutine during bootstrap");
  unlock(&sched.lock);
}

/// dumpgstatus prints the status of gp and of the calling g, for the throw
/// that follows. \gosrc{proc.go,dumpgstatus}
void dumpgstatus(g* gp) {
  g* thisg = getg();
  print("runtime:   gp: gp=", gp, ", goid=", gp->goid, ", gp->atomicstatus=", readgstatus(gp), "\n");
  print("runtime: getg:  g=", thisg, ", goid=", thisg->goid, ",  g->atomicstatus=", readgstatus(thisg), "\n");
}

/// checkmcount: too many Ms is a fatal error. \gosrc{proc.go,checkmcount}
static void checkmcount() {
  int32 count = mcount() - sched.nmsys;
  if (count > sched.maxmcount) {
    print("runtime: program exceeds ", sched.maxmcount, "-thread limit\n");
    throw_("thread exhaustion");
  }
}

/// mReserveID: hand out the next M id; checkmcount enforces the thread
/// limit. Caller holds sched.lock. \gosrc{proc.go,mReserveID}
static int64 mReserveID() {
  int64 id = sched.mnext;
  sched.mnext++;
  checkmcount();
  return id;
}

/// mcommoninit: common setup of an M, and publication on allm.
/// \gosrc{proc.go,mcommoninit}
void mcommoninit(m* mp, int64 id) {
  lock(&sched.lock);
  if (id >= 0)
    mp->id = id;
  else
    mp->id = mReserveID();
  // mrandinit: seed the per-M generator from its ID and the clock.
  mp->cheaprand = uint64(nanotime()) ^ (uint64(mp->id) * 0x9e3779b97f4a7c15ull) ^ uint64(cputicks());
  mpreinit(mp);
  writebarrierptr(&mp->alllink, allm);
  atomicstorep(&allm, mp);
  unlock(&sched.lock);
}

/// becomeSpinning: this M starts looking for work. \gosrc{proc.go,becomeSpinning}
static void becomeSpinning(m* mp) {
  mp->spinning = true;
  sched.nmspinning.Add(1);
  sched.needspinning.Store(0);
}

/// ready: gp becomes runnable on the current P (runnext if next) and an idle
/// P is woken if there is one. \gosrc{proc.go,ready}
void ready(g* gp, int traceskip, bool next) {
  (void)traceskip;
  uint32 status = readgstatus(gp);
  m* mp = acquirem();
  if ((status & ~uint32(_Gscan)) != _Gwaiting) throw_("bad g->status in ready");
  chaos();
  casgstatus(gp, _Gwaiting, _Grunnable);
  runqput(mp->p.ptr(), gp, next);
  wakep();
  releasem(mp);
}

/// \gosrc{proc.go,readgstatus}
uint32 readgstatus(g* gp) { return gp->atomicstatus.Load(); }

/// casfrom_Gscanstatus releases the _Gscan bit that castogscanstatus (or
/// casGToPreemptScan) took: oldval is a scan status and newval the same
/// status without the bit. Anything else, or a status that changed under
/// the holder, is fatal: nobody else may move a g whose bit is held.
/// Any thread, any stack. [gscan-lock] \gosrc{proc.go,casfrom_Gscanstatus}
void casfrom_Gscanstatus(g* gp, uint32 oldval, uint32 newval) {
  bool success = false;
  switch (oldval) {
    default:
      print("runtime: casfrom_Gscanstatus bad oldval gp=", gp, ", oldval=", hex(oldval),
            ", newval=", hex(newval), "\n");
      dumpgstatus(gp);
      throw_("casfrom_Gscanstatus:top gp->status is not in scan state");
    case _Gscan | _Grunnable:
    case _Gscan | _Gwaiting:
    case _Gscan | _Grunning:
    case _Gscan | _Gsyscall:
    case _Gscan | _Gpreempted:
      if (newval == (oldval & ~uint32(_Gscan))) success = gp->atomicstatus.CompareAndSwap(oldval, newval);
  }
  if (!success) {
    print("runtime: casfrom_Gscanstatus failed gp=", gp, ", oldval=", hex(oldval), ", newval=", hex(newval),
          "\n");
    dumpgstatus(gp);
    throw_("casfrom_Gscanstatus: gp->status is not in scan state");
  }
}

/// castogscanstatus tries to take the _Gscan bit of gp: oldval is one of
/// _Grunnable, _Grunning, _Gwaiting, _Gsyscall and newval is oldval|_Gscan.
/// False when gp's status is not oldval (it moved on; the caller rereads).
/// Holding the bit freezes gp's status: casgstatus on gp spins until
/// casfrom_Gscanstatus. Any thread, any stack. [gscan-lock]
/// \gosrc{proc.go,castogscanstatus}
bool castogscanstatus(g* gp, uint32 oldval, uint32 newval) {
  switch (oldval) {
    case _Grunnable:
    case _Grunning:
    case _Gwaiting:
    case _Gsyscall:
      if (newval == (oldval | _Gscan)) return gp->atomicstatus.CompareAndSwap(oldval, newval);
      break;
  }
  print("runtime: castogscanstatus oldval=", hex(oldval), " newval=", hex(newval), "\n");
  throw_("castogscanstatus");
}

/// casgstatusAlwaysTrack: time every transition, not one g-run in
/// gTrackingPeriod (a test's switch). \gosrc{proc.go,casgstatusAlwaysTrack}
atomic::Racy<bool> casgstatusAlwaysTrack;  // a test writes it while goroutines run

/// casgstatus moves gp from oldval to newval, neither a scan status. While
/// another thread holds gp's _Gscan bit (suspendG, and the collector's stack
/// scan once there is one) the CAS fails and casgstatus waits for the bit to
/// go, however long that takes. Then, for one in gTrackingPeriod of gp's
/// runs, it times the transition for runtime/metrics. [g-status]
/// \gosrc{proc.go,casgstatus}
void casgstatus(g* gp, uint32 oldval, uint32 newval) {
  if ((oldval & _Gscan) != 0 || (newval & _Gscan) != 0 || oldval == newval) {
    print("runtime: casgstatus: oldval=", oldval, " newval=", newval, "\n");
    throw_("casgstatus: bad incoming values");
  }
  // The CAS fails only while another thread holds gp's _Gscan bit (the
  // status is then oldval|_Gscan). Spin for yieldDelay, then give the CPU
  // away between tries, as long as it takes: Go retries forever.
  constexpr int64 yieldDelay = 5 * 1000;
  int64 nextYield = 0;
  for (int i = 0; !gp->atomicstatus.CompareAndSwap(oldval, newval); i++) {
    if (oldval == _Gwaiting && gp->atomicstatus.Load() == _Grunnable)
      throw_("casgstatus: waiting for Gwaiting but is Grunnable");
    if (i == 0) nextYield = nanotime() + yieldDelay;
    if (nanotime() < nextYield) {
      for (int x = 0; x < 10 && gp->atomicstatus.Load() != oldval; x++) procyield(1);
    } else {
      osyield();
      nextYield = nanotime() + yieldDelay / 2;
    }
  }
  // (g.waitsince is set, as in Go, only by the collector's stack scan.)

  // Sample one in gTrackingPeriod of gp's exits from _Grunning: the
  // transitions of a sampled g up to its next run are timed for
  // runtime/metrics.
  if (oldval == _Grunning) {
    if (casgstatusAlwaysTrack || gp->trackingSeq % gTrackingPeriod == 0) gp->tracking = true;
    gp->trackingSeq++;
  }
  if (!gp->tracking) return;

  // What is timed: the time spent runnable, and the time blocked on a
  // sync.Mutex or sync.RWMutex.
  switch (oldval) {
    case _Grunnable: {
      // Out of runnable: add the time spent there.
      int64 now = nanotime();
      gp->runnableTime += now - gp->trackingStamp;
      gp->trackingStamp = 0;
      break;
    }
    case _Gwaiting: {
      if (!isMutexWait(gp->waitreason)) break;
      // The end of a wait on a lock. Sampled, so scaled by the period
      // (which is exact: only an exit from _Grunning leads here).
      int64 now = nanotime();
      sched.totalMutexWaitTime.Add((now - gp->trackingStamp) * gTrackingPeriod);
      gp->trackingStamp = 0;
      break;
    }
  }
  switch (newval) {
    case _Gwaiting:
      if (!isMutexWait(gp->waitreason)) break;
      // The start of a wait on a lock.
      gp->trackingStamp = nanotime();
      break;
    case _Grunnable:
      // The start of a wait to run.
      gp->trackingStamp = nanotime();
      break;
    case _Grunning:
      // Running again: the sample ends with the time gp waited to run.
      gp->tracking = false;
      sched.timeToRun.record(gp->runnableTime);
      gp->runnableTime = 0;
      break;
  }
}

/// casGToWaiting: casgstatus(gp, old, _Gwaiting) with the wait reason set
/// first, so a dump or a suspender never sees _Gwaiting without one.
/// \gosrc{proc.go,casGToWaiting}
void casGToWaiting(g* gp, uint32 old, waitReason reason) {
  gp->waitreason = reason;
  casgstatus(gp, old, _Gwaiting);
}

/// casGToPreemptScan moves gp from _Grunning straight to
/// _Gscan|_Gpreempted: preemptPark takes the bit with the transition, so
/// that no suspender can claim gp before its M has let go of it (dropg).
/// The only CAS that both changes a status and takes the bit; it waits out
/// a suspender holding _Gscan|_Grunning. \gosrc{proc.go,casGToPreemptScan}
void casGToPreemptScan(g* gp, uint32 old, uint32 nw) {
  if (old != _Grunning || nw != (_Gscan | _Gpreempted)) throw_("bad g transition");
  while (!gp->atomicstatus.CompareAndSwap(_Grunning, _Gscan | _Gpreempted)) {
  }
}

/// casGFromPreempted tries to claim a goroutine parked in _Gpreempted by
/// moving it to _Gwaiting (reason "preempted"). The winner owns gp and must
/// ready it later; false means another suspender won.
/// \gosrc{proc.go,casGFromPreempted}
bool casGFromPreempted(g* gp, uint32 old, uint32 nw) {
  if (old != _Gpreempted || nw != _Gwaiting) throw_("bad g transition");
  gp->waitreason = waitReasonPreempted;
  return gp->atomicstatus.CompareAndSwap(_Gpreempted, _Gwaiting);
}

/// casPStatus: a P's status changed by CAS (Go: atomic.Cas(&pp.status, ...)),
/// for the Ps in _Psyscall that several threads may race to take.
static bool casPStatus(p* pp, uint32 old, uint32 nw) {
  return __atomic_compare_exchange_n(&pp->status.v, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

// ---- Stop the world ----


// stopTheWorldContext: stopTheWorld's result, written on the system stack,
// where the goroutine's stack may not be written (Go: it may move; here
// the goroutine is _Gwaiting meanwhile, and a stack scan may be reading
// it). Guarded by worldsema. \gosrc{proc.go,stopTheWorldContext}
static worldStop stopTheWorldContext;

/// stopTheWorld / startTheWorld: one STW at a time (worldsema). While it
/// waits for the other Ps, the caller is _Gwaiting ("stopping the world"),
/// so a suspendG aimed at it succeeds at once instead of waiting for a
/// goroutine that is busy waiting for the suspender's own P to stop. The
/// reason says which pause histogram the stop counts in; the result goes
/// to startTheWorld. \gosrc{proc.go,stopTheWorld}
worldStop stopTheWorld(stwReason reason) {
  semacquire(&worldsema);
  g* gp = getg();
  gp->m->preemptoff = String(reason);
  systemstack([gp, reason] {
    casGToWaiting(gp, _Grunning, waitReasonStoppingTheWorld);
    stopTheWorldContext = stopTheWorldWithSema(reason);
    casgstatus(gp, _Gwaiting, _Grunning);
  });
  return stopTheWorldContext;
}
/// \gosrc{proc.go,startTheWorld}
void startTheWorld(worldStop w) {
  systemstack([w] { startTheWorldWithSema(0, w); });
  // Hand worldsema straight to the next waiter (fairness for repeated
  // stops), without yielding this time slice to it: the M is held.
  m* mp = acquirem();
  mp->preemptoff = nullptr;
  semrelease1(&worldsema, true, 0);
  releasem(mp);
}

/// stopTheWorldGC / startTheWorldGC: stopTheWorld and startTheWorld,
/// waiting first for a collection in progress to end and keeping the next
/// from starting meanwhile (gcsema). \gosrc{proc.go,stopTheWorldGC}
worldStop stopTheWorldGC(stwReason reason) {
  semacquire(&gcsema);
  return stopTheWorld(reason);
}
/// \gosrc{proc.go,startTheWorldGC}
void startTheWorldGC(worldStop w) {
  startTheWorld(w);
  semrelease(&gcsema);
}

/// stopTheWorldWithSema: bring every P to _Pgcstop. The Ps running Go code
/// stop at their next visit to the scheduler. \gosrc{proc.go,stopTheWorldWithSema}
SYSTEMSTACK worldStop stopTheWorldWithSema(stwReason reason) {
  systemstackcheck();
  g* gp = getg();
  if (gp->m->locks > 0) throw_("stopTheWorld: holding locks");
  lock(&sched.lock);
  // The pause starts once the lock is held: waiting for sched.lock is not
  // counted in the stopping or total times.
  int64 start = nanotime();
  sched.stopwait = gomaxprocs;
  sched.gcwaiting.Store(true);
  preemptall();
  // The current P stops at once.
  gp->m->p.ptr()->status = _Pgcstop;
  sched.stopwait--;
  // Ps whose M is in a system call are taken now (exitsyscall will not get
  // them back).
  for (int32 i = 0; i < allplen; i++) {
    p* pp = allp[i];
    if (pp->status == _Psyscall && casPStatus(pp, _Psyscall, _Pgcstop)) {
      pp->syscalltick++;
      sched.stopwait--;
    }
  }
  // Idle Ps too.
  for (;;) {
    auto [pp, now] = pidleget(0);
    (void)now;
    if (pp == nullptr) break;
    pp->status = _Pgcstop;
    sched.stopwait--;
  }
  bool wait = sched.stopwait > 0;
  unlock(&sched.lock);
  if (wait) {
    for (;;) {
      // Every 100us without all Ps stopped, preempt again: a request can
      // be missed by a racing goroutine.
      if (notetsleep(&sched.stopnote, 100 * 1000)) {
        noteclear(&sched.stopnote);
        break;
      }
      preemptall();
    }
  }

  // How long stopping every P took.
  int64 startTime = nanotime() - start;
  if (isGC(reason)) {
    sched.stwStoppingTimeGC.record(startTime);
  } else {
    sched.stwStoppingTimeOther.record(startTime);
  }

  if (sched.stopwait != 0) throw_("stopTheWorld: not stopped");
  for (int32 i = 0; i < allplen; i++)
    if (allp[i]->status != _Pgcstop) throw_("stopTheWorld: not stopped");
  return worldStop{reason, start};
}

/// startTheWorldWithSema: resize the Ps if GOMAXPROCS changed and restart
/// the ones with work, and count the pause w began. now is the time, if
/// the caller has read it (0: read it here); returns the time used.
/// \gosrc{proc.go,startTheWorldWithSema}
SYSTEMSTACK int64 startTheWorldWithSema(int64 now, worldStop w) {
  systemstackcheck();
  m* mp = acquirem();
  // Goroutines whose descriptors became ready while the world was stopped.
  if (netpollinited()) {
    auto [list, delta] = netpoll(0);  // non-blocking
    injectglist(&list);
    netpollAdjustWaiters(delta);
  }
  lock(&sched.lock);
  int32 procs = gomaxprocs;
  if (newprocs != 0) {
    procs = newprocs;
    newprocs = 0;
  }
  p* p1 = procresize(procs);
  sched.gcwaiting.Store(false);
  // sysmon may sleep through a stop-the-world (sysmonwait): wake it.
  if (sched.sysmonwait.Load()) {
    sched.sysmonwait.Store(false);
    notewakeup(&sched.sysmonnote);
  }
  unlock(&sched.lock);
  while (p1 != nullptr) {
    p* pp = p1;
    p1 = p1->link.ptr();
    if (pp->m) {
      m* mp2 = pp->m.ptr();
      pp->m.set(nullptr);
      if (mp2->nextp) throw_("startTheWorld: inconsistent mp->nextp");
      mp2->nextp.set(pp);
      notewakeup(&mp2->park);
    } else {
      newm(nullptr, pp, -1);
    }
  }

  // The whole pause, from the stop's start.
  if (now == 0) now = nanotime();
  int64 totalTime = now - w.start;
  if (isGC(w.reason)) {
    sched.stwTotalTimeGC.record(totalTime);
  } else {
    sched.stwTotalTimeOther.record(totalTime);
  }

  wakep();
  releasem(mp);
  return now;
}

// ---- M start and exit ----

extern "C" [[noreturn]] NOSPLIT NOWRITEBARRIERREC void mstart0() asm("runtime.mstart0");
[[noreturn]] static void mstart1();

/// mstart0: the first C++ frame of every M, on the OS stack. Departure: Go's
/// mstart0 calls mexit when mstart1 "returns" through gogo(&m.g0.sched);
/// here that gogo lands in asm_amd64.S's mstart, which calls mexit itself
/// (see there why). \gosrc{proc.go,mstart0}
void mstart0() {
  g* gp = getg();
  gp->stackguard0 = gp->stack_.lo + stackGuard;
  gp->stackguard1 = gp->stackguard0;
  setTLSGuard(gp->stackguard0);
  mstart1();
}

/// mstart1 enters the scheduler on g0. Departure: Go's mstart1 records its
/// caller in g0.sched first; asm_amd64.S's mstart has done that (with itself
/// as the resume point). \gosrc{proc.go,mstart1}
NOINLINE static void mstart1() {
  g* gp = getg();
  if (gp != gp->m->g0) throw_("bad runtime·mstart");
  if (raceenabled) raceinitm(gp);
  minit();
  if (gp->m == &m0) initsig();  // mstartm0
  if (void (*fn)() = gp->m->mstartfn) fn();
  if (gp->m != &m0) {
    acquirep(gp->m->nextp.ptr());
    gp->m->nextp.set(nullptr);
  }
  schedule();
}

NOSPLIT static void mPark();
/// mPark sleeps until another M hands this one work. \gosrc{proc.go,mPark}
static void mPark() {
  g* gp = getg();
  notesleep(&gp->m->park);
  noteclear(&gp->m->park);
}

extern "C" void mexit(bool osStack) asm("runtime.mexit");
/// mexit: the current M is done; unlink it and let its thread return from
/// mstart.
/// m0 cannot exit (the process would end), so it parks forever.
/// Departure: Go blocks every signal on the thread (sigblock) before unminit
/// takes its signal stack away; the port does not (the pair of newosproc's
/// departure), so a process-directed signal could still be handled on this
/// thread in its last lines, on the thread's own stack.
/// \gosrc{proc.go,mexit}
YESWRITEBARRIERREC void mexit(bool osStack) {
  (void)osStack;
  m* mp = getg()->m;
  if (mp == &m0) {
    handoffp(releasep());
    lock(&sched.lock);
    sched.nmfreed++;
    checkdead();
    unlock(&sched.lock);
    mPark();
    throw_("locked m0 woke up");
  }
  unminit();
  // Unlink mp from allm, and put it on sched.freem: no longer on allm, it
  // must still be reachable, or a collection could free the m (and its g0)
  // while this thread runs its last lines with them. allocm drops it from
  // the list once freeWait says the thread is done. (Not linked through
  // alllink: some readers walk allm without the lock.)
  lock(&sched.lock);
  for (m** pprev = &allm; *pprev != nullptr; pprev = &(*pprev)->alllink) {
    if (*pprev == mp) {
      writebarrierptr(pprev, mp->alllink);
      goto found;
    }
  }
  throw_("m not found in allm");
found:
  mp->freeWait.Store(freeMWait);
  mp->freelink = sched.freem;
  sched.freem = mp;
  unlock(&sched.lock);
  sched.totalRuntimeLockWaitTime.Add(mp->mLockProfile.waitTime.Load());
  // Give the P up; handoffp finds it a new M or idles it.
  handoffp(releasep());
  lock(&sched.lock);
  sched.nmfreed++;
  checkdead();
  unlock(&sched.lock);
  // The thread returns from mstart and ends; no split-stack bound applies
  // to what pthreads runs on the way out.
  mp->tcb = 0;
  setTLSGuard(0);
  // The last use of mp: from here the thread only returns through mstart
  // and pthreads, on its own stack (osStack), so the m may go.
  mp->freeWait.Store(freeMRef);
}

/// forEachP runs fn(pp) once for every P, each at a safe point: a P
/// running Go code runs it itself at its next visit to the scheduler
/// (preemptall asks for that), an idle P has it run on its behalf, and the
/// caller's own P runs it here. When forEachP returns, every P has run fn:
/// a ragged barrier, not a stop of the world (the collector uses it so).
/// Contexts: a goroutine with a P, on its own stack, holding worldsema, and
/// not inside a runtime lock. While it waits it is _Gwaiting with reason
/// (it may be suspended meanwhile: two goroutines waiting for each other
/// to reach a safe point must not both be running). \gosrc{proc.go,forEachP}
void forEachP(waitReason reason, void (*fn)(p*)) {
  systemstack([reason, fn] {
    g* gp = getg()->m->curg;
    casGToWaiting(gp, _Grunning, reason);
    forEachPInternal(fn);
    casgstatus(gp, _Gwaiting, _Grunning);
  });
}

/// forEachPInternal: the body of forEachP. Contexts: the system stack of an
/// M that holds a P, with worldsema held, and with the M's user goroutine
/// (if any) preemptible (not _Grunning) or no suspender about; prefer
/// forEachP. [safe-point] \gosrc{proc.go,forEachPInternal}
SYSTEMSTACK void forEachPInternal(void (*fn)(p*)) {
  systemstackcheck();
  m* mp = acquirem();
  p* pp = getg()->m->p.ptr();

  lock(&sched.lock);
  if (sched.safePointWait != 0) throw_("forEachP: sched.safePointWait != 0");
  sched.safePointWait = gomaxprocs - 1;
  sched.safePointFn = fn;

  // Flag every other P, and ask the running ones to come to the scheduler.
  for (int32 i = 0; i < allplen; i++) {
    p* p2 = allp[i];
    if (p2 != pp) atomic::Store(&p2->runSafePointFn, uint32(1));
  }
  preemptall();

  // From here on a P that goes idle (findRunnable, handoffp) sees its flag
  // under sched.lock and runs fn first. The Ps idle now cannot change
  // state while sched.lock is held, so fn runs for them here.
  for (p* p2 = sched.pidle.ptr(); p2 != nullptr; p2 = p2->link.ptr()) {
    if (atomic::Cas(&p2->runSafePointFn, uint32(1), uint32(0))) {
      fn(p2);
      sched.safePointWait--;
    }
  }
  bool wait = sched.safePointWait > 0;
  unlock(&sched.lock);

  // This P is at a safe point now.
  fn(pp);

  // The Ps whose M is in a system call: take them (to _Pidle) and hand
  // them off, so that an M runs fn for each.
  for (int32 i = 0; i < allplen; i++) {
    p* p2 = allp[i];
    if (p2->status == _Psyscall && atomic::Load(&p2->runSafePointFn) == 1 && casPStatus(p2, _Psyscall, _Pidle)) {
      p2->syscalltick++;
      handoffp(p2);
    }
  }

  if (wait) {
    for (;;) {
      // Every 100us without all Ps done, ask again: a request can be lost
      // to a goroutine that was switching when it was made.
      if (notetsleep(&sched.safePointNote, 100 * 1000)) {
        noteclear(&sched.safePointNote);
        break;
      }
      preemptall();
    }
  }
  if (sched.safePointWait != 0) throw_("forEachP: not done");
  for (int32 i = 0; i < allplen; i++)
    if (atomic::Load(&allp[i]->runSafePointFn) != 0) throw_("forEachP: P did not run fn");

  lock(&sched.lock);
  sched.safePointFn = nullptr;
  unlock(&sched.lock);
  releasem(mp);
}

/// runSafePointFn runs sched.safePointFn for this M's P, unless forEachP
/// already did (the CAS decides), and wakes forEachP after the last P.
/// Callers check p.runSafePointFn first; every path on which a P goes idle
/// must check it, or forEachP could see the P running, the P then go idle,
/// and nobody run fn for it. Context: g0 of the M that owns the P, at a
/// safe point (no runtime lock held). [safe-point] \gosrc{proc.go,runSafePointFn}
void runSafePointFn() {
  p* pp = getg()->m->p.ptr();
  if (!atomic::Cas(&pp->runSafePointFn, uint32(1), uint32(0))) return;
  sched.safePointFn(pp);
  lock(&sched.lock);
  sched.safePointWait--;
  if (sched.safePointWait == 0) notewakeup(&sched.safePointNote);
  unlock(&sched.lock);
}

/// allocm allocates an M with its g0 (whose stack is the thread's own) and
/// its gsignal. \gosrc{proc.go,allocm}
YESWRITEBARRIERREC static m* allocm(p* pp, void (*fn)(), int64 id) {
  // The caller owns pp, which this M may borrow for the allocations below
  // if it has no P of its own; m.locks keeps pp from being taken meanwhile.
  acquirem();

  g* gp = getg();
  if (!gp->m->p) acquirep(pp);  // borrowed for the mallocs here

  // Drop the exited Ms whose threads are done with them; keep those still
  // finishing (freeMWait). Go also frees their g0 stacks here (freeMStack);
  // the port's g0s run on the threads' own stacks, which pthreads frees.
  if (sched.freem.load() != nullptr) {
    lock(&sched.lock);
    m* newList = nullptr;
    for (m* freem = sched.freem; freem != nullptr;) {
      uint32 wait = freem->freeWait.Load();
      if (wait == freeMWait) {
        m* next = freem->freelink;
        freem->freelink = newList;
        newList = freem;
        freem = next;
        continue;
      }
      if (wait == freeMStack) throw_("allocm: an M with a g0 stack to free");
      freem = freem->freelink;
    }
    sched.freem = newList;
    unlock(&sched.lock);
  }

  m* mp = newobject<m>();
  mp->mstartfn = fn;
  mcommoninit(mp, id);  // also allocates gsignal (mpreinit)

  // Departure: g0 runs on the thread's own stack ([g0-stack]), so it gets
  // no stack from stackalloc (Go: malg(16384)).
  mp->g0 = newobject<g>();
  mp->g0->m = mp;
  mp->g0->goid = 0;

  if (pp == gp->m->p.ptr()) releasep();

  releasem(gp->m);
  return mp;
}

/// newmHandoff: Ms that a locked thread asked the template thread to start.
/// \gosrc{proc.go,newmHandoff}
static struct {
  mutex lock;
  muintptr newm;  // Ms to start, linked through schedlink
  bool waiting;   // the template thread sleeps on wake
  note wake;
  uint32 haveTemplateThread;  // atomic
} newmHandoff;

static void newm1(m* mp);

/// newm creates a new M that starts with pp and runs fn first. A locked
/// thread may have OS state of its own (unshare, setns, ...) that a thread
/// it clones would inherit, so it hands the creation to the template thread.
/// Departure: Go hands it over from a cgo call too (m.incgo); the port has
/// no cgo. \gosrc{proc.go,newm}
NOWRITEBARRIERREC static void newm(void (*fn)(), p* pp, int64 id) {
  acquirem();
  m* mp = allocm(pp, fn, id);
  mp->nextp.set(pp);
  if (g* gp = getg(); gp != nullptr && gp->m != nullptr && gp->m->lockedExt != 0) {
    // This thread is locked, so its OS state may be odd; a clone would
    // inherit it. Queue mp for the template thread to start instead.
    lock(&newmHandoff.lock);
    if (newmHandoff.haveTemplateThread == 0) throw_("on a locked thread with no template thread");
    mp->schedlink = newmHandoff.newm;
    newmHandoff.newm.set(mp);
    if (newmHandoff.waiting) {
      newmHandoff.waiting = false;
      notewakeup(&newmHandoff.wake);
    }
    unlock(&newmHandoff.lock);
    releasem(getg()->m);
    return;
  }
  newm1(mp);
  releasem(getg()->m);
}

/// newm1 starts the thread of mp. \gosrc{proc.go,newm1}
static void newm1(m* mp) {
  void newosproc(m*);
  newosproc(mp);
}

static void templateThread();

/// startTemplateThread: start the template thread unless it exists
/// already. Call only from a thread whose OS state is ordinary.
/// \gosrc{proc.go,startTemplateThread}
static void startTemplateThread() {
  // Keep this M from being preempted: once haveTemplateThread reads 1, the
  // thread must really exist before anyone might park on its behalf.
  m* mp = acquirem();
  if (!atomic::Cas(&newmHandoff.haveTemplateThread, uint32(0), uint32(1))) {
    releasem(mp);
    return;
  }
  newm(templateThread, nullptr, -1);
  releasem(mp);
}

/// templateThread: the M that creates threads on behalf of locked threads,
/// so new Ms are cloned from a clean OS state. It never holds a P. \gosrc{proc.go,templateThread}
NOWRITEBARRIERREC static void templateThread() {
  lock(&sched.lock);
  sched.nmsys++;
  checkdead();
  unlock(&sched.lock);
  for (;;) {
    lock(&newmHandoff.lock);
    while (newmHandoff.newm) {
      m* nm = newmHandoff.newm.ptr();
      newmHandoff.newm.set(nullptr);
      unlock(&newmHandoff.lock);
      while (nm != nullptr) {
        m* next = nm->schedlink.ptr();
        nm->schedlink.set(nullptr);
        newm1(nm);
        nm = next;
      }
      lock(&newmHandoff.lock);
    }
    newmHandoff.waiting = true;
    noteclear(&newmHandoff.wake);
    unlock(&newmHandoff.lock);
    notesleep(&newmHandoff.wake);
  }
}

/// osStack gives g0 the bounds of the calling thread's own stack, as the
/// OS reports it, less `below` bytes at the bottom (Go's mstart0 does the
/// same for a thread whose stack the OS allocated).
static void osStack(g* gp, uintptr below) {
  pthread_attr_t attr;
  void* addr = nullptr;
  size_t size = 0;
  pthread_getattr_np(pthread_self(), &attr);
  pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  gp->stack_.lo = uintptr(addr) + below;
  gp->stack_.hi = uintptr(addr) + size;
}

/// The thread side of newosproc: install g0, then mstart.
void mstart_pthread(m* mp) {
  g* gp = mp->g0;
  setg(gp);
  osStack(gp, 4096);  // above glibc's guard page
  mstart();
}

/// stopm parks the current M (it holds no P) until startm gives it one.
/// \gosrc{proc.go,stopm}
static void stopm() {
  g* gp = getg();
  if (gp->m->locks != 0) throw_("stopm holding locks");
  if (gp->m->p) throw_("stopm holding p");
  if (gp->m->spinning) throw_("stopm spinning");
  lock(&sched.lock);
  mput(gp->m);
  unlock(&sched.lock);
  chaos();
  mPark();
  acquirep(gp->m->nextp.ptr());
  gp->m->nextp.set(nullptr);
}

/// mspinning: the mstartfn of a new M started to spin. \gosrc{proc.go,mspinning}
static void mspinning() { getg()->m->spinning = true; }

/// startm: get pp running on an M, reusing an idle M or making a new one.
/// With pp nil it takes an idle P, and does nothing if there is none.
/// spinning: the caller incremented nmspinning and the M starts spinning.
/// \gosrc{proc.go,startm}
NOWRITEBARRIERREC static void startm(p* pp, bool spinning, bool lockheld) {
  m* mp = acquirem();
  if (!lockheld) lock(&sched.lock);
  if (pp == nullptr) {
    if (spinning) throw_("startm: P required for spinning=true");
    std::tie(pp, std::ignore) = pidleget(0);
    if (pp == nullptr) {
      if (!lockheld) unlock(&sched.lock);
      releasem(mp);
      return;
    }
  }
  m* nmp = mget();
  if (nmp == nullptr) {
    int64 id = mReserveID();
    unlock(&sched.lock);
    void (*fn)() = spinning ? mspinning : nullptr;
    newm(fn, pp, id);
    if (lockheld) lock(&sched.lock);
    releasem(mp);
    return;
  }
  if (!lockheld) unlock(&sched.lock);
  if (nmp->spinning) throw_("startm: m is spinning");
  if (nmp->nextp) throw_("startm: m has p");
  if (spinning && !runqempty(pp)) throw_("startm: p has runnable gs");
  nmp->spinning = spinning;
  nmp->nextp.set(pp);
  notewakeup(&nmp->park);
  releasem(mp);
}

/// handoffp: pp's M is going away (blocking, exiting, locked); give pp to
/// another M if there is work for it, else put it on the idle list.
/// \gosrc{proc.go,handoffp}
NOWRITEBARRIERREC static void handoffp(p* pp) {
  // Local or global work: start an M.
  if (!runqempty(pp) || sched.runqsize != 0) {
    startm(pp, false, false);
    return;
  }
  // (Go checks for execution-trace work here; the port has no tracer.)
  // Mark work for a GC worker on pp: start an M for it.
  if (atomic::Load(&gcBlackenEnabled) != 0 && gcMarkWorkAvailable(pp)) {
    startm(pp, false, false);
    return;
  }
  // No spinning or idle M: this P may be the one that finds the next work.
  if (sched.nmspinning.Load() + sched.npidle.Load() == 0 && sched.nmspinning.CompareAndSwap(0, 1)) {
    sched.needspinning.Store(0);
    startm(pp, true, false);
    return;
  }
  lock(&sched.lock);
  if (sched.gcwaiting.Load()) {
    pp->status = _Pgcstop;
    sched.stopwait--;
    if (sched.stopwait == 0) notewakeup(&sched.stopnote);
    unlock(&sched.lock);
    return;
  }
  // pp is about to go idle: run forEachP's function for it now, since
  // forEachP will not find it on the idle list. [safe-point]
  if (atomic::Load(&pp->runSafePointFn) != 0 && atomic::Cas(&pp->runSafePointFn, uint32(1), uint32(0))) {
    sched.safePointFn(pp);
    sched.safePointWait--;
    if (sched.safePointWait == 0) notewakeup(&sched.safePointNote);
  }
  if (sched.runqsize != 0) {
    unlock(&sched.lock);
    startm(pp, false, false);
    return;
  }
  // The last P going idle while no M waits in the poller: someone must
  // (goroutines parked on descriptors, timers), so start an M on it; it
  // will block in netpoll from findRunnable.
  if (sched.npidle.Load() == gomaxprocs - 1 && sched.lastpoll.Load() != 0) {
    unlock(&sched.lock);
    startm(pp, false, false);
    return;
  }
  // wakeNetPoller may start an M (wakep), which takes sched.lock: read the
  // P's next timer before it goes idle, act on it after the unlock.
  int64 when = nobarrierWakeTime(pp);
  pidleput(pp, 0);
  unlock(&sched.lock);
  if (when != 0) wakeNetPoller(when);
}

/// wakep starts a spinning M on an idle P, unless one is spinning already.
/// [spin-wake] \gosrc{proc.go,wakep}
void wakep() {
  // Start a spinner only when none exists; the CAS lets one caller through.
  if (sched.nmspinning.Load() != 0 || !sched.nmspinning.CompareAndSwap(0, 1)) return;
  chaos();
  m* mp = acquirem();
  lock(&sched.lock);
  auto [pp, now] = pidlegetSpinning(0);
  (void)now;
  if (pp == nullptr) {
    if (sched.nmspinning.Add(-1) < 0) throw_("wakep: negative nmspinning");
    unlock(&sched.lock);
    releasem(mp);
    return;
  }
  unlock(&sched.lock);
  startm(pp, true, false);
  releasem(mp);
}

/// stoplockedm: the M's locked G is not runnable; hand the P away and sleep
/// until startlockedm wakes this M for it. [locked-m] \gosrc{proc.go,stoplockedm}
static void stoplockedm() {
  g* gp = getg();
  if (!gp->m->lockedg || gp->m->lockedg.ptr()->lockedm.ptr() != gp->m)
    throw_("stoplockedm: inconsistent locking");
  if (gp->m->p) {
    p* pp = releasep();
    handoffp(pp);
  }
  incidlelocked(1);
  mPark();
  uint32 status = readgstatus(gp->m->lockedg.ptr());
  if ((status & ~uint32(_Gscan)) != _Grunnable) {
    print("runtime:stoplockedm: lockedg (atomicstatus=", status, ") is not Grunnable or Gscanrunnable\n");
    throw_("stoplockedm: not runnable");
  }
  acquirep(gp->m->nextp.ptr());
  gp->m->nextp.set(nullptr);
}

/// startlockedm hands the current P to gp's locked M and parks this M.
/// \gosrc{proc.go,startlockedm}
NOWRITEBARRIERREC static void startlockedm(g* gp) {
  m* mp = gp->lockedm.ptr();
  if (mp == getg()->m) throw_("startlockedm: locked to me");
  if (mp->nextp) throw_("startlockedm: m has p");
  incidlelocked(-1);
  p* pp = releasep();
  mp->nextp.set(pp);
  notewakeup(&mp->park);
  stopm();
}

/// gcstopm: stop this M for stop-the-world. \gosrc{proc.go,gcstopm}
static void gcstopm() {
  g* gp = getg();
  if (!sched.gcwaiting.Load()) throw_("gcstopm: not waiting for gc");
  if (gp->m->spinning) {
    gp->m->spinning = false;
    if (sched.nmspinning.Add(-1) < 0) throw_("gcstopm: negative nmspinning");
  }
  p* pp = releasep();
  lock(&sched.lock);
  pp->status = _Pgcstop;
  sched.stopwait--;
  if (sched.stopwait == 0) notewakeup(&sched.stopnote);
  unlock(&sched.lock);
  stopm();
}

/// The thread's C++ exception-handling globals (see g.ehglobals).
static_assert(sizeof(g::ehglobals) == 2 * sizeof(void*));
NOSPLIT_INLINE void* ehglobals() { return abi::__cxa_get_globals(); }

/// execute: switch this M to gp. With inheritTime gp carries on in the
/// current time slice (it came from runnext) instead of opening a new one.
/// Does not return.
/// \gosrc{proc.go,execute}
[[noreturn]] YESWRITEBARRIERREC static void execute(g* gp, bool inheritTime) {
  m* mp = getg()->m;
  mp->curg = gp;
  gp->m = mp;
  casgstatus(gp, _Grunnable, _Grunning);
  gp->waitsince = 0;
  gp->preempt = false;
  gp->stackguard0 = gp->stack_.lo + stackGuard;
  if (!inheritTime) mp->p.ptr()->schedtick++;
  memcpy(ehglobals(), &gp->ehglobals, sizeof gp->ehglobals);
  if (gp->sched.sp < gp->stack_.lo || gp->sched.sp > gp->stack_.hi) {
    print("runtime: execute: goroutine ", gp->goid, " sp=", hex(gp->sched.sp), " pc=", hex(gp->sched.pc),
          " outside stack [", hex(gp->stack_.lo), ", ", hex(gp->stack_.hi), "]\n");
    throw_("execute: bad g sched");
  }
  gogo(&gp->sched);
}

static std::tuple<g*, bool, int64, int64, bool> stealWork(int64 now);
static p* checkRunqsNoP(p** allpSnapshot, int32 allplenSnapshot, uint32* idlepMaskSnapshot);
static int64 checkTimersNoP(p** allpSnapshot, int32 allplenSnapshot, uint32* timerpMaskSnapshot, int64 pollUntil);
static std::tuple<p*, g*> checkIdleGCNoP();
static std::tuple<int64, int64, bool> checkTimers(p* pp, int64 now);

/// findRunnable: look for a G to run, in order: due timers, this P's
/// queue, the global queue, the poller, other Ps (and their timers); with
/// nothing found, give up the P and park this M, in the poller until the
/// next timer if there is one. Returns (gp, inheritTime, tryWakeP).
/// [g0-only] \gosrc{proc.go,findRunnable}
static std::tuple<g*, bool, bool> findRunnable() {
  m* mp = getg()->m;
top:
  p* pp = mp->p.ptr();
  if (sched.gcwaiting.Load()) {
    gcstopm();
    goto top;
  }
  if (atomic::Load(&pp->runSafePointFn) != 0) runSafePointFn();
  // Run the timers that are due here; pollUntil is when the next one is.
  auto [now, pollUntil, ranTimer] = checkTimers(pp, 0);
  (void)ranTimer;
  // A background mark worker, if the cycle wants one on this P.
  if (atomic::Load(&gcBlackenEnabled) != 0) {
    auto [gp, tnow] = gcController.findRunnableGCWorker(pp, now);
    if (gp != nullptr) return {gp, false, true};
    now = tnow;
  }
  // Every 61st tick, serve the global queue first: two goroutines that keep
  // readying each other would otherwise starve it.
  if (pp->schedtick % 61 == 0 && sched.runqsize > 0) {
    lock(&sched.lock);
    g* gp = globrunqget(pp, 1);
    unlock(&sched.lock);
    if (gp != nullptr) return {gp, false, false};
  }
  // The finalizer goroutine, if something was queued while it waited.
  if ((fingStatus.Load() & (fingWait | fingWake)) == (fingWait | fingWake)) {
    if (g* gp = wakefing(); gp != nullptr) ready(gp, 0, true);
  }
  // This P's own queue.
  if (auto [gp, inheritTime] = runqget(pp); gp != nullptr) return {gp, inheritTime, false};
  // Then the global queue.
  if (sched.runqsize != 0) {
    lock(&sched.lock);
    g* gp = globrunqget(pp, 0);
    unlock(&sched.lock);
    if (gp != nullptr) return {gp, false, false};
  }
  // The poller, without blocking, if a goroutine waits in it and no M is
  // blocked in it already (lastpoll == 0 says one is).
  if (netpollinited() && netpollAnyWaiters() && sched.lastpoll.Load() != 0) {
    if (auto [list, delta] = netpoll(0); !list.empty()) {
      g* gp = list.pop();
      injectglist(&list);
      netpollAdjustWaiters(delta);
      casgstatus(gp, _Gwaiting, _Grunnable);
      return {gp, false, false};
    }
  }
  // Steal, as a spinning M. Cap spinners at half the busy Ps: with a large
  // GOMAXPROCS and little parallelism, more would only waste CPU.
  if (mp->spinning || 2 * sched.nmspinning.Load() < gomaxprocs - sched.npidle.Load()) {
    if (!mp->spinning) becomeSpinning(mp);
    auto [gp, inheritTime, tnow, w, newWork] = stealWork(now);
    if (gp != nullptr) return {gp, inheritTime, false};
    if (newWork) goto top;  // a timer it ran may have readied something
    now = tnow;
    if (w != 0 && (pollUntil == 0 || w < pollUntil)) pollUntil = w;  // an earlier timer elsewhere
  }

  // Nothing to do. If the collector is marking and has work, mark in this
  // idle time rather than give up the P.
  if (atomic::Load(&gcBlackenEnabled) != 0 && gcMarkWorkAvailable(pp) && gcController.addIdleMarkWorker()) {
    if (auto* node = static_cast<gcBgMarkWorkerNode*>(gcBgMarkWorkerPool.pop())) {
      pp->gcMarkWorkerMode_ = gcMarkWorkerIdleMode;
      g* gp = node->gp.ptr();
      casgstatus(gp, _Gwaiting, _Grunnable);
      return {gp, false, false};
    }
    gcController.removeIdleMarkWorker();
  }

  // Give up the P. Snapshot allp (its length with it) and
  // idlepMask first: once this M holds no P, a GOMAXPROCS change may replace
  // them. The arrays themselves are never freed (procresize).
  p** allpSnapshot = allp;
  int32 allplenSnapshot = allplen;
  uint32* idlepMaskSnapshot = idlepMask;
  uint32* timerpMaskSnapshot = timerpMask;

  // Recheck the global queue under the lock. A forEachP request that came
  // in since the top must be served before the P goes idle. [safe-point]
  lock(&sched.lock);
  if (sched.gcwaiting.Load() || atomic::Load(&pp->runSafePointFn) != 0) {
    unlock(&sched.lock);
    goto top;
  }
  if (sched.runqsize != 0) {
    g* gp = globrunqget(pp, 0);
    unlock(&sched.lock);
    return {gp, false, false};
  }
  if (!mp->spinning && sched.needspinning.Load() == 1) {
    // See "Delicate dance" in Go's proc.go: become spinning and retry.
    becomeSpinning(mp);
    unlock(&sched.lock);
    goto top;
  }
  if (releasep() != pp) throw_("findrunnable: wrong p");
  now = pidleput(pp, now);
  unlock(&sched.lock);

  // The delicate dance: this M stopped spinning, so the invariant
  // [spin-wake] may now depend on it. Drop nmspinning first, then look at
  // every queue again; anything enqueued before the drop is seen here,
  // anything after it will call wakep and see nmspinning == 0.
  bool wasSpinning = mp->spinning;
  if (mp->spinning) {
    mp->spinning = false;
    if (sched.nmspinning.Add(-1) < 0) throw_("findrunnable: negative nmspinning");
    chaos();  // the window the delicate dance exists for
    lock(&sched.lock);
    if (sched.runqsize != 0) {
      auto [pp2, now] = pidlegetSpinning(0);
      (void)now;
      if (pp2 != nullptr) {
        g* gp = globrunqget(pp2, 0);
        if (gp == nullptr) throw_("global runq empty with non-zero runqsize");
        unlock(&sched.lock);
        acquirep(pp2);
        becomeSpinning(mp);
        return {gp, false, false};
      }
    }
    unlock(&sched.lock);
    if (p* pp2 = checkRunqsNoP(allpSnapshot, allplenSnapshot, idlepMaskSnapshot)) {
      acquirep(pp2);
      becomeSpinning(mp);
      goto top;
    }
    // Idle-time mark work, again.
    if (auto [pp2, gp] = checkIdleGCNoP(); pp2 != nullptr) {
      acquirep(pp2);
      becomeSpinning(mp);
      // Run the idle worker.
      pp2->gcMarkWorkerMode_ = gcMarkWorkerIdleMode;
      casgstatus(gp, _Gwaiting, _Grunnable);
      return {gp, false, false};
    }
    // The earliest timer of any P, for the wait below (a P's timers may
    // have been added after this M last looked).
    pollUntil = checkTimersNoP(allpSnapshot, allplenSnapshot, timerpMaskSnapshot, pollUntil);
  }

  // Block in the poller until the next timer (or a goroutine's descriptor
  // is ready, or netpollBreak), if no other M is blocked there already.
  if (netpollinited() && (netpollAnyWaiters() || pollUntil != 0) && sched.lastpoll.Swap(0) != 0) {
    sched.pollUntil.Store(pollUntil);
    if (mp->p) throw_("findrunnable: netpoll with p");
    if (mp->spinning) throw_("findrunnable: netpoll with spinning");
    int64 delay = -1;
    if (pollUntil != 0) {
      if (now == 0) now = nanotime();
      delay = pollUntil - now;
      if (delay < 0) delay = 0;
    }
    auto [list, delta] = netpoll(delay);  // block until new work is available
    now = nanotime();
    sched.pollUntil.Store(0);
    sched.lastpoll.Store(now);
    lock(&sched.lock);
    auto [pp2, now2] = pidleget(now);
    (void)now2;
    unlock(&sched.lock);
    if (pp2 == nullptr) {
      injectglist(&list);
      netpollAdjustWaiters(delta);
    } else {
      acquirep(pp2);
      if (!list.empty()) {
        g* gp = list.pop();
        injectglist(&list);
        netpollAdjustWaiters(delta);
        casgstatus(gp, _Gwaiting, _Grunnable);
        return {gp, false, false};
      }
      if (wasSpinning) becomeSpinning(mp);
      goto top;  // the timer is due now: run it
    }
  } else if (pollUntil != 0 && netpollinited()) {
    // Another M sleeps in the poller; wake it if it sleeps past our timer.
    int64 pollerPollUntil = sched.pollUntil.Load();
    if (pollerPollUntil == 0 || pollerPollUntil > pollUntil) netpollBreak();
  }
  stopm();
  goto top;
}

/// pollWork: whether this P has something better to do than idle-time
/// marking: goroutines in the global queue or its own, or ready in the
/// poller. \gosrc{proc.go,pollWork}
bool pollWork() {
  if (sched.runqsize != 0) return true;
  p* pp = getg()->m->p.ptr();
  if (!runqempty(pp)) return true;
  if (netpollinited() && netpollAnyWaiters() && sched.lastpoll.Load() != 0) {
    if (auto [list, delta] = netpoll(0); !list.empty()) {
      injectglist(&list);
      netpollAdjustWaiters(delta);
      return true;
    }
  }
  return false;
}

/// stealWork: up to four passes over the other Ps in random order, taking
/// half of the first non-empty queue found; only the last pass may take a
/// P's runnext, and it also runs the other Ps' due timers. Returns (gp,
/// inheritTime, now, pollUntil: the earliest timer seen, newWork: a timer
/// ran or the world is stopping, so look again).
/// \gosrc{proc.go,stealWork}
static std::tuple<g*, bool, int64, int64, bool> stealWork(int64 now) {
  p* pp = getg()->m->p.ptr();
  bool ranTimer = false;
  int64 pollUntil = 0;
  constexpr int stealTries = 4;
  for (int i = 0; i < stealTries; i++) {
    bool stealTimersOrRunNextG = i == stealTries - 1;
    for (randomEnum e = stealOrder.start(cheaprand()); !e.done(); e.next()) {
      if (sched.gcwaiting.Load()) return {nullptr, false, now, pollUntil, true};  // newWork: GC
      p* p2 = allp[e.position()];
      if (pp == p2) continue;
      uint32 pos = e.position();
      // Run p2's due timers: its own M may be busy with one long goroutine.
      // They ready goroutines onto this P.
      if (stealTimersOrRunNextG && (atomic::Load(&timerpMask[pos / 32]) & (1u << (pos % 32))) != 0) {
        auto [tnow, w, ran] = checkTimers(p2, now);
        now = tnow;
        if (w != 0 && (pollUntil == 0 || w < pollUntil)) pollUntil = w;
        if (ran) {
          // What the timers readied is in our queue: take it now.
          if (auto [gp, inheritTime] = runqget(pp); gp != nullptr) return {gp, inheritTime, now, pollUntil, ranTimer};
          ranTimer = true;
        }
      }
      bool idle = (atomic::Load(&idlepMask[pos / 32]) & (1u << (pos % 32))) != 0;
      if (!idle) {
        if (g* gp = runqsteal(pp, p2, stealTimersOrRunNextG)) return {gp, false, now, pollUntil, ranTimer};
      }
    }
  }
  return {nullptr, false, now, pollUntil, ranTimer};
}

/// checkRunqsNoP: after dropping its P, a formerly spinning M looks once more
/// at every non-idle P's queue, through the snapshots findRunnable took while
/// it still held its P. \gosrc{proc.go,checkRunqsNoP}
static p* checkRunqsNoP(p** allpSnapshot, int32 allplenSnapshot, uint32* idlepMaskSnapshot) {
  for (int32 id = 0; id < allplenSnapshot; id++) {
    p* p2 = atomic::Load(&allpSnapshot[id]);
    bool idle = (atomic::Load(&idlepMaskSnapshot[id / 32]) & (1u << (id % 32))) != 0;
    if (!idle && !runqempty(p2)) {
      lock(&sched.lock);
      auto [pp, now] = pidlegetSpinning(0);
      (void)now;
      if (pp == nullptr) {
        unlock(&sched.lock);
        return nullptr;
      }
      unlock(&sched.lock);
      return pp;
    }
  }
  return nullptr;
}

/// checkTimersNoP: for an M that gave up its P: the earliest timer of any
/// P in the timerpMask snapshot, or pollUntil if that is earlier.
/// \gosrc{proc.go,checkTimersNoP}
static int64 checkTimersNoP(p** allpSnapshot, int32 allplenSnapshot, uint32* timerpMaskSnapshot, int64 pollUntil) {
  for (int32 id = 0; id < allplenSnapshot; id++) {
    if ((atomic::Load(&timerpMaskSnapshot[id / 32]) & (1u << (id % 32))) != 0) {
      p* p2 = atomic::Load(&allpSnapshot[id]);
      int64 w = nobarrierWakeTime(p2);
      if (w != 0 && (pollUntil == 0 || w < pollUntil)) pollUntil = w;
    }
  }
  return pollUntil;
}

/// checkIdleGCNoP: for an M without a P: an idle P and an idle mark
/// worker to run on it, if the collector has mark work and wants another
/// idle worker; (nullptr, nullptr) otherwise. \gosrc{proc.go,checkIdleGCNoP}
static std::tuple<p*, g*> checkIdleGCNoP() {
  // A racy read of gcBlackenEnabled is fine: it is checked again below.
  if (atomic::Load(&gcBlackenEnabled) == 0 || !gcController.needIdleMarkWorker()) return {nullptr, nullptr};
  if (!gcMarkWorkAvailable(nullptr)) return {nullptr, nullptr};

  // Work is pending and a worker is wanted: take a P (first, as the worker
  // needs one), then the worker.
  lock(&sched.lock);
  auto [pp, now] = pidlegetSpinning(0);
  if (pp == nullptr) {
    unlock(&sched.lock);
    return {nullptr, nullptr};
  }
  // Now that we own a P, gcBlackenEnabled cannot change (that needs a
  // stopped world).
  if (atomic::Load(&gcBlackenEnabled) == 0 || !gcController.addIdleMarkWorker()) {
    pidleput(pp, now);
    unlock(&sched.lock);
    return {nullptr, nullptr};
  }
  auto* node = static_cast<gcBgMarkWorkerNode*>(gcBgMarkWorkerPool.pop());
  if (node == nullptr) {
    pidleput(pp, now);
    unlock(&sched.lock);
    gcController.removeIdleMarkWorker();
    return {nullptr, nullptr};
  }
  unlock(&sched.lock);
  return {pp, node->gp.ptr()};
}

/// wakeNetPoller: a timer was added or moved earlier, to when. If an M is
/// blocked in the poller past when, break its wait; if none is, make sure
/// some M is looking for work (it will see the timer).
/// \gosrc{proc.go,wakeNetPoller}
void wakeNetPoller(int64 when) {
  if (sched.lastpoll.Load() == 0) {
    // An M is in netpoll; it sleeps until pollUntil (0: indefinitely).
    int64 pollerPollUntil = sched.pollUntil.Load();
    if (pollerPollUntil == 0 || pollerPollUntil > when) netpollBreak();
  } else {
    wakep();
  }
}

/// resetspinning: a spinning M found work; it stops spinning and, since it
/// may have been the last spinner, wakes another. \gosrc{proc.go,resetspinning}
static void resetspinning() {
  g* gp = getg();
  if (!gp->m->spinning) throw_("resetspinning: not a spinning m");
  gp->m->spinning = false;
  int32 nmspinning = sched.nmspinning.Add(-1);
  if (nmspinning < 0) throw_("findrunnable: negative nmspinning");
  wakep();
}

/// injectglist: make every G of glist runnable and queue them, emptying
/// the list. Without a P (sysmon) they all go to the global queue and idle
/// Ps are started for them; with one, as many go to the global queue as
/// there are idle Ps to start, and the rest to this P's queue.
/// \gosrc{proc.go,injectglist}
void injectglist(gList* glist) {
  if (glist->empty()) return;

  // Runnable first, then queued.
  g* head = glist->head.ptr();
  g* tail = nullptr;
  int qsize = 0;
  for (g* gp = head; gp != nullptr; gp = gp->schedlink.ptr()) {
    tail = gp;
    qsize++;
    casgstatus(gp, _Gwaiting, _Grunnable);
  }

  // The list, as a queue.
  gQueue q;
  q.head.set(head);
  q.tail.set(tail);
  *glist = gList{};

  auto startIdle = [](int n) {
    for (int i = 0; i < n; i++) {
      m* mp = acquirem();  // as startm's callers do
      lock(&sched.lock);
      auto [pp, now] = pidlegetSpinning(0);
      (void)now;
      if (pp == nullptr) {
        unlock(&sched.lock);
        releasem(mp);
        break;
      }
      startm(pp, false, true);
      unlock(&sched.lock);
      releasem(mp);
    }
  };

  p* pp = getg()->m->p.ptr();
  if (pp == nullptr) {
    lock(&sched.lock);
    globrunqputbatch(&q, int32(qsize));
    unlock(&sched.lock);
    startIdle(qsize);
    return;
  }

  int npidle = int(sched.npidle.Load());
  gQueue globq;
  int n;
  for (n = 0; n < npidle && !q.empty(); n++) {
    g* gp = q.pop();
    globq.pushBack(gp);
  }
  if (n > 0) {
    lock(&sched.lock);
    globrunqputbatch(&globq, int32(n));
    unlock(&sched.lock);
    startIdle(n);
    qsize -= n;
  }

  if (!q.empty()) runqputbatch(pp, &q, qsize);
}

/// schedule: pick the next goroutine for this M (findRunnable) and switch
/// to it. Does not return. [g0-only] \gosrc{proc.go,schedule}
void schedule() {
  m* mp = getg()->m;
  if (mp->locks != 0) throw_("schedule: holding locks");
  if (mp->lockedg) {
    stoplockedm();
    execute(mp->lockedg.ptr(), false);  // does not come back
  }
top:
  p* pp = mp->p.ptr();
  pp->preempt = false;
  // Safety check: a spinning M has no local work.
  if (mp->spinning && (pp->runnext || pp->runqhead != pp->runqtail))
    throw_("schedule: spinning with local work");

  auto [gp, inheritTime, tryWakeP] = findRunnable();  // may park this M for a while

  // This M is about to run something: if it was spinning, another M must
  // take over the search.
  if (mp->spinning) resetspinning();

  if (sched.disable.user && !schedEnabled(gp)) {
    // User goroutines are held back: park gp on the list that
    // schedEnableUser(true) empties, and look again. (The first read is
    // racy, as Go's; the lock settles it.)
    lock(&sched.lock);
    if (schedEnabled(gp)) {
      // Allowed again meanwhile.
      unlock(&sched.lock);
    } else {
      sched.disable.runnable.pushBack(gp);
      sched.disable.n++;
      unlock(&sched.lock);
      goto top;
    }
  }

  if (tryWakeP) wakep();
  if (gp->lockedm) {
    // gp needs its own M: pass our P to that M, and sleep until someone
    // gives us a P again.
    startlockedm(gp);
    goto top;
  }
  execute(gp, inheritTime);
}

/// dropg: detach the running goroutine from this M (m.curg and curg.m). \gosrc{proc.go,dropg}
static void dropg() {
  g* gp = getg();
  g* curg = gp->m->curg;
  void* eh = ehglobals();
  memcpy(&curg->ehglobals, eh, sizeof curg->ehglobals);
  memset(eh, 0, sizeof curg->ehglobals);
  gp->m->curg->m = nullptr;
  gp->m->curg = nullptr;
}

/// checkTimers runs pp's due timers (pp is this M's P, or another P whose
/// timers stealWork runs). Returns (now, pollUntil: when the next timer is,
/// 0 if none, ran: a timer ran). The lock is taken only when something is
/// due or, on the own P, when over a quarter of the heap is deleted timers.
/// \gosrc{proc.go,checkTimers}
YESWRITEBARRIERREC static std::tuple<int64, int64, bool> checkTimers(p* pp, int64 now) {
  // When the first timer may be due, read without the lock ([timer0when]).
  int64 next = pp->timer0When.Load();
  int64 nextAdj = pp->timerModifiedEarliest.Load();
  if (next == 0 || (nextAdj != 0 && nextAdj < next)) next = nextAdj;
  if (next == 0) return {now, 0, false};  // no timers
  if (now == 0) now = nanotime();
  if (now < next) {
    // Nothing due. Unless this is our own P and deleted timers crowd its
    // heap, do not take the lock.
    if (pp != getg()->m->p.ptr() || int(pp->deletedTimers.Load()) <= int(pp->numTimers.Load() / 4)) {
      return {now, next, false};
    }
  }
  int64 pollUntil = 0;
  bool ran = false;
  lock(&pp->timersLock);
  if (pp->timersLen > 0) {
    adjusttimers(pp, now);
    while (pp->timersLen > 0) {
      // runtimer: 0 if it ran one, else when the next is due (-1: none).
      if (int64 tw = runtimer(pp, now); tw != 0) {
        if (tw > 0) pollUntil = tw;
        break;
      }
      ran = true;
    }
  }
  // Only the owner clears deleted timers: another P's M may be looking at
  // them with an older heap in mind (Go's reasoning in checkTimers).
  if (pp == getg()->m->p.ptr() && int(pp->deletedTimers.Load()) > pp->timersLen / 4) clearDeletedTimers(pp);
  unlock(&pp->timersLock);
  return {now, pollUntil, ran};
}

/// \gosrc{proc.go,parkunlock_c}
static bool parkunlock_c(g*, void* lock) {
  unlock(static_cast<mutex*>(lock));
  return true;
}

/// park_m: the g0 half of gopark. \gosrc{proc.go,park_m}
static void park_m(g* gp) {
  m* mp = getg()->m;
  casgstatus(gp, _Grunning, _Gwaiting);
  dropg();
  if (auto fn = mp->waitunlockf) {
    bool ok = fn(gp, mp->waitlock);
    mp->waitunlockf = nullptr;
    mp->waitlock = nullptr;
    if (!ok) {
      casgstatus(gp, _Gwaiting, _Grunnable);
      execute(gp, true);  // unlockf refused: run gp again; does not come back
    }
  }
  schedule();
}

/// goschedImpl: put gp on the global queue and schedule. \gosrc{proc.go,goschedImpl}
static void goschedImpl(g* gp, bool preempted) {
  (void)preempted;
  uint32 status = readgstatus(gp);
  if ((status & ~uint32(_Gscan)) != _Grunning) throw_("bad g status");
  casgstatus(gp, _Grunning, _Grunnable);
  dropg();
  lock(&sched.lock);
  globrunqput(gp);
  unlock(&sched.lock);
  if (mainStarted) wakep();
  schedule();
}

/// gosched_m: the g0 side of Gosched. \gosrc{proc.go,gosched_m}
static void gosched_m(g* gp) { goschedImpl(gp, false); }

/// gopreempt_m: a preempted goroutine goes to the global queue, as if it
/// had called Gosched. \gosrc{proc.go,gopreempt_m}
void gopreempt_m(g* gp) { goschedImpl(gp, true); }

/// preemptPark: gp (this M's curg, _Grunning) stops at a suspendG request
/// (g.preemptStop): it parks in _Gpreempted, off any run queue, and this M
/// schedules. The suspender that claims it (casGFromPreempted) readies it
/// in resumeG. The status goes through _Gscan|_Gpreempted so that no
/// suspender claims gp while this M still calls it curg. Context: g0, from
/// newstack. Never returns. \gosrc{proc.go,preemptPark}
void preemptPark(g* gp) {
  systemstackcheck();
  uint32 status = readgstatus(gp);
  if ((status & ~uint32(_Gscan)) != _Grunning) {
    dumpgstatus(gp);
    throw_("bad g status");
  }
  // (Go checks here that an asynchronous preemption did not stop gp in an
  // assembly function that writes SP; the port never stops one in
  // assembly: isAsyncSafePoint refuses the runtime's text.)
  casGToPreemptScan(gp, _Grunning, _Gscan | _Gpreempted);
  dropg();
  casfrom_Gscanstatus(gp, _Gscan | _Gpreempted, _Gpreempted);
  schedule();
}

/// goyield: yield as Gosched does, but requeue at the tail of this P's
/// queue rather than on the global one (Go's caller: semrelease1 in
/// sema.go). \gosrc{proc.go,goyield}
void goyield() { mcall(goyield_m); }

/// \gosrc{proc.go,goyield_m}
static void goyield_m(g* gp) {
  p* pp = gp->m->p.ptr();
  casgstatus(gp, _Grunning, _Grunnable);
  dropg();
  runqput(pp, gp, false);
  schedule();
}

extern "C" void goexit1_asm() asm("runtime.goexit1");

/// goexit1: end the running goroutine; reached from goexit on return.
/// Departure: no racegoend and no trace event. Under TSan the dead g keeps
/// its fiber for its next life ([race-fiber], race.cpp), so there is no race
/// context to end; the port has no execution tracer.
/// \gosrc{proc.go,goexit1}
void goexit1() { mcall(goexit0); }
// goexit1_asm: the symbol asm_amd64.S's goexit calls, runtime.goexit1 (Go's
// name), for the C++ function above.
void goexit1_asm() { goexit1(); }

static void gdestroy(g* gp);
/// goexit0: the g0 side of goexit1. \gosrc{proc.go,goexit0}
static void goexit0(g* gp) {
  gdestroy(gp);
  schedule();
}

/// gdestroy: gp is dead; return it to the free list. If it was locked to
/// this thread, the thread exits with it. \gosrc{proc.go,gdestroy}
static void gdestroy(g* gp) {
  m* mp = getg()->m;
  p* pp = mp->p.ptr();
  casgstatus(gp, _Grunning, _Gdead);
  gcController.addScannableStack(pp, -int64(gp->stack_.hi - gp->stack_.lo));
  if (isSystemGoroutine(gp, false)) sched.ngsys.Add(-1);
  gp->m = nullptr;
  bool locked = bool(gp->lockedm);
  gp->lockedm.set(nullptr);
  mp->lockedg.set(nullptr);
  // A suspendG that asked gp to stop saw it die instead, and left the
  // request for the next user of this g to find: clear it ([preempt-stop]).
  gp->preemptStop = false;
  gp->_panic = nullptr;
  gp->_defer = nullptr;
  gp->waitreason = waitReasonZero;
  gp->param = nullptr;
  dropg();
  if (mp->lockedInt != 0) {
    print("invalid m->lockedInt = ", mp->lockedInt, "\n");
    throw_("internal lockOSThread error");
  }
  gfput(pp, gp);
  if (locked) {
    // The goroutine exited without unlocking its thread: the thread may be
    // in a state no other goroutine should inherit, so it exits too.
    gogo(&mp->g0->sched);
  }
}

// ---- System calls ----
//
// A goroutine about to block in the kernel (or in any C++ code that blocks
// without the scheduler's knowledge) brackets the call: reentersyscall
// puts it in _Gsyscall and its P in _Psyscall, still wired to nothing;
// exitsyscall takes the same P back if it is still _Psyscall (the fast,
// common case), else any idle P, else queues the goroutine and parks the M.
// Meanwhile sysmon's retake hands a P that stays in _Psyscall past a
// sysmon tick to another M (handoffp), and a stop of the world or forEachP
// takes it. The bracket is the assembly of asm_amd64.S (syscall_call,
// syscallblock_call), which keeps the callee-saved registers on the stack
// above syscallsp while the goroutine is away, for the collector's
// conservative scan; C++ callers use gort::syscall (go.hpp).

/// save: record the caller's pc, sp and bp as g's context while it is in a
/// system call, for tracebacks and the collector. Departure: bp too (the
/// port's tracebacks walk frame pointers from gobuf.bp). \gosrc{proc.go,save}
NOSPLIT NOWRITEBARRIERREC static void save(uintptr pc, uintptr sp, uintptr bp);
static void save(uintptr pc, uintptr sp, uintptr bp) {
  g* gp = getg();
  if (gp == gp->m->g0 || gp == gp->m->gsignal) throw_("save on system g not allowed");
  gp->sched.pc = pc;
  gp->sched.sp = sp;
  gp->sched.lr = 0;
  gp->sched.ret = 0;
  gp->sched.bp = bp;
}

static void entersyscall_sysmon();
static void entersyscall_gcwait();

/// reentersyscall: the goroutine enters a system call: _Gsyscall, its P
/// left in _Psyscall for sysmon or a stop of the world to take, or for
/// exitsyscall to take back. pc, sp and bp are the caller's (asm_amd64.S).
/// Departure: Go poisons stackguard0 and sets throwsplit, so that any stack
/// growth before the call throws; here the call is the caller's C++ (fn of
/// syscall_call), whose split-stack prologues must pass, so the guard is set
/// to its real value (a pending preemption request waits, in g.preempt, for
/// exitsyscall, as in Go). \gosrc{proc.go,reentersyscall}
extern "C" NOSPLIT void reentersyscall(uintptr pc, uintptr sp, uintptr bp) asm("runtime.reentersyscall");
void reentersyscall(uintptr pc, uintptr sp, uintptr bp) {
  g* gp = getg();
  // No preemption while g and p are half changed (and none from a stack
  // check in the calls below).
  gp->m->locks++;
  gp->stackguard0 = gp->stack_.lo + stackGuard;
  setTLSGuard(gp->stackguard0);
  save(pc, sp, bp);
  gp->syscallsp = sp;
  gp->syscallpc = pc;
  gp->syscallbp = bp;
  gp->syscallstack = gp->stack_;
  gp->syscallseg = gp->stackseg;
  casgstatus(gp, _Grunning, _Gsyscall);
  if (gp->syscallsp < gp->stack_.lo || gp->stack_.hi < gp->syscallsp) {
    systemstack([gp] {
      print("entersyscall inconsistent ", hex(gp->syscallsp), " [", hex(gp->stack_.lo), ",", hex(gp->stack_.hi),
            "]\n");
      throw_("entersyscall");
    });
  }
  if (sched.sysmonwait.Load()) {
    systemstack([] { entersyscall_sysmon(); });
    save(pc, sp, bp);
  }
  if (atomic::Load(&gp->m->p.ptr()->runSafePointFn) != 0) {
    // forEachP wants this P: run fn now, before the P is left behind.
    systemstack([] { runSafePointFn(); });
    save(pc, sp, bp);
  }
  gp->m->syscalltick = gp->m->p.ptr()->syscalltick;
  p* pp = gp->m->p.ptr();
  pp->m.set(nullptr);
  gp->m->oldp.set(pp);
  gp->m->p.set(nullptr);
  pp->status = _Psyscall;
  if (sched.gcwaiting.Load()) {
    systemstack([] { entersyscall_gcwait(); });
    save(pc, sp, bp);
  }
  gp->m->locks--;
}

/// entersyscall_sysmon: wake sysmon if it sleeps (sysmonwait).
/// \gosrc{proc.go,entersyscall_sysmon}
SYSTEMSTACK static void entersyscall_sysmon() {
  systemstackcheck();
  lock(&sched.lock);
  if (sched.sysmonwait.Load()) {
    sched.sysmonwait.Store(false);
    notewakeup(&sched.sysmonnote);
  }
  unlock(&sched.lock);
}

/// entersyscall_gcwait: a stop of the world is waiting: give it the P now.
/// \gosrc{proc.go,entersyscall_gcwait}
SYSTEMSTACK static void entersyscall_gcwait() {
  systemstackcheck();
  g* gp = getg();
  p* pp = gp->m->oldp.ptr();
  lock(&sched.lock);
  if (sched.stopwait > 0 && casPStatus(pp, _Psyscall, _Pgcstop)) {
    pp->syscalltick++;
    if (--sched.stopwait == 0) notewakeup(&sched.stopnote);
  }
  unlock(&sched.lock);
}

static void entersyscallblock_handoff();

/// entersyscallblock: entersyscall for a call known to block: the P is
/// handed off at once. (The Departure of reentersyscall applies.)
/// \gosrc{proc.go,entersyscallblock}
extern "C" NOSPLIT void entersyscallblock(uintptr pc, uintptr sp, uintptr bp) asm("runtime.entersyscallblock");
void entersyscallblock(uintptr pc, uintptr sp, uintptr bp) {
  g* gp = getg();
  gp->m->locks++;
  gp->stackguard0 = gp->stack_.lo + stackGuard;
  setTLSGuard(gp->stackguard0);
  gp->m->syscalltick = gp->m->p.ptr()->syscalltick;
  gp->m->p.ptr()->syscalltick++;
  save(pc, sp, bp);
  gp->syscallsp = gp->sched.sp;
  gp->syscallpc = gp->sched.pc;
  gp->syscallbp = gp->sched.bp;
  gp->syscallstack = gp->stack_;
  gp->syscallseg = gp->stackseg;
  if (gp->syscallsp < gp->stack_.lo || gp->stack_.hi < gp->syscallsp) {
    systemstack([gp, sp] {
      print("entersyscallblock inconsistent ", hex(sp), " ", hex(gp->sched.sp), " ", hex(gp->syscallsp), " [",
            hex(gp->stack_.lo), ",", hex(gp->stack_.hi), "]\n");
      throw_("entersyscallblock");
    });
  }
  casgstatus(gp, _Grunning, _Gsyscall);
  systemstack([] { entersyscallblock_handoff(); });
  // Resync the context the handoff's systemstack call may have left.
  save(pc, sp, bp);
  gp->m->locks--;
}

/// entersyscallblock_handoff: give the P away. \gosrc{proc.go,entersyscallblock_handoff}
static void entersyscallblock_handoff() { handoffp(releasep()); }

NOSPLIT static bool exitsyscallfast(p* oldp);
static void exitsyscall0(g* gp);

/// exitsyscall: the goroutine is back from its system call: take a P (the
/// old one if it is still waiting in _Psyscall, else an idle one) and go
/// on; without one, queue the goroutine and park the M (exitsyscall0), to
/// resume, perhaps on another M, when a P picks it up.
/// \gosrc{proc.go,exitsyscall}
extern "C" NOSPLIT NOWRITEBARRIERREC void exitsyscall() asm("runtime.exitsyscall");
void exitsyscall() {
  g* gp = getg();
  gp->m->locks++;  // see reentersyscall
  gp->waitsince = 0;
  p* oldp = gp->m->oldp.ptr();
  gp->m->oldp.set(nullptr);
  if (exitsyscallfast(oldp)) {
    // A P is ours again: run.
    gp->m->p.ptr()->syscalltick++;
    // (Waits while a collector holds the _Gscan bit to scan this stack.)
    casgstatus(gp, _Gsyscall, _Grunning);
    gp->syscallsp = 0;
    gp->sched.sp = 0;  // [tls-guard]'s companion: a running g has no saved sp
    gp->m->locks--;
    // A preemption request that came in meanwhile is honoured at the next
    // prologue.
    if (gp->preempt) {
      gp->stackguard0 = stackPreempt;
    } else {
      gp->stackguard0 = gp->stack_.lo + stackGuard;
    }
    setTLSGuard(gp->stackguard0);
    if (sched.disable.user && !schedEnabled(gp)) Gosched();  // user goroutines are held back
    return;
  }
  gp->m->locks--;
  // No P: wait for one in the scheduler.
  mcall(exitsyscall0);
  // Resumed by execute, perhaps on another M, with a P.
  gp->syscallsp = 0;
  gp->m->p.ptr()->syscalltick++;
}

static bool exitsyscallfast_pidle();
NOSPLIT static void exitsyscallfast_reacquired();
NOSPLIT NOWRITEBARRIERREC static void wirep(p* pp);

/// exitsyscallfast: take the old P back if it is still in _Psyscall, or
/// an idle P. \gosrc{proc.go,exitsyscallfast}
static bool exitsyscallfast(p* oldp) {
  if (oldp != nullptr && oldp->status == _Psyscall && casPStatus(oldp, _Psyscall, _Pidle)) {
    // The old P, and nothing happened to it meanwhile but ticks.
    wirep(oldp);
    exitsyscallfast_reacquired();
    return true;
  }
  // Any idle P.
  if (sched.pidle) {
    bool ok = false;
    systemstack([&ok] { ok = exitsyscallfast_pidle(); });
    if (ok) return true;
  }
  return false;
}

/// exitsyscallfast_reacquired: the old P is ours again; if it was taken
/// and given back meanwhile (its syscalltick moved), count the change.
/// \gosrc{proc.go,exitsyscallfast_reacquired}
static void exitsyscallfast_reacquired() {
  g* gp = getg();
  if (gp->m->syscalltick != gp->m->p.ptr()->syscalltick) gp->m->p.ptr()->syscalltick++;
}

/// exitsyscallfast_pidle: an idle P for a goroutine back from a system
/// call, if there is one. \gosrc{proc.go,exitsyscallfast_pidle}
static bool exitsyscallfast_pidle() {
  lock(&sched.lock);
  auto [pp, now] = pidleget(0);
  (void)now;
  if (pp != nullptr && sched.sysmonwait.Load()) {
    sched.sysmonwait.Store(false);
    notewakeup(&sched.sysmonnote);
  }
  unlock(&sched.lock);
  if (pp != nullptr) {
    acquirep(pp);
    return true;
  }
  return false;
}

/// exitsyscall0: on g0, for a goroutine back from a system call with no P
/// for it: an idle P after all, or the global queue and a parked M.
/// \gosrc{proc.go,exitsyscall0}
NOWRITEBARRIERREC static void exitsyscall0(g* gp) {
  casgstatus(gp, _Gsyscall, _Grunnable);
  dropg();
  lock(&sched.lock);
  p* pp = nullptr;
  if (schedEnabled(gp)) {
    auto [p2, now] = pidleget(0);
    (void)now;
    pp = p2;
  }
  bool locked = false;
  if (pp == nullptr) {
    globrunqput(gp);
    // Read under the lock: once it is unlocked, another M may run gp.
    locked = bool(gp->lockedm);
  } else if (sched.sysmonwait.Load()) {
    sched.sysmonwait.Store(false);
    notewakeup(&sched.sysmonnote);
  }
  unlock(&sched.lock);
  if (pp != nullptr) {
    acquirep(pp);
    execute(gp, false);  // never returns
  }
  if (locked) {
    // gp is locked to this M: wait until it is runnable, then run it here.
    stoplockedm();
    execute(gp, false);  // never returns
  }
  stopm();
  schedule();  // never returns
}

/// malg: a fresh g plus a stack of stacksize bytes from stackalloc.
/// \gosrc{proc.go,malg}
static g* malg(uintptr stacksize) {
  // A dead g is never freed: it goes to the free list (gfput).
  g* newg = newobject<g>();
  newg->stack_ = stackalloc(uint32(stacksize));
  newg->stackguard0 = newg->stack_.lo + stackGuard;
  newg->stackguard1 = ~uintptr(0);
  return newg;
}

static g* newproc1(funcval* fn, g* callergp, uintptr callerpc);
static ancestorInfo* saveAncestors(g* callergp, int32* n);

/// newproc: `go fn()`. The new G goes into this P's runnext so it runs
/// soon; once the program is past init an idle P is woken as well.
/// \gosrc{proc.go,newproc}
void newproc(funcval* fn) {
  g* gp = mustgetg("newproc");
  uintptr pc = getcallerpc();
  systemstack([&] {
    g* newg = newproc1(fn, gp, pc);
    p* pp = getg()->m->p.ptr();
    runqput(pp, newg, true);
    if (mainStarted) wakep();
  });
}

/// gostartcallfn: make buf look as if fn's entry had been called from
/// goexit, with fn in ctxt. \gosrc{stack.go,gostartcallfn}
static void gostartcallfn(gobuf* buf, funcval* fn) {
  uintptr sp = buf->sp;
  sp -= sizeof(uintptr);
  *reinterpret_cast<uintptr*>(sp) = buf->pc;  // the return address: goexit+1
  buf->sp = sp;
  buf->pc = reinterpret_cast<uintptr>(fn->fn);
  // Go's gobuf.ctxt is a pointer, stored with the write barrier; here it
  // is a word (the assembly's view), so the barrier is spelled out.
  writebarrierptr(reinterpret_cast<funcval**>(&buf->ctxt), fn);
}

/// newproc1: build a runnable G whose first frame calls fn, reusing a dead
/// G when one is free. Queuing it is left to the caller. \gosrc{proc.go,newproc1}
static g* newproc1(funcval* fn, g* callergp, uintptr callerpc) {
  if (fn == nullptr) fatal("go of nil func value");
  m* mp = acquirem();
  p* pp = mp->p.ptr();
  g* newg = gfget(pp);
  if (newg == nullptr) {
    // Departure: the main goroutine starts on mainStackSize (stack.hpp).
    // No G is dead yet when rt0_go makes it, so it always comes from here.
    newg = malg(fn == &mainPC ? mainStackSize : stackSize());
    casgstatus(newg, _Gidle, _Gdead);
    allgadd(newg);  // published as dead, so dumps skip it
  }
  if (newg->stack_.hi == 0) throw_("newproc1: newg missing stack");
  if (readgstatus(newg) != _Gdead) throw_("newproc1: new g is not Gdead");

  // Room at the top for a frame's worth of reads past the end, 16-aligned.
  uintptr totalSize = 4 * sizeof(uintptr) + 0;
  totalSize = (totalSize + 15) & ~uintptr(15);
  uintptr sp = newg->stack_.hi - totalSize;
  newg->sched = gobuf{};
  newg->sched.sp = sp;
  newg->stktopsp = sp;
  newg->sched.pc = reinterpret_cast<uintptr>(&goexit) + PCQuantum;
  newg->sched.g.set(newg);
  gostartcallfn(&newg->sched, fn);
  newg->parentGoid = uint64(callergp->goid);
  newg->gopc = callerpc;
  newg->ancestors = saveAncestors(callergp, &newg->nancestors);
  newg->startpc = reinterpret_cast<uintptr>(fn->fn);
  newg->startfn = fn;
  if (isSystemGoroutine(newg, false)) sched.ngsys.Add(1);
  // Time the first transition? One in gTrackingPeriod, at random.
  newg->trackingSeq = uint8(cheaprand());
  newg->tracking = newg->trackingSeq % gTrackingPeriod == 0;
  // The pacer counts the stack as scannable while the goroutine lives.
  gcController.addScannableStack(pp, int64(newg->stack_.hi - newg->stack_.lo));
  casgstatus(newg, _Gdead, _Grunnable);
  if (pp->goidcache == pp->goidcacheend) {
    // Take a batch of IDs from the global counter.
    pp->goidcache = sched.goidgen.Add(_GoidCacheBatch);
    pp->goidcache -= _GoidCacheBatch - 1;
    pp->goidcacheend = pp->goidcache + _GoidCacheBatch;
  }
  newg->goid = int64(pp->goidcache);
  pp->goidcache++;
  if (raceenabled) newg->racectx = racegostart(callerpc, newg);
  if (asanenabled) {
    // The stack may have served a goroutine that ended inside frames ASan
    // had poisoned redzones for; the new goroutine starts with none.
    asanunpoison(reinterpret_cast<void*>(newg->stack_.lo), newg->stack_.hi - newg->stack_.lo);
  }
  releasem(mp);
  return newg;
}

/// saveAncestors: with GODEBUG=tracebackancestors=N, the record of
/// callergp's own stack and its first N-1 ancestors, for newg's tracebacks;
/// nullptr (and *n = 0) otherwise, or for the root goroutine (goid 0).
/// \gosrc{proc.go,saveAncestors}
static ancestorInfo* saveAncestors(g* callergp, int32* n) {
  *n = 0;
  if (debug.tracebackancestors <= 0 || callergp->goid == 0) return nullptr;
  int32 k = callergp->nancestors + 1;  // (0 of them when ancestors is nullptr)
  if (k > debug.tracebackancestors) k = debug.tracebackancestors;
  // Pointer-free: the pcs are code addresses.
  auto* ancestors = static_cast<ancestorInfo*>(mallocgc(uintptr(k) * sizeof(ancestorInfo), nullptr, true));
  for (int32 i = 1; i < k; i++) ancestors[i] = callergp->ancestors[i - 1];
  ancestors[0].npcs = gcallers(callergp, 0, ancestors[0].pcs, tracebackInnerFrames);
  ancestors[0].goid = callergp->goid;
  ancestors[0].gopc = callergp->gopc;
  *n = k;
  return ancestors;
}

/// gfput: keep dead gp on pp's free list for reuse; at 64 entries, move all
/// but 31 to the global list. \gosrc{proc.go,gfput}
void gfput(p* pp, g* gp) {
  if (readgstatus(gp) != _Gdead) throw_("gfput: bad status (not Gdead)");
  if (gp->stackseg != nullptr) throw_("gfput: goroutine still on a stack segment");
  // The segments a dead G kept as spares go.
  stackfreeSpares(gp, nullptr);
  // A first stack of another size than new goroutines start on (the main
  // goroutine's, after Goexit) is freed; gfget gives the G a new one.
  uintptr stksize = gp->stack_.hi - gp->stack_.lo;
  if (stksize != stackSize()) {
    stackfree(gp->stack_);
    gp->stack_.lo = 0;
    gp->stack_.hi = 0;
    gp->stackguard0 = 0;
  }
  pp->gFree.list.push(gp);
  pp->gFree.n++;
  if (pp->gFree.n >= 64) {
    int32 inc = 0;
    gQueue stackQ, noStackQ;
    while (pp->gFree.n >= 32) {
      g* g1 = pp->gFree.list.pop();
      pp->gFree.n--;
      // A G whose stack a collection freed (markrootFreeGStacks) and that
      // gfget moved here stays on the list without one.
      if (g1->stack_.lo == 0) {
        noStackQ.push(g1);
      } else {
        stackQ.push(g1);
      }
      inc++;
    }
    lock(&sched.gFree.lock);
    sched.gFree.noStack.pushAll(noStackQ);
    sched.gFree.stack.pushAll(stackQ);
    sched.gFree.n += inc;
    unlock(&sched.gFree.lock);
  }
}

/// stackReuseClear: the bytes gfget clears at the top of a reused stack
/// ([stale-stack]); the first frames of a goroutine parked in a channel
/// operation or at a worker's loop fit in them.
inline constexpr uintptr stackReuseClear = 1024;

/// gfget: a dead G for reuse, or nullptr. An empty local list is first
/// topped up (to 32) from the global lists; a G without a stack gets one. \gosrc{proc.go,gfget}
g* gfget(p* pp) {
retry:
  if (pp->gFree.list.empty() && (!sched.gFree.stack.empty() || !sched.gFree.noStack.empty())) {
    lock(&sched.gFree.lock);
    while (pp->gFree.n < 32) {
      g* gp = sched.gFree.stack.pop();
      if (gp == nullptr) {
        gp = sched.gFree.noStack.pop();
        if (gp == nullptr) break;
      }
      sched.gFree.n--;
      pp->gFree.list.push(gp);
      pp->gFree.n++;
    }
    unlock(&sched.gFree.lock);
    goto retry;
  }
  g* gp = pp->gFree.list.pop();
  if (gp == nullptr) return nullptr;
  pp->gFree.n--;
  if (gp->stack_.lo == 0) {
    gp->stack_ = stackalloc(uint32(stackSize()));
    gp->stackguard0 = gp->stack_.lo + stackGuard;
  } else {
    // Departure [stale-stack]: a reused stack still holds what the dead
    // goroutine left there. The new goroutine's first frames, which live
    // as long as it does (a worker parked at its loop), have holes that
    // its own code never writes, and the conservative stack scan would
    // read the old words in them as pointers, keeping what the dead
    // goroutine last used alive as long as the new one lives. Clearing the
    // top of the stack, where those frames go, costs one short memset per
    // goroutine started on a reused stack. (Go's scan is exact and needs
    // nothing here.)
    void* top = reinterpret_cast<void*>(gp->stack_.hi - stackReuseClear);
    // The dead goroutine's frames left the bytes poisoned (ASan) or below
    // its last stack pointer, inaccessible to memcheck (valgrind): give them
    // back before writing, as Go's gfget unpoisons a reused stack.
    if (asanenabled) asanunpoison(top, stackReuseClear);
    VALGRIND_MAKE_MEM_UNDEFINED(top, stackReuseClear);
    memclrNoHeapPointers(top, stackReuseClear);
  }
  return gp;
}

/// gfpurge: move all of pp's dead Gs to the global lists (pp is going
/// away). \gosrc{proc.go,gfpurge}
static void gfpurge(p* pp) {
  int32 inc = 0;
  gQueue stackQ, noStackQ;
  while (!pp->gFree.list.empty()) {
    g* gp = pp->gFree.list.pop();
    pp->gFree.n--;
    if (gp->stack_.lo == 0) {
      noStackQ.push(gp);
    } else {
      stackQ.push(gp);
    }
    inc++;
  }
  lock(&sched.gFree.lock);
  sched.gFree.noStack.pushAll(noStackQ);
  sched.gFree.stack.pushAll(stackQ);
  sched.gFree.n += inc;
  unlock(&sched.gFree.lock);
}

NOSPLIT static void dolockOSThread();
/// dolockOSThread wires the current g and m to each other. \gosrc{proc.go,dolockOSThread}
static void dolockOSThread() {
  g* gp = getg();
  gp->m->lockedg.set(gp);
  gp->lockedm.set(gp->m);
}

/// \gosrc{proc.go,LockOSThread}
void LockOSThread() {
  if (atomic::Load(&newmHandoff.haveTemplateThread) == 0) {
    // Once locked, this thread's OS state may be odd, and threads it needs
    // must come from the template thread. Start that now, while the state
    // is still ordinary.
    startTemplateThread();
  }
  g* gp = mustgetg("runtime.LockOSThread");
  gp->m->lockedExt++;
  if (gp->m->lockedExt == 0) {
    gp->m->lockedExt--;
    gopanic("LockOSThread nesting overflow");
  }
  dolockOSThread();
}

/// lockOSThread: the runtime's own, counted apart. \gosrc{proc.go,lockOSThread}
void lockOSThread() {
  getg()->m->lockedInt++;
  dolockOSThread();
}

NOSPLIT static void dounlockOSThread();
/// dounlockOSThread unwires once both counts are zero. \gosrc{proc.go,dounlockOSThread}
static void dounlockOSThread() {
  g* gp = getg();
  if (gp->m->lockedInt != 0 || gp->m->lockedExt != 0) return;
  gp->m->lockedg.set(nullptr);
  gp->lockedm.set(nullptr);
}

/// \gosrc{proc.go,UnlockOSThread}
void UnlockOSThread() {
  g* gp = mustgetg("runtime.UnlockOSThread");
  if (gp->m->lockedExt == 0) return;
  gp->m->lockedExt--;
  dounlockOSThread();
}

/// \gosrc{proc.go,unlockOSThread}
void unlockOSThread() {
  g* gp = getg();
  if (gp->m->lockedInt == 0) throw_("runtime: internal error: misuse of lockOSThread/unlockOSThread");
  gp->m->lockedInt--;
  dounlockOSThread();
}

/// isSystemGoroutine reports whether gp is a runtime-internal goroutine,
/// left out of dumps, counts and the deadlock check. The finalizer
/// goroutine is one while it waits and not while it runs a finalizer
/// (user code), unless fixed asks for an answer that cannot change: then
/// it is a user goroutine. Departure: Go asks the symbol table whether gp's
/// start function is in package runtime (other than runtime.main); the port
/// compares gp.startpc with the entry points of the goroutines the runtime
/// starts itself: forcegchelper, bgsweep, bgscavenge, the mark workers and
/// runfinq.
/// \gosrc{traceback.go,isSystemGoroutine}
bool isSystemGoroutine(g* gp, bool fixed) {
  if (gp->startpc == reinterpret_cast<uintptr>(&runfinq_entry)) {
    if (fixed) return false;
    return (fingStatus.Load() & fingRunningFinalizer) == 0;
  }
  return gp->startpc == reinterpret_cast<uintptr>(forcegchelperPC.fn) ||
         gp->startpc == reinterpret_cast<uintptr>(&bgsweep_entry) ||
         gp->startpc == reinterpret_cast<uintptr>(&bgscavenge_entry) ||
         gp->startpc == reinterpret_cast<uintptr>(&gcBgMarkWorker_entry);
}

/// gcount: live user goroutines. \gosrc{proc.go,gcount}
int32 gcount() {
  int32 n = int32(atomic::Load(&allglen)) - sched.gFree.n - sched.ngsys.Load();
  for (int32 i = 0; i < allplen; i++) n -= allp[i]->gFree.n;
  // The counters are read without a lock and may disagree; the caller is
  // itself a live goroutine, so never report fewer than one.
  if (n < 1) n = 1;
  return n;
}

/// \gosrc{proc.go,mcount}
int32 mcount() { return int32(sched.mnext - sched.nmfreed); }

/// init: set up a new P. \gosrc{proc.go,init}
void p::init(int32 id_) {
  id = id_;
  status = _Pgcstop;
  if (this->mcache == nullptr) {
    if (id_ == 0) {
      if (mcache0 == nullptr) throw_("missing mcache?");
      // P 0 takes over the bootstrap mcache, mcache0.
      this->mcache = mcache0;
    } else {
      this->mcache = allocmcache();
    }
  }
  wbBuf_.reset();
  // It may get timers as soon as it runs, and P 0 at start-up never goes
  // through pidleget, which would set the bit ([timerpmask]).
  atomic::Or(&timerpMask[id_ / 32], 1u << (id_ % 32));
  atomic::And(&idlepMask[id_ / 32], ~(1u << (id_ % 32)));
}

/// destroy: a P beyond the new GOMAXPROCS gives its work and caches back.
/// \gosrc{proc.go,destroy}
void p::destroy() {
  p* pp = this;
  // Hand the local queue to the global one, last G first, each pushed at
  // the global head so the original order is kept.
  while (pp->runqhead != pp->runqtail) {
    pp->runqtail--;
    g* gp = pp->runq[pp->runqtail % runqsize].ptr();
    // at the front
    sched.runq.push(gp);
    sched.runqsize++;
  }
  if (pp->runnext) {
    sched.runq.push(pp->runnext.ptr());
    sched.runqsize++;
    pp->runnext.set(nullptr);
  }
  // Its timers go to the P of the M resizing. The world is stopped; Go
  // takes both locks anyway, because sysmon's timeSleepUntil may read them.
  // The one place two Ps' timersLocks are held together.
  if (pp->timersLen > 0) {
    p* plocal = getg()->m->p.ptr();
    lock(&plocal->timersLock);
    lock(&pp->timersLock);
    moveTimers(plocal, pp->timers, pp->timersLen);
    for (int32 i = 0; i < pp->timersLen; i++) pp->timers[i] = nullptr;
    pp->timers = nullptr;
    pp->timersLen = 0;
    pp->timersCap = 0;
    pp->numTimers.Store(0);
    pp->deletedTimers.Store(0);
    pp->timer0When.Store(0);
    unlock(&pp->timersLock);
    unlock(&plocal->timersLock);
  }
  // A mark in progress: this P's buffered pointers and grey objects go to
  // the collector (they would otherwise stay with a dead P).
  if (gcphase != _GCoff) {
    wbBufFlush1(pp);
    pp->gcw.dispose();
  }
  gfpurge(pp);
  systemstack([pp] {
    // The mspans and pages this P cached go back to the heap (the world is
    // stopped, so spanalloc needs no lock).
    for (int i = 0; i < pp->mspancache.len; i++) mheap_.spanalloc.free(pp->mspancache.buf[i]);
    pp->mspancache.len = 0;
    lock(&mheap_.lock);
    pp->pcache.flush(&mheap_.pages);
    unlock(&mheap_.lock);
  });
  freemcache(pp->mcache);
  pp->mcache = nullptr;
  pp->status = _Pdead;
}

/// procresize: make nprocs Ps exist and be in use. Runs with the world
/// stopped and sched.lock held. The result links the Ps that still have
/// queued work; the caller must find Ms for them. \gosrc{proc.go,procresize}
static p* procresize(int32 nprocs) {
  int32 old = gomaxprocs;
  if (old < 0 || nprocs <= 0) throw_("procresize: invalid arg");
  int64 now = nanotime();
  if (sched.procresizetime != 0) sched.totaltime += int64(old) * (now - sched.procresizetime);
  sched.procresizetime = now;
  int32 maskWords = (nprocs + 31) / 32;

  // Make room in allp for nprocs. Departure: Go appends to slices; allp here is an
  // array of capacity max(nprocs) that is replaced to grow. It is a heap
  // object (the collector finds every P through the global allp); the old
  // one is garbage (idlepMask's old array is kept: C++ heap).
  if (nprocs > allpcap) {
    lock(&allpLock);
    p** nallp = static_cast<p**>(newarray(&typeOf<p*>, int(nprocs)));
    uint32* nmask = static_cast<uint32*>(calloc(size_t(maskWords), sizeof(uint32)));
    uint32* ntmask = static_cast<uint32*>(calloc(size_t(maskWords), sizeof(uint32)));
    for (int32 i = 0; i < allpcap; i++) nallp[i] = allp[i];
    for (int32 i = 0; i < (allpcap + 31) / 32; i++) nmask[i] = atomic::Load(&idlepMask[i]);
    for (int32 i = 0; i < (allpcap + 31) / 32; i++) ntmask[i] = atomic::Load(&timerpMask[i]);
    allp = nallp;
    idlepMask = nmask;
    timerpMask = ntmask;
    allpcap = nprocs;
    unlock(&allpLock);
  }
  // Set up the added Ps.
  for (int32 i = old; i < nprocs; i++) {
    p* pp = allp[i];
    if (pp == nullptr) pp = newobject<p>();
    pp->init(i);
    atomic::Store(&allp[i], pp);
  }
  g* gp = getg();
  if (gp->m->p && gp->m->p.ptr()->id < nprocs) {
    // This M's P survives the resize: keep it.
    gp->m->p.ptr()->status = _Prunning;
    gp->m->p.ptr()->mcache->prepareForSweep();
  } else {
    // This M's P is going away (or it had none): take allp[0] instead.
    if (gp->m->p) gp->m->p.ptr()->m.set(nullptr);
    gp->m->p.set(nullptr);
    p* pp = allp[0];
    pp->m.set(nullptr);
    pp->status = _Pidle;
    acquirep(pp);
  }
  // Empty the Ps beyond nprocs.
  for (int32 i = nprocs; i < old; i++) allp[i]->destroy();
  lock(&allpLock);
  allplen = nprocs;
  // Atomic: an M that dropped its P before the world stopped may still be
  // reading its snapshot of the mask (checkRunqsNoP).
  for (int32 i = 0; i < maskWords; i++) atomic::Store(&idlepMask[i], 0u);
  unlock(&allpLock);

  p* runnablePs = nullptr;
  for (int32 i = nprocs - 1; i >= 0; i--) {
    p* pp = allp[i];
    if (gp->m->p.ptr() == pp) continue;
    pp->status = _Pidle;
    if (runqempty(pp)) {
      pidleput(pp, now);
    } else {
      pp->m.set(mget());
      pp->link.set(runnablePs);
      runnablePs = pp;
    }
  }
  stealOrder.reset(uint32(nprocs));
  atomic::Store(&gomaxprocs, nprocs);
  // The GC CPU limiter's capacity is per P.
  if (old != nprocs) gcCPULimiter.resetCapacity(now, nprocs);
  // This M has a P now: the bootstrap mcache is P 0's.
  mcache0 = nullptr;
  return runnablePs;
}

/// acquirep: this M takes ownership of the idle P pp. \gosrc{proc.go,acquirep}
YESWRITEBARRIERREC static void acquirep(p* pp) {
  wirep(pp);
  // Before the P allocates: flush an mcache left from an earlier sweep phase.
  pp->mcache->prepareForSweep();
}

/// wirep: the first half of acquirep, which ties pp to this M (kept apart,
/// as in Go, for exitsyscallfast, which has no P to run write barriers).
/// \gosrc{proc.go,wirep}
static void wirep(p* pp) {
  g* gp = getg();
  if (gp->m->p) throw_("wirep: already in go");
  if (pp->m || pp->status != _Pidle) {
    int64 id = pp->m ? pp->m.ptr()->id : 0;
    print("wirep: p->m=", pp->m.ptr(), "(", id, ") p->status=", pp->status, "\n");
    throw_("wirep: invalid p state");
  }
  gp->m->p.set(pp);
  pp->m.set(gp->m);
  pp->status = _Prunning;
}

/// releasep: this M gives up its P and returns it, now idle. [p-owner]
/// \gosrc{proc.go,releasep}
static p* releasep() {
  g* gp = getg();
  if (!gp->m->p) throw_("releasep: invalid arg");
  p* pp = gp->m->p.ptr();
  if (pp->m.ptr() != gp->m || pp->status != _Prunning) {
    print("releasep: m=", gp->m, " m->p=", pp, " p->m=", pp->m.ptr(), " p->status=", pp->status, "\n");
    throw_("releasep: invalid p state");
  }
  gp->m->p.set(nullptr);
  pp->m.set(nullptr);
  pp->status = _Pidle;
  return pp;
}

/// \gosrc{proc.go,incidlelocked}
static void incidlelocked(int32 v) {
  lock(&sched.lock);
  sched.nmidlelocked += v;
  if (v > 0) checkdead();
  unlock(&sched.lock);
}

/// checkdead: if no M is running Go code, every goroutine is blocked
/// forever: the program is deadlocked. Caller holds sched.lock.
/// \gosrc{proc.go,checkdead}
static void checkdead() {
  for (int pass = 0;; pass++) {
    if (checkdead1(pass)) return;
    // Departure: Go reports the deadlock at once. A C++ program may have
    // threads the runtime did not start; one of them may be on its way to a
    // blocking runtime call, which is refused (badnog), and that refusal,
    // not the deadlock it causes, is what the user needs to read. So the
    // deadlock is confirmed after deadlockGraceUS without the lock; a
    // refusal that begins meanwhile is printed instead (panicking), and
    // anything else that changed makes the recheck return.
    unlock(&sched.lock);
    usleep(deadlockGraceUS);
    lock(&sched.lock);
  }
}

/// checkdead1: one look for a deadlock, with sched.lock held. Returns true
/// when there is none; on the confirming pass (pass > 0) it reports one.
static bool checkdead1(int pass) {
  // A panicking program is going away anyway.
  if (panicking.Load() > 0) return true;
  int32 run = mcount() - sched.nmidle - sched.nmidlelocked - sched.nmsys;
  if (run > 0) return true;
  if (run < 0) {
    print("runtime: checkdead: nmidle=", sched.nmidle, " nmidlelocked=", sched.nmidlelocked,
          " mcount=", mcount(), " nmsys=", sched.nmsys, "\n");
    unlock(&sched.lock);
    throw_("checkdead: inconsistent counts");
  }
  int grunning = 0;
  int64 n = allglen;
  for (int64 i = 0; i < n; i++) {
    g* gp = allgs[i];
    if (isSystemGoroutine(gp, false)) continue;
    uint32 s = readgstatus(gp) & ~uint32(_Gscan);
    switch (s) {
      case _Gwaiting:
      case _Gpreempted:
        grunning++;
        break;
      case _Grunnable:
      case _Grunning:
      case _Gsyscall:
        print("runtime: checkdead: find g ", gp->goid, " in status ", s, "\n");
        unlock(&sched.lock);
        throw_("checkdead: runnable g");
    }
  }
  if (pass == 0) return false;
  if (grunning == 0) {  // every goroutine is gone: main must have called Goexit
    unlock(&sched.lock);
    fatal("no goroutines (main called runtime.Goexit) - deadlock!");
  }
  // Nothing runs, so the Ps' timers can be read: a pending timer will
  // ready a goroutine (the M blocked in the poller wakes for it).
  for (int32 i = 0; i < allplen; i++) {
    if (allp[i]->timersLen > 0) return true;
  }
  unlock(&sched.lock);
  fatal("all goroutines are asleep - deadlock!");
}

/// forcegcperiod: the longest time between collections before sysmon
/// forces one: two minutes (a variable so that tests may change it).
/// \gosrc{proc.go,forcegcperiod}
int64 forcegcperiod = 2 * 60 * 1000000000LL;

/// forcePreemptNS: 10ms, how long one goroutine (or a runnext chain) may run
/// before sysmon asks for a yield. \gosrc{proc.go,forcePreemptNS}
inline constexpr int64 forcePreemptNS = 10 * 1000 * 1000;

static uint32 retake(int64 now);

/// sysmon: the system monitor, on its own M without a P: it preempts
/// goroutines that ran longer than forcePreemptNS, wakes forcegchelper when
/// no collection ran for forcegcperiod, and prints the GODEBUG=schedtrace
/// line. It sleeps 20us while it finds work, backing off to 10ms.
/// It also polls the network when no M has for 10ms, and takes back Ps
/// left in system calls (retake). While the world is stopped, or every P
/// is idle, it sleeps until the next timer (at most forcegcperiod/2) with
/// sysmonwait set, so that an idle program costs no wake-ups; a system
/// call's return (exitsyscall) and startTheWorldWithSema wake it.
/// \gosrc{proc.go,sysmon}
NOWRITEBARRIERREC static void sysmon() {
  lock(&sched.lock);
  sched.nmsys++;
  checkdead();
  unlock(&sched.lock);
  int64 lasttrace = 0;
  int idle = 0;  // consecutive rounds in which retake did nothing
  uint32 delay = 0;
  for (;;) {
    if (idle == 0) {  // active: poll every 20us
      delay = 20;
    } else if (idle > 50) {  // about 1ms of quiet: back off, doubling
      delay *= 2;
    }
    if (delay > 10 * 1000) delay = 10 * 1000;  // capped at 10ms
    usleep(delay);
    int64 now = nanotime();
    // (gomaxprocs is read without sched.lock here, as Go reads it: racy by
    // design, so an atomic load; procresize stores it atomically.)
    if (debug.schedtrace <= 0 && (sched.gcwaiting.Load() || sched.npidle.Load() == atomic::Load(&gomaxprocs))) {
      lock(&sched.lock);
      if (sched.gcwaiting.Load() || sched.npidle.Load() == gomaxprocs) {
        bool syscallWake = false;
        int64 next = timeSleepUntil();
        if (next > now) {
          sched.sysmonwait.Store(true);
          unlock(&sched.lock);
          // Wake at least every forcegcperiod/2, so that the forced-GC
          // check still samples often enough. (Go's osRelax around the
          // sleep does nothing on Linux.) forcegcperiod is read without a
          // lock, as in Go (tests change it): an atomic load.
          int64 sleep = atomic::Load(&forcegcperiod) / 2;
          if (next - now < sleep) sleep = next - now;
          syscallWake = notetsleep(&sched.sysmonnote, sleep);
          lock(&sched.lock);
          sched.sysmonwait.Store(false);
          noteclear(&sched.sysmonnote);
        }
        if (syscallWake) {
          idle = 0;
          delay = 20;
        }
      }
      unlock(&sched.lock);
    }
    lock(&sched.sysmonlock);
    // Blocked above for a while, maybe: read the clock again.
    now = nanotime();
    // Poll the network if no M has for 10ms (every M may be busy running
    // goroutines, none of them in findRunnable).
    if (int64 lastpoll = sched.lastpoll.Load(); netpollinited() && lastpoll != 0 && lastpoll + 10 * 1000 * 1000 < now) {
      sched.lastpoll.CompareAndSwap(lastpoll, now);
      if (auto [list, delta] = netpoll(0); !list.empty()) {  // non-blocking
        // Readying them may start an M; to checkdead, this M counts as idle
        // meanwhile.
        incidlelocked(-1);
        injectglist(&list);
        incidlelocked(1);
        netpollAdjustWaiters(delta);
      }
    }
    // The sweep ended and the scavenger asked to be woken.
    if (scavenger.sysmonWake.Load() != 0) scavenger.wake();
    // Ask over-long runners to yield (no syscall Ps to take back yet).
    if (retake(now) != 0)
      idle = 0;
    else
      idle++;
    // A collection overdue (forcegcperiod without one): wake forcegchelper.
    if (gcTrigger t{gcTriggerTime, now, 0}; t.test() && forcegc.idle.Load()) {
      lock(&forcegc.lock);
      forcegc.idle.Store(false);
      gList list;
      list.push(forcegc.g);
      injectglist(&list);
      unlock(&forcegc.lock);
    }
    if (debug.schedtrace > 0 && lasttrace + int64(debug.schedtrace) * 1000000 <= now) {
      lasttrace = now;
      schedtrace(debug.scheddetail > 0);
    }
    unlock(&sched.sysmonlock);
  }
}

/// retake asks the goroutine on any P that has run the same time slice for
/// forcePreemptNS to yield, and takes back (handoffp) the Ps left in
/// _Psyscall for more than a sysmon tick while there is other work (or for
/// 10ms in any case). Returns how many Ps it took back. \gosrc{proc.go,retake}
static uint32 retake(int64 now) {
  uint32 n = 0;
  // Hold allp steady while walking it; only a concurrent GOMAXPROCS change
  // (a stop-the-world) competes for this lock.
  lock(&allpLock);
  for (int32 i = 0; i < allplen; i++) {
    p* pp = allp[i];
    if (pp == nullptr) continue;
    auto* pd = &pp->sysmontick;
    uint32 s = pp->status;
    bool sysretake = false;
    if (s == _Prunning || s == _Psyscall) {
      // schedtick unchanged for forcePreemptNS: one time slice (one G, or a
      // chain of runnext Gs sharing it) has gone on too long.
      uint32 t = pp->schedtick;
      if (pd->schedtick != t) {
        pd->schedtick = t;
        pd->schedwhen = now;
      } else if (pd->schedwhen + forcePreemptNS <= now) {
        // As in Go, asking a goroutine to yield is not work that keeps
        // sysmon polling at 20us: only Ps taken back from system calls
        // count in n, so a long-running goroutine lets sysmon back off.
        preemptone(pp);
        // A P in a system call has no M to preempt: take the P instead.
        sysretake = true;
        // Departure: Go asks again on every sysmon round until schedtick
        // moves; the port waits one more forcePreemptNS before asking again.
        pd->schedwhen = now;
      }
    }
    if (s == _Psyscall) {
      // In the same system call for more than one sysmon tick (20us or more)?
      uint32 t = pp->syscalltick;
      if (!sysretake && pd->syscalltick != t) {
        pd->syscalltick = t;
        pd->syscallwhen = now;
        continue;
      }
      // Leave it while there is nothing else to run and an M is looking
      // for work or a P is idle, for up to 10ms: taking it costs the
      // returning goroutine an M switch.
      if (runqempty(pp) && sched.nmspinning.Load() + sched.npidle.Load() > 0 && pd->syscallwhen + 10 * 1000 * 1000 > now)
        continue;
      // sched.lock comes before allpLock's holder may take it: drop allpLock.
      unlock(&allpLock);
      // Count one more M as running before the CAS: the M in the system
      // call might otherwise return, go idle and report a deadlock.
      incidlelocked(-1);
      if (casPStatus(pp, _Psyscall, _Pidle)) {
        n++;
        pp->syscalltick++;
        handoffp(pp);
      }
      incidlelocked(1);
      lock(&allpLock);
    }
  }
  unlock(&allpLock);
  return n;
}

/// preemptall asks every running goroutine to yield. \gosrc{proc.go,preemptall}
static bool preemptall() {
  bool res = false;
  for (int32 i = 0; i < allplen; i++) {
    p* pp = allp[i];
    if (pp->status != _Prunning) continue;
    if (preemptone(pp)) res = true;
  }
  return res;
}

/// preemptone asks the goroutine running on pp to stop at its next function
/// entry: it sets g.preempt and g.stackguard0 = stackPreempt, as Go does,
/// and writes stackPreempt into the guard word of the M, which is what
/// split-stack prologues read; then it signals the M (preemptM) to stop
/// the goroutine where it stands, if that is a safe point. Only a request:
/// the goroutine may be gone, or in a section that cannot be preempted
/// (newstack and isAsyncSafePoint check).
/// \gosrc{proc.go,preemptone}
bool preemptone(p* pp) {
  m* mp = pp->m.ptr();
  if (mp == nullptr || mp == getg()->m) return false;
  g* gp = mp->curg;
  if (gp == nullptr || gp == mp->g0) return false;
  gp->preempt = true;
  // Preemption rides on the stack check: each function prologue compares
  // SP with the guard, and stackPreempt is above any real SP, so the next
  // prologue goes to newstack, which yields.
  gp->stackguard0 = stackPreempt;
  if (mp->tcb != 0) atomic::Store(tlsguardword(mp), stackPreempt);
  // And ask for an asynchronous stop, for a goroutine that calls nothing.
  // Departure: Go signals an M in a system call too (its system calls
  // retry on EINTR); the port's gort::syscall runs the user's own call,
  // which may not retry, and a goroutine in a system call is at a safe
  // point already, so that M is left alone.
  if (debug.asyncpreemptoff == 0 && pp->status != _Psyscall) {
    pp->preempt = true;
    preemptM(mp);
  }
  return true;
}

/// schedtrace prints the GODEBUG=schedtrace line: "SCHED Nms: gomaxprocs=...".
/// \gosrc{proc.go,schedtrace}
void schedtrace(bool detailed) {
  int64 now = nanotime();
  if (starttime == 0) starttime = now;
  lock(&sched.lock);
  print("SCHED ", (now - starttime) / 1000000, "ms: gomaxprocs=", gomaxprocs,
        " idleprocs=", sched.npidle.Load(), " threads=", mcount(),
        " spinningthreads=", sched.nmspinning.Load(), " needspinning=", sched.needspinning.Load(),
        " idlethreads=", sched.nmidle, " runqueue=", sched.runqsize);
  if (detailed)
    print(" gcwaiting=", sched.gcwaiting.Load(), " nmidlelocked=", sched.nmidlelocked,
          " stopwait=", sched.stopwait, " sysmonwait=", sched.sysmonwait.Load(), "\n");
  for (int32 i = 0; i < allplen; i++) {
    p* pp = allp[i];
    m* mp = pp->m.ptr();
    uint32 h = atomic::Load(&pp->runqhead);
    uint32 t = atomic::Load(&pp->runqtail);
    if (detailed) {
      print("  P", i, ": status=", pp->status, " schedtick=", pp->schedtick,
            " syscalltick=", pp->syscalltick.load(), " m=");
      if (mp != nullptr)
        print(mp->id);
      else
        print("nil");
      print(" runqsize=", t - h, " gfreecnt=", pp->gFree.n.load(), " timerslen=", pp->timersLen, "\n");
    } else {
      print(" ");
      if (i == 0) print("[");
      print(t - h);
      if (i == allplen - 1) print("]\n");
    }
  }
  if (!detailed) {
    unlock(&sched.lock);
    return;
  }
  for (m* mp = allm; mp != nullptr; mp = mp->alllink) {
    p* pp = mp->p.ptr();
    print("  M", mp->id, ": p=");
    if (pp != nullptr)
      print(pp->id);
    else
      print("nil");
    print(" curg=");
    if (mp->curg != nullptr)
      print(mp->curg->goid);
    else
      print("nil");
    print(" mallocing=", mp->mallocing, " throwing=", mp->throwing,
          " preemptoff=", mp->preemptoff ? mp->preemptoff : "", " locks=", mp->locks,
          " dying=", mp->dying, " spinning=", mp->spinning, " blocked=", mp->blocked, " lockedg=");
    if (g* lg = mp->lockedg.ptr())
      print(lg->goid);
    else
      print("nil");
    print("\n");
  }
  forEachG([](g* gp) {
    print("  G", gp->goid, ": status=", readgstatus(gp), "(", String(gp->waitreason), ") m=");
    if (gp->m != nullptr)
      print(gp->m->id);
    else
      print("nil");
    print(" lockedm=");
    if (m* lm = gp->lockedm.ptr())
      print(lm->id);
    else
      print("nil");
    print("\n");
  });
  unlock(&sched.lock);
}

/// schedEnableUser: allow or forbid running user goroutines (the
/// GODEBUG=gcstoptheworld modes forbid them for the mark). Forbidding does
/// not stop those running: the caller stops the world first. Allowing puts
/// the goroutines held back meanwhile on the global queue and starts Ms for
/// them. \gosrc{proc.go,schedEnableUser}
void schedEnableUser(bool enable) {
  lock(&sched.lock);
  if (sched.disable.user == !enable) {
    unlock(&sched.lock);
    return;
  }
  sched.disable.user = !enable;
  if (enable) {
    int32 n = sched.disable.n;
    sched.disable.n = 0;
    globrunqputbatch(&sched.disable.runnable, n);
    unlock(&sched.lock);
    for (; n != 0 && sched.npidle.Load() != 0; n--) startm(nullptr, false, false);
  } else {
    unlock(&sched.lock);
  }
}

/// schedEnabled: whether gp may run now: any goroutine, unless user
/// goroutines are held back, and then only the runtime's own
/// (isSystemGoroutine, fixed: a finalizer goroutine counts as a user's).
/// Caller holds sched.lock. \gosrc{proc.go,schedEnabled}
bool schedEnabled(g* gp) {
  if (sched.disable.user) return isSystemGoroutine(gp, true);
  return true;
}

/// mput: push mp onto sched.midle. Caller holds sched.lock. \gosrc{proc.go,mput}
NOWRITEBARRIERREC static void mput(m* mp) {
  mp->schedlink = sched.midle;
  sched.midle.set(mp);
  sched.nmidle++;
  checkdead();
}

/// mget: pop an idle M (nullptr if none). Caller holds sched.lock. \gosrc{proc.go,mget}
NOWRITEBARRIERREC static m* mget() {
  m* mp = sched.midle.ptr();
  if (mp != nullptr) {
    sched.midle = mp->schedlink;
    sched.nmidle--;
  }
  return mp;
}

/// globrunqput: append gp to sched.runq. Caller holds sched.lock. \gosrc{proc.go,globrunqput}
NOWRITEBARRIERREC void globrunqput(g* gp) {
  sched.runq.pushBack(gp);
  sched.runqsize++;
}

/// globrunqputbatch: append n queued Gs to sched.runq and empty *batch.
/// \gosrc{proc.go,globrunqputbatch}
NOWRITEBARRIERREC void globrunqputbatch(gQueue* batch, int32 n) {
  sched.runq.pushBackAll(*batch);
  sched.runqsize += n;
  *batch = gQueue{};
}

/// globrunqget takes a fair share of the global queue (at most max if
/// max > 0) into pp's local queue and returns one of them. Caller holds
/// sched.lock. \gosrc{proc.go,globrunqget}
static g* globrunqget(p* pp, int32 max) {
  if (sched.runqsize == 0) return nullptr;
  int32 n = sched.runqsize / gomaxprocs + 1;
  if (n > sched.runqsize) n = sched.runqsize;
  if (max > 0 && n > max) n = max;
  if (n > int32(runqsize) / 2) n = int32(runqsize) / 2;
  sched.runqsize -= n;
  g* gp = sched.runq.pop();
  n--;
  for (; n > 0; n--) {
    g* gp1 = sched.runq.pop();
    runqput(pp, gp1, false);
  }
  return gp;
}

/// updateTimerPMask clears pp's timerpMask bit if pp has no timers
/// ([timerpmask]). numTimers may drop to 0 for a moment while another P
/// moves one of pp's timers (checkTimers from stealWork), so the final
/// check is under timersLock. \gosrc{proc.go,updateTimerPMask}
static void updateTimerPMask(p* pp) {
  if (pp->numTimers.Load() > 0) return;
  lock(&pp->timersLock);
  if (pp->numTimers.Load() == 0) atomic::And(&timerpMask[pp->id / 32], ~(1u << (pp->id % 32)));
  unlock(&pp->timersLock);
}

/// pidleput: push pp, whose run queue must be empty, onto sched.pidle and
/// set its idlepMask bit. Caller holds sched.lock.
/// \gosrc{proc.go,pidleput}
NOWRITEBARRIERREC static int64 pidleput(p* pp, int64 now) {
  if (!runqempty(pp)) throw_("pidleput: P has non-empty run queue");
  if (now == 0) now = nanotime();
  updateTimerPMask(pp);  // clear its timer bit if it has no timers
  atomic::Or(&idlepMask[pp->id / 32], 1u << (pp->id % 32));
  pp->link = sched.pidle;
  sched.pidle.set(pp);
  sched.npidle.Add(1);
  // Its time on the list is idle time for the GC CPU limiter.
  if (!pp->limiterEvent.start(limiterEventIdle, now)) throw_("must be able to track idle limiter event");
  return now;
}

/// pidleget: pop an idle P (nullptr if none), clearing its idlepMask bit.
/// Caller holds sched.lock.
/// \gosrc{proc.go,pidleget}
NOWRITEBARRIERREC static std::tuple<p*, int64> pidleget(int64 now) {
  p* pp = sched.pidle.ptr();
  if (pp != nullptr) {
    // A timer may be added on it from now on.
    if (now == 0) now = nanotime();
    atomic::Or(&timerpMask[pp->id / 32], 1u << (pp->id % 32));
    atomic::And(&idlepMask[pp->id / 32], ~(1u << (pp->id % 32)));
    sched.pidle = pp->link;
    sched.npidle.Add(-1);
    pp->limiterEvent.stop(limiterEventIdle, now);
  }
  return {pp, now};
}

/// pidlegetSpinning: pidleget for an M about to spin; when there is no idle
/// P it records that a spinner was wanted. \gosrc{proc.go,pidlegetSpinning}
NOWRITEBARRIERREC static std::tuple<p*, int64> pidlegetSpinning(int64 now) {
  auto [pp, n] = pidleget(now);
  if (pp == nullptr) {
    sched.needspinning.Store(1);
    return {nullptr, n};
  }
  return {pp, n};
}

/// runqempty: is pp's local queue (ring and runnext) empty? A true result
/// is always accurate; false may be momentarily stale. \gosrc{proc.go,runqempty}
bool runqempty(p* pp) {
  // Read head, tail and runnext, then tail again: a G moved from runnext to
  // the ring between the reads would otherwise be missed.
  for (;;) {
    uint32 head = atomic::Load(&pp->runqhead);
    uint32 tail = atomic::Load(&pp->runqtail);
    uintptr runnext = atomic::Load(&pp->runnext.v);
    if (tail == atomic::Load(&pp->runqtail)) return head == tail && runnext == 0;
  }
}

static bool runqputslow(p* pp, g* gp, uint32 h, uint32 t);

/// runqput puts gp on the local queue: in runnext if next (kicking the old
/// runnext to the tail), else at the tail; a full ring moves half of itself
/// to the global queue. Only the owner P calls it. Departure: under the race
/// detector Go sets randomizeScheduler, and then runqput skips runnext half
/// the time while runqputslow and runqputbatch shuffle their batch, to shake
/// out code that relies on run order; the port's TSan build keeps the
/// ordinary order. \gosrc{proc.go,runqput}
void runqput(p* pp, g* gp, bool next) {
  if (next) {
  retryNext:
    guintptr oldnext = pp->runnext;
    guintptr nw;
    nw.set(gp);
    if (!pp->runnext.cas(oldnext, nw)) goto retryNext;
    if (!oldnext) return;
    // The displaced runnext goes to the ring's tail instead.
    gp = oldnext.ptr();
  }
retry:
  uint32 h = atomic::LoadAcq(&pp->runqhead);  // acquire: pairs with consumers' CAS on head
  uint32 t = pp->runqtail;
  if (t - h < runqsize) {
    pp->runq[t % runqsize].set(gp);
    atomic::StoreRel(&pp->runqtail, t + 1);  // release: publishes the slot to consumers
    return;
  }
  if (runqputslow(pp, gp, h, t)) return;
  // runqputslow lost a race with a consumer, so there is room now
  goto retry;
}

/// runqputslow moves gp and half the local queue to the global queue.
/// \gosrc{proc.go,runqputslow}
static bool runqputslow(p* pp, g* gp, uint32 h, uint32 t) {
  g* batch[runqsize / 2 + 1];
  uint32 n = t - h;
  n = n / 2;
  if (n != runqsize / 2) throw_("runqputslow: queue is not full");
  for (uint32 i = 0; i < n; i++) batch[i] = pp->runq[(h + i) % runqsize].ptr();
  if (!atomic::CasRel(&pp->runqhead, h, h + n)) return false;  // release: the n Gs are ours
  batch[n] = gp;
  // Chain the batch through schedlink.
  for (uint32 i = 0; i < n; i++) batch[i]->schedlink.set(batch[i + 1]);
  gQueue q;
  q.head.set(batch[0]);
  q.tail.set(batch[n]);
  lock(&sched.lock);
  globrunqputbatch(&q, int32(n + 1));
  unlock(&sched.lock);
  return true;
}

/// runqputbatch: move the Gs of q to pp's queue, the ones that do not fit
/// to the global queue. Only the owner P calls it. \gosrc{proc.go,runqputbatch}
static void runqputbatch(p* pp, gQueue* q, int qsize) {
  uint32 h = atomic::LoadAcq(&pp->runqhead);  // acquire: pairs with consumers' CAS on head
  uint32 t = pp->runqtail;
  uint32 n = 0;
  while (!q->empty() && t - h < runqsize) {
    g* gp = q->pop();
    pp->runq[t % runqsize].set(gp);
    t++;
    n++;
  }
  qsize -= int(n);
  // (Go shuffles the batch under its randomizeScheduler test flag.)
  atomic::StoreRel(&pp->runqtail, t);  // release: publishes the slots to consumers
  if (!q->empty()) {
    lock(&sched.lock);
    globrunqputbatch(q, int32(qsize));
    unlock(&sched.lock);
  }
}

/// runqget takes a G from the local queue: runnext first (inheritTime), then
/// the head of the ring. \gosrc{proc.go,runqget}
std::tuple<g*, bool> runqget(p* pp) {
  // runnext comes first.
  guintptr next = pp->runnext;
  // Only this P ever sets runnext non-zero; others may only clear it. So a
  // failed CAS means a thief took it, and the ring is next: no retry.
  if (next && pp->runnext.cas(next, guintptr{})) return {next.ptr(), true};
  for (;;) {
    uint32 h = atomic::LoadAcq(&pp->runqhead);  // acquire: pairs with thieves' CAS on head
    uint32 t = pp->runqtail;
    if (t == h) return {nullptr, false};
    g* gp = pp->runq[h % runqsize].ptr();
    if (atomic::CasRel(&pp->runqhead, h, h + 1)) return {gp, false};  // release: gp is ours
  }
}

/// runqdrain: take every G of pp's local queue, runnext included, for
/// pp's owner. Returns them as a queue, and how many. \gosrc{proc.go,runqdrain}
std::tuple<gQueue, uint32> runqdrain(p* pp) {
  gQueue drainQ;
  uint32 n = 0;
  guintptr oldNext = pp->runnext;
  if (oldNext && pp->runnext.cas(oldNext, guintptr{})) {
    drainQ.pushBack(oldNext.ptr());
    n++;
  }
  for (;;) {
    uint32 h = atomic::LoadAcq(&pp->runqhead);  // acquire: pairs with other takers' CAS
    uint32 t = pp->runqtail;
    uint32 qn = t - h;
    if (qn == 0) return {drainQ, n};
    if (qn > runqsize) continue;  // read inconsistent h and t
    // Take them all at once; the slots stay ours (only the owner fills them).
    if (!atomic::CasRel(&pp->runqhead, h, h + qn)) continue;
    for (uint32 i = 0; i < qn; i++) {
      drainQ.pushBack(pp->runq[(h + i) % runqsize].ptr());
      n++;
    }
    return {drainQ, n};
  }
}

/// runqgrab copies half of pp's queue into batch (a ring indexed from
/// batchHead); with stealRunNextG it may take pp's runnext when the ring is
/// empty. Returns the count. \gosrc{proc.go,runqgrab}
static uint32 runqgrab(p* pp, guintptr* batch, uint32 batchHead, bool stealRunNextG) {
  for (;;) {
    uint32 h = atomic::LoadAcq(&pp->runqhead);  // acquire: pairs with other takers' CAS
    uint32 t = atomic::LoadAcq(&pp->runqtail);  // acquire: pairs with the owner's store
    uint32 n = t - h;
    n = n - n / 2;
    if (n == 0) {
      if (stealRunNextG) {
        // Ring empty: try runnext.
        if (guintptr next = pp->runnext; next) {
          if (pp->status == _Prunning) {
            // The owner is probably about to run it (it was readied by the
            // running G, which is about to block): give it a moment, so
            // that ping-pong pairs are not split across Ps.
            usleep(3);
          }
          if (!pp->runnext.cas(next, guintptr{})) continue;
          batch[batchHead % runqsize] = next;
          return 1;
        }
      }
      return 0;
    }
    if (n > runqsize / 2) continue;  // h and t from different moments: reread
    for (uint32 i = 0; i < n; i++) {
      guintptr gg = pp->runq[(h + i) % runqsize];
      batch[(batchHead + i) % runqsize] = gg;
    }
    chaos();
    if (atomic::CasRel(&pp->runqhead, h, h + n)) return n;  // release: the copies are ours
  }
}

/// runqsteal: move half of p2's Gs to pp's ring; return one of them to run
/// (nullptr if p2 had none).
/// \gosrc{proc.go,runqsteal}
g* runqsteal(p* pp, p* p2, bool stealRunNextG) {
  uint32 t = pp->runqtail;
  uint32 n = runqgrab(p2, pp->runq, t, stealRunNextG);
  if (n == 0) return nullptr;
  n--;
  g* gp = pp->runq[(t + n) % runqsize].ptr();
  if (n == 0) return gp;
  uint32 h = atomic::LoadAcq(&pp->runqhead);  // acquire: pairs with consumers' CAS on head
  if (t - h + n >= runqsize) throw_("runqsteal: runq overflow");
  atomic::StoreRel(&pp->runqtail, t + n);  // release: publishes the stolen Gs
  return gp;
}

// gQueue and gList (types in runtime2.hpp). \gosrc{proc.go,gQueue}
void gQueue::push(g* gp) {
  gp->schedlink = head;
  head.set(gp);
  if (!tail) tail.set(gp);
}
void gQueue::pushBack(g* gp) {
  gp->schedlink.set(nullptr);
  if (tail)
    tail.ptr()->schedlink.set(gp);
  else
    head.set(gp);
  tail.set(gp);
}
void gQueue::pushBackAll(gQueue q2) {
  if (!q2.tail) return;
  q2.tail.ptr()->schedlink.set(nullptr);
  if (tail)
    tail.ptr()->schedlink = q2.head;
  else
    head = q2.head;
  tail = q2.tail;
}
g* gQueue::pop() {
  g* gp = head.ptr();
  if (gp != nullptr) {
    head = gp->schedlink;
    if (!head) tail.set(nullptr);
  }
  return gp;
}
void gList::push(g* gp) {
  gp->schedlink = head;
  head.set(gp);
}
void gList::pushAll(gQueue q) {
  if (!q.empty()) {
    q.tail.ptr()->schedlink = head;
    head = q.head;
  }
}
g* gList::pop() {
  g* gp = head.ptr();
  if (gp != nullptr) head = gp->schedlink;
  return gp;
}

/// setMaxThreads: runtime/debug.SetMaxThreads's entry into the runtime.
/// Sets the cap on Ms (sched.maxmcount, an int32: a larger request is
/// clamped to MaxInt32 rather than wrapped negative) and returns the old
/// one; already past the new cap is fatal at once (checkmcount).
/// \gosrc{proc.go,setMaxThreads}
int64 setMaxThreads(int64 in) LINKNAME("runtime..z2fdebug.setMaxThreads");
int64 setMaxThreads(int64 in) {
  lock(&sched.lock);
  int64 out = int64(sched.maxmcount);
  if (in > 0x7fffffff) {  // MaxInt32
    sched.maxmcount = 0x7fffffff;
  } else {
    sched.maxmcount = int32(in);
  }
  checkmcount();
  unlock(&sched.lock);
  return out;
}

/// sync.runtime_canSpin: whether a sync.Mutex waiter may spin (iteration
/// i) before it sleeps. Only briefly, only with more than one CPU and some
/// other P running, and only when this P has nothing else queued: sync's
/// spinning is cooperative. \gosrc{proc.go,sync_runtime_canSpin}
NOSPLIT bool sync_runtime_canSpin(int i) LINKNAME("sync.runtime_canSpin");
bool sync_runtime_canSpin(int i) {
  if (i >= active_spin || ncpu <= 1 || gomaxprocs <= sched.npidle.Load() + sched.nmspinning.Load() + 1)
    return false;
  if (p* pp = getg()->m->p.ptr(); !runqempty(pp)) return false;
  return true;
}

/// sync.runtime_doSpin: one spin of a sync.Mutex waiter (PAUSE x 30).
/// \gosrc{proc.go,sync_runtime_doSpin}
NOSPLIT void sync_runtime_doSpin() LINKNAME("sync.runtime_doSpin");
void sync_runtime_doSpin() { procyield(active_spin_cnt); }

static uint32 gcd(uint32 a, uint32 b);

/// reset: the increments coprime with count. \gosrc{proc.go,reset}
void randomOrder::reset(uint32 cnt) {
  count = cnt;
  uint32* c = static_cast<uint32*>(calloc(cnt ? cnt : 1, sizeof(uint32)));
  uint32 k = 0;
  for (uint32 i = 1; i <= cnt; i++)
    if (gcd(i, cnt) == 1) c[k++] = i;
  // Departure: the old array is kept (a concurrent stealer may read it).
  coprimes = c;
  ncoprimes = k;
}

/// start: a walk from position i % count. \gosrc{proc.go,start}
randomEnum randomOrder::start(uint32 i) const {
  return randomEnum{0, count, i % count, coprimes[i / count % ncoprimes]};
}

/// gcd: greatest common divisor, for randomOrder. \gosrc{proc.go,gcd}
static uint32 gcd(uint32 a, uint32 b) {
  while (b != 0) {
    uint32 t = b;
    b = a % b;
    a = t;
  }
  return a;
}

/// chaosDelay: the slow path of chaos (proc.hpp), GODEBUG=gortchaos=N. One
/// call in eight spins up to 64 PAUSEs, yields the thread, or sleeps 1 to
/// N*10 microseconds, chosen at random with the M's own generator.
void chaosDelay() {
  g* gp = getg();
  if (gp == nullptr || gp->m == nullptr) return;
  uint32 r = cheaprand();
  if (r % 8 != 0) return;
  switch ((r >> 3) % 3) {
    case 0: procyield(1 + (r >> 8) % 64); break;
    case 1: osyield(); break;
    default: usleep(1 + (r >> 8) % uint32(10 * debug.gortchaos)); break;
  }
}

}  // namespace runtime

using namespace runtime;

/// GOMAXPROCS sets the number of Ps; n < 1 only reads it. \gosrc{debug.go,GOMAXPROCS}
int runtime::GOMAXPROCS(int n) {
  mustgetg("runtime.GOMAXPROCS");
  lock(&sched.lock);
  int32 ret = gomaxprocs;
  unlock(&sched.lock);
  if (n <= 0 || n == ret) return ret;
  // Not during a cycle: its workers and buffers are per P.
  worldStop stw = stopTheWorldGC(stwGOMAXPROCS);
  // startTheWorld applies newprocs through procresize
  newprocs = int32(n);
  startTheWorldGC(stw);
  return ret;
}

/// \gosrc{debug.go,NumCPU}
int runtime::NumCPU() { return int(ncpu); }

/// totalMutexWaitTimeNanos: the time goroutines have waited for sync
/// mutexes and runtime locks, as far as the samples tell
/// (/sync/mutex/wait/total:seconds). \gosrc{debug.go,totalMutexWaitTimeNanos}
int64 runtime::totalMutexWaitTimeNanos() {
  int64 total = sched.totalMutexWaitTime.Load();
  total += sched.totalRuntimeLockWaitTime.Load();
  for (m* mp = atomic::Load(&allm); mp != nullptr; mp = mp->alllink) total += mp->mLockProfile.waitTime.Load();
  return total;
}

/// \gosrc{debug.go,NumGoroutine}
int runtime::NumGoroutine() { return int(gcount()); }

/// rt0_go: the process entry (Go: rt0_go in asm_amd64.s). This thread
/// becomes m0 with g0 on its stack; schedinit sets up the Ps; the main
/// goroutine is created to run runtime.main; mstart enters the scheduler.
/// \gosrc{asm_amd64.s,rt0_go}
void runtime::rt0_go(int argc, char** argv, void (*main_main)()) {
  (void)argc;
  (void)argv;
  if (getg() != nullptr) fatal("rt0_go called twice");
  main_main_fn = main_main;
  g* gp = &g0_;
  gp->m = &m0;
  m0.g0 = gp;
  setg(gp);
  // g0's stack: the main thread's, less 64 KiB at the bottom, which the
  // kernel may not have grown the stack into yet.
  osStack(gp, 64 << 10);
  gp->stackguard0 = gp->stack_.lo + stackGuard;
  gp->stackguard1 = gp->stackguard0;
  setTLSGuard(gp->stackguard0);

  osinit();
  schedinit();
  // The main goroutine, queued to run runtime.main.
  newproc(&mainPC);
  // m0 enters the scheduler.
  mstart();
  abort();  // unreachable: mstart does not return
}
