// runtime2.hpp: the scheduler's data structures, mirroring runtime2.go at
// go1.22.12: g (a goroutine), m (an OS thread), p (a processor: the right to
// run Go code), schedt (the global scheduler), gobuf (a saved context), stack,
// sudog (a goroutine waiting on a channel or semaphore), waitReason, and the
// status constants. Fields keep Go's names and relative order; fields Go has
// and the port does not use yet are left out, not renamed.
//
// Invariants (named so that code can cite them):
//   [g-status]    g.atomicstatus moves only through casgstatus and the
//                 _Gscan functions beside it (castogscanstatus,
//                 casfrom_Gscanstatus, casGToPreemptScan, casGFromPreempted;
//                 proc.cpp), and casgstatus waits while a _Gscan bit is held.
//   [p-owner]     p.m == m and m.p == p hold together or not at all (wirep,
//                 releasep); only the owning M writes p.runqtail.
//   [g0-stack]    g0 runs on the thread's own stack; user goroutines run on
//                 stacks from stackalloc (stack.cpp).
//   [tls-guard]   while a g runs, the thread's split-stack guard word
//                 (%fs:0x70) equals g.stackguard0; gogo, mcall and
//                 systemstack keep it so (asm_amd64.S).
//
// Locks: sched.lock protects the idle M and P lists, the global run queue and
// the counters beside them; sched.gFree.lock protects the global free-g lists.
// Neither may be held across a park.
//
// Departure: gQueue and gList live in proc.go in Go; C++ needs them complete
// before p and schedt, so they are declared here.
#pragma once
#include <cstddef>
#include <cstdint>

#include "internal/atomic/atomic.hpp"
#include "pragmas.hpp"

namespace runtime {

// Go's basic types, so that signatures read as in Go.
using int8 = int8_t;
using int16 = int16_t;
using int32 = int32_t;
using int64 = int64_t;
using uint8 = uint8_t;
using uint16 = uint16_t;
using uint32 = uint32_t;
using uint64 = uint64_t;
using uintptr = uintptr_t;
using byte = uint8_t;
// Go's uint is 64 bits on amd64. Inside namespace runtime this alias hides
// glibc's 32-bit ::uint (<sys/types.h>), so runtime code that says uint
// means Go's uint.
using uint = uint64_t;

}  // namespace runtime

#include "mwbbuf.hpp"  // heapPtr, for the GC references in the structures below

namespace runtime {

struct g;
struct m;
struct p;
struct sudog;
struct hchan;

// G status (runtime2.go, "G status").
enum : uint32 {
  _Gidle = 0,       // fresh from allocation, not set up
  _Grunnable = 1,   // ready, waiting in a run queue
  _Grunning = 2,    // on an M with a P, running its own code
  _Gsyscall = 3,    // in a system call
  _Gwaiting = 4,    // parked; waitreason says why
  _Gmoribund_unused = 5,
  _Gdead = 6,       // not in use (finished, or free for reuse)
  _Genqueue_unused = 7,
  _Gcopystack = 8,  // Go: stack relocation; never set, stacks stay put here
  _Gpreempted = 9,  // parked itself at a suspendG request
  _Gscan = 0x1000,
};

// P status.
enum : uint32 {
  _Pidle = 0,     // unused for now; normally on the idle list
  _Prunning = 1,  // an M holds it and is executing on it
  _Psyscall = 2,  // its M is in a system call
  _Pgcstop = 3,   // parked by a stop-the-world
  _Pdead = 4,     // beyond the current GOMAXPROCS; unused
};

/// mutex: a runtime lock (lock_futex.cpp). key is 0 (unlocked), 1 (locked)
/// or 2 (locked, with sleepers).
struct mutex {
  uintptr key{};
};

/// note: a one-shot wake-up event (lock_futex.cpp).
struct note {
  uintptr key{};
};

/// funcval: a closure. fn is the code pointer; captured data follows it in
/// memory, as in Go's closure layout. The code is entered with the funcval in
/// %rdi (Departure: Go passes it in DX, its closure context register).
struct funcval {
  void (*fn)(funcval*);
};

/// guintptr, muintptr, puintptr: pointers that Go keeps as integers so that
/// writing them needs no write barrier. Same here, for the same future reason.
/// They are also what Go reads across threads without a lock (pp.runnext,
/// pp.m, mp.p, the run queue's slots): ptr() and set() (and copies) are
/// acquire loads and release stores, as atomic::Racy's are, so those reads
/// are not C++ data races and what the pointer points to is published.
/// Use ptr()/set(), not v, for any access another thread may race with.
/// Departure: one template (ptrword<T>) for the three; only guintptr has cas.
template <class T>
struct ptrword {
  uintptr v{};
  ptrword() = default;
  NOSPLIT_INLINE ptrword(const ptrword& o) : v(__atomic_load_n(&o.v, __ATOMIC_ACQUIRE)) {}
  NOSPLIT_INLINE ptrword& operator=(const ptrword& o) {
    __atomic_store_n(&v, __atomic_load_n(&o.v, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
    return *this;
  }
  NOSPLIT_INLINE T* ptr() const { return reinterpret_cast<T*>(__atomic_load_n(&v, __ATOMIC_ACQUIRE)); }
  NOSPLIT_INLINE void set(T* x) { __atomic_store_n(&v, reinterpret_cast<uintptr>(x), __ATOMIC_RELEASE); }
  NOSPLIT_INLINE bool operator==(const ptrword& o) const { return ptr() == o.ptr(); }
  NOSPLIT_INLINE explicit operator bool() const { return ptr() != nullptr; }
};
struct guintptr : ptrword<g> {
  NOSPLIT_INLINE bool cas(guintptr old, guintptr nw) { return atomic::Cas(&v, old.v, nw.v); }
};
using muintptr = ptrword<m>;
using puintptr = ptrword<p>;

/// gobuf: a saved execution context, restored by gogo. Every field is read
/// by asm_amd64.S through the offsets in go_asm.h.
struct gobuf {
  uintptr sp;    // stack pointer to resume with
  uintptr pc;    // where to resume
  guintptr g;    // the goroutine this context belongs to
  uintptr ctxt;  // closure context, loaded into %rdi by gogo
  uintptr ret;
  uintptr lr;    // unused on amd64
  uintptr bp;    // frame pointer
};

/// stack: the bounds [lo, hi) of a goroutine stack.
struct stack {
  uintptr lo;
  uintptr hi;
};

/// sudog: one goroutine's entry in one wait list (a channel's send or
/// receive queue, a semaphore tree). A goroutine in a select waits on
/// several lists and a list holds several goroutines, hence one sudog per
/// (goroutine, list) pair. sudogs come from
/// acquireSudog/releaseSudog (proc.cpp).
///
/// Departure: the pointer fields that may hold the only reference to a heap
/// object (another sudog, the channel, elem) are heapPtrs, so that every
/// store carries the write barrier Go's compiler puts there (mwbbuf.hpp).
/// Links to g, m and p stay raw: those are never freed while linked (allgs,
/// allm and allp hold them), as Go's guintptr links assume.
struct sudog {
  g* g_;  // Departure: named g_ because C++ cannot reuse the type name g here
  heapPtr<sudog> next;
  heapPtr<sudog> prev;
  heapPtr<void> elem;  // where the value is read or written; may be on g's stack
  int64 acquiretime;
  int64 releasetime;
  uint32 ticket;
  bool isSelect;  // part of a select: a waker must first win g.selectDone
  bool success;   // true: the operation happened; false: woken by close
  uint32 waiters; // semaphore list head only: how many wait behind it
  heapPtr<sudog> parent;    // links in the semaphore tree
  heapPtr<sudog> waitlink;  // next in g.waiting, or in a semaphore's list
  heapPtr<sudog> waittail;  // semaphore list: its last entry
  heapPtr<hchan> c;         // the channel waited on, if any
};

/// waitReason: why a goroutine sits in _Gwaiting, as goroutine dumps
/// print it. Same values and strings as runtime2.go.
enum class waitReason : uint8 {
  waitReasonZero,
  waitReasonGCAssistMarking,
  waitReasonIOWait,
  waitReasonChanReceiveNilChan,
  waitReasonChanSendNilChan,
  waitReasonDumpingHeap,
  waitReasonGarbageCollection,
  waitReasonGarbageCollectionScan,
  waitReasonPanicWait,
  waitReasonSelect,
  waitReasonSelectNoCases,
  waitReasonGCAssistWait,
  waitReasonGCSweepWait,
  waitReasonGCScavengeWait,
  waitReasonChanReceive,
  waitReasonChanSend,
  waitReasonFinalizerWait,
  waitReasonForceGCIdle,
  waitReasonSemacquire,
  waitReasonSleep,
  waitReasonSyncCondWait,
  waitReasonSyncMutexLock,
  waitReasonSyncRWMutexRLock,
  waitReasonSyncRWMutexLock,
  waitReasonTraceReaderBlocked,
  waitReasonWaitForGCCycle,
  waitReasonGCWorkerIdle,
  waitReasonGCWorkerActive,
  waitReasonPreempted,
  waitReasonDebugCall,
  waitReasonGCMarkTermination,
  waitReasonStoppingTheWorld,
  waitReasonFlushProcCaches,
  waitReasonTraceGoroutineStatus,
  waitReasonTraceProcStatus,
  waitReasonPageTraceFlush,
  waitReasonCoroutine,
};
using enum waitReason;

inline constexpr const char* waitReasonStrings[] = {
    "",
    "GC assist marking",
    "IO wait",
    "chan receive (nil chan)",
    "chan send (nil chan)",
    "dumping heap",
    "garbage collection",
    "garbage collection scan",
    "panicwait",
    "select",
    "select (no cases)",
    "GC assist wait",
    "GC sweep wait",
    "GC scavenge wait",
    "chan receive",
    "chan send",
    "finalizer wait",
    "force gc (idle)",
    "semacquire",
    "sleep",
    "sync.Cond.Wait",
    "sync.Mutex.Lock",
    "sync.RWMutex.RLock",
    "sync.RWMutex.Lock",
    "trace reader (blocked)",
    "wait for GC cycle",
    "GC worker (idle)",
    "GC worker (active)",
    "preempted",
    "debug call",
    "GC mark termination",
    "stopping the world",
    "flushing proc caches",
    "trace goroutine status",
    "trace proc status",
    "page trace flush",
    "coroutine",
};
static_assert(sizeof(waitReasonStrings) / sizeof(waitReasonStrings[0]) ==
              size_t(waitReasonCoroutine) + 1);

/// String returns the reason as Go prints it ("unknown wait reason" if out of
/// range), as (waitReason).String in runtime2.go.
NOSPLIT_INLINE const char* String(waitReason w) {
  if (size_t(w) >= sizeof(waitReasonStrings) / sizeof(waitReasonStrings[0]))
    return "unknown wait reason";
  return waitReasonStrings[size_t(w)];
}

/// isMutexWait: w is a wait in sync.Mutex or sync.RWMutex, whose time
/// casgstatus adds to sched.totalMutexWaitTime. (A method in Go; waitReason
/// is a C++ enum here.) \gosrc{runtime2.go,waitReason.isMutexWait}
NOSPLIT_INLINE bool isMutexWait(waitReason w) {
  return w == waitReasonSyncMutexLock || w == waitReasonSyncRWMutexRLock || w == waitReasonSyncRWMutexLock;
}

/// gQueue: Gs chained by g.schedlink, with head and tail pointers, so Gs
/// can be added at either end (proc.go).
struct gQueue {
  guintptr head;
  guintptr tail;
  bool empty() const { return !head; }
  void push(g* gp);
  void pushBack(g* gp);
  void pushBackAll(gQueue q);
  g* pop();
};

/// gList: Gs chained by g.schedlink, head only: a stack (proc.go).
struct gList {
  guintptr head;
  bool empty() const { return !head; }
  void push(g* gp);
  void pushAll(gQueue q);
  g* pop();
};

/// gTrackingPeriod: casgstatus times one in this many of a g's runs
/// (runtime/metrics' scheduling latency and mutex wait).
/// \gosrc{runtime2.go,gTrackingPeriod}
inline constexpr int64 gTrackingPeriod = 8;

/// tracebackInnerFrames: the frames a traceback shows at most from the
/// innermost end of a stack, and the most an ancestor keeps.
/// \gosrc{traceback.go,tracebackInnerFrames}
inline constexpr int tracebackInnerFrames = 50;

/// ancestorInfo: where an ancestor goroutine stood when it created its
/// child: its goid, the pc of its own go statement and the return pcs of
/// its stack. Departure: the pcs are an array in the record, where Go's
/// record holds a slice of exactly npcs. \gosrc{runtime2.go,ancestorInfo}
struct ancestorInfo {
  int64 goid;
  uintptr gopc;
  int32 npcs;
  uintptr pcs[tracebackInnerFrames];
};

struct g {
  // stack and the guards below are read by asm_amd64.S (go_asm.h).
  stack stack_;          // Departure: named stack_ (the type is named stack)
  atomic::Racy<uintptr> stackguard0;  // compared (via the TLS guard word) in every
                         // split-stack prologue; stackPreempt asks to preempt
  uintptr stackguard1;   // guard for g0 and gsignal
  void* _panic;          // most recent active panic
  void* _defer;          // most recent defer (unused: C++ destructors do it)
  atomic::Racy<struct m*> m;  // the M running this g, if any
  gobuf sched;           // saved context while not running
  uintptr stktopsp;      // sp at the stack's top frame, for sanity checks
  // Departure: the port's stacks grow by segments (stack.cpp). stackseg is
  // the record of the segment this g runs on, nullptr on its first stack;
  // stackup, the segment kept above the first stack ([seg-chain],
  // [seg-spare] in stack.hpp). Written by the goroutine itself (newstack on
  // its g0, lessstack) and by shrinkstack while it is stopped.
  struct stktop* stackseg;
  struct stktop* stackup;
  heapPtr<void> param;   // passed between parker and waker (see chan.cpp)
  atomic::Uint32 atomicstatus;
  int64 goid;
  guintptr schedlink;
  atomic::Racy<int64> waitsince;  // roughly when the g started waiting (dumps read it racily)
  atomic::Racy<waitReason> waitreason;  // meaningful in _Gwaiting (dumps read it racily)
  atomic::Racy<bool> preempt;  // asked to yield (stackguard0 also says so)
  // preemptStop: at the next synchronous safe point, park in _Gpreempted
  // (preemptPark) for suspendG instead of only yielding. Written by a
  // suspender while it holds the _Gscan bit, read by the goroutine itself in
  // newstack, hence Racy. Go also has preemptShrink (shrink the stack at the
  // safe point); stacks never move in the port, so it is left out.
  atomic::Racy<bool> preemptStop;
  // asyncSafePoint: stopped by asyncPreempt, at an instruction of user code
  // that a signal interrupted (preempt.cpp). Set and cleared by the
  // goroutine itself (asyncPreempt2); dumps and the collector read it.
  atomic::Racy<bool> asyncSafePoint;
  bool activeStackChans; // channels point into this stack
  atomic::Bool parkingOnChan;
  muintptr lockedm;
  uint64 parentGoid;     // creator's goid
  uintptr gopc;          // pc of the creating go statement
  // ancestors: with GODEBUG=tracebackancestors=N, where the goroutines that
  // led to this one were created (saveAncestors), nancestors of them, the
  // creator first; nullptr otherwise. A pointer-free heap object, kept by
  // this word (a g is scanned conservatively).
  struct ancestorInfo* ancestors;
  int32 nancestors;
  uintptr startpc;       // entry pc of the function it runs
  heapPtr<sudog> waiting;  // this g's sudogs, linked by waitlink in lock order
  atomic::Uint32 selectDone;  // 1 once a case of this g's select has won
  heapPtr<funcval> startfn;  // the closure this g runs (for dumps)
  // Departure: the C++ runtime keeps the exceptions being handled (the
  // caught list and the uncaught count, __cxa_eh_globals) per thread. A
  // goroutine can leave a thread inside a catch block (it parks, yields or
  // is preempted), so the scheduler carries that state with the goroutine:
  // dropg saves it here, execute restores it. Go needs no such thing: its
  // panics live on g (g._panic).
  struct {
    void* caughtExceptions;
    uintptr uncaughtExceptions;
  } ehglobals;
  uintptr racectx;       // ThreadSanitizer fiber of this g (race.cpp), or 0
  // Departure: AddressSanitizer's fake stack for this g's frames while it is
  // switched out (asan.cpp); Go's goroutine stacks are not ASan stacks.
  void* asanFakeStack;
  // tracking: this g's status changes are being timed for runtime/metrics
  // (casgstatus samples one in gTrackingPeriod of its exits from
  // _Grunning); trackingSeq counts those exits; trackingStamp is when the
  // timed state began; runnableTime sums the time spent runnable since the
  // sample began. Written by whichever thread makes one of gp's
  // transitions; gp's transitions follow one another through the hand-offs
  // that allow them (a ready before the run-queue put, a run after the
  // take), so the writes never race, as in Go. (tracking and trackingSeq
  // sit beside gcscandone, in the word before gcAssistBytes.)
  int64 trackingStamp;
  int64 runnableTime;
  // The collector (mgcmark.cpp): gcscandone says this cycle scanned the
  // stack; gcAssistBytes is the assist credit in bytes (negative: a debt),
  // kept by the g itself in mallocgc and reset by gcResetMarkState, which
  // runs before the world stops (as Go's does): Racy.
  bool gcscandone;
  bool tracking;
  uint8 trackingSeq;
  atomic::Racy<int64> gcAssistBytes;
  // timer: the timer timeSleep arms for this g, made on its first sleep
  // and kept with the g (time.cpp).
  struct timer* timer;
  // syscallsp, syscallpc, syscallbp: while in _Gsyscall, the stack pointer,
  // pc and frame pointer entersyscall saved (0 otherwise). The collector
  // scans the stack from syscallsp, and tracebacks start from syscallpc and
  // syscallbp, not from g.sched: the C++ called inside the bracket has
  // split-stack prologues, and a stale preemption request can take one of
  // them through __morestack, which saves its own context in g.sched and
  // resumes through gogo, which clears g.sched.sp.
  // Departure: Go 1.22 has no syscallbp (Go 1.23 added it for frame-pointer
  // tracebacks); its syscall code never runs a stack check.
  uintptr syscallsp;
  uintptr syscallpc;
  uintptr syscallbp;
  // syscallstack, syscallseg: the segment syscallsp lies in and its record
  // (stack.cpp). The C++ inside the bracket may grow the stack onto new
  // segments while a collection scans from syscallsp; these stay as
  // entersyscall left them. Port only.
  stack syscallstack;
  struct stktop* syscallseg;
  // cacheLinePad: fills g to 384 bytes, six cache lines, so that its size
  // class (384) is a whole number of lines and two g's never share one.
  // At 344 bytes g fell in the 352-byte class, and the line holding one
  // g's syscallstack also held the next g's stackguard0: two goroutines
  // entering system calls on two CPUs wrote it in turn, and
  // BenchmarkSyscall ran at 30 or 70 ns/op depending on where its
  // goroutines' g's happened to lie. Port only; Go's runtime2.go counts on
  // the same property for p (the comment at p's end).
  char cacheLinePad[8];
};
static_assert(sizeof(g) % 64 == 0, "g: adjust cacheLinePad (see its comment) to keep g whole cache lines");

struct m {
  g* g0;         // runs the scheduler, on the thread's own stack
  g* gsignal;    // runs signal handlers
  atomic::Racy<uintptr> tcb;  // Departure: the thread's TCB address (%fs:0);
                              // the split-stack guard word lives at tcb+0x70
  void (*mstartfn)();
  atomic::Racy<g*> curg;  // user goroutine now on this M
  puintptr p;    // P held while running Go code (0 if none)
  puintptr nextp;
  puintptr oldp; // the p this m had before a system call
  uint32 syscalltick;  // its P's syscalltick when the system call began
  int64 id;
  int32 mallocing;
  int32 throwing;
  const char* preemptoff;  // non-null: curg must not be preempted (the reason)
  int32 locks;
  int32 dying;
  bool spinning;  // idle, actively hunting for work
  bool blocked;   // asleep in notesleep
  bool incgo;
  int32 printlock;
  uint64 cheaprand;
  note park;
  m* alllink;     // next in allm
  muintptr schedlink;
  guintptr lockedg;
  uint32 lockedExt;  // LockOSThread depth from user code
  uint32 lockedInt;  // lockOSThread depth from the runtime
  bool (*waitunlockf)(g*, void*);
  heapPtr<void> waitlock;  // may point into a heap object (a channel's lock)
  waitReason waitreason_unused;
  uintptr thread;    // pthread_t
  int64 procid;      // tid
  bool newSigstack;  // minit installed the alternate signal stack itself
  // preemptGen counts the preemption signals this M has handled (suspendG
  // waits for it to move); signalPending is 1 while one is on its way, so
  // that preemptM sends at most one at a time (signal_unix.cpp).
  atomic::Uint32 preemptGen;
  atomic::Uint32 signalPending;
  // freeWait: whether an exited M's thread is done with it (freeMRef) or
  // still running its last lines (freeMWait); see mexit and allocm.
  atomic::Uint32 freeWait;
  m* freelink;       // next on sched.freem
  // mLockProfile: the time this M has waited for contended runtime locks
  // (lock2's lockTimer; sampled, and scaled by the sampling period).
  // Departure: Go's record also keeps the stacks of the mutex profile,
  // which the port does not have. \gosrc{mprof.go,mLockProfile}
  struct {
    atomic::Int64 waitTime;
  } mLockProfile;
  // cacheLinePad: fills m to 320 bytes, five cache lines, for the reason
  // g's cacheLinePad gives: two threads' m's in one line would contend on
  // every system call (m.p, m.oldp, m.syscalltick). Five, not four: a span
  // that holds a runtime object scans all its objects conservatively
  // (mspan.conservative), and 256 bytes is a size class programs use far
  // more (GCZombie's slice of 32 pointers, which must be scanned exactly
  // for the sweep to find its zombies, is one). Port only.
  char cacheLinePad[88];
};
static_assert(sizeof(m) % 64 == 0, "m: adjust cacheLinePad (see g's) to keep m whole cache lines");

/// freeMStack, freeMRef, freeMWait: the values of m.freeWait. Go frees the
/// g0 stack of an M that ended with freeMStack; the port's g0s run on the
/// threads' own stacks, so its Ms end with freeMRef.
/// \gosrc{runtime2.go,freeMStack}
inline constexpr uint32 freeMStack = 0;  // done: free the g0 stack and the m
inline constexpr uint32 freeMRef = 1;    // done: drop the reference to the m
inline constexpr uint32 freeMWait = 2;   // the thread still uses the m

// --- The memory allocator's per-P state -----------------------------------
// Departure: persistentAlloc is malloc.go's, pageCache mpagecache.go's and
// gcWork and wbBuf mgcwork.go's and mwbbuf.go's; they are declared here
// because p embeds them (p.palloc, p.pcache, p.gcw, p.wbBuf_), as
// gQueue and gList are.
struct mcache;
struct mspan;
struct notInHeap;

struct workbuf;

/// gcMarkWorkerMode: what a background mark worker is doing.
/// \gosrc{mgc.go,gcMarkWorkerMode}
enum gcMarkWorkerMode : int {
  gcMarkWorkerNotWorker,
  gcMarkWorkerDedicatedMode,
  gcMarkWorkerFractionalMode,
  gcMarkWorkerIdleMode,
};


/// Entries in a buffer, and the most one barrier call reserves.
inline constexpr uintptr wbBufEntries = 512;
inline constexpr uintptr wbMaxEntriesPerCall = 8;

/// wbBuf: pointers recorded by write barriers, waiting for the collector to
/// shade them (mwbbuf.hpp, mwbbuf.cpp). Go keeps one in each P (p.wbBuf).
struct wbBuf {
  uintptr next;  // first free slot
  uintptr end;   // one past the last usable slot
  uintptr buf[wbBufEntries];

  /// reset empties the buffer and sets its bounds. \gosrc{mwbbuf.go,wbBuf.reset}
  void reset();
  /// discard drops the recorded pointers. \gosrc{mwbbuf.go,wbBuf.discard}
  NOSPLIT void discard();
  /// empty: no pointer recorded since the last reset.
  /// \gosrc{mwbbuf.go,wbBuf.empty}
  bool empty();
  /// get1 / get2 reserve one or two slots, flushing first when full.
  /// \gosrc{mwbbuf.go,wbBuf.get1}
  NOWRITEBARRIERREC NOSPLIT uintptr* get1();
  /// \gosrc{mwbbuf.go,wbBuf.get2}
  NOWRITEBARRIERREC NOSPLIT uintptr* get2();
};


/// gcWork: a P's view of the grey set (mgcwork.hpp, mgcwork.cpp). \gosrc{mgcwork.go,gcWork}
struct gcWork {
  workbuf* wbuf1;  // the buffer put and get use first
  workbuf* wbuf2;  // the other one; both non-nil or both nil
  uint64 bytesMarked;   // bytes this gcWork blackened (flushed by dispose)
  int64 heapScanWork;   // heap scan work done (flushed by dispose)
  bool flushedWork;     // work was pushed to the global list since the last
                        // gcMarkDone check

  void init();
  NOWRITEBARRIERREC void put(uintptr obj);
  NOWRITEBARRIERREC NOSPLIT_INLINE bool putFast(uintptr obj);  // mgcwork.hpp
  NOWRITEBARRIERREC void putBatch(uintptr* obj, int n);
  NOWRITEBARRIERREC uintptr tryGet();
  NOWRITEBARRIERREC NOSPLIT_INLINE uintptr tryGetFast();  // mgcwork.hpp
  NOWRITEBARRIERREC void dispose();
  NOWRITEBARRIERREC void balance();
  NOWRITEBARRIERREC bool empty();
};

/// persistentAlloc: a bump allocator over one persistentChunkSize chunk
/// (malloc.cpp). \gosrc{malloc.go,persistentAlloc}
struct persistentAlloc {
  notInHeap* base;
  uintptr off;
};

}  // namespace runtime

#include "mpagecache.hpp"  // pageCache, for p.pcache
#define GORT_RUNTIME2_BASE 1
#include "mgclimit.hpp"  // limiterEvent, for p.limiterEvent
#include "histogram.hpp"  // timeHistogram, for sched's pause times

namespace runtime {

/// The size of p.runq (a power of two).
inline constexpr uint32 runqsize = 256;

/// sysmontick: what sysmon saw of one P at its last look, so that retake
/// can tell a P that has run (or stayed in one system call) for a whole
/// time slice. Named, as in Go, where the type sits in proc.go.
/// \gosrc{proc.go,sysmontick}
struct sysmontick {
  uint32 schedtick;
  int64 schedwhen;
  uint32 syscalltick;
  int64 syscallwhen;
};

struct p {
  int32 id;
  atomic::Racy<uint32> status;  // _Pidle, _Prunning, ...
  puintptr link;
  atomic::Racy<uint32> schedtick;  // bumped by execute at each new time slice
  // syscalltick: bumped at each system call's end and each retake; its
  // owner (or the taker of a _Psyscall P) writes it, sysmon reads it
  // without a lock (retake), hence Racy.
  atomic::Racy<uint32> syscalltick;
  struct sysmontick sysmontick;  // sysmon's last sample of the ticks
  muintptr m;          // the M holding this P (0 when idle)
  struct mcache* mcache;  // the small-object cache mallocgc uses on this P
  pageCache pcache;       // free pages for small spans, without the heap lock
  uint64 goidcache;
  uint64 goidcacheend;
  // The local run queue, accessed without lock: only the owner writes
  // runqtail; any M may advance runqhead by CAS (runqget, runqsteal).
  uint32 runqhead;
  uint32 runqtail;
  guintptr runq[runqsize];
  // runnext: a G the running G just readied. It runs ahead of runq and
  // takes over what is left of the current time slice.
  guintptr runnext;
  struct {
    gList list;
    // n: written by the owner P (or with the world stopped); gcount reads
    // it from any thread without a lock.
    atomic::Racy<int32> n;
  } gFree;  // dead Gs kept for reuse
  heapPtr<sudog> sudogcache[128];
  int32 sudogn;
  // mspancache: mspan structures for allocSpan, so that a span from the
  // page cache needs no heap lock for its mspan either (mheap.cpp).
  struct {
    int len;
    mspan* buf[128];
  } mspancache;
  persistentAlloc palloc;  // persistentalloc's chunk for this P

  // The collector's per-P accounting (mgcpacer.go, mgclimit.go), cleared by
  // startCycle.
  int64 gcAssistTime;          // ns of mark assists on this P this cycle
  int64 gcFractionalMarkTime;  // ns of the fractional mark worker this cycle
  // gcMarkWorkerMode_: what this P's background mark worker is doing now;
  // set by the scheduler when it picks the worker (Departure: named with a
  // trailing _, as the type has the name). gcMarkWorkerStartTime: when it
  // started (nanotime).
  enum gcMarkWorkerMode gcMarkWorkerMode_;
  int64 gcMarkWorkerStartTime;
  // limiterEvent: the GC CPU limiter's event in flight on this P
  // (mgclimit.hpp).
  struct limiterEvent limiterEvent;
  // maxStackScanDelta: stack bytes allocated (or, negative, freed) on this
  // P not yet added to gcController.maxStackScan (addScannableStack).
  int64 maxStackScanDelta;
  // runSafePointFn: 1 while forEachP wants sched.safePointFn run for this P
  // at its next safe point; whoever CASes it from 1 to 0 runs the function
  // (the P itself, or forEachP on an idle P's behalf).
  uint32 runSafePointFn;
  // statsSeq: odd while this P writes memstats.heapStats (mstats.hpp,
  // consistentHeapStats), even otherwise.
  atomic::Uint32 statsSeq;
  bool preempt;  // whatever runs here should get to the scheduler soon

  // The collector's per-P state (mgc.hpp). gcw is this P's share of the
  // grey set; wbBuf holds the pointers write barriers recorded here, until
  // wbBufFlush1 greys them.
  gcWork gcw;
  wbBuf wbBuf_;  // Departure: Go's p.wbBuf (the type has the same name)

  // The timers added on this P (time.cpp; [timer-heap] in time.hpp).
  // timersLock protects timers, timersLen and timersCap. Departure: Go's
  // timers is a []*timer; here a heap array of pointer words with its
  // length and capacity beside it. timer0When and timerModifiedEarliest
  // are read without the lock ([timer0when]); numTimers and deletedTimers
  // count the timers in the heap and those of them stopped but not yet
  // removed.
  mutex timersLock;
  heapPtr<heapPtr<struct timer>> timers;
  int32 timersLen;
  int32 timersCap;
  atomic::Uint32 numTimers;
  atomic::Uint32 deletedTimers;
  atomic::Int64 timer0When;
  atomic::Int64 timerModifiedEarliest;

  void init(int32 id);  // proc.go (*p).init
  void destroy();       // proc.go (*p).destroy
};

struct schedt {
  atomic::Uint64 goidgen;
  atomic::Int64 lastpoll;
  atomic::Int64 pollUntil;
  mutex lock;
  muintptr midle;         // list of Ms with nothing to do
  int32 nmidle;           // length of midle
  int32 nmidlelocked;     // Ms locked to a g, idle until it runs
  int64 mnext;            // Ms ever created; also the next M's id
  int32 maxmcount;        // cap on Ms; exceeding it is fatal
  int32 nmsys;            // system Ms, ignored by the deadlock check
  int64 nmfreed;          // Ms freed so far
  // freem: exited Ms, kept reachable until their threads are done with
  // them (m.freeWait); linked by m.freelink. Written with sched.lock held;
  // allocm's first look is without it, as in Go.
  atomic::Racy<m*> freem;
  atomic::Int32 ngsys;    // goroutines the runtime itself runs
  puintptr pidle;         // list of Ps with no M
  atomic::Int32 npidle;
  atomic::Int32 nmspinning;
  atomic::Uint32 needspinning;
  gQueue runq;            // the global run queue
  atomic::Racy<int32> runqsize;  // written under lock; read without it
  struct {
    mutex lock;
    gList stack;    // dead Gs that still own a stack
    gList noStack;  // dead Gs whose stack was freed
    atomic::Racy<int32> n;  // written under lock; gcount reads it without
  } gFree;
  mutex sudoglock;
  heapPtr<sudog> sudogcache;
  atomic::Bool gcwaiting;  // stop-the-world requested
  int32 stopwait;
  note stopnote;
  atomic::Bool sysmonwait;  // sysmon sleeps on sysmonnote (every P idle)
  note sysmonnote;
  // sysmonlock: held by sysmon for each round's work (after its sleep), so
  // that whoever takes it knows sysmon is not acting on the scheduler.
  mutex sysmonlock;
  // forEachP's state (proc.cpp): the function every P must run at a safe
  // point, how many Ps have yet to run it, and the note the last of them
  // wakes. safePointFn and safePointWait are protected by sched.lock.
  void (*safePointFn)(p*);
  int32 safePointWait;
  note safePointNote;
  int32 profilehz;
  int64 procresizetime;
  int64 totaltime;
  // disable: user goroutines held back (schedEnableUser): while user is
  // set, schedule parks a runnable user goroutine on runnable (n of them)
  // instead of running it. Protected by sched.lock; user is also read
  // without it, hence Racy.
  struct {
    atomic::Racy<bool> user;
    gQueue runnable;
    int32 n;
  } disable;
  // idleTime: CPU-ns Ps have spent idle, summed (the GC CPU limiter's
  // limiterEventIdle; mgclimit.cpp adds to it).
  atomic::Int64 idleTime;

  // The stops of the world: how long each took to stop every P
  // (stwStoppingTime*, from stopTheWorldWithSema's start to the last P
  // stopped) and how long the world stayed stopped in all (stwTotalTime*,
  // to startTheWorldWithSema), the collector's stops apart from the others
  // (stwReason.isGC). Read by runtime/metrics (/sched/pauses/...).
  timeHistogram stwStoppingTimeGC;
  timeHistogram stwStoppingTimeOther;
  timeHistogram stwTotalTimeGC;
  timeHistogram stwTotalTimeOther;
  // timeToRun: how long goroutines waited runnable before they ran, from
  // the transitions casgstatus samples (/sched/latencies:seconds).
  timeHistogram timeToRun;
  // totalMutexWaitTime: the time goroutines have spent in _Gwaiting on a
  // sync.Mutex or sync.RWMutex, sampled as timeToRun is and scaled by the
  // sampling period; totalRuntimeLockWaitTime: the runtime-lock wait time
  // of the Ms that have exited (each live M keeps its own, mLockProfile).
  atomic::Int64 totalMutexWaitTime;
  atomic::Int64 totalRuntimeLockWaitTime;
};

/// forcegcstate: the goroutine that forces a periodic collection, parked
/// (idle) until sysmon finds that none ran for forcegcperiod.
/// \gosrc{runtime2.go,forcegcstate}
struct forcegcstate {
  mutex lock;         // protects idle's transitions and the parking
  struct g* g;        // forcegchelper's goroutine
  atomic::Bool idle;  // parked, waiting for sysmon
};

// Globals of runtime2.go (defined in proc.cpp).
extern m* allm;
extern forcegcstate forcegc;
extern int32 gomaxprocs;
extern int32 ncpu;
extern schedt sched;
extern int32 newprocs;
extern p** allp;        // [gomaxprocs] Ps; Departure: Go's []*p slice
extern int32 allplen;
extern int32 allpcap;   // Departure: cap(allp); allp[allplen:allpcap] are
                        // the Ps a smaller GOMAXPROCS destroyed (or nullptr)
extern uint32* idlepMask;  // bit per P: on the idle list
extern uint32* timerpMask; // bit per P: may have timers (time.hpp)
extern mutex allpLock;     // protects P-less reads and size changes of allp, idlepMask, timerpMask
extern bool mainStarted;
extern int64 allglen;
extern g** allgs;       // [allglen] Gs ever created (proc.cpp); Departure: Go's []*g
extern m m0;
extern g g0_;           // Departure: Go's g0 is both the type field and the
                        // global for m0's g0; the global is g0_ here

}  // namespace runtime
