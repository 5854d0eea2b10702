// mgc.hpp: the garbage collector's shared state, mirroring the declarations
// of mgc.go at go1.22.12: the phase (gcphase, setGCPhase), the write-barrier
// switch, the cycle's bookkeeping (work), the modes and triggers, and the
// entry points runtime::GC, gcStart, gcMarkDone and gcMarkTermination.
//
// The cycle, as mgc.go's opening essay describes it (here in short):
//   1. sweep termination: stop the world, finish sweeping the last cycle;
//   2. mark: the write barrier is on, roots (globals, goroutine stacks) are
//      queued as jobs, grey objects are blackened by scanning them;
//   3. mark termination: stop the world, check no grey object is left;
//   4. sweep: the phase is _GCoff again, spans are swept (freed objects
//      go back to allocation), in the background or at once.
//
// As in Go, the mark runs while the goroutines do: gcStart restarts the
// world once the roots are queued; background mark workers (one goroutine
// per P, gcBgMarkWorker, run by the scheduler in Go's dedicated, fractional
// and idle modes) and mark assists (gcAssistAlloc, charged to allocating
// goroutines) drain the grey objects, stacks are scanned one goroutine at a
// time (suspendG), the hybrid write barrier records what the goroutines
// move meanwhile (mwbbuf.hpp), and gcMarkDone ends the mark with Go's
// ragged barrier and stops the world only for mark termination. The sweep
// runs in the background (bgsweep) and by allocation, or, with
// gcstoptheworld=2, before the world restarts.
//
// Departures (each explained in the book's departures chapter):
//   - roots: the program's data and bss are scanned conservatively (Go has
//     exact maps from the linker); goroutine stacks conservatively from the
//     saved stack pointer to the top (Go has stack maps). The callee-saved
//     registers of a stopped goroutine are on its stack: mcall, __morestack
//     and systemstack push them before switching (asm_amd64.S).
//   - heap objects of the runtime's own types (g, m, p, sudog) are scanned
//     conservatively (their map says every word may be a pointer), so every
//     candidate pointer found by scanobject is checked against the
//     allocation bitmap (isFree) as scanConservative does.
//   - not scanned at all: the C++ heap (new, malloc, std::vector's buffer),
//     thread-local variables, and the stacks of threads the runtime did not
//     create. A GC reference kept only there is not seen.
//
// Invariant [gc-phase]: gcphase changes only with the world stopped, and
// writeBarrier.enabled is true exactly in _GCmark and _GCmarktermination.
// Invariant [gc-black-alloc]: an object allocated while gcphase != _GCoff is
// marked at once (gcmarknewobject), so the sweep of this cycle keeps it.
//
// Locks: work.wbufSpans.lock protects the workbuf spans; work.sweepWaiters.lock
// the goroutines waiting in gcWaitOnMark; work.startSema serialises
// gcStart's transition, gcsema the whole cycle, worldsema stop-the-world.
#pragma once
#include "lfstack.hpp"
#include "mheap.hpp"
#include "mwbbuf.hpp"
#include "runtime2.hpp"

namespace runtime {

/// The phases. \gosrc{mgc.go,_GCoff}
enum : uint32 {
  _GCoff = 0,              // sweeping or idle; write barrier off
  _GCmark = 1,             // marking; write barrier on; allocate black
  _GCmarktermination = 2,  // mark termination; allocate black
};

/// gcphase: the current phase ([gc-phase]). \gosrc{mgc.go,gcphase}
extern uint32 gcphase;

/// gcBlackenEnabled: 1 while mark workers and assists may blacken objects.
/// \gosrc{mgc.go,gcBlackenEnabled}
extern uint32 gcBlackenEnabled;

/// _FinBlockSize, sweepMinHeapDistance. \gosrc{mgc.go,_FinBlockSize}
inline constexpr uintptr _FinBlockSize = 4 * 1024;
inline constexpr uint64 sweepMinHeapDistance = 1024 * 1024;

// gcMarkWorkerMode is declared in runtime2.hpp (the P records its worker's).

/// gcMode: how a cycle runs. \gosrc{mgc.go,gcMode}
enum gcMode : int {
  gcBackgroundMode,  // concurrent mark and sweep
  gcForceMode,       // stop-the-world mark, concurrent sweep
  gcForceBlockMode,  // stop-the-world mark and sweep (GODEBUG=gcstoptheworld=2)
};

/// gcTriggerKind / gcTrigger: why a cycle may start. \gosrc{mgc.go,gcTrigger}
enum gcTriggerKind : int {
  gcTriggerHeap,   // the heap reached the pacer's trigger
  gcTriggerTime,   // no cycle for forcegcperiod
  gcTriggerCycle,  // runtime.GC: start cycle n if it has not started
};
struct gcTrigger {
  gcTriggerKind kind;
  int64 now;  // gcTriggerTime
  uint32 n;   // gcTriggerCycle
  bool test() const;
};

/// workType: the state of the cycle in progress. \gosrc{mgc.go,workType}
struct workType {
  lfstack full;  // full workbufs
  uint8 pad0[64 - sizeof(lfstack)];
  lfstack empty;  // empty workbufs
  uint8 pad1[64 - sizeof(lfstack)];

  struct {
    mutex lock;
    mSpanList free;  // spans to free once the cycle is over
    mSpanList busy;  // spans workbufs were carved from
  } wbufSpans;

  uint64 bytesMarked;  // bytes marked this cycle (gcWork.dispose adds)

  uint32 markrootNext;  // next markroot job
  // number of markroot jobs; set with the world stopped, but an M without
  // a P may be reading it then (checkIdleGCNoP's gcMarkWorkAvailable, a
  // racy read in Go): Racy.
  atomic::Racy<uint32> markrootJobs;

  // nproc, nwait: the mark is idle when nwait == nproc: every worker and
  // assist that took work gave it back (gcBgMarkPrepare sets both to ^0,
  // each drainer takes one from nwait while it works).
  uint32 nproc;
  int64 tstart;
  uint32 nwait;

  int nDataRoots, nBSSRoots, nSpanRoots, nStackRoots;
  uint32 baseData, baseBSS, baseSpans, baseStacks, baseEnd;

  // stackRoots: the Gs whose stacks this cycle scans, a snapshot of allgs.
  // Departure: Go's []*g slice; here the array and its length.
  g** stackRoots;
  int stackRootsLen;

  // bgMarkReady: a new background worker says it is ready here. Departure:
  // Go's is a note, slept on with notetsleepg, whose entersyscallblock hands
  // the P to another thread to run the worker; here a channel of one slot,
  // on which the starting goroutine parks, so the worker runs on this P and
  // thread.
  hchan* bgMarkReady;

  // assistQueue: goroutines whose assist found no work, parked until
  // background workers earn them credit (gcFlushBgCredit) or the mark
  // ends (gcWakeAllAssists). lock protects q.
  struct {
    mutex lock;
    gQueue q;
  } assistQueue;

  uint32 startSema;     // serialises gcStart's transition
  uint32 markDoneSema;  // serialises gcMarkDone's transition

  gcMode mode;
  bool userForced;  // runtime.GC started this cycle
  uint64 initialHeapLive;

  struct {
    mutex lock;
    gList list;  // goroutines waiting for this cycle's mark to end
  } sweepWaiters;

  atomic::Uint32 cycles;  // completed (or started) mark phases

  int32 stwprocs, maxprocs;
  int64 tSweepTerm, tMark, tMarkTerm, tEnd;  // nanotime() at each phase
  int64 pauseNS;                             // stop-the-world time this cycle
  uint64 heap0, heap1, heap2;  // heap at the start, at mark termination, marked

  struct cpuStats cpuStats;  // the collector's CPU accounting (mstats.hpp)
};
extern workType work;

void gcinit();
void gcenable();
NOSPLIT void setGCPhase(uint32 x);
void GC();
void gcWaitOnMark(uint32 n);
void gcStart(gcTrigger trigger);
void gcMarkDone();
struct worldStop;
void gcMarkTermination(worldStop stw);
const char* itoaDiv(char* buf, size_t n, uint64 val, int dec);
const char* fmtNSAsMS(char* buf, size_t n, uint64 ns);

/// gcBgMarkWorkerNode: a background mark worker waiting in the pool.
/// \gosrc{mgc.go,gcBgMarkWorkerNode}
struct gcBgMarkWorkerNode {
  lfnode node;  // the pool's link; first, as lfstack wants
  guintptr gp;  // the worker
  muintptr m;   // the M it holds (acquirem) while it works
};
/// gcBgMarkWorkerPool: the parked workers. \gosrc{runtime2.go,gcBgMarkWorkerPool}
extern lfstack gcBgMarkWorkerPool;
/// gcBgMarkWorkerCount: how many workers exist. \gosrc{runtime2.go,gcBgMarkWorkerCount}
extern int32 gcBgMarkWorkerCount;
void gcBgMarkStartWorkers();
void gcBgMarkPrepare();
void gcBgMarkWorker_entry(funcval*);
bool pollFractionalWorkerExit();
void gcMark(int64 startTime);
SYSTEMSTACK bool gcSweep(gcMode mode);
SYSTEMSTACK void gcResetMarkState();
void clearpools();
uint64 gcTestIsReachable(void** ptrs, int n);
NOSPLIT const char* gcTestPointerClass(void* p);

// mgcmark.go
inline constexpr int fixedRootFinalizers = 0;
inline constexpr int fixedRootFreeGStacks = 1;
inline constexpr int fixedRootCount = 2;
inline constexpr uintptr rootBlockBytes = 256 << 10;
inline constexpr uintptr maxObletBytes = 128 << 10;
inline constexpr int drainCheckThreshold = 100000;

/// gcDrainFlags: how gcDrain stops. \gosrc{mgcmark.go,gcDrainFlags}
enum gcDrainFlags : int {
  gcDrainUntilPreempt = 1 << 0,
  gcDrainFlushBgCredit = 1 << 1,
  gcDrainIdle = 1 << 2,
  gcDrainFractional = 1 << 3,
};

struct gcWork;
void gcMarkRootPrepare();
void gcMarkRootCheck();
NOWRITEBARRIER int64 markroot(gcWork* gcw, uint32 i, bool flushBgCredit);
NOWRITEBARRIER int64 markrootBlock(uintptr b0, uintptr n0, gcWork* gcw, int shard);
void markrootFreeGStacks();
NOWRITEBARRIER void markrootSpans(gcWork* gcw, int shard);
/// oneptrmask: the pointer mask of a single pointer word.
/// \gosrc{mgcmark.go,oneptrmask}
extern const uint8 oneptrmask[1];
NOWRITEBARRIER SYSTEMSTACK int64 scanstack(g* gp, gcWork* gcw);
NOWRITEBARRIER SYSTEMSTACK void gcScanAsyncStopped(gcWork* gcw);
NOWRITEBARRIER void gcDrain(gcWork* gcw, int flags);
NOWRITEBARRIER void gcDrainMarkWorkerIdle(gcWork* gcw);
NOWRITEBARRIER void gcDrainMarkWorkerDedicated(gcWork* gcw, bool untilPreempt);
NOWRITEBARRIER void gcDrainMarkWorkerFractional(gcWork* gcw);
NOWRITEBARRIER SYSTEMSTACK int64 gcDrainN(gcWork* gcw, int64 scanWork);
void gcAssistAlloc(g* gp);
SYSTEMSTACK void gcAssistAlloc1(g* gp, int64 scanWork);
void gcWakeAllAssists();
bool gcParkAssist();
NOWRITEBARRIERREC void gcFlushBgCredit(int64 scanWork);
NOWRITEBARRIER void scanblock(uintptr b0, uintptr n0, const uint8* ptrmask, gcWork* gcw);
NOWRITEBARRIER void scanobject(uintptr b, gcWork* gcw);
void scanConservative(uintptr b, uintptr n, gcWork* gcw);
NOWRITEBARRIER void shade(uintptr b);
NOWRITEBARRIERREC void greyobject(uintptr obj, uintptr base, uintptr off, mspan* span, gcWork* gcw, uintptr objIndex);
NOWRITEBARRIER NOSPLIT void gcmarknewobject(mspan* span, uintptr obj);
void gcMarkTinyAllocs();
void gcDumpObject(const char* label, uintptr obj, uintptr off);
bool gcMarkWorkAvailable(p* pp);

// The check mode, GODEBUG=gccheckmark=1 (mcheckmark.cpp).
struct markBits;
extern bool useCheckmark;
void startCheckmarks();
void endCheckmarks();
bool setCheckmark(uintptr obj, uintptr base, uintptr off, markBits mbits);

// Port only: the program's globals, found at start-up (mgcmark.cpp).
struct rootRange {
  uintptr lo, hi;
};
rootRange dataRoots();
rootRange bssRoots();

}  // namespace runtime
