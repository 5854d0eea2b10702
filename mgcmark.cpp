// mgcmark.cpp: marking, mirroring mgcmark.go at go1.22.12: the root jobs
// (markroot: globals, the finalizer queue, the finalizer specials of spans
// (markrootSpans), goroutine stacks), draining the grey set (gcDrain),
// scanning objects (scanobject, scanblock, scanConservative), greying
// (greyobject, shade) and allocate-black (gcmarknewobject).
// See mgc.hpp for the cycle, its departures and invariants.
//
// Departure [conservative-roots]: Go scans globals and stack frames exactly,
// from maps its compiler and linker write. C++ has no such maps, so the port
// treats every aligned word of the program's data and bss segments, and of a
// goroutine's stack from its saved stack pointer to its top, as a possible
// pointer: scanConservative keeps a word that points into an allocated object
// of an in-use heap span, and ignores the rest. Such a word may be an integer
// that happens to look like a pointer: the object it names is kept one cycle
// too long (a leak bounded by what such words name), never freed too soon.
//
// Scanning reads memory the compiler's sanitizers and valgrind consider
// out of bounds (ASan's redzones around globals and frames), racy (TSan:
// another thread's stack) or undefined (valgrind: a stack word never
// written). The scanning functions are therefore built without ASan and
// TSan instrumentation, and valgrind's error reporting is off while they
// read (VALGRIND_DISABLE_ERROR_REPORTING, through scanReporting): the words
// they read are candidates, not values the program uses.
#include <cstdint>
#include <cstring>

#include "go_asm.h"
#include "malloc.hpp"
#include "mcache.hpp"
#include "mfinal.hpp"
#include "mgc.hpp"
#include "mgcwork.hpp"
#include "mheap.hpp"
#include "preempt.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "stack.hpp"

#include "valgrind.hpp"

// The program's writable segments, as the static linker names their
// bounds (binutils' default linker script). Departure: Go's moduledata
// gives data, edata, bss and ebss, with a pointer mask for each.
extern "C" char __data_start[];
extern "C" char _edata[];
extern "C" char __bss_start[];
extern "C" char _end[];

namespace runtime {

#define GC_SCAN_ATTR __attribute__((no_sanitize("address", "thread"))) __attribute__((noinline))

/// candidate: a word the scanner read, as a candidate pointer. Under
/// valgrind the word may be one memcheck considers undefined (a stack slot
/// never written); what the collector does with it (a mark bit set, a count
/// of marked bytes) would then be undefined too, and every later use of the
/// mark bits or the pacer's counts a false report. So the copy is declared
/// defined: a candidate is a value the collector decides on, whatever
/// wrote it. Natively it costs a predicted branch on onValgrind.
static bool runningOnValgrind() { return RUNNING_ON_VALGRIND != 0; }
static const bool onValgrind = runningOnValgrind();
NOSPLIT_INLINE uintptr candidate(uintptr w) {
  if (__builtin_expect(onValgrind, false)) {
    // A copy of its own, so that taking its address keeps w in a register
    // on the native path.
    uintptr c = w;
    VALGRIND_MAKE_MEM_DEFINED(&c, sizeof c);
    return c;
  }
  return w;
}

/// valgrindReporting: the client request that turns valgrind's error
/// reporting off (false) or back on (true). Port only.
[[gnu::cold, gnu::noinline]] static void valgrindReporting(bool on) {
  if (on) {
    VALGRIND_ENABLE_ERROR_REPORTING;
  } else {
    VALGRIND_DISABLE_ERROR_REPORTING;
  }
}
/// scanReporting: valgrind's error reporting off (false) or back on (true)
/// around a scan's reads of candidate words. The request is out of line
/// and behind a predicted branch on onValgrind, so that natively a scan
/// pays one test: the request builds an argument block in memory, and its
/// memory clobber kept scanobject's iterator in stack slots through the
/// loop. Port only.
NOSPLIT_INLINE void scanReporting(bool on) {
  if (__builtin_expect(onValgrind, false)) valgrindReporting(on);
}

/// dataRoots / bssRoots: the program's initialised and zeroed globals.
rootRange dataRoots() {
  return {(uintptr(__data_start) + 7) & ~uintptr(7), uintptr(_edata) & ~uintptr(7)};
}
rootRange bssRoots() { return {(uintptr(__bss_start) + 7) & ~uintptr(7), uintptr(_end) & ~uintptr(7)}; }

/// gcMarkRootPrepare: count the root jobs of this cycle (markroot's
/// argument runs from 0 to work.markrootJobs). World stopped.
/// \gosrc{mgcmark.go,gcMarkRootPrepare}
void gcMarkRootPrepare() {
  auto nBlocks = [](uintptr bytes) { return int(divRoundUp(bytes, rootBlockBytes)); };

  rootRange d = dataRoots();
  rootRange b = bssRoots();
  work.nDataRoots = nBlocks(d.hi - d.lo);
  work.nBSSRoots = nBlocks(b.hi - b.lo);

  // The span roots: the specials (finalizers) of every span, found through
  // the arenas' pageSpecials bits, a shard of pagesPerSpanRoot pages per
  // job. Objects given a finalizer later are marked by addfinalizer.
  // allArenas only grows, so a snapshot of its length is enough.
  mheap_.markArenas = mheap_.allArenas;
  mheap_.markArenas.cap = mheap_.markArenas.len;
  work.nSpanRoots = int(mheap_.markArenas.len * (pagesPerArena / pagesPerSpanRoot));

  // A snapshot of allgs: Gs created after this are allocated during the
  // mark and start with an empty stack, so they have nothing to scan.
  work.stackRoots = allgs;
  work.stackRootsLen = int(allglen);
  work.nStackRoots = work.stackRootsLen;

  atomic::Store(&work.markrootNext, uint32(0));
  work.markrootJobs = uint32(fixedRootCount + work.nDataRoots + work.nBSSRoots + work.nSpanRoots + work.nStackRoots);

  work.baseData = uint32(fixedRootCount);
  work.baseBSS = work.baseData + uint32(work.nDataRoots);
  work.baseSpans = work.baseBSS + uint32(work.nBSSRoots);
  work.baseStacks = work.baseSpans + uint32(work.nSpanRoots);
  work.baseEnd = work.baseStacks + uint32(work.nStackRoots);
}

/// gcMarkRootCheck: every root job ran and every G's stack was scanned.
/// \gosrc{mgcmark.go,gcMarkRootCheck}
void gcMarkRootCheck() {
  if (work.markrootNext < work.markrootJobs) {
    print(work.markrootNext, " of ", work.markrootJobs, " markroot jobs done\n");
    throw_("left over markroot jobs");
  }
  for (int i = 0; i < work.nStackRoots; i++) {
    g* gp = work.stackRoots[i];
    if (!gp->gcscandone) {
      print("gp ", gp, " goid ", gp->goid, " status ", readgstatus(gp), " gcscandone ", gp->gcscandone, "\n");
      throw_("scan missed a g");
    }
  }
}

/// markroot: run root job i. \gosrc{mgcmark.go,markroot}
int64 markroot(gcWork* gcw, uint32 i, bool flushBgCredit) {
  int64 workDone = 0;
  // The pacer's counter for this kind of root (none for the fixed jobs).
  atomic::Int64* workCounter = nullptr;
  if (work.baseData <= i && i < work.baseBSS) {
    workCounter = &gcController.globalsScanWork;
    rootRange d = dataRoots();
    workDone += markrootBlock(d.lo, d.hi - d.lo, gcw, int(i - work.baseData));
  } else if (work.baseBSS <= i && i < work.baseSpans) {
    workCounter = &gcController.globalsScanWork;
    rootRange b = bssRoots();
    workDone += markrootBlock(b.lo, b.hi - b.lo, gcw, int(i - work.baseBSS));
  } else if (i == fixedRootFinalizers) {
    // The queued finalizers: blocks outside the heap, scanned by their
    // mask up to each one's count ([finq-cnt]).
    for (finblock* fb = allfin; fb != nullptr; fb = fb->alllink) {
      uintptr cnt = uintptr(atomic::Load(&fb->cnt));
      scanblock(uintptr(&fb->fin[0]), cnt * sizeof(fb->fin[0]), &finptrmask[0], gcw);
    }
  } else if (i == fixedRootFreeGStacks) {
    systemstack([] { markrootFreeGStacks(); });
  } else if (work.baseSpans <= i && i < work.baseStacks) {
    // The specials of a shard of spans.
    markrootSpans(gcw, int(i - work.baseSpans));
  } else {
    if (i < work.baseStacks || work.baseEnd <= i) {
      print("runtime: markroot index ", i, " not in stack roots range [", work.baseStacks, ", ", work.baseEnd, ")\n");
      throw_("markroot: bad index");
    }
    workCounter = &gcController.stackScanWork;
    g* gp = work.stackRoots[i - work.baseStacks];
    // When it was first seen blocked, for goroutine dumps.
    uint32 status = readgstatus(gp);
    if ((status == _Gwaiting || status == _Gsyscall) && gp->waitsince == 0) gp->waitsince = work.tstart;
    // On the system stack, in case this is the scanning goroutine's own.
    systemstack([&] {
      // Scanning our own stack: wait, as far as the scheduler knows, so
      // that suspendG does not wait for us. (A worker or the mark
      // termination is waiting already.)
      g* userG = getg()->m->curg;
      bool selfScan = gp == userG && readgstatus(userG) == _Grunning;
      if (selfScan) casGToWaiting(userG, _Grunning, waitReasonGarbageCollectionScan);
      // Stop gp at a safe point (it may be running on another thread),
      // scan it, and let it go.
      suspendGState stopped = suspendG(gp);
      if (stopped.dead) {
        gp->gcscandone = true;
        return;
      }
      if (gp->gcscandone) throw_("g already scanned");
      workDone += scanstack(gp, gcw);
      gp->gcscandone = true;
      resumeG(stopped);
      if (selfScan) casgstatus(userG, _Gwaiting, _Grunning);
    });
  }
  if (workCounter != nullptr && workDone != 0) {
    workCounter->Add(workDone);
    if (flushBgCredit) gcFlushBgCredit(workDone);
  }
  return workDone;
}

/// markrootBlock: scan shard `shard` (rootBlockBytes long) of the global
/// block [b0, b0+n0). Departure: conservatively, with no pointer mask; and
/// the heap's own metadata, mheap_ (a third of the runtime's bss), is left
/// out: it names no heap object, but its address hints (the page
/// allocator's search address, the scavenger's high-water mark) are
/// integers that often equal one, and would keep it alive.
/// \gosrc{mgcmark.go,markrootBlock}
int64 markrootBlock(uintptr b0, uintptr n0, gcWork* gcw, int shard) {
  static_assert(rootBlockBytes % (8 * sizeof(uintptr)) == 0, "rootBlockBytes must be a multiple of 8*ptrSize");
  uintptr off = uintptr(shard) * rootBlockBytes;
  if (off >= n0) return 0;
  uintptr b = b0 + off;
  uintptr n = rootBlockBytes;
  if (off + n > n0) n = n0 - off;
  uintptr holeLo = reinterpret_cast<uintptr>(&mheap_);
  uintptr holeHi = holeLo + sizeof(mheap_);
  if (holeHi <= b || b + n <= holeLo) {
    scanConservative(b, n, gcw);
  } else {
    // The parts of [b, b+n) below and above mheap_.
    if (b < holeLo) scanConservative(b, holeLo - b, gcw);
    if (holeHi < b + n) scanConservative(holeHi, b + n - holeHi, gcw);
  }
  return int64(n);
}

/// markrootFreeGStacks: free the stacks of dead Gs on the global free
/// list (they keep their stacks between uses otherwise).
/// \gosrc{mgcmark.go,markrootFreeGStacks}
void markrootFreeGStacks() {
  // Take the dead Gs that still own a stack.
  lock(&sched.gFree.lock);
  gList list = sched.gFree.stack;
  sched.gFree.stack = gList{};
  unlock(&sched.gFree.lock);
  if (list.empty()) return;

  // Free their stacks. The Gs stay chained as they were, so the list
  // becomes a queue without relinking.
  gQueue q{list.head, list.head};
  for (g* gp = list.head.ptr(); gp != nullptr; gp = gp->schedlink.ptr()) {
    stackfree(gp->stack_);
    gp->stack_.lo = 0;
    gp->stack_.hi = 0;
    // Departure: the port scans a g word by word (conservatively), so the
    // dead G must not keep words that name its old stack: once the stack's
    // span is back in the heap (freeStackSpans), its pages may hold heap
    // objects, which such a stale word would keep alive.
    gp->stackguard0 = 0;
    gp->stktopsp = 0;
    gp->sched = gobuf{};
    q.tail.set(gp);
  }

  // Back on the free list, as Gs without a stack (gfget gives one a new
  // stack when it hands it out).
  lock(&sched.gFree.lock);
  sched.gFree.noStack.pushAll(q);
  unlock(&sched.gFree.lock);
}

/// markrootSpans: the span root job `shard`: for each span of the shard's
/// pages with specials, and each finalizer record on it, mark what the
/// object reaches (so the finalizer finds it intact) but not the object
/// (else it would never be found dead), and mark the closure, which only
/// the record, outside the heap, names. \gosrc{mgcmark.go,markrootSpans}
void markrootSpans(gcWork* gcw, int shard) {
  uint32 sg = mheap_.sweepgen;

  // The shard's arena, and its first page there.
  arenaIdx ai = mheap_.markArenas[int(uintptr(shard) / (pagesPerArena / pagesPerSpanRoot))];
  heapArena* ha = (*mheap_.arenas[ai.l1()].load())[ai.l2()].load();
  uint arenaPage = uint(uintptr(shard) * pagesPerSpanRoot % pagesPerArena);

  // The shard's part of the pageSpecials bitmap.
  uint8* specialsbits = &ha->pageSpecials[arenaPage / 8];
  for (uintptr i = 0; i < pagesPerSpanRoot / 8; i++) {
    // A set bit: the first page of a span with specials.
    uint8 specials = atomic::Load(&specialsbits[i]);
    if (specials == 0) continue;
    for (uint j = 0; j < 8; j++) {
      if ((specials & (1 << j)) == 0) continue;
      // Its span. A span with specials is in use, and no span is freed
      // during the mark, so this is not nullptr.
      mspan* s = ha->spans[arenaPage + uint(i) * 8 + j];

      // Only in-use spans have specials.
      if (mSpanState state = s->state.get(); state != mSpanInUse) {
        print("s.state = ", uint32(state), "\n");
        throw_("non in-use span found with specials bit set");
      }
      // Every span was swept before the mark began (cached or not). (Go
      // skips the check in the check mode's walk, mcheckmark.cpp.)
      if (uint32 ssg = atomic::Load(&s->sweepgen); !useCheckmark && !(ssg == sg || ssg == sg + 3)) {
        print("sweep ", ssg, " ", sg, "\n");
        throw_("gc: unswept span");
      }

      // speciallock keeps the list still while it is walked.
      lock(&s->speciallock);
      for (special* sp = s->specials; sp != nullptr; sp = sp->next) {
        if (sp->kind != _KindSpecialFinalizer) continue;
        auto* spf = reinterpret_cast<specialfinalizer*>(sp);
        // The record may be on an inner byte (a tiny object): the object
        // starts at its slot.
        uintptr p = s->base() + uintptr(spf->special.offset) / s->elemsize * s->elemsize;

        // What the object reaches, not the object itself.
        if (!s->spanclass.noscan()) scanobject(p, gcw);

        // The closure, named only by the record.
        scanblock(uintptr(&spf->fn), sizeof(uintptr), &oneptrmask[0], gcw);
      }
      unlock(&s->speciallock);
    }
  }
}

/// gcAssistAlloc: gp allocated past its assist credit (gcAssistBytes < 0):
/// pay the debt with scan work, stolen from the background workers' credit
/// first, else done here (gcAssistAlloc1); if no work is left to do, wait
/// in the assist queue for credit (gcParkAssist). Returns at once where an
/// assist cannot run (on g0, holding locks, not preemptible).
/// \gosrc{mgcmark.go,gcAssistAlloc}
void gcAssistAlloc(g* gp) {
  // An assist may park: not where this M must not be descheduled.
  if (getg() == gp->m->g0) return;
  if (m* mp = getg()->m; mp->locks > 0 || mp->preemptoff != nullptr) return;

retry:
  // While the GC CPU limiter limits, assists are skipped: the goroutine
  // allocates in debt, and the heap may overshoot its goal rather than the
  // collector take more of the CPU.
  if (gcCPULimiter.limiting()) return;

  // The scan work owed, at least gcOverAssistWork: one assist of useful
  // size pays for the allocations that follow.
  double assistWorkPerByte = gcController.assistWorkPerByte.Load();
  double assistBytesPerWork = gcController.assistBytesPerWork.Load();
  int64 debtBytes = -gp->gcAssistBytes;
  int64 scanWork = int64(assistWorkPerByte * double(debtBytes));
  if (scanWork < gcOverAssistWork) {
    scanWork = gcOverAssistWork;
    debtBytes = int64(assistBytesPerWork * double(scanWork));
  }

  // Take what the background workers have banked first. Two goroutines
  // may take the same credit at once and leave the bank below zero; the
  // next ones then find none and do the work themselves.
  int64 bgScanCredit = gcController.bgScanCredit.Load();
  int64 stolen = 0;
  if (bgScanCredit > 0) {
    if (bgScanCredit < scanWork) {
      stolen = bgScanCredit;
      gp->gcAssistBytes += 1 + int64(assistBytesPerWork * double(stolen));
    } else {
      stolen = scanWork;
      gp->gcAssistBytes += debtBytes;
    }
    gcController.bgScanCredit.Add(-stolen);
    scanWork -= stolen;
    if (scanWork == 0) return;  // paid off with credit
  }

  // The rest of the debt is paid by marking.
  systemstack([gp, scanWork] { gcAssistAlloc1(gp, scanWork); });

  // gcAssistAlloc1 leaves gp.param non-nil if this assist found the mark
  // done: it must end it, off the system stack.
  bool completed = gp->param != nullptr;
  gp->param = nullptr;
  if (completed) gcMarkDone();

  if (gp->gcAssistBytes < 0) {
    // Still in debt: there was not enough work, or we were preempted.
    if (gp->preempt) {
      Gosched();
      goto retry;
    }
    // Wait for background credit (or the mark's end); if more credit came
    // meanwhile, try again.
    if (!gcParkAssist()) goto retry;
  }
}

/// gcAssistAlloc1: the assist's scan work, on the system stack: drain up to
/// scanWork units with gp waiting (its own stack may be scanned meanwhile),
/// credit gp for it, and set gp.param if this assist was the last drainer
/// to find nothing left. \gosrc{mgcmark.go,gcAssistAlloc1}
void gcAssistAlloc1(g* gp, int64 scanWork) {
  systemstackcheck();
  gp->param = nullptr;

  if (atomic::Load(&gcBlackenEnabled) == 0) {
    // The mark ended while we were getting here: no debt left to pay
    // (gcBlackenEnabled is 0 until the next cycle resets the credit).
    gp->gcAssistBytes = 0;
    return;
  }

  // The assist's time, for the pacer and the GC CPU limiter (on the system
  // stack nothing preempts us between start and stop). A mark worker that
  // assists has an event in flight already, and start says so.
  int64 startTime = nanotime();
  bool trackLimiterEvent = gp->m->p.ptr()->limiterEvent.start(limiterEventMarkAssist, startTime);

  uint32 decnwait = atomic::Xadd(&work.nwait, ~uint32(0));
  if (decnwait == work.nproc) {
    print("runtime: work.nwait = ", decnwait, " work.nproc=", work.nproc, "\n");
    throw_("nwait > work.nprocs");
  }

  // gcDrainN may scan this goroutine's own stack.
  casGToWaiting(gp, _Grunning, waitReasonGCAssistMarking);

  // Drain on this P's gcWork (it has one: we hold the P).
  gcWork* gcw = &getg()->m->p.ptr()->gcw;
  int64 workDone = gcDrainN(gcw, scanWork);

  casgstatus(gp, _Gwaiting, _Grunning);

  // Credit the work done, rounded up (+1) so that a debt of less than a
  // unit is paid.
  double assistBytesPerWork = gcController.assistBytesPerWork.Load();
  gp->gcAssistBytes += 1 + int64(assistBytesPerWork * double(workDone));

  // The last drainer out with nothing left signals the end of the mark.
  uint32 incnwait = atomic::Xadd(&work.nwait, uint32(1));
  if (incnwait > work.nproc) {
    print("runtime: work.nwait=", incnwait, " work.nproc=", work.nproc, "\n");
    throw_("work.nwait > work.nproc");
  }
  if (incnwait == work.nproc && !gcMarkWorkAvailable(nullptr)) {
    // gcMarkDone cannot run on the system stack: our caller does it.
    gp->param = gp;
  }

  int64 now = nanotime();
  int64 duration = now - startTime;
  p* pp = gp->m->p.ptr();
  pp->gcAssistTime += duration;
  if (trackLimiterEvent) pp->limiterEvent.stop(limiterEventMarkAssist, now);
  if (pp->gcAssistTime > gcAssistTimeSlack) {
    gcController.assistTime.Add(pp->gcAssistTime);
    gcCPULimiter.update(now);
    pp->gcAssistTime = 0;
  }
}

/// gcWakeAllAssists: ready every goroutine in the assist queue, at the end
/// of the mark. \gosrc{mgcmark.go,gcWakeAllAssists}
void gcWakeAllAssists() {
  lock(&work.assistQueue.lock);
  // Departure: Go hands the whole list to injectglist; the port readies
  // them one by one on this P (the world is stopped: no P could take them).
  while (g* gp = work.assistQueue.q.pop()) ready(gp, 0, false);
  unlock(&work.assistQueue.lock);
}

/// gcParkAssist: queue this goroutine to wait for background credit and
/// park; false if, once queued, credit was already there (then it is not
/// queued and should try again). \gosrc{mgcmark.go,gcParkAssist}
bool gcParkAssist() {
  lock(&work.assistQueue.lock);
  // The mark cannot end while we hold the lock: if it ended already,
  // there is nothing to wait for.
  if (atomic::Load(&gcBlackenEnabled) == 0) {
    unlock(&work.assistQueue.lock);
    return true;
  }

  g* gp = getg();
  gQueue oldList = work.assistQueue.q;
  work.assistQueue.q.pushBack(gp);

  // Credit may have been flushed between our check and the queueing: then
  // back out and retry.
  if (gcController.bgScanCredit.Load() > 0) {
    work.assistQueue.q = oldList;
    if (oldList.tail) oldList.tail.ptr()->schedlink.set(nullptr);
    unlock(&work.assistQueue.lock);
    return false;
  }
  goparkunlock(&work.assistQueue.lock, waitReasonGCAssistWait, 2);
  return true;
}

/// gcFlushBgCredit: scanWork units of background scan work are done: pay
/// the queued assists' debts with them, first in line first, readying each
/// one paid off; whatever is left becomes credit for later assists.
/// \gosrc{mgcmark.go,gcFlushBgCredit}
void gcFlushBgCredit(int64 scanWork) {
  // Departure: Go first peeks at the queue without the lock (a fast path
  // for the common case of no waiting assist); that read races with the
  // queue's writers, so the port takes the lock.
  lock(&work.assistQueue.lock);
  if (work.assistQueue.q.empty()) {
    unlock(&work.assistQueue.lock);
    gcController.bgScanCredit.Add(scanWork);
    return;
  }

  double assistBytesPerWork = gcController.assistBytesPerWork.Load();
  int64 scanBytes = int64(double(scanWork) * assistBytesPerWork);

  while (!work.assistQueue.q.empty() && scanBytes > 0) {
    g* gp = work.assistQueue.q.pop();
    // (gcAssistBytes is negative: the debt.)
    if (scanBytes + gp->gcAssistBytes >= 0) {
      // Enough to pay it all.
      scanBytes += gp->gcAssistBytes;
      gp->gcAssistBytes = 0;
      // It is already runnable in spirit: ready it on this P's queue but
      // not as runnext, so it does not take this worker's P.
      ready(gp, 0, false);
    } else {
      // Part of it; the goroutine waits on at the back of the queue, so
      // that one large debt does not keep the small ones behind it waiting.
      gp->gcAssistBytes += scanBytes;
      scanBytes = 0;
      work.assistQueue.q.pushBack(gp);
      break;
    }
  }

  if (scanBytes > 0) {
    // What is left goes to the bank, in units of scan work.
    double assistWorkPerByte = gcController.assistWorkPerByte.Load();
    scanWork = int64(double(scanBytes) * assistWorkPerByte);
    gcController.bgScanCredit.Add(scanWork);
  }
  unlock(&work.assistQueue.lock);
}

/// scanstack: scan gp's stack from its saved stack pointer to the top,
/// conservatively, and the words of its saved context. gp must be stopped.
/// \gosrc{mgcmark.go,scanstack}
int64 scanstack(g* gp, gcWork* gcw) {
  systemstackcheck();
  if ((readgstatus(gp) & _Gscan) == 0 && readgstatus(gp) == _Grunning && gp != getg()->m->curg) {
    print("runtime: gp=", gp, ", goid=", gp->goid, ", gp->atomicstatus=", hex(readgstatus(gp)), "\n");
    throw_("scanstack: goroutine not stopped");
  }
  // A goroutine in a system call is scanned from where it entered it, as
  // Go's unwinder starts there (g.sched may hold __morestack's context
  // since: see g.syscallsp).
  // Its frames go from there to the top of that segment, then on each
  // older segment from the frame record R in the save area __morestack
  // left there (go_asm.h's morestack_rax) to its top ([seg-chain],
  // stack.hpp). The rest of the area is dead once lessstack has called the
  // body: every register in it is back in its register, and the slots a
  // register did not use as an argument hold stale words (caller-saved
  // registers, or what the fast path did not write), which would keep
  // their objects for a cycle. No scan sees a segment linked before its
  // body is called: __morestack's fast path links it and jumps to
  // lessstack, and newstackSegment links it on g0 and gogo's there, with
  // gp running throughout and no stop in lessstack's assembly.
  bool insyscall = gp->syscallsp != 0;
  uintptr sp = insyscall ? gp->syscallsp : gp->sched.sp;
  uintptr lo = insyscall ? gp->syscallstack.lo : gp->stack_.lo;
  uintptr hi = insyscall ? gp->syscallstack.hi : gp->stack_.hi;
  stktop* seg = insyscall ? gp->syscallseg : gp->stackseg;
  if (lo == 0) return 0;  // no stack (a dead G whose stack was freed)
  if (sp == 0) {
    print("runtime: gp=", gp, " goid=", gp->goid, " status=", hex(readgstatus(gp)), " has no saved sp\n");
    throw_("scanstack: no saved stack pointer");
  }
  if (sp < lo || sp > hi) {
    print("runtime: gp=", gp, " goid=", gp->goid, " sp=", hex(sp), " stack=[", hex(lo), ", ", hex(hi), "]\n");
    throw_("scanstack: sp out of range");
  }
  // The saved context: ctxt holds a closure a new G has not called yet.
  scanConservative(uintptr(&gp->sched.ctxt), sizeof(gp->sched.ctxt), gcw);
  scanConservative(sp, hi - sp, gcw);
  int64 scanned = int64(hi - sp);
  for (stktop* t = seg; t != nullptr; t = t->down) {
    uintptr r = t->prevsp + morestack_rax;
    scanConservative(r, t->prev.hi - r, gcw);
    scanned += int64(t->prev.hi - r);
  }
  // Go shrinks the stack here when it is safe, or asks gp to do it at its
  // next synchronous safe point (preemptShrink). The port's shrinkstack
  // only frees spare segments, which can wait for the next cycle.
  if (isShrinkStackSafe(gp)) shrinkstack(gp);
  return scanned;
}

/// gcScanAsyncStopped scans again the stack of every goroutine that a
/// preemption signal stopped (g.asyncSafePoint), registers included, into
/// gcw. gcMarkDone calls it with the world stopped, before it ends the
/// mark: such a goroutine may have stopped between a pointer store and the
/// test of writeBarrier.enabled after it, and the old value it will not
/// record once barriers are off is still in its registers or frame
/// ([wb-order], mwbbuf.hpp). Objects marked already add no work, so a
/// goroutine that stays stopped across a restart does not restart the mark
/// again. Port only: Go's compiler makes that window an unsafe point.
void gcScanAsyncStopped(gcWork* gcw) {
  systemstackcheck();
  for (int64 i = 0; i < allglen; i++) {
    g* gp = allgs[i];
    if (gp->asyncSafePoint) scanstack(gp, gcw);
  }
}

/// nextGrey: the next grey object for gcDrain and gcDrainN, 0 if none:
/// after stocking the global list for other workers, from this P's
/// buffers, the global list, and what the write-barrier buffer holds.
/// (Go writes these lines out in both drains.)
static inline uintptr nextGrey(gcWork* gcw) {
  // Keep the global list stocked for other workers.
  if (atomic::Load(&work.full.v) == 0) gcw->balance();
  uintptr b = gcw->tryGetFast();
  if (b == 0) {
    b = gcw->tryGet();
    if (b == 0) {
      // Flush the write-barrier buffer: it may hold more work.
      wbBufFlush();
      b = gcw->tryGet();
    }
  }
  return b;
}

/// gcDrainMarkWorkerIdle, gcDrainMarkWorkerDedicated,
/// gcDrainMarkWorkerFractional: gcDrain as each kind of background worker
/// runs it. \gosrc{mgcmark.go,gcDrainMarkWorkerIdle}
void gcDrainMarkWorkerIdle(gcWork* gcw) { gcDrain(gcw, gcDrainIdle | gcDrainUntilPreempt | gcDrainFlushBgCredit); }
/// \gosrc{mgcmark.go,gcDrainMarkWorkerDedicated}
void gcDrainMarkWorkerDedicated(gcWork* gcw, bool untilPreempt) {
  int flags = gcDrainFlushBgCredit;
  if (untilPreempt) flags |= gcDrainUntilPreempt;
  gcDrain(gcw, flags);
}
/// \gosrc{mgcmark.go,gcDrainMarkWorkerFractional}
void gcDrainMarkWorkerFractional(gcWork* gcw) {
  gcDrain(gcw, gcDrainFractional | gcDrainUntilPreempt | gcDrainFlushBgCredit);
}

/// gcDrain: blacken grey objects, running root jobs first, until there is
/// no work, or, by flags: until preempted (gcDrainUntilPreempt), until
/// other work appears for this P (gcDrainIdle), until this fractional
/// worker has had its share (gcDrainFractional); gcDrainFlushBgCredit
/// gives the work done to assists as credit. Whatever the flags, it stops
/// when preempted for a stop of the world or a forEachP.
/// \gosrc{mgcmark.go,gcDrain}
void gcDrain(gcWork* gcw, int flags) {
  if (!writeBarrier.enabled) throw_("gcDrain phase incorrect");

  g* gp = getg()->m->curg;
  p* pp = getg()->m->p.ptr();
  bool preemptible = (flags & gcDrainUntilPreempt) != 0;
  bool flushBgCredit = (flags & gcDrainFlushBgCredit) != 0;
  bool idle = (flags & gcDrainIdle) != 0;

  int64 initScanWork = gcw->heapScanWork;

  // checkWork: scan work left before the next call of check.
  int64 checkWork = INT64_MAX;
  bool (*check)() = nullptr;
  if ((flags & (gcDrainIdle | gcDrainFractional)) != 0) {
    checkWork = initScanWork + drainCheckThreshold;
    if (idle) {
      check = pollWork;
    } else if ((flags & gcDrainFractional) != 0) {
      check = pollFractionalWorkerExit;
    }
  }

  // Stop when preempted, if preemptible, or for a stop of the world or a
  // forEachP in any case.
  auto stop = [&] {
    return gp != nullptr && gp->preempt.load() &&
           (preemptible || sched.gcwaiting.Load() || atomic::Load(&pp->runSafePointFn) != 0);
  };

  // Root jobs first. (Other threads take jobs too: an atomic read, where
  // Go's is a plain racy one.)
  if (atomic::Load(&work.markrootNext) < work.markrootJobs) {
    while (!stop()) {
      uint32 job = atomic::Xadd(&work.markrootNext, uint32(1)) - 1;
      if (job >= work.markrootJobs) break;
      markroot(gcw, job, flushBgCredit);
      if (check != nullptr && check()) goto done;
    }
  }

  // Then the heap.
  while (!stop()) {
    uintptr b = nextGrey(gcw);
    if (b == 0) break;  // no work left
    scanobject(b, gcw);

    // Publish the scan work now and then, as credit for assists too.
    if (gcw->heapScanWork >= gcCreditSlack) {
      gcController.heapScanWork.Add(gcw->heapScanWork);
      if (flushBgCredit) {
        gcFlushBgCredit(gcw->heapScanWork - initScanWork);
        initScanWork = 0;
      }
      checkWork -= gcw->heapScanWork;
      gcw->heapScanWork = 0;

      if (checkWork <= 0) {
        checkWork += drainCheckThreshold;
        if (check != nullptr && check()) break;
      }
    }
  }

done:
  // The rest of the scan work.
  if (gcw->heapScanWork > 0) {
    gcController.heapScanWork.Add(gcw->heapScanWork);
    if (flushBgCredit) gcFlushBgCredit(gcw->heapScanWork - initScanWork);
    gcw->heapScanWork = 0;
  }
}

/// gcDrainN: blacken grey objects until about scanWork units of scan work
/// are done, or there is no work, or the goroutine is preempted; returns
/// the work done. For assists: no background credit is made.
/// \gosrc{mgcmark.go,gcDrainN}
int64 gcDrainN(gcWork* gcw, int64 scanWork) {
  systemstackcheck();
  if (!writeBarrier.enabled) throw_("gcDrainN phase incorrect");

  // Scan work this call has already flushed to the controller.
  int64 workFlushed = -gcw->heapScanWork;

  g* gp = getg()->m->curg;
  while (!gp->preempt.load() && !gcCPULimiter.limiting() && workFlushed + gcw->heapScanWork < scanWork) {
    uintptr b = nextGrey(gcw);
    if (b == 0) {
      // A root job, then.
      if (atomic::Load(&work.markrootNext) < work.markrootJobs) {
        uint32 job = atomic::Xadd(&work.markrootNext, uint32(1)) - 1;
        if (job < work.markrootJobs) {
          workFlushed += markroot(gcw, job, false);
          continue;
        }
      }
      // Neither grey objects nor root jobs are left.
      break;
    }

    scanobject(b, gcw);

    // Hand the scan work to the pacer now and then.
    if (gcw->heapScanWork >= gcCreditSlack) {
      gcController.heapScanWork.Add(gcw->heapScanWork);
      workFlushed += gcw->heapScanWork;
      gcw->heapScanWork = 0;
    }
  }

  // Unlike gcDrain, the rest stays in gcw->heapScanWork, for the caller
  // (an assist) to count.
  return workFlushed + gcw->heapScanWork;
}

const uint8 oneptrmask[1] = {1};

/// scanblock: scan [b0, b0+n0) by the pointer mask (one bit per word).
/// \gosrc{mgcmark.go,scanblock}
GC_SCAN_ATTR void scanblock(uintptr b0, uintptr n0, const uint8* ptrmask, gcWork* gcw) {
  uintptr b = b0, n = n0;
  for (uintptr i = 0; i < n;) {
    uint8 bits = ptrmask[i / (sizeof(uintptr) * 8)];
    if (bits == 0) {
      i += sizeof(uintptr) * 8;
      continue;
    }
    for (int j = 0; j < 8 && i < n; j++) {
      if (bits & 1) {
        uintptr p = candidate(*reinterpret_cast<uintptr*>(b + i));
        if (p != 0) {
          if (foundObject f = findObject(p, b, i); f.base != 0) greyobject(f.base, b, i, f.s, gcw, f.objIndex);
        }
      }
      bits >>= 1;
      i += sizeof(uintptr);
    }
  }
}

/// scanobject: scan the heap object at b by its type's pointer map,
/// greying what its pointers name. A large object is scanned in oblets of
/// maxObletBytes, queued separately. \gosrc{mgcmark.go,scanobject}
///
/// Departure: in a span that holds the runtime's own objects (g, m, p,
/// sudog, hchan: mspan.conservative), each candidate is looked up as
/// scanConservative looks up its words (spanOfHeap, and the allocation
/// bitmap, isFree): those objects are scanned with an every-word map
/// (malloc.hpp), so their words are candidates, not known pointers.
/// Elsewhere a pointer is found and greyed as Go's is (findObject), even
/// into a free slot, which the sweep then reports, and a pointer into a
/// part of the heap with no objects is reported at once (badPointer).
GC_SCAN_ATTR void scanobject(uintptr b, gcWork* gcw) {
  // Start fetching the object's first line now; finding its span and
  // pointer map below overlaps with the wait.
  sys::Prefetch(b);

  mspan* s = spanOfUnchecked(b);
  uintptr n = s->elemsize;
  if (n == 0) throw_("scanobject n == 0");
  if (s->spanclass.noscan()) throw_("scanobject of a noscan object");

  bool conservative = s->conservative;
  typePointers tp;
  if (n > maxObletBytes) {
    // A large object: split it into oblets, queued the first time.
    if (b == s->base()) {
      for (uintptr oblet = b + maxObletBytes; oblet < s->base() + s->elemsize; oblet += maxObletBytes) {
        if (!gcw->putFast(oblet)) gcw->put(oblet);
      }
    }
    n = s->base() + s->elemsize - b;
    if (n > maxObletBytes) n = maxObletBytes;
    typePointers whole = s->typePointersOfUnchecked(s->base());
    // Through a copy: fastForward returns in memory, and were tp its
    // return slot, tp's address would escape and the loop below would
    // reload it from the stack after every call.
    typePointers part = whole.fastForward(b - whole.addr, b + n);
    tp = part;
  } else {
    tp = s->typePointersOfUnchecked(b);
  }

  scanReporting(false);
  uintptr scanSize = 0;
  for (;;) {
    auto r = tp.nextFast();
    tp = r.tp;
    uintptr addr = r.addr;
    if (addr == 0) {
      r = tp.next(b + n);
      tp = r.tp;
      addr = r.addr;
      if (addr == 0) break;
    }
    scanSize = addr - b + sizeof(uintptr);
    uintptr obj = candidate(*reinterpret_cast<uintptr*>(addr));
    // Pointers into the object itself need no marking.
    if (obj != 0 && obj - b >= n) {
      if (conservative) {
        // A word of a runtime object: greyed only if it names an allocated
        // object, as scanConservative's words are, and never reported.
        if (mspan* span = spanOfHeap(obj); span != nullptr) {
          uintptr idx = span->objIndex(obj);
          if (!span->isFree(idx)) greyobject(span->base() + idx * span->elemsize, b, addr - b, span, gcw, idx);
        }
      } else if (foundObject f = findObject(obj, b, addr - b); f.base != 0) {
        greyobject(f.base, b, addr - b, f.s, gcw, f.objIndex);
      }
    }
  }
  scanReporting(true);
  gcw->bytesMarked += uint64(n);
  gcw->heapScanWork += int64(scanSize);
}

/// scanConservative: grey every allocated heap object that a word of
/// [b, b+n) points into. \gosrc{mgcmark.go,scanConservative}
GC_SCAN_ATTR void scanConservative(uintptr b, uintptr n, gcWork* gcw) {
  scanReporting(false);
  for (uintptr i = 0; i < n; i += sizeof(uintptr)) {
    uintptr val = candidate(*reinterpret_cast<uintptr*>(b + i));
    mspan* span = spanOfHeap(val);
    if (span == nullptr) continue;
    // Check the object is allocated. A pointer to a free slot may be a
    // dead value, or a pointer into an object freed by the last sweep.
    uintptr idx = span->objIndex(val);
    if (span->isFree(idx)) continue;
    // The check mode's walk (mcheckmark.cpp) takes only the words the mark
    // could have seen as pointers. Departure: the roots are scanned
    // conservatively, and a stack or a global changes after the mark
    // scanned it: a slot no frame has written yet, or an integer, may now
    // hold the address of an object that was dead when the mark began.
    // Such a word is no reference the program can use, so the walk skips
    // an object the mark left unmarked when only a root names it; what a
    // marked object references is still checked.
    if (useCheckmark && !span->markBitsForIndex(idx).isMarked()) continue;
    uintptr obj = span->base() + idx * span->elemsize;
    greyobject(obj, b, i, span, gcw, idx);
  }
  scanReporting(true);
}

/// shade: grey the object b points into, if it is a heap object; the
/// write barrier's half of marking. \gosrc{mgcmark.go,shade}
void shade(uintptr b) {
  if (foundObject f = findObject(b, 0, 0); f.base != 0) {
    gcWork* gcw = &getg()->m->p.ptr()->gcw;
    greyobject(f.base, 0, 0, f.s, gcw, f.objIndex);
  }
}

/// greyobject: mark obj, and queue it for scanning unless it has no
/// pointers. \gosrc{mgcmark.go,greyobject}
void greyobject(uintptr obj, uintptr base, uintptr off, mspan* span, gcWork* gcw, uintptr objIndex) {
  if ((obj & (sizeof(uintptr) - 1)) != 0) throw_("greyobject: obj not pointer-aligned");
  markBits mbits = span->markBitsForIndex(objIndex);

  if (useCheckmark) {
    // The check's second walk (mcheckmark.cpp): the mark bits stay as the
    // first walk left them.
    if (setCheckmark(obj, base, off, mbits)) return;
    // Departure: Go queues the object whatever its span, and scanobject
    // would throw on a pointer-free one; go1.22.12's walk never reaches
    // one, as its roots are not scanned again (gcMarkTermination). The
    // port's walk does: a pointer-free object has nothing to scan.
    if (span->spanclass.noscan()) return;
  } else {
    if (debug.gccheckmark > 0 && span->isFree(objIndex)) {
      print("runtime: marking free object ", hex(obj), " found at *(", hex(base), "+", hex(off), ")\n");
      gcDumpObject("base", base, off);
      gcDumpObject("obj", obj, ~uintptr(0));
      throw_("marking free object");
    }

    // Marked already: black or grey.
    if (mbits.isMarked()) return;
    mbits.setMarked();

    // The span has a marked object: its pages must not be reclaimed.
    auto [arena, pageIdx, pageMask] = pageIndexOf(span->base());
    if ((atomic::Load8(&arena->pageMarks[pageIdx]) & pageMask) == 0) atomic::Or8(&arena->pageMarks[pageIdx], pageMask);

    // A pointer-free object is black at once.
    if (span->spanclass.noscan()) {
      gcw->bytesMarked += uint64(span->elemsize);
      return;
    }
  }
  // The object goes on this P's work buffer, which is a stack: it is likely
  // to be scanned soon, by this thread, so its line is fetched now.
  sys::Prefetch(obj);
  if (!gcw->putFast(obj)) gcw->put(obj);
}

/// gcDumpObject: print obj's span and words, for a report of a bad mark;
/// off (~0: none) is the word to point at, with the words around it when
/// the object is large. It reads the whole slot, padding included (under
/// ASan a redzone), hence GC_SCAN_ATTR. \gosrc{mgcmark.go,gcDumpObject}
GC_SCAN_ATTR void gcDumpObject(const char* label, uintptr obj, uintptr off) {
  mspan* s = spanOf(obj);
  print(label, "=", hex(obj));
  if (s == nullptr) {
    print(" s=nil\n");
    return;
  }
  print(" s.base()=", hex(s->base()), " s.limit=", hex(s->limit), " s.spanclass=", uint8(s->spanclass),
        " s.elemsize=", s->elemsize, " s.state=");
  uint8 state = uint8(s->state.get());
  if (state < sizeof(mSpanStateNames) / sizeof(mSpanStateNames[0])) {
    print(mSpanStateNames[state], "\n");
  } else {
    print("unknown(", state, ")\n");
  }

  bool skipped = false;
  uintptr size = s->elemsize;
  if (s->state.get() == mSpanManual && size == 0) {
    // A stack frame: its size is unknown, so show the words up to off.
    size = off + sizeof(uintptr);
  }
  for (uintptr i = 0; i < size; i += sizeof(uintptr)) {
    // A large object: its first words (which hint at its type) and those
    // around off.
    if (!(i < 128 * sizeof(uintptr) || (off - 16 * sizeof(uintptr) < i && i < off + 16 * sizeof(uintptr)))) {
      skipped = true;
      continue;
    }
    if (skipped) {
      print(" ...\n");
      skipped = false;
    }
    print(" *(", label, "+", i, ") = ", hex(*reinterpret_cast<uintptr*>(obj + i)));
    if (i == off) print(" <==");
    print("\n");
  }
  if (skipped) print(" ...\n");
}

/// gcmarknewobject: allocate black ([gc-black-alloc]). Called by mallocgc
/// for each object allocated while gcphase != _GCoff.
/// \gosrc{mgcmark.go,gcmarknewobject}
void gcmarknewobject(mspan* span, uintptr obj) {
  // The check's walk runs with the world stopped: nothing allocates.
  if (useCheckmark) throw_("gcmarknewobject called while doing checkmark");
  uintptr objIndex = span->objIndex(obj);
  span->markBitsForIndex(objIndex).setMarked();
  auto [arena, pageIdx, pageMask] = pageIndexOf(span->base());
  if ((atomic::Load8(&arena->pageMarks[pageIdx]) & pageMask) == 0) atomic::Or8(&arena->pageMarks[pageIdx], pageMask);
  gcWork* gcw = &getg()->m->p.ptr()->gcw;
  gcw->bytesMarked += uint64(span->elemsize);
}

/// gcMarkTinyAllocs: grey each P's current tiny block, which mallocgc
/// hands out piecemeal without marking. World stopped.
/// \gosrc{mgcmark.go,gcMarkTinyAllocs}
void gcMarkTinyAllocs() {
  for (int32 i = 0; i < allplen; i++) {
    p* pp = allp[i];
    mcache* c = pp->mcache;
    if (c == nullptr || c->tiny == 0) continue;
    foundObject f = findObject(c->tiny, 0, 0);
    greyobject(c->tiny, 0, 0, f.s, &pp->gcw, f.objIndex);
  }
}

}  // namespace runtime
