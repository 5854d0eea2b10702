// mgcpacer.hpp: the GC pacer, mirroring mgcpacer.go at go1.22.12 (functions
// in mgcpacer.cpp). The pacer decides when the next GC cycle starts (the
// trigger) and where it should end (the heap goal), and, during a cycle,
// how much marking allocating goroutines must do for each byte they
// allocate (the assist ratio), so that marking finishes as the heap reaches
// its goal while background workers use gcBackgroundUtilization of the CPU.
// It follows the 2021 redesign (Go proposal 44167): the runway before the
// goal comes from a measured cons/mark ratio (allocation rate over scan
// rate, per CPU-second) applied to the expected scan work of heap, stacks
// and globals.
//
// gcController also holds the memory counters the allocator keeps for it
// (heapInUse, heapFree, heapReleased, totalAlloc, totalFree, mappedReady),
// which the memory-limit-based goal reads.
//
// Invariants:
//   [pacer-goal]     heapGoalInternal's minTrigger <= goal; trigger()
//                    returns a trigger <= goal (it throws otherwise), and
//                    the trigger is at least heapMarked and at least
//                    minTriggerRatioNum/triggerRatioDen of the way from
//                    heapMarked to the goal.
//   [pacer-triggered] triggered is ^0 outside a mark phase and the heapLive
//                    at which the current cycle started during one.
//   [pacer-idle]     idleMarkWorkers packs the number of idle mark workers
//                    running (low 32 bits) and the most allowed (high 32
//                    bits); both change together, by CAS. The count may
//                    exceed the maximum for a moment (the maximum is a
//                    brake on starting, not a hard cap), never go below 0.
//   [pacer-test]     a controller with test set belongs to a test: it takes
//                    no locks and asserts nothing about the world, but its
//                    methods still touch the globals Go's do (allp's
//                    per-P times in startCycle, gcController.lastHeapGoal
//                    in endCycle, gcController.heapLive in update).
//
// Locks: heapMinimum, gcPercentHeapGoal, sweepDistMinTrigger and runway are
// written by commit, setGCPercent and setMemoryLimit under mheap_.lock (or
// with the world stopped). startCycle, endCycle and resetLive run with the
// world stopped. heapMarked, triggered and lastHeapScan are plain fields
// written only then and read at any time; everything else is atomic.
//
// Not here: enlistWorker and findRunnableGCWorker, which need the mark
// worker pool of mgc.go; they come with mgc.cpp (tools/fidelity_manifest.tsv).
#pragma once
#include <tuple>

#include "internal/atomic/atomic.hpp"
#include "internal/cpu/cpu.hpp"
#include "mstats.hpp"
#include "runtime2.hpp"
#include "stack.hpp"

namespace runtime {

// What the pacer reads of mgc.go (gcphase, work, gcTrigger, ...) and of
// mgcsweep.go (isSweepDone) comes from their headers, which mgcpacer.cpp
// includes (they include mheap.hpp, which includes this one through
// mstats.hpp).
struct gcTrigger;

/// gcBackgroundUtilization: the fixed share of GOMAXPROCS that background
/// mark workers (dedicated plus fractional) take; no greater than
/// gcGoalUtilization, with assists making up any difference. Declared
/// before gcGoalUtilization, which C++ needs defined first.
/// \gosrc{mgcpacer.go,gcBackgroundUtilization}
inline constexpr double gcBackgroundUtilization = 0.25;

/// gcGoalUtilization: the share of GOMAXPROCS the pacer aims to give
/// marking, assists included; the same as the background share, so that
/// a well-paced cycle needs no assists. \gosrc{mgcpacer.go,gcGoalUtilization}
inline constexpr double gcGoalUtilization = gcBackgroundUtilization;

/// gcCreditSlack: scan work a P may do before it adds it to heapScanWork
/// (and bgScanCredit); trades assist-ratio accuracy for less contention.
/// \gosrc{mgcpacer.go,gcCreditSlack}
inline constexpr int64 gcCreditSlack = 2000;

/// gcAssistTimeSlack: assist ns a P may gather before it adds them to
/// assistTime. \gosrc{mgcpacer.go,gcAssistTimeSlack}
inline constexpr int64 gcAssistTimeSlack = 5000;

/// gcOverAssistWork: extra scan work an assist does, paying ahead for that
/// many bytes of later allocation. \gosrc{mgcpacer.go,gcOverAssistWork}
inline constexpr int64 gcOverAssistWork = 64 << 10;

/// defaultHeapMinimum: heapMinimum at GOGC=100, 4 MiB (512 KiB only under
/// GOEXPERIMENT=heapminimum512kib, which the port does not have).
/// \gosrc{mgcpacer.go,defaultHeapMinimum}
inline constexpr uint64 defaultHeapMinimum = uint64(4 << 20);

/// maxStackScanSlack: stack bytes allocated or freed a P may gather before
/// it adds them to maxStackScan. \gosrc{mgcpacer.go,maxStackScanSlack}
///
/// Departure: four starting stacks, as Go's 8 KiB is four of its 2 KiB
/// ones. Go's constant is smaller than one of the port's starting stacks
/// (fixedStack, 32 KiB; 256 KiB when this was measured), so every
/// goroutine created or destroyed added to the shared maxStackScan at once,
/// and Ps creating goroutines in parallel took its cache line from each
/// other: 14% of BenchmarkMutexNoSpin's samples, where Go's batching leaves
/// it unseen. The pacer's estimate of the stacks to scan may be off by up
/// to four stacks per P, as in Go.
inline constexpr int64 maxStackScanSlack = 4 * int64(fixedStack);

/// memoryLimitMinHeapGoalHeadroom: the least headroom, in bytes, the
/// memory-limit-based goal keeps below the limit.
/// \gosrc{mgcpacer.go,memoryLimitMinHeapGoalHeadroom}
inline constexpr uint64 memoryLimitMinHeapGoalHeadroom = 1 << 20;

/// memoryLimitHeapGoalHeadroomPercent: the headroom, as a percentage of the
/// largest goal the limit allows, that the memory-limit-based goal keeps.
/// \gosrc{mgcpacer.go,memoryLimitHeapGoalHeadroomPercent}
inline constexpr uint64 memoryLimitHeapGoalHeadroomPercent = 3;

/// gcControllerState: the pacer's inputs, estimates and outputs, and the
/// memory counters the memory limit is judged by. Fields in Go's order.
/// \gosrc{mgcpacer.go,gcControllerState}
struct gcControllerState {
  // gcPercent: GOGC; -1 is GOGC=off.
  atomic::Int32 gcPercent;

  // memoryLimit: GOMEMLIMIT in bytes, maxInt64 for none. Signed, as
  // debug.SetMemoryLimit's argument is; never negative.
  atomic::Int64 memoryLimit;

  // heapMinimum: the smallest heap goal, defaultHeapMinimum scaled by
  // GOGC/100 (so 0 at GOGC=0: collect continuously). Amortises the fixed
  // cost of a cycle over more allocation when the live heap is tiny.
  uint64 heapMinimum;

  // runway: the heap bytes the program is expected to allocate while a
  // cycle marks, from consMark; the trigger is this far below the goal.
  atomic::Uint64 runway;

  // consMark: the estimated cons/mark ratio: bytes allocated per CPU-ns of
  // mutator time over bytes scanned per CPU-ns of GC time. Set by endCycle.
  double consMark;

  // lastConsMark: the cons/mark ratios measured by the last four cycles
  // (measured, not the consMark estimates made from them).
  double lastConsMark[4];

  // gcPercentHeapGoal: the goal GOGC alone gives; ^0 with GOGC=off.
  atomic::Uint64 gcPercentHeapGoal;

  // sweepDistMinTrigger: heapLive at commit plus sweepMinHeapDistance, or 0
  // when sweeping was done: the lowest trigger (and goal) that still gives
  // the sweeper room, in case the goal moved suddenly (GOGC changed).
  atomic::Uint64 sweepDistMinTrigger;

  // triggered: [pacer-triggered]. Written with the world stopped.
  uint64 triggered;

  // lastHeapGoal: heapGoal when the last cycle ended (for the scavenger).
  // Written with the world stopped or under mheap_.lock.
  uint64 lastHeapGoal;

  // heapLive: bytes the GC counts as live: what the last cycle marked plus
  // what has been allocated since (whole spans as an mcache takes them, so
  // a slight overestimate, the safe side). Only grows between cycles.
  // Whoever changes it calls revise.
  atomic::Uint64 heapLive;

  // heapScan: the scannable part of heapLive (no noscan objects, no noscan
  // tails); fixed while a cycle runs, so the most heap a cycle can scan.
  atomic::Uint64 heapScan;

  // lastHeapScan: heap bytes the last cycle scanned. World stopped.
  uint64 lastHeapScan;

  // lastStackScan: stack bytes the last cycle scanned.
  atomic::Uint64 lastStackScan;

  // maxStackScan: goroutine stack bytes allocated (not used: cheaper to
  // count, and an overestimate).
  atomic::Uint64 maxStackScan;

  // globalsScan: scannable bytes of global variables.
  atomic::Uint64 globalsScan;

  // heapMarked: bytes the last cycle marked; heapLive equals it right
  // after mark termination. World stopped.
  uint64 heapMarked;

  // Scan work done this cycle, in bytes, added in batches (gcCreditSlack).
  // At the end, heapScanWork is the scannable part of the retained heap;
  // stackScanWork counts the stack actually scanned, not all allocated.
  atomic::Int64 heapScanWork;
  atomic::Int64 stackScanWork;
  atomic::Int64 globalsScanWork;

  // bgScanCredit: scan work background workers did that assists may take
  // instead of scanning themselves.
  atomic::Int64 bgScanCredit;

  // assistTime: ns in mutator assists this cycle (read by sysmon, so
  // atomic even with the world stopped).
  atomic::Int64 assistTime;

  // dedicatedMarkTime: ns in dedicated workers this cycle (added at the
  // end of the concurrent mark phase).
  atomic::Int64 dedicatedMarkTime;

  // fractionalMarkTime: ns in fractional workers this cycle, up to date
  // whenever no fractional worker is running.
  atomic::Int64 fractionalMarkTime;

  // idleMarkTime: ns in idle mark workers this cycle.
  atomic::Int64 idleMarkTime;

  // markStartTime: nanotime when assists and workers started this cycle.
  int64 markStartTime;

  // dedicatedMarkWorkersNeeded: dedicated workers still to start; set by
  // startCycle, taken down as they start, given back as they stop.
  atomic::Int64 dedicatedMarkWorkersNeeded;

  // idleMarkWorkers: [pacer-idle]. The maximum is gomaxprocs less the
  // dedicated workers, but 0 in a periodic (time-triggered) cycle, where
  // the program is idle anyway; and at least 1 when there are no dedicated
  // workers, since fractional workers alone may not be scheduled and a
  // cycle waiting on them could stall (Go issue 44163).
  atomic::Uint64 idleMarkWorkers;

  // assistWorkPerByte: scan work an assist owes per byte allocated; set at
  // the start of a cycle and by revise.
  atomic::Float64 assistWorkPerByte;

  // assistBytesPerWork: 1/assistWorkPerByte, stored apart, so readers may
  // see the two a little out of step (harmless).
  atomic::Float64 assistBytesPerWork;

  // fractionalUtilizationGoal: the share of wall-clock time each P without
  // a dedicated worker should spend in a fractional worker to make up the
  // background goal (0.05 with a 25% goal, 1 dedicated worker and
  // GOMAXPROCS=5); 0 when dedicated workers meet it.
  double fractionalUtilizationGoal;

  // Copies of memstats.heapStats' figures kept for the memory limit:
  // updated atomically (or with the world stopped), without the consistency
  // of heapStats.
  sysMemStat heapInUse;        // bytes in mSpanInUse spans
  sysMemStat heapReleased;     // free heap bytes returned to the OS
  sysMemStat heapFree;         // free heap bytes not returned to the OS
  atomic::Uint64 totalAlloc;   // bytes ever allocated
  atomic::Uint64 totalFree;    // bytes ever freed
  atomic::Uint64 mappedReady;  // bytes mapped in the Ready state (mem.go)

  // test: [pacer-test].
  bool test;

  cpu::CacheLinePad _;

  void init(int32 gcPercent, int64 memoryLimit);
  void startCycle(int64 markStartTime, int procs, gcTrigger trigger);
  void revise();
  void endCycle(int64 now, int procs, bool userForced);
  NOWRITEBARRIER void enlistWorker();
  std::tuple<g*, int64> findRunnableGCWorker(p* pp, int64 now);
  void resetLive(uint64 bytesMarked);
  void markWorkerStop(gcMarkWorkerMode mode, int64 duration);
  void update(int64 dHeapLive, int64 dHeapScan);
  void addScannableStack(p* pp, int64 amount);
  void addGlobals(int64 amount);
  uint64 heapGoal();
  /// heapGoalInternal's results: the goal, and the lowest trigger it
  /// allows (<= goal, [pacer-goal]).
  struct goalAndMinTrigger {
    uint64 goal;
    uint64 minTrigger;
  };
  goalAndMinTrigger heapGoalInternal();
  uint64 memoryLimitHeapGoal();
  std::tuple<uint64, uint64> trigger();
  void commit(bool isSweepDone);
  int32 setGCPercent(int32 in);
  int64 setMemoryLimit(int64 in);
  NOSPLIT bool addIdleMarkWorker();
  NOSPLIT bool needIdleMarkWorker();
  void removeIdleMarkWorker();
  void setMaxIdleMarkWorkers(int32 max);
};

/// gcController: the runtime's pacer. \gosrc{mgcpacer.go,gcController}
inline gcControllerState gcController;

/// The bounds of the trigger, as fractions with a power-of-two denominator
/// of the way from heapMarked to the goal: at least about 0.7 (so a fast
/// allocator cannot keep the GC always on, marking new objects black and
/// growing the heap) and at most about 0.95 for small heaps.
/// \gosrc{mgcpacer.go,triggerRatioDen}
inline constexpr uint64 triggerRatioDen = 64;
inline constexpr uint64 minTriggerRatioNum = 45;  // ~0.7
inline constexpr uint64 maxTriggerRatioNum = 61;  // ~0.95

// setGCPercent and setMemoryLimit are runtime/debug's SetGCPercent and
// SetMemoryLimit, reached through the linkname back channel
// (debug/stubs.hpp; the symbols spell runtime/debug as gccgo does,
// "runtime..z2fdebug", since GNU as refuses a '/' in a label).
int32 setGCPercent(int32 in) LINKNAME("runtime..z2fdebug.setGCPercent");
int32 readGOGC();
int64 setMemoryLimit(int64 in) LINKNAME("runtime..z2fdebug.setMemoryLimit");
int64 readGOMEMLIMIT();
SYSTEMSTACK void gcControllerCommit();

}  // namespace runtime
