// proc.hpp: the scheduler's internal interface (proc.go at go1.22.12),
// shared by the runtime's own files and by tests/export_test.cpp, which plays
// the part of Go's export_test.go. User code includes runtime.hpp / go.hpp.
#pragma once
#include <tuple>

#include "runtime2.hpp"
#include "stubs.hpp"

namespace runtime {

// Goroutine lifecycle and parking (proc.go).
NOSPLIT void Gosched();
NOSPLIT void goschedIfBusy();
void gopark(bool (*unlockf)(g*, void*), void* lock, waitReason reason,
            int traceskip = 0);
void goparkunlock(mutex* lock, waitReason reason, int traceskip = 0);
void goready(g* gp, int traceskip = 0);
NOSPLIT sudog* acquireSudog();
NOSPLIT void releaseSudog(sudog* s);
void ready(g* gp, int traceskip, bool next);
NOSPLIT uint32 readgstatus(g* gp);
// The _Gscan protocol (proc.cpp, in Go's order; [g-status], [gscan-lock]).
// A _Gscan bit set on a status works as a lock on the goroutine's state:
// castogscanstatus takes it (false if the status was not oldval),
// casfrom_Gscanstatus releases it, and casgstatus spins while another
// thread holds it. Any thread may call them, on any stack.
void casfrom_Gscanstatus(g* gp, uint32 oldval, uint32 newval);
bool castogscanstatus(g* gp, uint32 oldval, uint32 newval);
NOSPLIT void casgstatus(g* gp, uint32 oldval, uint32 newval);
extern atomic::Racy<bool> casgstatusAlwaysTrack;
int64 totalMutexWaitTimeNanos();
void casGToWaiting(g* gp, uint32 old, waitReason reason);
void casGToPreemptScan(g* gp, uint32 old, uint32 nw);
bool casGFromPreempted(g* gp, uint32 old, uint32 nw);
void newproc(funcval* fn);
void goexit1();
void goyield();
NOSPLIT void lockOSThread();
NOSPLIT void unlockOSThread();
int32 gcount();
/// isSystemGoroutine: see proc.cpp. \gosrc{traceback.go,isSystemGoroutine}
bool isSystemGoroutine(g* gp, bool fixed);

/// stwReason: why the world is stopped; it decides which of sched's pause
/// histograms the stop is counted in (isGC). Go's values, in Go's order.
/// \gosrc{proc.go,stwReason}
enum stwReason : uint8 {
  stwUnknown,
  stwGCMarkTerm,
  stwGCSweepTerm,
  stwWriteHeapDump,
  stwGoroutineProfile,
  stwGoroutineProfileCleanup,
  stwAllGoroutinesStack,
  stwReadMemStats,
  stwAllThreadsSyscall,
  stwGOMAXPROCS,
  stwStartTrace,
  stwStopTrace,
  stwForTestCountPagesInUse,
  stwForTestReadMetricsSlow,
  stwForTestReadMemStatsSlow,
  stwForTestPageCachePagesLeaked,
  stwForTestResetDebugLog,
};

/// stwReasonStrings: each reason as Go spells it. \gosrc{proc.go,stwReasonStrings}
inline constexpr const char* stwReasonStrings[] = {
    "unknown",
    "GC mark termination",
    "GC sweep termination",
    "write heap dump",
    "goroutine profile",
    "goroutine profile cleanup",
    "all goroutines stack trace",
    "read mem stats",
    "AllThreadsSyscall",
    "GOMAXPROCS",
    "start trace",
    "stop trace",
    "CountPagesInUse (test)",
    "ReadMetricsSlow (test)",
    "ReadMemStatsSlow (test)",
    "PageCachePagesLeaked (test)",
    "ResetDebugLog (test)",
};
static_assert(sizeof(stwReasonStrings) / sizeof(stwReasonStrings[0]) == stwForTestResetDebugLog + 1,
              "stwReasonStrings: one string per stwReason");

/// String: the reason's text (Go's method stwReason.String; a C++ enum has
/// no member functions). \gosrc{proc.go,stwReason.String}
NOSPLIT_INLINE const char* String(stwReason r) { return stwReasonStrings[r]; }

/// isGC: whether the collector stopped the world (Go's method
/// stwReason.isGC). \gosrc{proc.go,stwReason.isGC}
NOSPLIT_INLINE bool isGC(stwReason r) { return r == stwGCMarkTerm || r == stwGCSweepTerm; }

/// worldStop: what startTheWorld needs from the stop it ends: the reason
/// and when the stop began, for the pause histograms.
/// \gosrc{proc.go,worldStop}
struct worldStop {
  stwReason reason;
  int64 start;
};

worldStop stopTheWorld(stwReason reason);
SYSTEMSTACK worldStop stopTheWorldWithSema(stwReason reason);
void startTheWorld(worldStop w);
worldStop stopTheWorldGC(stwReason reason);
void startTheWorldGC(worldStop w);
/// startTheWorldWithSema: restart the Ps; the caller keeps worldsema
/// (proc.cpp). \gosrc{proc.go,startTheWorldWithSema}
SYSTEMSTACK int64 startTheWorldWithSema(int64 now, worldStop w);
/// worldsema: held (semacquire/semrelease, sema.cpp) by whoever stops the
/// world or runs forEachP, so that at most one of them runs at a time and
/// GOMAXPROCS stays put meanwhile. Starts at 1 (free). \gosrc{proc.go,worldsema}
extern uint32 worldsema;
/// forcegcperiod: see proc.cpp. \gosrc{proc.go,forcegcperiod}
extern int64 forcegcperiod;
// forEachP (proc.cpp): run fn(pp) once for every P at a safe point.
//   forEachP          from a goroutine holding a P and worldsema, on its own
//                     stack; it marks itself _Gwaiting (reason) meanwhile.
//   forEachPInternal  on the system stack of an M with a P, worldsema held,
//                     the M's user goroutine (if any) already preemptible.
//   runSafePointFn    on the M that owns the P, at a safe point, when
//                     p.runSafePointFn is set (schedule, findRunnable).
// fn runs on the system stack, on any M, sometimes with sched.lock held (for
// idle Ps): it must not block, allocate, or take sched.lock.
void forEachP(waitReason reason, void (*fn)(p*));
SYSTEMSTACK void forEachPInternal(void (*fn)(p*));
void runSafePointFn();
int32 mcount();
void schedtrace(bool detailed);
void schedEnableUser(bool enable);
bool schedEnabled(g* gp);
/// preemptPark: the g0 side of a preemption that suspendG asked for
/// (g.preemptStop): gp parks in _Gpreempted and this M schedules. Called on
/// g0 by newstack with gp still _Grunning. \gosrc{proc.go,preemptPark}
SYSTEMSTACK void preemptPark(g* gp);
void gopreempt_m(g* gp);
/// dumpgstatus prints gp's and the current g's status, before a throw.
void dumpgstatus(g* gp);

/// stackPreempt: a guard value above any stack pointer, so that the next
/// split-stack prologue calls __morestack (Go: 0xfffffade, stack.go).
inline constexpr uintptr stackPreempt = uintptr(0xfffffffffffffade);

/// acquirem/releasem (runtime1.go): pin the current M by counting a lock.
NOSPLIT_INLINE m* acquirem() {
  g* gp = getg();
  gp->m->locks++;
  return gp->m;
}
NOSPLIT_INLINE void releasem(m* mp) {
  g* gp = getg();
  mp->locks--;
  if (mp->locks == 0 && gp->preempt) {
    // newstack set a preemption request aside while this M held locks; now
    // that it holds none, put the request back, in g.stackguard0 and in the
    // guard word the prologues read ([tls-guard]).
    gp->stackguard0 = stackPreempt;
    setTLSGuard(stackPreempt);
  }
}

/// The TLS guard word of an M (the split-stack slot of its TCB).
inline uintptr* tlsguardword(m* mp) { return reinterpret_cast<uintptr*>(mp->tcb + 0x70); }

/// debug: the GODEBUG variables the port reads (runtime1.cpp).
/// \gosrc{runtime1.go,dbgvars}
struct dbgVar_t {
  int32 schedtrace;          // print a SCHED line every N ms (sysmon)
  int32 scheddetail;         // with schedtrace: per-P, per-M, per-G detail
  int32 stackguardpage = 1;  // port only: a kernel guard page under each stack
  int32 disablethp;          // no transparent huge pages for heap memory (mem_linux.cpp)
  int32 madvdontneed = 1;    // sysUnused uses MADV_DONTNEED, not MADV_FREE (Go's default on Linux)
  int32 harddecommit;        // sysUnused also drops the pages' permissions
  int32 gortchaos;           // port only: delays at hand-off points (chaos below)
  int32 gctrace;             // print a line per collection (mgc.cpp)
  int32 gccheckmark;         // check the mark is complete (gcMarkRootCheck)
  int32 gcpacertrace;        // the pacer prints its state at each cycle's start and end
  int32 scavtrace;           // the scavenger prints a line per cycle (mgcscavenge.cpp)
  int32 gcstoptheworld;      // 1, 2: the collector marks (and sweeps) with the world stopped
  int32 invalidptr = 1;      // the mark throws on a pointer into memory the heap does not hand out (badPointer)
  int32 asyncpreemptoff;     // no preemption signals: only the prologue check stops a goroutine
  int32 tracebackancestors;  // tracebacks show this many ancestors' creation stacks (saveAncestors)
};
extern dbgVar_t debug;

/// chaos: a stress aid of the port (no Go counterpart), GODEBUG=gortchaos=N.
/// Called at the scheduler's hand-off points: after a runtime lock is
/// released, before a goroutine is readied, when an M starts another, in the
/// spinning M's last look for work before it sleeps, before an M parks, and
/// between reading a run queue and claiming from it. With N > 0, about one
/// call in eight there spins, yields the thread or sleeps up to N*10 us, so
/// that windows a wake-up can fall through are held open long enough to be
/// hit in minutes of a stress run rather than in months of production. Off
/// (the default) it costs a load and a branch.
void chaosDelay();
NOSPLIT_INLINE void chaos() {
  if (__builtin_expect(debug.gortchaos != 0, 0)) chaosDelay();
}

// Run queues.
void runqput(p* pp, g* gp, bool next);
std::tuple<g*, bool> runqget(p* pp);
bool runqempty(p* pp);
std::tuple<gQueue, uint32> runqdrain(p* pp);
bool pollWork();
void injectglist(gList* glist);
void wakeNetPoller(int64 when);
bool preemptone(p* pp);
void globrunqputbatch(gQueue* batch, int32 n);
g* runqsteal(p* pp, p* p2, bool stealRunNextG);
void globrunqput(g* gp);

/// randomOrder / randomEnum: a walk over all Ps in a pseudo-random order
/// where every P is visited exactly once (proc.go). The walk steps by an
/// increment coprime with the count.
struct randomEnum {
  uint32 i;
  uint32 count;
  uint32 pos;
  uint32 inc;
  bool done() const { return i == count; }
  void next() {
    i++;
    pos = (pos + inc) % count;
  }
  uint32 position() const { return pos; }
};
struct randomOrder {
  uint32 count = 0;
  uint32* coprimes = nullptr;  // Departure: Go's []uint32
  uint32 ncoprimes = 0;
  void reset(uint32 count);
  randomEnum start(uint32 i) const;
};
extern randomOrder stealOrder;

/// cheaprand: the per-M wyrand generator, a fast pseudo-random number.
/// Inline, as Go's compiler inlines it into selectgo's shuffle and the
/// scheduler's callers (out of line it was a call per select case).
/// \gosrc{rand.go,cheaprand}
inline uint32 cheaprand() {
  m* mp = getg()->m;
  mp->cheaprand += 0xa0761d6478bd642full;
  __uint128_t r = __uint128_t(mp->cheaprand) * __uint128_t(mp->cheaprand ^ 0xe7037ed1a0b428dbull);
  uint64 hi = uint64(r >> 64), lo = uint64(r);
  return uint32(hi ^ lo);
}

/// cheaprandn: a number in [0, n). \gosrc{rand.go,cheaprandn}
inline uint32 cheaprandn(uint32 n) { return uint32((uint64(cheaprand()) * uint64(n)) >> 32); }

// Locks and notes (lock_futex.cpp).
/// Spinning limits of lock_futex.go, shared with sync_runtime_canSpin and
/// sync_runtime_doSpin (proc.go): spins before sleeping, PAUSEs per spin.
inline constexpr int active_spin = 4;
inline constexpr uint32 active_spin_cnt = 30;
void lock(mutex* l);
void unlock(mutex* l);
void lockWithoutG(mutex* l);
void noteclear(note* n);
void notesleep(note* n);
void notewakeup(note* n);
bool notetsleep(note* n, int64 ns);
bool notetsleepg(note* n, int64 ns);

// OS (os_linux.cpp).
int64 nanotime();
void usleep(uint32 usec);
void osyield();
NOSPLIT void futexsleep(uint32* addr, uint32 val, int64 ns);
NOSPLIT void futexwakeup(uint32* addr, uint32 cnt);

// Stacks (stack.cpp).
void stackinit();
SYSTEMSTACK stack stackalloc(uint32 n);
SYSTEMSTACK void stackfree(stack stk);
SYSTEMSTACK void stackcache_clear(struct mcache* c);
SYSTEMSTACK void freeStackSpans();
/// stackfreeSpares frees gp's spare segments above top ([seg-spare]).
SYSTEMSTACK void stackfreeSpares(g* gp, struct stktop* top);
/// isShrinkStackSafe: whether shrinkstack may run on the stopped gp.
bool isShrinkStackSafe(g* gp);
/// shrinkstack frees the segments a stopped gp no longer runs on.
SYSTEMSTACK void shrinkstack(g* gp);
/// stackInUse: the bytes of the segments holding gp's frames.
uintptr stackInUse(g* gp);
/// guardPageActive reports whether new stacks get a kernel guard page.
bool guardPageActive();
/// morestackc: the entry check of a SYSTEMSTACK function (Go's compiler
/// adds it to every //go:systemstack function; here each calls it first).
NOSPLIT void morestackc();
NOSPLIT_INLINE void systemstackcheck() {
  g* gp = getg();
  if (gp != gp->m->g0 && gp != gp->m->gsignal) morestackc();
}

// Fatal errors and printing (panic.cpp, print.cpp).
[[noreturn]] NOSPLIT void throw_(const char* s);  // Go's throw; `throw` is a C++ keyword
[[noreturn]] NOSPLIT void fatal(const char* s);
void printlock();
void printunlock();

}  // namespace runtime

namespace runtime {
// Tracebacks (traceback.cpp).
void goroutineheader(g* gp);
void traceback(g* gp, int skip);
void printcreatedby(g* gp);
void printcreatedby1(const char* name, uint64 goid);
void printAncestorTraceback(const ancestorInfo& ancestor);
void printAncestorTracebackFuncInfo(uintptr pc);
int gcallers(g* gp, int skip, uintptr* pcbuf, int n);
void tracebackothers(g* me);

// Fatal paths (panic.cpp).
enum throwType : int32 { throwTypeNone = 0, throwTypeUser = 1, throwTypeRuntime = 2 };
[[noreturn]] NOSPLIT void fatalthrow(throwType t);
[[noreturn]] void panicplain(const char* msg);  // panic(plainError(msg))
[[noreturn]] void panicerrorstring(const char* msg);  // panic(errorString(msg))
[[noreturn]] void exit(int32 code);
extern atomic::Uint32 panicking;
/// startpanic_m: this M is about to print a fatal error (counts it in
/// panicking, takes paniclk); false when it was already doing so.
NOWRITEBARRIERREC bool startpanic_m();
/// badcall: a runtime entry point that needs a goroutine was called from a
/// thread the runtime does not own, or before rt0_go.
[[noreturn]] void badnog(const char* fn);
inline g* mustgetg(const char* fn) {
  g* gp = getg();
  if (gp == nullptr) badnog(fn);
  return gp;
}
}  // namespace runtime
