// runtime2.hpp: the scheduler's data structures, mirroring runtime2.go at
// go1.22.12: g (a goroutine), m (an OS thread), p (a processor: the right to
// run Go code), schedt (the global scheduler), gobuf (a saved context), stack,
// sudog (a goroutine waiting on a channel or semaphore), waitReason, and the
// status constants. Fields keep Go's names and relative order; fields Go has
// and the port does not use yet are left out, not renamed.
//
// Invariants (named so that code can cite them):
//   [g-status]    g.atomicstatus moves only through casgstatus (proc.cpp).
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

struct g;
struct m;
struct p;
struct sudog;
struct hchan;

// G status (runtime2.go, "G status").
enum : uint32 {
  _Gidle = 0,       // just allocated, not yet initialized
  _Grunnable = 1,   // on a run queue
  _Grunning = 2,    // executing user code, owns an M and a P
  _Gsyscall = 3,    // in a system call
  _Gwaiting = 4,    // blocked in the runtime (see waitreason)
  _Gmoribund_unused = 5,
  _Gdead = 6,       // unused: exited, or on a free list
  _Genqueue_unused = 7,
  _Gcopystack = 8,  // stack being moved (not used: stacks do not move here)
  _Gpreempted = 9,  // stopped itself for a suspendG preemption
  _Gscan = 0x1000,
};

// P status.
enum : uint32 {
  _Pidle = 0,     // not running user code; on the idle list or in transition
  _Prunning = 1,  // owned by an M that runs user code or the scheduler
  _Psyscall = 2,  // its M is in a system call
  _Pgcstop = 3,   // halted for stop-the-world
  _Pdead = 4,     // no longer used (GOMAXPROCS shrank)
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
struct guintptr {
  uintptr v{};
  NOSPLIT_INLINE g* ptr() const { return reinterpret_cast<g*>(v); }
  NOSPLIT_INLINE void set(g* gp) { v = reinterpret_cast<uintptr>(gp); }
  NOSPLIT_INLINE bool cas(guintptr old, guintptr nw) { return atomic::Cas(&v, old.v, nw.v); }
  bool operator==(const guintptr&) const = default;
  NOSPLIT_INLINE explicit operator bool() const { return v != 0; }
};
struct muintptr {
  uintptr v{};
  NOSPLIT_INLINE m* ptr() const { return reinterpret_cast<m*>(v); }
  NOSPLIT_INLINE void set(m* mp) { v = reinterpret_cast<uintptr>(mp); }
  NOSPLIT_INLINE explicit operator bool() const { return v != 0; }
};
struct puintptr {
  uintptr v{};
  NOSPLIT_INLINE p* ptr() const { return reinterpret_cast<p*>(v); }
  NOSPLIT_INLINE void set(p* pp) { v = reinterpret_cast<uintptr>(pp); }
  NOSPLIT_INLINE explicit operator bool() const { return v != 0; }
};

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

/// sudog: a g on a wait list (channel send/receive queues, semaphore trees).
/// A g may sit on many wait lists at once (select), so the relation is
/// many-to-many and each membership is one sudog. sudogs come from
/// acquireSudog/releaseSudog (proc.cpp).
struct sudog {
  g* g_;  // Departure: named g_ because C++ cannot reuse the type name g here
  sudog* next;
  sudog* prev;
  void* elem;  // data element (may point to a stack)
  int64 acquiretime;
  int64 releasetime;
  uint32 ticket;
  bool isSelect;  // g is in a select; g.selectDone must be CASed to win
  bool success;   // woken because a value was delivered (false: closed)
  uint32 waiters; // semaRoot: waiters on this address, head only
  sudog* parent;  // semaRoot binary tree
  sudog* waitlink;  // g.waiting list or semaRoot
  sudog* waittail;  // semaRoot
  hchan* c;         // channel
};

/// waitReason explains why a goroutine is in _Gwaiting; it is printed in
/// goroutine dumps. Same values and strings as runtime2.go.
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

/// gQueue: a FIFO of Gs linked through g.schedlink (proc.go).
struct gQueue {
  guintptr head;
  guintptr tail;
  bool empty() const { return head.v == 0; }
  void push(g* gp);
  void pushBack(g* gp);
  void pushBackAll(gQueue q);
  g* pop();
};

/// gList: a LIFO of Gs linked through g.schedlink (proc.go).
struct gList {
  guintptr head;
  bool empty() const { return head.v == 0; }
  void push(g* gp);
  void pushAll(gQueue q);
  g* pop();
};

struct g {
  // stack and the guards below are read by asm_amd64.S (go_asm.h).
  stack stack_;          // Departure: named stack_ (the type is named stack)
  uintptr stackguard0;   // compared (via the TLS guard word) in every
                         // split-stack prologue; stackPreempt asks to preempt
  uintptr stackguard1;   // guard for g0 and gsignal
  void* _panic;          // innermost panic
  void* _defer;          // innermost defer (unused: C++ destructors do it)
  struct m* m;           // current m
  gobuf sched;           // saved context while not running
  uintptr stktopsp;      // expected sp at the top of the stack
  void* param;           // passed between parker and waker (see chan.cpp)
  atomic::Uint32 atomicstatus;
  int64 goid;
  guintptr schedlink;
  int64 waitsince;       // approx time when the g became blocked
  waitReason waitreason; // if status == _Gwaiting
  bool preempt;          // preemption signal
  bool activeStackChans; // channels point into this stack
  atomic::Bool parkingOnChan;
  muintptr lockedm;
  uint64 parentGoid;     // goid of the goroutine that created this one
  uintptr gopc;          // pc of the go statement that created this g
  uintptr startpc;       // pc of the goroutine function
  sudog* waiting;        // sudogs this g waits on, in lock order
  atomic::Uint32 selectDone;  // are we in a select and did someone win it
  funcval* startfn;      // the closure this g runs (for dumps)
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
};

struct m {
  g* g0;         // goroutine with the scheduling stack
  g* gsignal;    // signal-handling g
  uintptr tcb;   // Departure: the thread's TCB address (%fs:0); the
                 // split-stack guard word lives at tcb+0x70
  void (*mstartfn)();
  g* curg;       // the running user goroutine
  puintptr p;    // attached p for executing Go code (0 if not)
  puintptr nextp;
  puintptr oldp; // the p this m had before a system call
  int64 id;
  int32 mallocing;
  int32 throwing;
  const char* preemptoff;  // if non-empty, keep curg on this m
  int32 locks;
  int32 dying;
  bool spinning;  // looking for work
  bool blocked;   // blocked on a note
  bool incgo;
  int32 printlock;
  uint64 cheaprand;
  note park;
  m* alllink;     // on allm
  muintptr schedlink;
  guintptr lockedg;
  uint32 lockedExt;  // external LockOSThread nesting
  uint32 lockedInt;  // internal lockOSThread nesting
  bool (*waitunlockf)(g*, void*);
  void* waitlock;
  waitReason waitreason_unused;
  uintptr thread;    // pthread_t
  int64 procid;      // tid
};

/// The size of p.runq (a power of two).
inline constexpr uint32 runqsize = 256;
/// The port's stack cache per P (Go keeps it in mcache.stackcache).
inline constexpr int stackCacheSize = 16;

struct p {
  int32 id;
  uint32 status;   // _Pidle, _Prunning, ...
  puintptr link;
  uint32 schedtick;    // incremented on every scheduler call
  uint32 syscalltick;
  struct {
    uint32 schedtick;
    int64 schedwhen;
  } sysmontick;        // last tick observed by sysmon
  muintptr m;          // back-link to the associated m (0 if idle)
  uint64 goidcache;
  uint64 goidcacheend;
  // The local run queue, accessed without lock: only the owner writes
  // runqtail; any M may advance runqhead by CAS (runqget, runqsteal).
  uint32 runqhead;
  uint32 runqtail;
  guintptr runq[runqsize];
  // runnext, if non-nil, is a runnable G made ready by the current G that
  // should run next, in place of what is in runq, inheriting the time slice.
  guintptr runnext;
  struct {
    gList list;
    int32 n;
  } gFree;  // available Gs (status == _Gdead)
  sudog* sudogcache[128];
  int32 sudogn;
  // Departure: Go keeps the stack cache in p.mcache.stackcache; the port has
  // no mcache yet, so it sits on the P.
  uintptr stackcache[stackCacheSize];
  int32 nstackcache;
  bool preempt;  // this P should enter the scheduler ASAP
};

struct schedt {
  atomic::Uint64 goidgen;
  atomic::Int64 lastpoll;
  atomic::Int64 pollUntil;
  mutex lock;
  muintptr midle;         // idle m's waiting for work
  int32 nmidle;           // number of idle m's
  int32 nmidlelocked;     // number of locked m's waiting for work
  int64 mnext;            // number of m's created, and the next M ID
  int32 maxmcount;        // maximum number of m's allowed (or die)
  int32 nmsys;            // number of system m's not counted for deadlock
  int64 nmfreed;          // cumulative number of freed m's
  atomic::Int32 ngsys;    // number of system goroutines
  puintptr pidle;         // idle p's
  atomic::Int32 npidle;
  atomic::Int32 nmspinning;
  atomic::Uint32 needspinning;
  gQueue runq;            // global runnable queue
  int32 runqsize;
  struct {
    mutex lock;
    gList stack;    // Gs with stacks
    gList noStack;  // Gs without stacks
    int32 n;
  } gFree;
  mutex sudoglock;
  sudog* sudogcache;
  atomic::Bool gcwaiting;  // stop-the-world requested
  int32 stopwait;
  note stopnote;
  atomic::Bool sysmonwait;
  note sysmonnote;
  int32 profilehz;
  int64 procresizetime;
  int64 totaltime;
};

// Globals of runtime2.go (defined in proc.cpp).
extern m* allm;
extern int32 gomaxprocs;
extern int32 ncpu;
extern schedt sched;
extern int32 newprocs;
extern p** allp;        // [gomaxprocs] Ps; Departure: Go's []*p slice
extern int32 allplen;
extern uint32* idlepMask;  // bit per P: on the idle list
extern bool mainStarted;
extern int64 allglen;
extern m m0;
extern g g0_;           // Departure: Go's g0 is both the type field and the
                        // global for m0's g0; the global is g0_ here

}  // namespace runtime
