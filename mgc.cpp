// mgc.cpp: the garbage collector's cycle, mirroring mgc.go at go1.22.12:
// gcinit, gcenable, setGCPhase, runtime.GC, gcStart, gcMarkDone,
// gcMarkTermination, gcMark, gcSweep, gcResetMarkState. See mgc.hpp for the
// cycle, what this step of the port does and does not do yet, and the
// invariants [gc-phase] and [gc-black-alloc].
#include "mgc.hpp"

#include <time.h>

#include "chan.hpp"
#include "malloc.hpp"
#include "mcache.hpp"
#include "mgcsweep.hpp"
#include "mgcwork.hpp"
#include "mheap.hpp"
#include "mstats.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "sema.hpp"
#include "stack.hpp"

namespace runtime {
extern mutex allglock;       // proc.cpp
extern int64 runtimeInitTime;  // proc.cpp
}

namespace runtime {

uint32 gcphase;
uint32 gcBlackenEnabled;
workType work;

/// writeBarrier: the barrier switch ([gc-phase]); see mwbbuf.hpp.
/// \gosrc{mgc.go,writeBarrier}
writeBarrier_t writeBarrier;

/// gcsema: held for a whole cycle, so that one runs at a time and
/// GOMAXPROCS cannot change under it. \gosrc{proc.go,gcsema}
uint32 gcsema = 1;

/// gcinit: set up the collector's state, after mallocinit. \gosrc{mgc.go,gcinit}
void gcinit() {
  if (sizeof(workbuf) != _WorkbufSize) throw_("size of Workbuf is suboptimal");
  // No sweep is in progress: the first sweep generation is already done.
  sweep.active.state.Store(sweepDrainedMask);
  work.startSema = 1;
  work.markDoneSema = 1;

  // The globals the mark scans count toward the heap goal. Departure: Go
  // adds each module's data and bss as modulesinit loads it (symtab.go);
  // the port has one module, whose segments are its conservative roots
  // (mheap_ is left out of them: markrootBlock).
  rootRange d = dataRoots();
  rootRange b = bssRoots();
  gcController.addGlobals(int64(d.hi - d.lo) + int64(b.hi - b.lo) - int64(sizeof(mheap_)));
}

/// gcenable: start the background sweeper, wait until it is parked, and
/// allow collections; runtime.main calls it once the runtime can run
/// goroutines. \gosrc{mgc.go,gcenable}
void gcenable() {
  // go bgsweep(c); go bgscavenge(c); and wait for both to be ready.
  static bgsweepClosure bgsweepFn{{bgsweep_entry}, nullptr};
  static bgscavengeClosure bgscavengeFn{{bgscavenge_entry}, nullptr};
  hchan* c = makechan(&typeOf<int>, 2);
  bgsweepFn.c = c;
  bgscavengeFn.c = c;
  newproc(&bgsweepFn.fn);
  newproc(&bgscavengeFn.fn);
  int ready;
  chanrecv1(c, &ready);
  chanrecv1(c, &ready);
  // The channel the background mark workers report ready on
  // (gcBgMarkStartWorkers), made now: gcStart must not allocate.
  work.bgMarkReady = makechan(&typeOf<int>, 1);
  memstats.enablegc = true;  // the runtime is initialised: collections may run
}

/// setGCPhase: change the phase; the write barrier is on exactly while
/// marking ([gc-phase]). \gosrc{mgc.go,setGCPhase}
void setGCPhase(uint32 x) {
  atomic::Store(&gcphase, x);
  writeBarrier.enabled = gcphase == _GCmark || gcphase == _GCmarktermination;
}

/// pollFractionalWorkerExit: whether this P's fractional worker should
/// stop: it ran more than 1.2 times its share of the time since the mark
/// began (some slack, so that it does not stop and start too often).
/// \gosrc{mgc.go,pollFractionalWorkerExit}
bool pollFractionalWorkerExit() {
  int64 now = nanotime();
  int64 delta = now - gcController.markStartTime;
  if (delta <= 0) return true;
  p* pp = getg()->m->p.ptr();
  int64 selfTime = pp->gcFractionalMarkTime + (now - pp->gcMarkWorkerStartTime);
  return double(selfTime) / double(delta) > 1.2 * gcController.fractionalUtilizationGoal;
}

/// GC: run a full collection and block until it is done, its sweep
/// included. \gosrc{mgc.go,GC}
void GC() {
  // The cycle number to wait for: if a mark is in progress, this call must
  // see a whole new cycle, so wait for that one to end first.
  uint32 n = work.cycles.Load();
  gcWaitOnMark(n);

  // Start cycle n+1 (unless someone did), and wait for its mark to end.
  gcStart(gcTrigger{gcTriggerCycle, 0, n + 1});
  gcWaitOnMark(n + 1);

  // Finish the sweep, helping: the heap a caller of GC sees must be the
  // collected one.
  while (work.cycles.Load() == n + 1 && sweepone() != ~uintptr(0)) Gosched();
  while (work.cycles.Load() == n + 1 && !isSweepDone()) Gosched();
  // Departure: Go publishes the cycle's heap profile here (mProf_PostSweep);
  // the port has no memory profiler.
}

/// gcWaitOnMark: block until mark n has ended (or a later one started).
/// \gosrc{mgc.go,gcWaitOnMark}
void gcWaitOnMark(uint32 n) {
  for (;;) {
    lock(&work.sweepWaiters.lock);
    uint32 nMarks = work.cycles.Load();
    if (gcphase != _GCmark) nMarks++;  // not marking: cycle nMarks is over
    if (nMarks > n) {
      unlock(&work.sweepWaiters.lock);
      return;
    }
    work.sweepWaiters.list.push(getg());
    goparkunlock(&work.sweepWaiters.lock, waitReasonWaitForGCCycle, 1);
  }
}

/// test: whether the trigger's condition holds. \gosrc{mgc.go,gcTrigger.test}
bool gcTrigger::test() const {
  // (gcphase and forcegcperiod are read without a lock, as in Go.)
  if (!memstats.enablegc || panicking.Load() != 0 || atomic::Load(&gcphase) != _GCoff) return false;
  switch (kind) {
    case gcTriggerHeap: {
      // The live heap reached the pacer's trigger.
      auto [trigger, goal] = gcController.trigger();
      (void)goal;
      return gcController.heapLive.Load() >= trigger;
    }
    case gcTriggerTime: {
      if (gcController.gcPercent.Load() < 0) return false;
      int64 lastgc = int64(atomic::Load(&memstats.last_gc_nanotime));
      return lastgc != 0 && now - lastgc > atomic::Load(&forcegcperiod);
    }
    case gcTriggerCycle:
      // The difference, not a comparison, for wraparound.
      return int32(n - work.cycles.Load()) > 0;
  }
  return true;
}

/// unixNanotime: the wall clock in ns, for memstats.last_gc_unix. Go:
/// time_now.
static int64 unixNanotime() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

/// gcStart: begin a cycle if the trigger still holds: sweep termination
/// with the world stopped, then the concurrent mark, which the background
/// workers and the assists carry out once the world runs again.
/// \gosrc{mgc.go,gcStart}
void gcStart(gcTrigger trigger) {
  // Not on g0, not holding locks, not non-preemptible: such a caller
  // cannot block in a collection.
  m* mp = acquirem();
  if (g* gp = getg(); gp == mp->g0 || mp->locks > 1 || mp->preemptoff != nullptr) {
    releasem(mp);
    return;
  }
  releasem(mp);
  mp = nullptr;

  // Sweep what the last cycle left, before starting a new one.
  while (trigger.test() && sweepone() != ~uintptr(0)) {
  }

  // One transition at a time; recheck the trigger under the semaphore.
  semacquire(&work.startSema);
  if (!trigger.test()) {
    semrelease(&work.startSema);
    return;
  }

  // GODEBUG=gcstoptheworld=1 marks with the user's goroutines held back
  // (schedEnableUser): only the runtime's own run, the mark workers among
  // them, and the goroutine that started the cycle waits; 2 also sweeps
  // before the world restarts.
  gcMode mode = gcBackgroundMode;
  if (debug.gcstoptheworld == 1) {
    mode = gcForceMode;
  } else if (debug.gcstoptheworld == 2) {
    mode = gcForceBlockMode;
  }

  semacquire(&gcsema);
  semacquire(&worldsema);

  work.userForced = trigger.kind == gcTriggerCycle;

  // Every P's mcache must have been flushed since the last sweep began.
  for (int32 i = 0; i < allplen; i++) {
    p* pp = allp[i];
    if (uint32 fg = pp->mcache->flushGen.Load(); fg != mheap_.sweepgen) {
      print("runtime: p ", pp->id, " flushGen ", fg, " != sweepgen ", mheap_.sweepgen, "\n");
      throw_("p mcache not flushed");
    }
  }

  gcBgMarkStartWorkers();

  systemstack([] { gcResetMarkState(); });

  work.stwprocs = work.maxprocs = gomaxprocs;
  if (work.stwprocs > ncpu) work.stwprocs = ncpu;
  work.heap0 = gcController.heapLive.Load();
  work.pauseNS = 0;
  work.mode = mode;

  int64 now = nanotime();
  work.tSweepTerm = now;
  // Sweep termination: stop the world (worldsema is held, taken above).
  worldStop stw;
  systemstack([&stw] { stw = stopTheWorldWithSema(stwGCSweepTerm); });
  // Finish the last sweep, so that every span is swept before the mark.
  systemstack([] { finishsweep_m(); });

  // Drop the runtime's central caches, so that what they hold can go.
  clearpools();

  work.cycles.Add(1);

  // The pacer's plan for this cycle: workers and the assist ratio.
  gcController.startCycle(now, int(gomaxprocs), trigger);

  // The GC CPU limiter counts the mark's share from here (assists may
  // start); it stays locked until the world runs again.
  gcCPULimiter.startGCTransition(true, now);

  // In the stop-the-world modes, user goroutines stay off the Ps until the
  // mark is over, this one included (it parks at its Gosched below).
  if (mode != gcBackgroundMode) schedEnableUser(false);

  setGCPhase(_GCmark);

  gcBgMarkPrepare();  // before assists can start

  gcMarkRootPrepare();

  // The tiny blocks being handed out are not marked by mallocgc: grey them.
  gcMarkTinyAllocs();

  // Workers and assists may blacken from now on.
  atomic::Store(&gcBlackenEnabled, uint32(1));

  // The concurrent mark: the world runs again.
  mp = acquirem();
  systemstack([stw] {
    int64 now = startTheWorldWithSema(0, stw);
    work.pauseNS += now - stw.start;
    work.tMark = now;
    // The pause counted on every P (Go counts GOMAXPROCS, even idle ones).
    int64 sweepTermCpu = int64(work.stwprocs) * (work.tMark - work.tSweepTerm);
    work.cpuStats.gcPauseTime += sweepTermCpu;
    work.cpuStats.gcTotalTime += sweepTermCpu;
    // Release the CPU limiter.
    gcCPULimiter.finishGCTransition(nanotime());
  });
  // worldsema goes before Gosched in the stop-the-world modes: this
  // goroutine must take it again before it runs next (gcMarkDone).
  semrelease(&worldsema);
  releasem(mp);

  // In the stop-the-world modes, block rather than return to user code.
  if (mode != gcBackgroundMode) Gosched();

  semrelease(&work.startSema);
}

/// gcMarkDoneFlushed: Ps that had work in the ragged barrier's flush.
/// \gosrc{mgc.go,gcMarkDoneFlushed}
static uint32 gcMarkDoneFlushed;

/// gcMarkDone: move to mark termination once no work is left anywhere: not
/// in the global queues, not in a P's gcWork or write-barrier buffer. Every
/// P flushes both at a safe point (forEachP, the ragged barrier); if any had
/// work, marking goes on. Then the world stops, the buffers are checked once
/// more, and mark termination begins. Called by the last worker or assist
/// to run out of work; the others return at once.
/// \gosrc{mgc.go,gcMarkDone}
void gcMarkDone() {
  // One transition at a time.
  semacquire(&work.markDoneSema);

top:
  // Recheck under the semaphore: another caller may have done it, or new
  // work may have appeared.
  if (!(gcphase == _GCmark && atomic::Load(&work.nwait) == work.nproc && !gcMarkWorkAvailable(nullptr))) {
    semrelease(&work.markDoneSema);
    return;
  }

  // forEachP needs worldsema, and holding it keeps the world from
  // stopping under the flush.
  semacquire(&worldsema);

  // The ragged barrier: each P hands over its buffered pointers and work.
  gcMarkDoneFlushed = 0;
  forEachP(waitReasonGCMarkTermination, [](p* pp) {
    wbBufFlush1(pp);
    pp->gcw.dispose();
    if (pp->gcw.flushedWork) {
      atomic::Xadd(&gcMarkDoneFlushed, uint32(1));
      pp->gcw.flushedWork = false;
    }
  });

  if (gcMarkDoneFlushed != 0) {
    // More grey objects: back to marking (the workers take them).
    semrelease(&worldsema);
    goto top;
  }

  // No work anywhere. Stop the world for mark termination.
  int64 now = nanotime();
  work.tMarkTerm = now;
  getg()->m->preemptoff = "gcing";
  worldStop stw;
  systemstack([&stw] { stw = stopTheWorldWithSema(stwGCMarkTerm); });

  // A write barrier that ran between the flush and the stop may have
  // buffered a white pointer, and a goroutine a signal stopped between a
  // pointer store and its barrier's test holds an old value it has not
  // recorded (gcScanAsyncStopped): if any P has work again, restart the
  // world and go on marking.
  bool restart = false;
  systemstack([&restart] {
    gcScanAsyncStopped(&getg()->m->p.ptr()->gcw);
    for (int32 i = 0; i < allplen; i++) {
      wbBufFlush1(allp[i]);
      if (!allp[i]->gcw.empty()) {
        restart = true;
        break;
      }
    }
  });
  if (restart) {
    getg()->m->preemptoff = nullptr;
    systemstack([stw] {
      int64 now = startTheWorldWithSema(0, stw);
      work.pauseNS += now - stw.start;
    });
    semrelease(&worldsema);
    goto top;
  }

  // Blackening ends; assists parked for credit may go (they find
  // gcBlackenEnabled 0).
  atomic::Store(&gcBlackenEnabled, uint32(0));

  // Assists stop now: the limiter's transition (held until
  // gcMarkTermination restarts the world).
  gcCPULimiter.startGCTransition(false, now);

  gcWakeAllAssists();

  semrelease(&work.markDoneSema);

  // In the stop-the-world modes, the user's goroutines may run again (they
  // queue until the world restarts).
  schedEnableUser(true);

  // The pacer learns from the cycle (every gcWork was flushed above).
  gcController.endCycle(now, int(gomaxprocs), work.userForced);

  gcMarkTermination(stw);
}

/// gcMarkTermination: the mark is over: check it, sweep, account, and
/// restart the world that stw stopped. World stopped (gcMarkDone).
/// \gosrc{mgc.go,gcMarkTermination}
void gcMarkTermination(worldStop stw) {
  setGCPhase(_GCmarktermination);

  work.heap1 = gcController.heapLive.Load();
  int64 startTime = nanotime();

  m* mp = acquirem();
  mp->preemptoff = "gcing";
  g* curgp = mp->curg;
  // The stack of this goroutine must not change while the mark is checked:
  // it waits, as far as the scheduler knows.
  casgstatus(curgp, _Grunning, _Gwaiting);
  curgp->waitreason = waitReasonGarbageCollection;

  systemstack([startTime] { gcMark(startTime); });

  bool stwSwept = false;
  systemstack([&stwSwept] {
    work.heap2 = work.bytesMarked;
    if (debug.gccheckmark > 0) {
      // The check mode (mcheckmark.cpp): walk the graph again from the
      // roots, on this P alone, recording in the checkmarks; every object
      // reached must have been marked by the mark just finished.
      // Departure: Go's gcDrain here finds the root jobs all taken (the mark
      // took them), so its walk starts only from what the barrier buffers
      // hold; the port prepares the root jobs again, so the walk covers the
      // graph from the globals and every stack.
      // gcwaiting is off for the walk: gcDrain returns early when someone
      // wants the world stopped and this goroutine's preempt flag is set
      // (the stop of the world set it), and the world is stopped already.
      sched.gcwaiting.Store(false);
      startCheckmarks();
      gcResetMarkState();
      gcMarkRootPrepare();
      gcWork* gcw = &getg()->m->p.ptr()->gcw;
      gcDrain(gcw, 0);
      wbBufFlush1(getg()->m->p.ptr());
      gcw->dispose();
      work.stackRoots = nullptr;
      work.stackRootsLen = 0;
      endCheckmarks();
      sched.gcwaiting.Store(true);
    }
    setGCPhase(_GCoff);
    stwSwept = gcSweep(work.mode);
  });

  casgstatus(curgp, _Gwaiting, _Grunning);
  mp->preemptoff = nullptr;

  if (gcphase != _GCoff) throw_("gc done but gcphase != _GCoff");

  // The heap in use, for the scavenger.
  memstats.lastHeapInUse = gcController.heapInUse.load();

  // The trigger and goal of the next cycle, and what follows from them.
  systemstack([] { gcControllerCommit(); });

  int64 now = nanotime();
  int64 unixNow = unixNanotime();
  work.pauseNS += now - stw.start;
  work.tEnd = now;

  // The cycle's CPU: the mark termination pause on every P, then the
  // mark's counters; the scavenger's and the idle time start again.
  int64 markTermCpu = int64(work.stwprocs) * (work.tEnd - work.tMarkTerm);
  work.cpuStats.gcPauseTime += markTermCpu;
  work.cpuStats.gcTotalTime += markTermCpu;
  work.cpuStats.accumulate(now, true);
  // The collector's share, idle marking left out (it is free).
  memstats.gc_cpu_fraction =
      double(work.cpuStats.gcTotalTime - work.cpuStats.gcIdleTime) / double(work.cpuStats.totalTime);
  scavenge.assistTime.Store(0);
  scavenge.backgroundTime.Store(0);
  sched.idleTime.Store(0);
  atomic::Store(&memstats.last_gc_unix, uint64(unixNow));
  atomic::Store(&memstats.last_gc_nanotime, uint64(now));
  memstats.pause_ns[memstats.numgc % 256] = uint64(work.pauseNS);
  memstats.pause_end[memstats.numgc % 256] = uint64(unixNow);
  memstats.pause_total_ns += uint64(work.pauseNS);

  if (work.userForced) memstats.numforcedgc++;

  // The goroutines waiting for this mark to end can go.
  lock(&work.sweepWaiters.lock);
  memstats.numgc++;
  while (g* gp = work.sweepWaiters.list.pop()) ready(gp, 0, false);
  unlock(&work.sweepWaiters.lock);

  // A new generation for the scavenger's index: chunks freed by this
  // cycle's sweep can be found again (a chunk marked dense stays skipped
  // until then).
  mheap_.pages.scav.index.nextGen();

  // Release the CPU limiter.
  gcCPULimiter.finishGCTransition(now);

  // Spans cached in mcaches since before the sweep began are on no sweep
  // list: a sweeper registered now keeps the sweep from counting as done
  // until every mcache has let them go (below). A sweep done with the world
  // stopped has nothing left, and then the registration is refused.
  sweepLocker sl = sweep.active.begin();
  if (!stwSwept && !sl.valid) {
    throw_("failed to set sweep barrier");
  } else if (stwSwept && sl.valid) {
    throw_("non-concurrent sweep failed to drain all sweep queues");
  }

  // The world runs again; worldsema stays held (gcMarkDone took it) until
  // this cycle's work is done, as forEachP needs.
  // The same now as the pause above, so that /sched/pauses/total/gc:seconds
  // agrees with MemStats' pause.
  systemstack([now, stw] { startTheWorldWithSema(now, stw); });

  // The sweeper frees the cycle's workbufs later: it can take a while.
  prepareFreeWorkbufs();

  // The stack spans kept while the cycle ran go back to the heap (this
  // must happen between cycles).
  systemstack([] { freeStackSpans(); });

  // Every P flushes its mcache before it allocates again, but an idle P
  // may not for a long time, and the next cycle needs them all flushed.
  // Idle Ps also give back their page caches, which the scavenger cannot
  // see.
  forEachP(waitReasonFlushProcCaches, [](p* pp) {
    pp->mcache->prepareForSweep();
    if (pp->status == _Pidle) {
      systemstack([pp] {
        lock(&mheap_.lock);
        pp->pcache.flush(&mheap_.pages);
        unlock(&mheap_.lock);
      });
    }
  });
  if (sl.valid) {
    // The stale spans are swept now: they no longer hold the sweep open.
    sweep.active.end(sl);
  }

  if (debug.gctrace > 0) {
    // Go's line. One print, so one write: the goroutines this cycle readied
    // (runtime::GC's caller) may already be printing, and the line must not
    // be split.
    int util = int(memstats.gc_cpu_fraction * 100);
    char at[24], c0[24], c1[24], c2[24], u0[24], u1[24], u2[24], u3[24], u4[24];
    printlock();
    print("gc ", memstats.numgc, " @", itoaDiv(at, sizeof at, uint64(work.tSweepTerm - runtimeInitTime) / 1000000, 3),
          "s ", util, "%: ", fmtNSAsMS(c0, sizeof c0, uint64(work.tMark - work.tSweepTerm)), "+",
          fmtNSAsMS(c1, sizeof c1, uint64(work.tMarkTerm - work.tMark)), "+",
          fmtNSAsMS(c2, sizeof c2, uint64(work.tEnd - work.tMarkTerm)), " ms clock, ",
          fmtNSAsMS(u0, sizeof u0, uint64(int64(work.stwprocs) * (work.tMark - work.tSweepTerm))), "+",
          fmtNSAsMS(u1, sizeof u1, uint64(gcController.assistTime.Load())), "/",
          fmtNSAsMS(u2, sizeof u2, uint64(gcController.dedicatedMarkTime.Load() + gcController.fractionalMarkTime.Load())),
          "/", fmtNSAsMS(u3, sizeof u3, uint64(gcController.idleMarkTime.Load())), "+",
          fmtNSAsMS(u4, sizeof u4, uint64(markTermCpu)), " ms cpu, ", work.heap0 >> 20, "->", work.heap1 >> 20, "->",
          work.heap2 >> 20, " MB, ", gcController.lastHeapGoal >> 20, " MB goal, ",
          gcController.lastStackScan.Load() >> 20, " MB stacks, ", gcController.globalsScan.Load() >> 20,
          " MB globals, ", work.maxprocs, " P", work.userForced ? " (forced)" : "", "\n");
    printunlock();
  }

  // Another cycle, or another stop of the world, may start from here.
  semrelease(&worldsema);
  semrelease(&gcsema);
  releasem(mp);
}

/// gcBgMarkStartWorkers: start a background mark worker for each P that
/// has none yet; they park in gcBgMarkWorkerPool until the scheduler runs
/// them. \gosrc{mgc.go,gcBgMarkStartWorkers}
void gcBgMarkStartWorkers() {
  static funcval gcBgMarkWorkerPC{gcBgMarkWorker_entry};
  // (Nothing here may allocate on this goroutine: an allocation could try
  // to start this same cycle again. The channel was made by gcenable, and
  // newproc allocates on the system stack, where gcStart does nothing.)
  while (gcBgMarkWorkerCount < gomaxprocs) {
    newproc(&gcBgMarkWorkerPC);
    int ready;
    chanrecv1(work.bgMarkReady, &ready);
    gcBgMarkWorkerCount++;
  }
}

/// gcBgMarkPrepare: before assists start. Workers and assists come and go,
/// so the mark counts as idle when nwait == nproc, both starting at ^0.
/// \gosrc{mgc.go,gcBgMarkPrepare}
void gcBgMarkPrepare() {
  work.nproc = ~uint32(0);
  work.nwait = ~uint32(0);
}

lfstack gcBgMarkWorkerPool;
int32 gcBgMarkWorkerCount;

/// gcBgMarkWorker's park function: the worker is off its stack; give back
/// the M it held and join the pool, where findRunnableGCWorker finds it.
static bool gcBgMarkWorkerPark(g*, void* nodep) {
  auto* node = static_cast<gcBgMarkWorkerNode*>(nodep);
  if (m* mp = node->m.ptr(); mp != nullptr) {
    // The worker held its M so that it would not be preempted between
    // finishing its work and parking; release it now that it parked.
    releasem(mp);
  }
  gcBgMarkWorkerPool.push(&node->node);
  return true;
}

/// gcBgMarkWorker: a background mark worker, one per P. It parks in the
/// pool; the scheduler runs it in the mode findRunnableGCWorker (or
/// findRunnable, for idle time) chose, and it drains on the system stack,
/// its own stack scannable meanwhile. The last drainer to find no work
/// left ends the mark (gcMarkDone). \gosrc{mgc.go,gcBgMarkWorker}
static void gcBgMarkWorker() {
  g* gp = getg();
  // The node is not a heap object: the pool holds it only as an integer
  // (Departure: Go allocates it with new, and the worker's stack keeps it).
  auto* node = static_cast<gcBgMarkWorkerNode*>(
      persistentalloc(sizeof(gcBgMarkWorkerNode), alignof(gcBgMarkWorkerNode), &memstats.gcMiscSys));
  node->gp.set(gp);
  node->m.set(acquirem());
  int ready = 1;
  chansend1(work.bgMarkReady, &ready);  // a free slot: never blocks

  for (;;) {
    gopark(gcBgMarkWorkerPark, node, waitReasonGCWorkerIdle, 0);

    // Preemption off until the drain is over: this P's mode and gcw are
    // this worker's.
    node->m.set(acquirem());
    p* pp = gp->m->p.ptr();

    if (atomic::Load(&gcBlackenEnabled) == 0) {
      print("worker mode ", int(pp->gcMarkWorkerMode_), "\n");
      throw_("gcBgMarkWorker: blackening not enabled");
    }
    if (pp->gcMarkWorkerMode_ == gcMarkWorkerNotWorker) throw_("gcBgMarkWorker: mode not set");

    int64 startTime = nanotime();
    pp->gcMarkWorkerStartTime = startTime;
    // An idle worker's time is idle time to the GC CPU limiter: the P had
    // nothing else to run.
    bool trackLimiterEvent = false;
    if (pp->gcMarkWorkerMode_ == gcMarkWorkerIdleMode) {
      trackLimiterEvent = pp->limiterEvent.start(limiterEventIdleMarkWork, startTime);
    }

    uint32 decnwait = atomic::Xadd(&work.nwait, ~uint32(0));
    if (decnwait == work.nproc) {
      print("runtime: work.nwait=", decnwait, " work.nproc=", work.nproc, "\n");
      throw_("work.nwait was > work.nproc");
    }

    systemstack([gp, pp] {
      // Waiting, as far as the scheduler knows, so that this stack can be
      // scanned, by this worker too.
      casGToWaiting(gp, _Grunning, waitReasonGCWorkerActive);
      switch (pp->gcMarkWorkerMode_) {
        default:
          throw_("gcBgMarkWorker: unexpected gcMarkWorkerMode");
        case gcMarkWorkerDedicatedMode:
          gcDrainMarkWorkerDedicated(&pp->gcw, true);
          if (gp->preempt) {
            // Preempted: whatever waits in this P's queue may run
            // elsewhere while this worker goes on.
            if (auto [drainQ, n] = runqdrain(pp); n > 0) {
              lock(&sched.lock);
              globrunqputbatch(&drainQ, int32(n));
              unlock(&sched.lock);
            }
          }
          // Go on until there is no work, or the world must stop.
          gcDrainMarkWorkerDedicated(&pp->gcw, false);
          break;
        case gcMarkWorkerFractionalMode:
          gcDrainMarkWorkerFractional(&pp->gcw);
          break;
        case gcMarkWorkerIdleMode:
          gcDrainMarkWorkerIdle(&pp->gcw);
          break;
      }
      casgstatus(gp, _Gwaiting, _Grunning);
    });

    int64 now = nanotime();
    int64 duration = now - startTime;
    gcController.markWorkerStop(pp->gcMarkWorkerMode_, duration);
    if (trackLimiterEvent) pp->limiterEvent.stop(limiterEventIdleMarkWork, now);
    if (pp->gcMarkWorkerMode_ == gcMarkWorkerFractionalMode) {
      atomic::Xadd(&pp->gcFractionalMarkTime, duration);
    }

    // Was this the last worker, with no work left?
    uint32 incnwait = atomic::Xadd(&work.nwait, uint32(1));
    if (incnwait > work.nproc) {
      print("runtime: p.gcMarkWorkerMode=", int(pp->gcMarkWorkerMode_), " work.nwait=", incnwait,
            " work.nproc=", work.nproc, "\n");
      throw_("work.nwait > work.nproc");
    }

    pp->gcMarkWorkerMode_ = gcMarkWorkerNotWorker;

    if (incnwait == work.nproc && !gcMarkWorkAvailable(nullptr)) {
      // Give up the M first: gcMarkDone may stop the world, and this
      // worker may be rescheduled elsewhere meanwhile.
      releasem(node->m.ptr());
      node->m.set(nullptr);
      gcMarkDone();
    }
  }
}
void gcBgMarkWorker_entry(funcval*) { gcBgMarkWorker(); }

/// gcMarkWorkAvailable: whether marking work is left: in pp's gcWork
/// (pp may be null), on the global full list, or as root jobs.
/// \gosrc{mgc.go,gcMarkWorkAvailable}
bool gcMarkWorkAvailable(p* pp) {
  if (pp != nullptr && !pp->gcw.empty()) return true;
  if (!work.full.empty()) return true;  // global work
  if (atomic::Load(&work.markrootNext) < work.markrootJobs) return true;  // root jobs (Go: a racy read)
  return false;
}

/// gcMark: check that the mark is complete and flush the Ps' counters.
/// World stopped, in mark termination. \gosrc{mgc.go,gcMark}
void gcMark(int64 startTime) {
  if (gcphase != _GCmarktermination) throw_("in gcMark expecting to see gcphase as _GCmarktermination");
  work.tstart = startTime;

  // Nothing may be left to mark.
  if (atomic::Load(&work.full.v) != 0 || work.markrootNext < work.markrootJobs) {
    print("runtime: full=", hex(work.full.v), " next=", work.markrootNext, " jobs=", work.markrootJobs,
          " nDataRoots=", work.nDataRoots, " nBSSRoots=", work.nBSSRoots, " nSpanRoots=", work.nSpanRoots,
          " nStackRoots=", work.nStackRoots, "\n");
    throw_("non-empty mark queue after concurrent mark");
  }
  if (debug.gccheckmark > 0) gcMarkRootCheck();

  work.stackRoots = nullptr;
  work.stackRootsLen = 0;

  for (int32 i = 0; i < allplen; i++) {
    p* pp = allp[i];
    // Whatever the barrier buffered since the mark finished points at
    // marked objects: drop it, or, in the check mode, grey it so that
    // greyobject's check sees each one.
    if (debug.gccheckmark > 0) {
      wbBufFlush1(pp);
    } else {
      pp->wbBuf_.reset();
    }
    gcWork* gcw = &pp->gcw;
    if (!gcw->empty()) {
      printlock();
      print("runtime: P ", pp->id, " flushedWork ", gcw->flushedWork);
      if (gcw->wbuf1 == nullptr) {
        print(" wbuf1=<nil>");
      } else {
        print(" wbuf1.n=", gcw->wbuf1->hdr.nobj);
      }
      if (gcw->wbuf2 == nullptr) {
        print(" wbuf2=<nil>");
      } else {
        print(" wbuf2.n=", gcw->wbuf2->hdr.nobj);
      }
      print("\n");
      throw_("P has cached GC work at end of mark termination");
    }
    gcw->dispose();
  }

  // heapScan is reset from the scan work below: drop the scanAlloc the
  // mcaches hold, which would otherwise be added to it later.
  for (int32 i = 0; i < allplen; i++) {
    mcache* c = allp[i]->mcache;
    if (c == nullptr) continue;
    c->scanAlloc = 0;
  }

  // The marked bytes are the new live heap.
  gcController.resetLive(work.bytesMarked);
}

/// gcSweep: start the sweep of the cycle just marked: wake the background
/// sweeper, or, with gcForceBlockMode (GODEBUG=gcstoptheworld=2), sweep
/// everything now. Reports whether it swept. World stopped, phase _GCoff.
/// \gosrc{mgc.go,gcSweep}
bool gcSweep(gcMode mode) {
  systemstackcheck();
  if (gcphase != _GCoff) throw_("gcSweep being done but phase is not GCoff");

  lock(&mheap_.lock);
  mheap_.sweepgen += 2;
  sweep.active.reset();
  mheap_.pagesSwept.Store(0);
  mheap_.sweepArenas = mheap_.allArenas;
  mheap_.reclaimIndex.Store(0);
  mheap_.reclaimCredit.Store(0);
  unlock(&mheap_.lock);

  sweep.centralIndex.clear();

  if (mode == gcForceBlockMode) {
    // Sweep it all now. No proportional sweep is needed.
    lock(&mheap_.lock);
    mheap_.sweepPagesPerByte = 0;
    unlock(&mheap_.lock);
    // Flush the mcaches: their spans are stale (cached before this sweep).
    for (int32 i = 0; i < allplen; i++) allp[i]->mcache->prepareForSweep();
    while (sweepone() != ~uintptr(0)) {
    }
    // Free the workbufs' spans now too.
    prepareFreeWorkbufs();
    while (freeSomeWbufs(false)) {
    }
    return true;
  }

  // Background sweep.
  lock(&sweep.lock);
  if (sweep.parked) {
    sweep.parked = false;
    ready(sweep.g_, 0, true);
  }
  unlock(&sweep.lock);
  return false;
}

/// gcResetMarkState: clear what the last mark left: each G's scan flag
/// and assist credit, the arenas' page-mark bits, the marked byte count.
/// \gosrc{mgc.go,gcResetMarkState}
void gcResetMarkState() {
  systemstackcheck();
  lock(&allglock);
  for (int64 i = 0; i < allglen; i++) {
    g* gp = allgs[i];
    gp->gcscandone = false;
    gp->gcAssistBytes = 0;
  }
  unlock(&allglock);

  lock(&mheap_.lock);
  notInHeapSlice<arenaIdx> arenas = mheap_.allArenas;
  unlock(&mheap_.lock);
  for (int i = 0; i < arenas.len; i++) {
    arenaIdx ai = arenas[i];
    heapArena* ha = (*mheap_.arenas[ai.l1()].load())[ai.l2()];
    memset(ha->pageMarks, 0, sizeof(ha->pageMarks));
  }

  work.bytesMarked = 0;
  work.initialHeapLive = gcController.heapInUse.load();
}

/// clearpools: let the collector take what the central free lists hold:
/// the scheduler's sudog cache (the per-P caches are bounded and stay).
/// Each cached sudog is unlinked first, so that a stale reference to one
/// cannot keep the whole list alive. Departure: Go also empties sync.Pool
/// (poolcleanup), the boringcrypto caches and the central defer pool; the
/// port has no sync.Pool or boringcrypto, and no defer records (C++
/// destructors run the deferred code). \gosrc{mgc.go,clearpools}
void clearpools() {
  lock(&sched.sudoglock);
  sudog* sgnext;
  for (sudog* sg = sched.sudogcache; sg != nullptr; sg = sgnext) {
    sgnext = sg->next;
    sg->next = nullptr;
  }
  sched.sudogcache = nullptr;
  unlock(&sched.sudoglock);
}

/// itoaDiv: val/10^dec in decimal, in buf (n bytes, filled from its end,
/// NUL-terminated); returns where the digits start. \gosrc{mgc.go,itoaDiv}
const char* itoaDiv(char* buf, size_t n, uint64 val, int dec) {
  int i = int(n) - 2;
  buf[n - 1] = 0;
  int idec = i - dec;
  while (val >= 10 || i >= idec) {
    buf[i--] = char(val % 10 + '0');
    if (i == idec) buf[i--] = '.';
    val /= 10;
  }
  buf[i] = char(val + '0');
  return buf + i;
}

/// fmtNSAsMS: ns as milliseconds, whole ones from 10 ms up, else two
/// significant digits with at most three decimals. \gosrc{mgc.go,fmtNSAsMS}
const char* fmtNSAsMS(char* buf, size_t n, uint64 ns) {
  if (ns >= 10000000) return itoaDiv(buf, n, ns / 1000000, 0);
  uint64 x = ns / 1000;
  if (x == 0) return "0";
  int dec = 3;
  while (x >= 100) {
    x /= 10;
    dec--;
  }
  return itoaDiv(buf, n, x, dec);
}

// Hooks for tests (Go keeps them in mgc.go beside the collector).

// zeroDeadFrames: port only: zero 8 KiB of the stack below the caller's
// frame, where the frames of the calls it just made lie dead. A frame of
// a later call that leaves a slot unwritten would otherwise still hold
// what was there, and the conservative stack scan would take it for a
// reference (Departure: Go's stack maps say which slots are live).
[[gnu::noinline]] static void zeroDeadFrames() {
  volatile uintptr words[1024];
  for (auto& w : words) w = 0;
}

/// gcTestIsReachable: which of the n objects ptrs points to survive a full
/// collection, as a bit mask (bit i for ptrs[i]). It takes the pointers in
/// an array it can clear, so that it does not itself keep them alive once
/// each has its probe (specialReachable). \gosrc{mgc.go,gcTestIsReachable}
uint64 gcTestIsReachable(void** ptrs, int n) {
  if (n > 64) panicplain("too many pointers for uint64 mask");

  // No cycle may start while the probes are attached and the references
  // dropped: it could find the objects through ptrs.
  semacquire(&gcsema);

  specialReachable* specials[64];
  for (int i = 0; i < n; i++) {
    lock(&mheap_.speciallock);
    auto* s = static_cast<specialReachable*>(mheap_.specialReachableAlloc.alloc());
    unlock(&mheap_.speciallock);
    s->special.kind = _KindSpecialReachable;
    s->done = false;
    s->reachable = false;
    if (!addspecial(ptrs[i], &s->special)) throw_("already have a reachable special (duplicate pointer?)");
    specials[i] = s;
    ptrs[i] = nullptr;  // no longer ours to keep
  }

  semrelease(&gcsema);

  // addspecial's frames held the pointers; the collection's frames must
  // not inherit them (a stress run found an object kept alive so).
  zeroDeadFrames();

  // A whole collection, its sweep included: every probe is swept.
  GC();

  uint64 mask = 0;
  for (int i = 0; i < n; i++) {
    specialReachable* s = specials[i];
    if (!s->done) {
      printlock();
      print("runtime: object ", i, " was not swept\n");
      throw_("IsReachable failed");
    }
    if (s->reachable) mask |= uint64(1) << i;
    lock(&mheap_.speciallock);
    mheap_.specialReachableAlloc.free(s);
    unlock(&mheap_.speciallock);
  }
  return mask;
}

/// gcTestPointerClass: what p points into: "heap", "stack" (the calling
/// goroutine's), "data", "bss" or "other". Departure: Go walks each
/// module's data, noptrdata, bss and noptrbss; the port has one program
/// and the linker's data and bss bounds (dataRoots, bssRoots).
/// \gosrc{mgc.go,gcTestPointerClass}
const char* gcTestPointerClass(void* p) {
  uintptr p2 = uintptr(p);
  g* gp = getg();
  if (gp->stack_.lo <= p2 && p2 < gp->stack_.hi) return "stack";
  for (stktop* t = gp->stackseg; t != nullptr; t = t->down)  // older segments
    if (t->prev.lo <= p2 && p2 < t->prev.hi) return "stack";
  if (findObject(p2, 0, 0).base != 0) return "heap";
  rootRange data = dataRoots(), bss = bssRoots();
  if (data.lo <= p2 && p2 < data.hi) return "data";
  if (bss.lo <= p2 && p2 < bss.hi) return "bss";
  return "other";
}

}  // namespace runtime
