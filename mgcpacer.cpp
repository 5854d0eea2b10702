// mgcpacer.cpp: the GC pacer, mirroring mgcpacer.go at go1.22.12: the
// controller's cycle hooks (init, startCycle, revise, endCycle, resetLive,
// markWorkerStop, update), the heap goal and trigger (heapGoal,
// memoryLimitHeapGoal, trigger, commit), GOGC and GOMEMLIMIT (setGCPercent,
// readGOGC, setMemoryLimit, readGOMEMLIMIT), and the idle mark worker
// count. Data, invariants and locking: mgcpacer.hpp.
//
// enlistWorker and findRunnableGCWorker take workers from mgc.cpp's pool.
#include "mgcpacer.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "lockrank_off.hpp"
#include "mgc.hpp"
#include "mgcsweep.hpp"
#include "mheap.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "string.hpp"

namespace runtime {

/// init: the pacer's state before the first cycle, from GOGC and
/// GOMEMLIMIT. No sweep is pending before the first cycle, and no cycle is
/// running, so commit is told the sweep is done and revise is not called.
/// \gosrc{mgcpacer.go,gcControllerState.init}
void gcControllerState::init(int32 gcPercent, int64 memoryLimit) {
  heapMinimum = defaultHeapMinimum;
  triggered = ~uint64(0);
  setGCPercent(gcPercent);
  setMemoryLimit(memoryLimit);
  commit(true);  // nothing to sweep before the first cycle
  // (Go skips the trace's heap goal event: tracing cannot be on yet.)
}

/// startCycle: reset the per-cycle counters and plan the background
/// workers for a cycle starting at markStartTime on procs Ps, then compute
/// the first assist ratio. Background utilization is met by whole
/// dedicated workers when rounding leaves it within 30% of the goal, and
/// otherwise by fractional workers on the remaining Ps (GOMAXPROCS <= 3 or
/// 6 at 25%). A periodic cycle allows no idle workers (one when there are
/// no dedicated workers, to guarantee progress). Caller holds worldsema
/// with the world stopped. \gosrc{mgcpacer.go,gcControllerState.startCycle}
void gcControllerState::startCycle(int64 markStartTime, int procs, gcTrigger trigger) {
  heapScanWork.Store(0);
  stackScanWork.Store(0);
  globalsScanWork.Store(0);
  bgScanCredit.Store(0);
  assistTime.Store(0);
  dedicatedMarkTime.Store(0);
  fractionalMarkTime.Store(0);
  idleMarkTime.Store(0);
  this->markStartTime = markStartTime;
  triggered = heapLive.Load();

  // Dedicated workers: the background goal rounded to whole Ps; if that is
  // more than 30% off, round down and make up the rest with fractional
  // workers.
  double totalUtilizationGoal = double(procs) * gcBackgroundUtilization;
  int64 dedicatedMarkWorkersNeeded = int64(totalUtilizationGoal + 0.5);
  double utilError = double(dedicatedMarkWorkersNeeded) / totalUtilizationGoal - 1;
  constexpr double maxUtilError = 0.3;
  if (utilError < -maxUtilError || utilError > maxUtilError) {
    // Rounding missed by more than 30% (at 25%: GOMAXPROCS <= 3 or 6).
    if (double(dedicatedMarkWorkersNeeded) > totalUtilizationGoal) {
      // Rounded up: one dedicated worker fewer.
      dedicatedMarkWorkersNeeded--;
    }
    fractionalUtilizationGoal = (totalUtilizationGoal - double(dedicatedMarkWorkersNeeded)) / double(procs);
  } else {
    fractionalUtilizationGoal = 0;
  }

  // GODEBUG=gcstoptheworld: every P marks, as a dedicated worker.
  if (debug.gcstoptheworld > 0) {
    dedicatedMarkWorkersNeeded = int64(procs);
    fractionalUtilizationGoal = 0;
  }

  // The Ps' own counters for this cycle.
  for (int32 i = 0; i < allplen; i++) {
    p* pp = allp[i];
    pp->gcAssistTime = 0;
    pp->gcFractionalMarkTime = 0;
  }

  if (trigger.kind == gcTriggerTime) {
    // A periodic cycle on an idle program needs no idle workers, but some
    // worker must be sure to run: with no dedicated worker, fractional
    // workers may never be scheduled, so allow one idle worker.
    if (dedicatedMarkWorkersNeeded > 0) {
      setMaxIdleMarkWorkers(0);
    } else {
      setMaxIdleMarkWorkers(1);
    }
  } else {
    // GOMAXPROCS and the dedicated count stay fixed for the whole cycle.
    setMaxIdleMarkWorkers(int32(procs) - int32(dedicatedMarkWorkersNeeded));
  }

  // The controls the cycle will go on revising.
  this->dedicatedMarkWorkersNeeded.Store(dedicatedMarkWorkersNeeded);
  revise();

  if (debug.gcpacertrace > 0) {
    uint64 heapGoal = this->heapGoal();
    double assistRatio = assistWorkPerByte.Load();
    print("pacer: assist ratio=", assistRatio, " (scan ", gcController.heapScan.Load() >> 20, " MB in ",
          work.initialHeapLive >> 20, "->", heapGoal >> 20, " MB)", " workers=", dedicatedMarkWorkersNeeded, "+",
          fractionalUtilizationGoal, "\n");
  }
}

namespace {
/// goInt64: Go's int64(f) on amd64 (CVTTSD2SQ): f's integer part, or
/// math.MinInt64 when f is out of range or NaN. Port only: in C++ that
/// conversion is undefined, and revise meets it when GOGC is off (a forced
/// cycle's goal is all ones) or the expected scan work is 0.
int64 goInt64(double f) {
  if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) return INT64_MIN;
  return int64(f);
}
}  // namespace

/// revise: recompute the assist ratio (scan work owed per byte allocated,
/// and its inverse) from the scan work still expected and the heap left
/// before the goal. If more scan work than expected is already done, the
/// heap is taken to be growing: the goal is stretched in proportion to the
/// worst-case scan work (all scannable heap, all stack, all globals), but
/// to no more than (1+GOGC/100) times the goal, so assists stay steady. If
/// heapLive is past even that, the goal gets 10% more and the worst case
/// is assumed. Call whenever heapScan, heapLive or an input of heapGoal
/// changes during a cycle (gcBlackenEnabled != 0). Concurrent calls may
/// race and leave the two ratios a little apart; they move slowly, and
/// nothing needs them to be exact inverses.
/// \gosrc{mgcpacer.go,gcControllerState.revise}
void gcControllerState::revise() {
  int32 gcPercent = this->gcPercent.Load();
  if (gcPercent < 0) {
    // GC is off but a cycle was forced: pace as if GOGC were huge.
    gcPercent = 100000;
  }
  uint64 live = heapLive.Load();
  uint64 scan = heapScan.Load();
  int64 work = heapScanWork.Load() + stackScanWork.Load() + globalsScanWork.Load();

  // Pace to finish at the goal, assuming a heap in steady state.
  int64 heapGoal = int64(this->heapGoal());

  // Expected scan work: last cycle's heap and stack scan, and this
  // cycle's globals.
  int64 scanWorkExpected = int64(lastHeapScan + lastStackScan.Load() + globalsScan.Load());

  // The worst case: every scannable byte of heap live, every allocated
  // stack byte scanned.
  uint64 maxStackScan = this->maxStackScan.Load();
  int64 maxScanWork = int64(scan + maxStackScan + globalsScan.Load());
  if (work > scanWorkExpected) {
    // More done than expected: the heap is growing. Stretch the runway
    // planned for scanWorkExpected to cover maxScanWork, so assists do not
    // jump; the next cycle will need at least this much memory anyway.
    int64 extHeapGoal =
        goInt64(double(heapGoal - int64(triggered)) / double(scanWorkExpected) * double(maxScanWork)) + int64(triggered);
    scanWorkExpected = maxScanWork;

    // But never past (1+GOGC/100) times the goal: no more memory than the
    // next cycle would use.
    int64 hardGoal = goInt64((1.0 + double(gcPercent) / 100.0) * double(heapGoal));
    if (extHeapGoal > hardGoal) {
      extHeapGoal = hardGoal;
    }
    heapGoal = extHeapGoal;
  }
  if (int64(live) > heapGoal) {
    // Already past even the stretched goal: allow 10% more, and assume the
    // worst case of scan work.
    constexpr double maxOvershoot = 1.1;
    heapGoal = goInt64(double(heapGoal) * maxOvershoot);

    scanWorkExpected = maxScanWork;
  }

  // Scan work left. Allocation during the cycle counts both as scannable
  // heap and as work done, so this difference moves slowly. Keep it at
  // least 1000: marking is racy, objects may be scanned twice, and the
  // difference can even go negative.
  int64 scanWorkRemaining = scanWorkExpected - work;
  if (scanWorkRemaining < 1000) {
    scanWorkRemaining = 1000;
  }

  // Heap left before the goal; at least 1 (no division by zero, no
  // negative ratio). Go's subtraction wraps, C++'s must not overflow: the
  // goal can be math.MinInt64 here (goInt64), as in Go.
  int64 heapRemaining = int64(uint64(heapGoal) - live);
  if (heapRemaining <= 0) {
    heapRemaining = 1;
  }

  // The ratio that has the remaining scan work done (or stolen from
  // background credit) by the time the remaining heap is allocated. The
  // two stores are separate; readers tolerate the skew.
  double assistWorkPerByte = double(scanWorkRemaining) / double(heapRemaining);
  double assistBytesPerWork = double(heapRemaining) / double(scanWorkRemaining);
  this->assistWorkPerByte.Store(assistWorkPerByte);
  this->assistBytesPerWork.Store(assistBytesPerWork);
}

/// endCycle: at the end of a cycle's mark phase (now), measure its
/// cons/mark ratio and make the next estimate the largest of it and the
/// last four measurements, which errs toward starting cycles early rather
/// than toward assists. Utilization is the background goal plus assists;
/// allocation is charged to the rest of the CPU, scanning to utilization
/// plus idle marking. Also records the goal the cycle ended with for the
/// scavenger. \gosrc{mgcpacer.go,gcControllerState.endCycle}
void gcControllerState::endCycle(int64 now, int procs, bool userForced) {
  (void)userForced;  // unused in go1.22.12 too
  // The scavenger's reference goal, before anything moves it.
  gcController.lastHeapGoal = heapGoal();

  // How long assists were enabled.
  int64 assistDuration = now - markStartTime;

  // The background workers are assumed to have met their goal; assists
  // add to it (guarding against a zero duration).
  double utilization = gcBackgroundUtilization;
  if (assistDuration > 0) {
    utilization += double(assistTime.Load()) / double(assistDuration * int64(procs));
  }

  if (heapLive.Load() <= triggered) {
    // A cycle so short that nothing was allocated during it tells nothing
    // about cons/mark: keep the estimate as it is.
    return;
  }
  double idleUtilization = 0.0;
  if (assistDuration > 0) {
    idleUtilization = double(idleMarkTime.Load()) / double(assistDuration * int64(procs));
  }
  // cons/mark: bytes allocated per CPU-ns the mutator had (1-utilization)
  // over bytes scanned per CPU-ns the GC had (utilization, plus idle mark
  // time, which the mutator could have taken at any moment and so does not
  // come off its share). assistDuration and procs cancel out.
  int64 scanWork = heapScanWork.Load() + stackScanWork.Load() + globalsScanWork.Load();
  double currentConsMark = (double(heapLive.Load() - triggered) * (utilization + idleUtilization)) /
                           (double(scanWork) * (1 - utilization));

  // The estimate: the largest of this measurement and the four before, so
  // a noisy low one does not cause assists.
  double oldConsMark = consMark;
  consMark = currentConsMark;
  for (double v : lastConsMark) {
    if (v > consMark) {
      consMark = v;
    }
  }
  constexpr int nLast = sizeof lastConsMark / sizeof lastConsMark[0];
  memmove(&lastConsMark[0], &lastConsMark[1], (nLast - 1) * sizeof lastConsMark[0]);
  lastConsMark[nLast - 1] = currentConsMark;

  if (debug.gcpacertrace > 0) {
    printlock();
    double goal = gcGoalUtilization * 100;
    print("pacer: ", int64(utilization * 100), "% CPU (", int64(goal), " exp.) for ");
    print(heapScanWork.Load(), "+", stackScanWork.Load(), "+", globalsScanWork.Load(), " B work (",
          lastHeapScan + lastStackScan.Load() + globalsScan.Load(), " B exp.) ");
    uint64 live = heapLive.Load();
    print("in ", triggered, " B -> ", live, " B (∆goal ", int64(live) - int64(lastHeapGoal), ", cons/mark ",
          oldConsMark, ")");
    print("\n");
    printunlock();
  }
}

/// enlistWorker: new mark work was published; if the cycle still lacks
/// dedicated workers, preempt a random other running P so that its
/// scheduler runs one. (Go leaves the wake-an-idle-P half commented out,
/// golang.org/issue/19112; so does the port.)
/// \gosrc{mgcpacer.go,gcControllerState.enlistWorker}
void gcControllerState::enlistWorker() {
  if (dedicatedMarkWorkersNeeded.Load() <= 0) return;
  // A random other P.
  if (gomaxprocs <= 1) return;
  g* gp = getg();
  if (gp == nullptr || gp->m == nullptr || !gp->m->p) return;
  int32 myID = gp->m->p.ptr()->id;
  for (int tries = 0; tries < 5; tries++) {
    int32 id = int32(cheaprandn(uint32(gomaxprocs - 1)));
    if (id >= myID) id++;
    p* pp = allp[id];
    if (pp->status != _Prunning) continue;
    if (preemptone(pp)) return;
  }
}

/// findRunnableGCWorker: the background mark worker pp should run now, if
/// any: a dedicated one while the cycle needs more, else a fractional one
/// while pp is under its share of the fractional goal; nullptr when there
/// is no mark work or no parked worker. The worker is made runnable and
/// pp's mode set. Also returns the time it read (0 if none).
/// \gosrc{mgcpacer.go,gcControllerState.findRunnableGCWorker}
std::tuple<g*, int64> gcControllerState::findRunnableGCWorker(p* pp, int64 now) {
  if (atomic::Load(&gcBlackenEnabled) == 0) throw_("gcControllerState.findRunnable: blackening not enabled");
  if (now == 0) now = nanotime();
  // The limiter may be on with nobody updating it (no assists): now is a
  // chance to see whether it can turn off.
  if (gcCPULimiter.needUpdate(now)) gcCPULimiter.update(now);

  // No mark work: a worker would only park again.
  if (!gcMarkWorkAvailable(pp)) return {nullptr, now};

  auto* node = static_cast<gcBgMarkWorkerNode*>(gcBgMarkWorkerPool.pop());
  if (node == nullptr) {
    // Every worker is running, or the cycle is ending and they are on
    // their way to the pool. Either way, none is needed here.
    return {nullptr, now};
  }

  auto decIfPositive = [](atomic::Int64* val) {
    for (;;) {
      int64 v = val->Load();
      if (v <= 0) return false;
      if (val->CompareAndSwap(v, v - 1)) return true;
    }
  };

  if (decIfPositive(&dedicatedMarkWorkersNeeded)) {
    // A dedicated worker: this P marks until the mark phase ends.
    pp->gcMarkWorkerMode_ = gcMarkWorkerDedicatedMode;
  } else if (fractionalUtilizationGoal == 0) {
    // The dedicated workers cover the goal: nothing for this P to do.
    gcBgMarkWorkerPool.push(&node->node);
    return {nullptr, now};
  } else {
    // A fractional worker, if this P has marked less than its share of
    // the time since the mark began.
    int64 delta = now - markStartTime;
    if (delta > 0 && double(pp->gcFractionalMarkTime) / double(delta) > fractionalUtilizationGoal) {
      gcBgMarkWorkerPool.push(&node->node);
      return {nullptr, now};
    }
    pp->gcMarkWorkerMode_ = gcMarkWorkerFractionalMode;
  }

  g* gp = node->gp.ptr();
  casgstatus(gp, _Gwaiting, _Grunnable);
  return {gp, now};
}

/// resetLive: after endCycle and before commit, with the world stopped,
/// make bytesMarked the new live heap and this cycle's scan work the
/// baseline for the next, and end [pacer-triggered].
/// \gosrc{mgcpacer.go,gcControllerState.resetLive}
void gcControllerState::resetLive(uint64 bytesMarked) {
  heapMarked = bytesMarked;
  heapLive.Store(bytesMarked);
  heapScan.Store(uint64(heapScanWork.Load()));
  lastHeapScan = uint64(heapScanWork.Load());
  lastStackScan.Store(uint64(stackScanWork.Load()));
  triggered = ~uint64(0);  // no cycle running

  // (Go emits a heap-size trace event here; the port has no tracer.)
}

/// markWorkerStop: a background mark worker of the given mode ran for
/// duration ns and stopped: add the time to its mode's counter, and give
/// back its dedicated slot or idle worker count. Safe at any time.
/// \gosrc{mgcpacer.go,gcControllerState.markWorkerStop}
void gcControllerState::markWorkerStop(gcMarkWorkerMode mode, int64 duration) {
  switch (mode) {
    case gcMarkWorkerDedicatedMode:
      dedicatedMarkTime.Add(duration);
      dedicatedMarkWorkersNeeded.Add(1);
      break;
    case gcMarkWorkerFractionalMode:
      fractionalMarkTime.Add(duration);
      break;
    case gcMarkWorkerIdleMode:
      idleMarkTime.Add(duration);
      removeIdleMarkWorker();
      break;
    default:
      throw_("markWorkerStop: unknown mark worker mode");
  }
}

/// update: the heap grew by dHeapLive live bytes, dHeapScan of them
/// scannable. heapScan is fixed during a cycle, so it changes only outside
/// one; during one, heapLive's change revises the assist ratio. (Like Go,
/// this adds to gcController's heapLive and heapScan whatever c is.)
/// \gosrc{mgcpacer.go,gcControllerState.update}
void gcControllerState::update(int64 dHeapLive, int64 dHeapScan) {
  if (dHeapLive != 0) {
    gcController.heapLive.Add(uint64(dHeapLive));
    // (Go emits a heap-size trace event here; the port has no tracer.)
  }
  if (atomic::Load(&gcBlackenEnabled) == 0) {
    // No cycle: heapScan may move (it is frozen once a cycle starts).
    if (dHeapScan != 0) {
      gcController.heapScan.Add(uint64(dHeapScan));
    }
  } else {
    // A cycle is running and heapLive moved.
    revise();
  }
}

/// addScannableStack: amount more (or, negative, fewer) bytes of goroutine
/// stack in use. On a P the change is gathered in pp.maxStackScanDelta and
/// published once it reaches maxStackScanSlack either way; without a P it
/// goes straight to maxStackScan.
/// \gosrc{mgcpacer.go,gcControllerState.addScannableStack}
void gcControllerState::addScannableStack(p* pp, int64 amount) {
  if (pp == nullptr) {
    maxStackScan.Add(uint64(amount));
    return;
  }
  pp->maxStackScanDelta += amount;
  if (pp->maxStackScanDelta >= maxStackScanSlack || pp->maxStackScanDelta <= -maxStackScanSlack) {
    maxStackScan.Add(uint64(pp->maxStackScanDelta));
    pp->maxStackScanDelta = 0;
  }
}

/// addGlobals: amount more bytes of scannable globals (a module loaded).
/// \gosrc{mgcpacer.go,gcControllerState.addGlobals}
void gcControllerState::addGlobals(int64 amount) { globalsScan.Add(uint64(amount)); }

/// heapGoal: the heap size the current (or next) cycle should finish by.
/// \gosrc{mgcpacer.go,gcControllerState.heapGoal}
uint64 gcControllerState::heapGoal() { return heapGoalInternal().goal; }

/// heapGoalInternal: the goal, and the lowest trigger it allows
/// ([pacer-goal]). The goal is the GOGC goal or the memory-limit goal,
/// whichever is lower. Only when the memory limit does not bind is it then
/// raised to leave the sweeper its distance, and, during a cycle, to at
/// least 64 KiB past the point the cycle triggered (assists are in
/// proportion to that distance); under the memory limit the GC should
/// rather press hard than move the goal back.
/// \gosrc{mgcpacer.go,gcControllerState.heapGoalInternal}
gcControllerState::goalAndMinTrigger gcControllerState::heapGoalInternal() {
  uint64 goal, minTrigger = 0;
  // The GOGC goal.
  goal = gcPercentHeapGoal.Load();

  // The memory limit's goal, if lower.
  if (uint64 newGoal = memoryLimitHeapGoal(); newGoal < goal) {
    goal = newGoal;
  } else {
    // Not limited by memory: adjustments that may only move the goal up.

    uint64 sweepDistTrigger = sweepDistMinTrigger.Load();
    if (sweepDistTrigger > goal) {
      // Keep the sweeper's distance since the last commit (never in the
      // memory-limited case, where it could push the goal up).
      goal = sweepDistTrigger;
    }
    // The sweep distance bounds the trigger only here, so that under the
    // memory limit it cannot lift the trigger past the goal.
    minTrigger = sweepDistTrigger;

    // Keep the goal a little past the point the cycle triggered: a late
    // start, a big allocation or a trigger close to the goal could leave
    // it at or behind heapLive, and assists scale with that distance.
    // (Not under the memory limit: better to respond hard there than to
    // risk exceeding it.)
    constexpr uint64 minRunway = 64 << 10;
    if (triggered != ~uint64(0) && goal < triggered + minRunway) {
      goal = triggered + minRunway;
    }
  }
  return {goal, minTrigger};
}

/// memoryLimitHeapGoal: the heap goal the memory limit allows. From the
/// limit take (1) the memory that is mapped and ready but holds no heap
/// objects and is not free heap (the non-heap overheads; free heap is left
/// out as the pool future allocations draw on), and (2) how far mapped
/// memory already exceeds the limit (to recover, by collecting sooner);
/// then keep back memoryLimitHeapGoalHeadroomPercent of that, and at least
/// memoryLimitMinHeapGoalHeadroom, for pacing error (worse for small heaps)
/// and so the allocator need not scavenge all the time. Never below
/// heapMarked; if overheads alone exceed the limit, heapMarked.
/// \gosrc{mgcpacer.go,gcControllerState.memoryLimitHeapGoal}
uint64 gcControllerState::memoryLimitHeapGoal() {
  // Read the three counters; they are updated separately, so a reading
  // with free plus allocated above mapped is torn: read again. (A lasting
  // accounting error would loop here forever, as in Go.)
  uint64 heapFree, heapAlloc, mappedReady;
  for (;;) {
    heapFree = this->heapFree.load();                     // free, not released
    heapAlloc = totalAlloc.Load() - totalFree.Load();     // heap objects in use
    mappedReady = this->mappedReady.Load();               // mapped, not released
    if (heapFree + heapAlloc <= mappedReady) {
      break;
    }
  }

  uint64 memoryLimit = uint64(this->memoryLimit.Load());

  // (1): the overheads.
  uint64 nonHeapMemory = mappedReady - heapFree - heapAlloc;

  // (2): how far over the limit.
  uint64 overage = 0;
  if (mappedReady > memoryLimit) {
    overage = mappedReady - memoryLimit;
  }

  if (nonHeapMemory + overage >= memoryLimit) {
    // Overheads fill the limit on their own: collect continuously at the
    // lowest possible goal and leave the CPU limiter to bound the cost.
    return heapMarked;
  }

  uint64 goal = memoryLimit - (nonHeapMemory + overage);

  // The headroom, with a floor for small limits (Go issue 57069 on the
  // high allocation rates of GOGC=off).
  uint64 headroom = goal / 100 * memoryLimitHeapGoalHeadroomPercent;
  if (headroom < memoryLimitMinHeapGoalHeadroom) {
    headroom = memoryLimitMinHeapGoalHeadroom;
  }
  if (goal < headroom || goal - headroom < headroom) {
    goal = headroom;
  } else {
    goal = goal - headroom;
  }
  // A goal below the live heap means nothing.
  if (goal < heapMarked) {
    goal = heapMarked;
  }
  return goal;
}

/// trigger: the heapLive at which the next cycle should start, and the
/// heap goal ([pacer-goal]). The trigger is the goal less the runway commit
/// computed, kept between a lower bound (the heap goal's minTrigger,
/// heapMarked, and about 0.7 of the way from heapMarked to the goal) and
/// an upper one (about 0.95 of the way for small heaps; the goal less
/// defaultHeapMinimum for large ones, as much runway as a cycle with
/// nothing to scan needs). Check it whenever the goal may have moved.
/// \gosrc{mgcpacer.go,gcControllerState.trigger}
std::tuple<uint64, uint64> gcControllerState::trigger() {
  auto [goal, minTrigger] = heapGoalInternal();

  // The goal may be below heapMarked only by mistake; then the one trigger
  // that makes sense collects continuously, and it must not pass the goal.
  if (heapMarked >= goal) {
    return {goal, goal};
  }

  // From here heapMarked < goal.

  // heapMarked is the floor, whatever the goal computation said.
  if (minTrigger < heapMarked) {
    minTrigger = heapMarked;
  }

  // Too low a trigger lets a fast allocator keep the GC on all the time,
  // allocating black and growing the heap: better to spend CPU.
  uint64 triggerLowerBound = ((goal - heapMarked) / triggerRatioDen) * minTriggerRatioNum + heapMarked;
  if (minTrigger < triggerLowerBound) {
    minTrigger = triggerLowerBound;
  }

  // The ceiling: some headroom for small heaps, defaultHeapMinimum of
  // runway (the cost of a cycle with nothing to scan) for large ones.
  uint64 maxTrigger = ((goal - heapMarked) / triggerRatioDen) * maxTriggerRatioNum + heapMarked;
  if (goal > defaultHeapMinimum && goal - defaultHeapMinimum > maxTrigger) {
    maxTrigger = goal - defaultHeapMinimum;
  }
  maxTrigger = std::max(maxTrigger, minTrigger);

  // The runway from commit, within the bounds.
  uint64 trigger;
  uint64 runway = this->runway.Load();
  if (runway > goal) {
    trigger = minTrigger;
  } else {
    trigger = goal - runway;
  }
  trigger = std::max(trigger, minTrigger);
  trigger = std::min(trigger, maxTrigger);
  if (trigger > goal) {
    print("trigger=", trigger, " heapGoal=", goal, "\n");
    print("minTrigger=", minTrigger, " maxTrigger=", maxTrigger, "\n");
    throw_("produced a trigger greater than the heap goal");
  }
  return {trigger, goal};
}

/// commit: recompute what the trigger and goal derive from: the sweep
/// distance bound, the GOGC goal (heapMarked plus GOGC% of the heap,
/// stacks and globals scanned, at least heapMinimum), and the runway: the
/// expected scan work times cons/mark, weighted by the mutator's share of
/// the CPU over the GC's (which is what makes that division come true).
/// isSweepDone is isSweepDone() except in tests and during a cycle.
/// Callers revise afterwards if a cycle is running. Needs mheap_.lock or
/// the world stopped. \gosrc{mgcpacer.go,gcControllerState.commit}
void gcControllerState::commit(bool isSweepDone) {
  if (!test) {
    assertWorldStoppedOrLockHeld(&mheap_.lock);
  }

  if (isSweepDone) {
    // Nothing to sweep: no bound on the trigger from sweeping.
    sweepDistMinTrigger.Store(0);
  } else {
    // Sweeping runs while the heap grows from heapLive to the trigger:
    // leave it room.
    sweepDistMinTrigger.Store(heapLive.Load() + sweepMinHeapDistance);
  }

  // The GOGC goal: GOGC% growth over the last marked heap, plus room for
  // the other roots' scan work.
  uint64 gcPercentHeapGoal = ~uint64(0);
  if (int32 gcPercent = this->gcPercent.Load(); gcPercent >= 0) {
    gcPercentHeapGoal = heapMarked + (heapMarked + lastStackScan.Load() + globalsScan.Load()) * uint64(gcPercent) / 100;
  }
  // heapMinimum, which only the callers of commit change, is the floor.
  if (gcPercentHeapGoal < heapMinimum) {
    gcPercentHeapGoal = heapMinimum;
  }
  this->gcPercentHeapGoal.Store(gcPercentHeapGoal);

  // The runway: the bytes the program allocates while the GC does the
  // expected scan work, from cons/mark (a ratio of per-CPU rates) weighted
  // by the split of the CPU between mutator and GC (the core count
  // cancels).
  runway.Store(uint64((consMark * (1 - gcGoalUtilization) / (gcGoalUtilization)) *
                      double(lastHeapScan + lastStackScan.Load() + globalsScan.Load())));
}

/// setGCPercent (method): set GOGC, -1 for any negative value, and
/// heapMinimum with it; returns the old value. The caller commits. Needs
/// mheap_.lock or the world stopped.
/// \gosrc{mgcpacer.go,gcControllerState.setGCPercent}
int32 gcControllerState::setGCPercent(int32 in) {
  if (!test) {
    assertWorldStoppedOrLockHeld(&mheap_.lock);
  }

  int32 out = gcPercent.Load();
  if (in < 0) {
    in = -1;
  }
  // (With in == -1 this wraps, as in Go; the GOGC goal is ^0 then anyway.)
  heapMinimum = defaultHeapMinimum * uint64(in) / 100;
  gcPercent.Store(in);

  return out;
}

/// setGCPercent: runtime/debug.SetGCPercent's entry into the runtime. Sets
/// GOGC under the heap lock and re-paces; returns the old value. Turning
/// the collector off waits for a running mark phase to end, so that none
/// runs once it returns. \gosrc{mgcpacer.go,setGCPercent}
int32 setGCPercent(int32 in) {
  int32 out;
  // The system stack, because of the heap lock.
  systemstack([&] {
    lock(&mheap_.lock);
    out = gcController.setGCPercent(in);
    gcControllerCommit();
    unlock(&mheap_.lock);
  });

  // Off now: let a mark in progress finish first.
  if (in < 0) {
    gcWaitOnMark(work.cycles.Load());
  }

  return out;
}

/// readGOGC: GOGC from the environment: "off" is -1, a decimal int32 is
/// itself, anything else (unset included) the default, 100.
/// \gosrc{mgcpacer.go,readGOGC}
int32 readGOGC() {
  const char* env = getenv("GOGC");
  std::string_view p = env != nullptr ? env : "";
  if (p == "off") {
    return -1;
  }
  if (auto [n, ok] = atoi32(p); ok) {
    return n;
  }
  return 100;
}

/// setMemoryLimit (method): set the memory limit unless in is negative
/// (a query); returns the old value. The caller commits. Needs mheap_.lock
/// or the world stopped. \gosrc{mgcpacer.go,gcControllerState.setMemoryLimit}
int64 gcControllerState::setMemoryLimit(int64 in) {
  if (!test) {
    assertWorldStoppedOrLockHeld(&mheap_.lock);
  }

  int64 out = memoryLimit.Load();
  if (in >= 0) {
    memoryLimit.Store(in);
  }

  return out;
}

/// setMemoryLimit: runtime/debug.SetMemoryLimit's entry into the runtime.
/// Sets the limit under the heap lock and re-paces, unless in is negative
/// (a query) or unchanged; returns the old value.
/// \gosrc{mgcpacer.go,setMemoryLimit}
int64 setMemoryLimit(int64 in) {
  int64 out;
  // The system stack, because of the heap lock.
  systemstack([&] {
    lock(&mheap_.lock);
    out = gcController.setMemoryLimit(in);
    if (in < 0 || out == in) {
      // A query, or no change: nothing to re-pace.
      unlock(&mheap_.lock);
      return;
    }
    gcControllerCommit();
    unlock(&mheap_.lock);
  });
  return out;
}

/// readGOMEMLIMIT: GOMEMLIMIT from the environment: unset, empty or "off"
/// is no limit (maxInt64); otherwise a byte count (parseByteCount), and
/// anything malformed is fatal. \gosrc{mgcpacer.go,readGOMEMLIMIT}
int64 readGOMEMLIMIT() {
  const char* env = getenv("GOMEMLIMIT");
  std::string_view p = env != nullptr ? env : "";
  if (p.empty() || p == "off") {
    return maxInt64;
  }
  auto [n, ok] = parseByteCount(p);
  if (!ok) {
    print("GOMEMLIMIT=", env, "\n");
    throw_("malformed GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit`");
  }
  return n;
}

/// addIdleMarkWorker: try to become one more idle mark worker
/// ([pacer-idle]). true: the caller must become one, unless the worker
/// pool is empty (harmless: workers are running). false: it must not.
/// nosplit: may run without a P. \gosrc{mgcpacer.go,gcControllerState.addIdleMarkWorker}
bool gcControllerState::addIdleMarkWorker() {
  for (;;) {
    uint64 old = idleMarkWorkers.Load();
    int32 n = int32(old & uint64(~uint32(0))), max = int32(old >> 32);
    if (n >= max) {
      // Full (n > max can happen: [pacer-idle]).
      return false;
    }
    if (n < 0) {
      print("n=", n, " max=", max, "\n");
      throw_("negative idle mark workers");
    }
    uint64 nw = uint64(uint32(n + 1)) | (uint64(max) << 32);
    if (idleMarkWorkers.CompareAndSwap(old, nw)) {
      return true;
    }
  }
}

/// needIdleMarkWorker: a hint that another idle mark worker could start;
/// the caller still has to win addIdleMarkWorker. A cheap check before
/// costly work. nosplit: may run without a P.
/// \gosrc{mgcpacer.go,gcControllerState.needIdleMarkWorker}
bool gcControllerState::needIdleMarkWorker() {
  uint64 p = idleMarkWorkers.Load();
  int32 n = int32(p & uint64(~uint32(0))), max = int32(p >> 32);
  return n < max;
}

/// removeIdleMarkWorker: an idle mark worker stopped ([pacer-idle]).
/// \gosrc{mgcpacer.go,gcControllerState.removeIdleMarkWorker}
void gcControllerState::removeIdleMarkWorker() {
  for (;;) {
    uint64 old = idleMarkWorkers.Load();
    int32 n = int32(old & uint64(~uint32(0))), max = int32(old >> 32);
    if (n - 1 < 0) {
      print("n=", n, " max=", max, "\n");
      throw_("negative idle mark workers");
    }
    uint64 nw = uint64(uint32(n - 1)) | (uint64(max) << 32);
    if (idleMarkWorkers.CompareAndSwap(old, nw)) {
      return;
    }
  }
}

/// setMaxIdleMarkWorkers: set the most idle mark workers allowed, without
/// waiting for any excess to stop: they notice and go.
/// \gosrc{mgcpacer.go,gcControllerState.setMaxIdleMarkWorkers}
void gcControllerState::setMaxIdleMarkWorkers(int32 max) {
  for (;;) {
    uint64 old = idleMarkWorkers.Load();
    int32 n = int32(old & uint64(~uint32(0)));
    if (n < 0) {
      print("n=", n, " max=", max, "\n");
      throw_("negative idle mark workers");
    }
    uint64 nw = uint64(uint32(n)) | (uint64(max) << 32);
    if (idleMarkWorkers.CompareAndSwap(old, nw)) {
      return;
    }
  }
}

/// gcControllerCommit: commit with the runtime's own inputs, then bring
/// along what paces from it: the assist ratio during a cycle, the sweeper,
/// the scavenger. Holds the heap lock, hence the system stack.
/// \gosrc{mgcpacer.go,gcControllerCommit}
SYSTEMSTACK void gcControllerCommit() {
  systemstackcheck();
  assertWorldStoppedOrLockHeld(&mheap_.lock);

  gcController.commit(isSweepDone());

  // Re-pace marking if a cycle is running.
  if (gcphase != _GCoff) {
    gcController.revise();
  }

  // (Go records the new heap goal in the execution trace here; no tracer.)

  auto [trigger, heapGoal] = gcController.trigger();
  gcPaceSweeper(trigger);
  gcPaceScavenger(gcController.memoryLimit.Load(), heapGoal, gcController.lastHeapGoal);
}

}  // namespace runtime
