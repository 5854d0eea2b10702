// mgcsweep.cpp: sweeping, mirroring mgcsweep.go at go1.22.12. See
// mgcsweep.hpp for the design and invariants [sweep-once], [sweep-active].
#include "mgcsweep.hpp"

#include "asan.hpp"
#include "chan.hpp"
#include "lockrank_off.hpp"
#include "malloc.hpp"
#include "mcache.hpp"
#include "mcentral.hpp"
#include "mgc.hpp"
#include "mgcpacer.hpp"
#include "mgcwork.hpp"
#include "mheap.hpp"
#include "mstats.hpp"
#include "print.hpp"
#include "proc.hpp"

namespace runtime {

sweepdata sweep;

/// load / update / clear: the cursor moves only forward within a cycle.
/// \gosrc{mgcsweep.go,sweepClass.load}
sweepClass sweepClass::load() { return sweepClass{atomic::Load(&v)}; }
/// \gosrc{mgcsweep.go,sweepClass.update}
void sweepClass::update(sweepClass sNew) {
  // Only advance: several sweepers race to move it.
  uint32 sOld = load().v;
  while (sOld < sNew.v && !atomic::Cas(&v, sOld, sNew.v)) sOld = load().v;
}
/// \gosrc{mgcsweep.go,sweepClass.clear}
void sweepClass::clear() { atomic::Store(&v, uint32(0)); }

/// split: the span class and which set (full first) the index names.
/// \gosrc{mgcsweep.go,sweepClass.split}
sweepClass::splitResult sweepClass::split() const { return {spanClass(uint8(v >> 1)), (v & 1) == 0}; }

/// nextSpanForSweep: an unswept span from some mcentral, or nullptr when
/// none is left. \gosrc{mgcsweep.go,mheap.nextSpanForSweep}
mspan* mheap::nextSpanForSweep() {
  uint32 sg = sweepgen;
  for (uint32 sc = sweep.centralIndex.load().v; sc < numSweepClasses; sc++) {
    auto [spc, full] = sweepClass{sc}.split();
    mcentral* c = &central[spc.v].mcentral;
    mspan* s = full ? c->fullUnswept(sg)->pop() : c->partialUnswept(sg)->pop();
    if (s != nullptr) {
      sweep.centralIndex.update(sweepClass{sc});
      return s;
    }
  }
  sweep.centralIndex.update(sweepClass{sweepClassDone});
  return nullptr;
}

/// begin: register a sweeper; invalid once the sweep is drained.
/// \gosrc{mgcsweep.go,activeSweep.begin}
sweepLocker activeSweep::begin() {
  for (;;) {
    uint32 st = state.Load();
    if ((st & sweepDrainedMask) != 0) return sweepLocker{mheap_.sweepgen, false};
    if (state.CompareAndSwap(st, st + 1)) return sweepLocker{mheap_.sweepgen, true};
  }
}

/// end: deregister a sweeper. \gosrc{mgcsweep.go,activeSweep.end}
void activeSweep::end(sweepLocker sl) {
  if (sl.sweepGen != mheap_.sweepgen) throw_("sweeper left outstanding across sweep generations");
  for (;;) {
    uint32 st = state.Load();
    if ((st & ~sweepDrainedMask) - 1 >= sweepDrainedMask) throw_("mismatched begin/end of activeSweep");
    if (state.CompareAndSwap(st, st - 1)) return;
  }
}

/// markDrained: record that no unswept span is left; true for the caller
/// that set the flag. \gosrc{mgcsweep.go,activeSweep.markDrained}
bool activeSweep::markDrained() {
  for (;;) {
    uint32 st = state.Load();
    if ((st & sweepDrainedMask) != 0) return false;
    if (state.CompareAndSwap(st, st | sweepDrainedMask)) return true;
  }
}

/// sweepers: sweepers at work. \gosrc{mgcsweep.go,activeSweep.sweepers}
uint32 activeSweep::sweepers() { return state.Load() & ~sweepDrainedMask; }

/// isDone: drained, and no sweeper at work. \gosrc{mgcsweep.go,activeSweep.isDone}
bool activeSweep::isDone() { return state.Load() == sweepDrainedMask; }

/// reset: a new sweep generation (world stopped). \gosrc{mgcsweep.go,activeSweep.reset}
void activeSweep::reset() { state.Store(0); }

/// finishsweep_m: sweep whatever the last cycle left unswept, before a new
/// mark begins. World stopped. \gosrc{mgcsweep.go,finishsweep_m}
void finishsweep_m() {
  while (sweepone() != ~uintptr(0)) {
  }
  if (sweep.active.sweepers() != 0) throw_("active sweepers found at start of mark phase");
  // The unswept sets must be empty now; reset them so their blocks can be
  // reused.
  uint32 sg = mheap_.sweepgen;
  for (uintptr i = 0; i < numSpanClasses; i++) {
    mcentral* c = &mheap_.central[i].mcentral;
    c->partialUnswept(sg)->reset();
    c->fullUnswept(sg)->reset();
  }
  // The sweep is over: the scavenger may have memory to release (it may
  // also be asleep in the middle of its work; wake cuts that short).
  scavenger.wake();
  nextMarkBitArenaEpoch();
}

/// bgsweep: the background sweeper, a system goroutine gcenable starts.
/// It tells gcenable it is ready on c and parks; each gcSweep of a
/// concurrent sweep readies it, and it sweeps every span and frees the
/// cycle's workbufs, then parks again. It is meant to use spare CPU only:
/// after every batch of spans it yields unless a P is idle (allocation
/// sweeps what it needs by itself: cacheSpan, reclaim, deductSweepCredit).
/// \gosrc{mgcsweep.go,bgsweep}
void bgsweep(hchan* c) {
  sweep.g_ = getg();

  lock(&sweep.lock);
  sweep.parked = true;
  int one = 1;
  chansend1(c, &one);
  goparkunlock(&sweep.lock, waitReasonGCSweepWait, 1);

  for (;;) {
    // Sweeping one span takes tens of ns: yield once per batch, not per
    // span (Go measured the scheduler and tracer cost, issue 54767).
    constexpr int sweepBatchSize = 10;
    int nSwept = 0;
    while (sweepone() != ~uintptr(0)) {
      nSwept++;
      if (nSwept % sweepBatchSize == 0) goschedIfBusy();
    }
    while (freeSomeWbufs(true)) {
      // (freeSomeWbufs batches by itself.)
      goschedIfBusy();
    }
    lock(&sweep.lock);
    if (!isSweepDone()) {
      // A new cycle began between the last sweepone and the lock.
      unlock(&sweep.lock);
      continue;
    }
    sweep.parked = true;
    goparkunlock(&sweep.lock, waitReasonGCSweepWait, 1);
  }
}

/// bgsweep_entry: the first frame of the sweeper goroutine (Go's closure
/// call for `go bgsweep(c)`).
void bgsweep_entry(funcval* fn) { bgsweep(reinterpret_cast<bgsweepClosure*>(fn)->c); }

/// tryAcquire: claim s for sweeping ([sweep-once]).
/// \gosrc{mgcsweep.go,sweepLocker.tryAcquire}
bool sweepLocker::tryAcquire(mspan* s, sweepLocked* out) {
  if (!valid) throw_("use of invalid sweepLocker");
  // A quick check first: most spans are swept already.
  if (atomic::Load(&s->sweepgen) != sweepGen - 2) return false;
  if (!atomic::Cas(&s->sweepgen, sweepGen - 2, sweepGen - 1)) return false;
  *out = sweepLocked{s};
  return true;
}

/// sweepone: sweep one unswept span; the pages it returned to the heap,
/// or ~0 when nothing was left to sweep. \gosrc{mgcsweep.go,sweepone}
uintptr sweepone() {
  g* gp = getg();
  // Not preempted while holding a sweepLocker: that would hold up the
  // next mark phase's start.
  gp->m->locks++;
  sweepLocker sl = sweep.active.begin();
  if (!sl.valid) {
    gp->m->locks--;
    return ~uintptr(0);
  }
  uintptr npages = ~uintptr(0);
  bool noMoreWork = false;
  for (;;) {
    mspan* s = mheap_.nextSpanForSweep();
    if (s == nullptr) {
      noMoreWork = sweep.active.markDrained();
      break;
    }
    if (mSpanState state = s->state.get(); state != mSpanInUse) {
      // A span freed since it was queued (its sweepgen says so) is
      // skipped; anything else is a bug.
      // (Read atomically: the span may be reused meanwhile, as Go allows.)
      if (uint32 sg = atomic::Load(&s->sweepgen); !(sg == sl.sweepGen || sg == sl.sweepGen + 3)) {
        print("runtime: bad span s.state=", uint32(state), " s.sweepgen=", sg, " sweepgen=", sl.sweepGen, "\n");
        throw_("non in-use span in unswept list");
      }
      continue;
    }
    sweepLocked ss{};
    if (sl.tryAcquire(s, &ss)) {
      npages = s->npages;
      if (ss.sweep(false)) {
        // The whole span went back to the heap: credit for the reclaimer.
        mheap_.reclaimCredit.Add(npages);
      } else {
        npages = 0;
      }
      break;
    }
  }
  sweep.active.end(sl);
  // The sweep is done: report what the scavengers released this cycle
  // (GODEBUG=scavtrace) and let sysmon wake the background scavenger (a
  // goroutine may not be readied from here). Go also reports a finished
  // sweep under GODEBUG=gcpacertrace.
  if (noMoreWork) {
    if (debug.scavtrace > 0) {
      systemstack([] {
        lock(&mheap_.lock);
        uintptr releasedBg = mheap_.pages.scav.releasedBg.Load();
        uintptr releasedEager = mheap_.pages.scav.releasedEager.Load();
        printScavTrace(releasedBg, releasedEager, false);
        mheap_.pages.scav.releasedBg.Add(-releasedBg);
        mheap_.pages.scav.releasedEager.Add(-releasedEager);
        unlock(&mheap_.lock);
      });
    }
    scavenger.ready();
  }
  if (noMoreWork && debug.gcpacertrace > 0) {
    print("pacer: sweep done at heap size ", gcController.heapLive.Load() >> 20, "MB; allocated ",
          (gcController.heapLive.Load() - mheap_.sweepHeapLiveBasis.load()) >> 20, "MB during sweep; swept ",
          mheap_.pagesSwept.Load(), " pages at ", mheap_.sweepPagesPerByte.load(), " pages/byte\n");
  }
  gp->m->locks--;
  return npages;
}

/// isSweepDone: every span of this cycle is swept. \gosrc{mgcsweep.go,isSweepDone}
bool isSweepDone() { return sweep.active.isDone(); }

/// ensureSwept: return once s is swept, sweeping it if nobody else is.
/// \gosrc{mgcsweep.go,mspan.ensureSwept}
void mspan::ensureSwept() {
  g* gp = getg();
  if (gp->m->locks == 0 && gp->m->mallocing == 0 && gp != gp->m->g0) throw_("mspan.ensureSwept: m is not locked");
  sweepLocker sl = sweep.active.begin();
  if (sl.valid) {
    sweepLocked ss{};
    if (sl.tryAcquire(this, &ss)) {
      ss.sweep(false);
      sweep.active.end(sl);
      return;
    }
    sweep.active.end(sl);
  }
  // Another sweeper has it: wait.
  for (;;) {
    uint32 spangen = atomic::Load(&sweepgen);
    if (spangen == sl.sweepGen || spangen == sl.sweepGen + 3) break;
    osyield();
  }
}

/// sweep: free the unmarked objects of the span, whose mark bits become
/// its allocation bits; return the span to its mcentral, or to the heap
/// when it is empty (then the result is true). With preserve, the caller
/// keeps the span (mcentral.cacheSpan). \gosrc{mgcsweep.go,sweepLocked.sweep}
bool sweepLocked::sweep(bool preserve) {
  g* gp = getg();
  if (gp->m->locks == 0 && gp->m->mallocing == 0 && gp != gp->m->g0) throw_("mspan.sweep: m is not locked");
  mspan* sp = s;
  if (!preserve) s = nullptr;  // the span is no longer ours once swept

  uint32 sweepgen = mheap_.sweepgen;
  // (The span's sweepgen is read atomically throughout: other sweepers
  // look at it without owning the span, tryAcquire.)
  if (mSpanState state = sp->state.get(); state != mSpanInUse || atomic::Load(&sp->sweepgen) != sweepgen - 1) {
    print("mspan.sweep: state=", uint32(state), " sweepgen=", atomic::Load(&sp->sweepgen), " mheap.sweepgen=", sweepgen, "\n");
    throw_("mspan.sweep: bad span state");
  }
  mheap_.pagesSwept.Add(sp->npages);

  spanClass spc = sp->spanclass;
  uintptr size = sp->elemsize;

  // The specials of the objects about to be freed. A dead object with a
  // finalizer is revived (marked: it is not freed this cycle, and
  // markrootSpans already marked what it reaches) and its finalizers are
  // queued; a dead object without one has its records freed. A slot holds
  // records of several objects only when it is a tiny block (finalizers
  // set on inner bytes): all of the slot's records are handled at once.
  bool hadSpecials = sp->specials != nullptr;
  specialsIter siter = newSpecialsIter(sp);
  while (siter.valid()) {
    // The record may be on an inner byte: the object starts at its slot.
    uintptr objIndex = uintptr(siter.s->offset) / size;
    uintptr p = sp->base() + objIndex * size;
    markBits mbits = sp->markBitsForIndex(objIndex);
    if (!mbits.isMarked()) {
      // Dead, with at least one record. First: is one a finalizer?
      bool hasFin = false;
      uintptr endOffset = p - sp->base() + size;
      for (special* tmp = siter.s; tmp != nullptr && uintptr(tmp->offset) < endOffset; tmp = tmp->next) {
        if (tmp->kind == _KindSpecialFinalizer) {
          // Keep the object for its finalizer.
          mbits.setMarkedNonAtomic();
          hasFin = true;
          break;
        }
      }
      // Then: queue its finalizers, or free its other records if it has
      // none ([special-order]: the others stay with a revived object).
      while (siter.valid() && uintptr(siter.s->offset) < endOffset) {
        // The byte the record was set on.
        special* special = siter.s;
        uintptr p = sp->base() + uintptr(special->offset);
        if (special->kind == _KindSpecialFinalizer || !hasFin) {
          siter.unlinkAndNext();
          freeSpecial(special, reinterpret_cast<void*>(p), size);
        } else {
          siter.next();
        }
      }
    } else {
      // Live: a reachability probe learns so and leaves; keep the rest.
      if (siter.s->kind == _KindSpecialReachable) {
        special* special = siter.unlinkAndNext();
        reinterpret_cast<specialReachable*>(special)->reachable = true;
        freeSpecial(special, reinterpret_cast<void*>(p), size);
      } else {
        siter.next();
      }
    }
  }
  if (hadSpecials && sp->specials == nullptr) spanHasNoSpecials(sp);

  // Poison what is freed, so that a use of it is reported by ASan (Go does
  // this for its own asan builds too).
  if (asanenabled) {
    markBits mbits = sp->markBitsForBase();
    markBits abits = sp->allocBitsForIndex(0);
    for (uintptr i = 0; i < uintptr(sp->nelems); i++) {
      if (!mbits.isMarked() && (abits.index < uintptr(sp->freeindex) || abits.isMarked())) {
        asanpoison(reinterpret_cast<void*>(sp->base() + i * sp->elemsize), size);
      }
      mbits.advance();
      abits.advance();
    }
  }

  // A marked object that is not allocated is a zombie: something kept a
  // pointer to an object that was freed. Check from freeindex (below it
  // every slot counts as allocated).
  if (sp->freeindex < sp->nelems) {
    uintptr obj = sp->freeindex;
    if (((*sp->gcmarkBits->bytep(obj / 8) & ~*sp->allocBits->bytep(obj / 8)) >> (obj % 8)) != 0) sp->reportZombies();
    for (uintptr i = obj / 8 + 1; i < divRoundUp(uintptr(sp->nelems), 8); i++) {
      if ((*sp->gcmarkBits->bytep(i) & ~*sp->allocBits->bytep(i)) != 0) sp->reportZombies();
    }
  }

  // The marked objects are the live ones.
  uint16 nalloc = uint16(sp->countAlloc());
  uint16 nfreed = uint16(sp->allocCount - nalloc);
  if (nalloc > sp->allocCount) {
    print("runtime: nelems=", sp->nelems, " nalloc=", nalloc, " previous allocCount=", sp->allocCount,
          " nfreed=", nfreed, "\n");
    throw_("sweep increased allocation count");
  }
  sp->allocCount = nalloc;
  sp->freeindex = 0;  // allocation starts over at the span's start
  sp->freeIndexForScan = 0;

  // The mark bits become the allocation bits; fresh mark bits for the
  // next cycle.
  sp->allocBits = sp->gcmarkBits;
  sp->gcmarkBits = newMarkBits(uintptr(sp->nelems));
  sp->refillAllocCache(0);

  if (mSpanState state = sp->state.get(); state != mSpanInUse || atomic::Load(&sp->sweepgen) != sweepgen - 1) {
    print("mspan.sweep: state=", uint32(state), " sweepgen=", atomic::Load(&sp->sweepgen), " mheap.sweepgen=", sweepgen, "\n");
    throw_("mspan.sweep: bad span state after sweep");
  }
  if (uint32 sg = atomic::Load(&sp->sweepgen); sg == sweepgen + 1 || sg == sweepgen + 3) throw_("swept cached span");
  atomic::Store(&sp->sweepgen, sweepgen);

  if (spc.sizeclass() != 0) {
    // A small-object span.
    if (nfreed > 0) {
      // Its freed slots must be zeroed before reuse.
      sp->needzero = 1;
      heapStatsDelta* stats = memstats.heapStats.acquire();
      atomic::Xadd(&stats->smallFreeCount[spc.sizeclass()], uint64(nfreed));
      memstats.heapStats.release();
      gcController.totalFree.Add(uint64(nfreed) * uint64(sp->elemsize));
    }
    if (!preserve) {
      if (nalloc == 0) {
        // Wholly free: back to the heap.
        mheap_.freeSpan(sp);
        return true;
      }
      if (nalloc == sp->nelems) {
        mheap_.central[spc.v].mcentral.fullSwept(sweepgen)->push(sp);
      } else {
        mheap_.central[spc.v].mcentral.partialSwept(sweepgen)->push(sp);
      }
    }
  } else if (!preserve) {
    // A large object's span: free or kept whole.
    if (nfreed != 0) {
      heapStatsDelta* stats = memstats.heapStats.acquire();
      atomic::Xadd(&stats->largeFreeCount, uint64(1));
      atomic::Xadd(&stats->largeFree, uint64(size));
      memstats.heapStats.release();
      gcController.totalFree.Add(uint64(size));
      mheap_.freeSpan(sp);
      return true;
    }
    // Still in use: onto the full swept set.
    mheap_.central[spc.v].mcentral.fullSwept(sweepgen)->push(sp);
  }
  return false;
}

/// reportZombies: print the span's objects and throw: a marked object is
/// free. \gosrc{mgcsweep.go,mspan.reportZombies}
void mspan::reportZombies() {
  printlock();
  print("runtime: marked free object in span ", this, ", elemsize=", elemsize, " freeindex=", freeindex,
        " (bad use of unsafe.Pointer? try -d=checkptr)\n");
  markBits mbits = markBitsForBase();
  markBits abits = allocBitsForIndex(0);
  for (uintptr i = 0; i < uintptr(nelems); i++) {
    uintptr addr = base() + i * elemsize;
    print(hex(addr));
    bool alloc = i < uintptr(freeindex) || abits.isMarked();
    print(alloc ? " alloc" : " free ");
    print(mbits.isMarked() ? " marked  " : " unmarked");
    if (mbits.isMarked() && !alloc) print(" zombie");
    print("\n");
    mbits.advance();
    abits.advance();
  }
  throw_("found pointer to free object");
}

/// deductSweepCredit: before allocating spanBytes of new span, sweep as
/// many pages as allocation has run ahead of the sweep pacing
/// (gcPaceSweeper), less the callerSweepPages the caller swept itself. A
/// no-op when no proportional sweep is paced (sweepPagesPerByte 0): in the
/// port's stop-the-world cycle gcSweep sweeps everything before the world
/// restarts, so that is always the case today.
/// \gosrc{mgcsweep.go,deductSweepCredit}
void deductSweepCredit(uintptr spanBytes, uintptr callerSweepPages) {
  if (mheap_.sweepPagesPerByte == 0) {
    // Proportional sweep is done or off.
    return;
  }

  // (Go traces the start and end of this sweep.)
retry:
  uint64 sweptBasis = mheap_.pagesSweptBasis.Load();
  uint64 live = gcController.heapLive.Load();
  uint64 liveBasis = mheap_.sweepHeapLiveBasis;
  uintptr newHeapLive = spanBytes;
  if (liveBasis < live) {
    // Only when it cannot wrap: gcPaceSweeper may race with this read and
    // leave a basis above heapLive for a moment (Go issue 57523).
    newHeapLive += uintptr(live - liveBasis);
  }
  int64 pagesTarget = int64(mheap_.sweepPagesPerByte.load() * double(newHeapLive)) - int64(callerSweepPages);
  while (pagesTarget > int64(mheap_.pagesSwept.Load() - sweptBasis)) {
    if (sweepone() == ~uintptr(0)) {
      mheap_.sweepPagesPerByte = 0;
      break;
    }
    if (mheap_.pagesSweptBasis.Load() != sweptBasis) {
      // The pacing changed under us: recompute the debt.
      goto retry;
    }
  }
}

/// gcPaceSweeper: pace the proportional sweep for the heap trigger: the
/// pages still unswept must be swept by the time heapLive grows from here
/// to trigger (less a 1 MiB margin). Holds mheap_.lock or the world is
/// stopped. \gosrc{mgcsweep.go,gcPaceSweeper}
void gcPaceSweeper(uint64 trigger) {
  assertWorldStoppedOrLockHeld(&mheap_.lock);

  if (isSweepDone()) {
    mheap_.sweepPagesPerByte = 0;
  } else {
    uint64 heapLiveBasis = gcController.heapLive.Load();
    int64 heapDistance = int64(trigger) - int64(heapLiveBasis);
    // The margin, so that rounding and concurrent sweeping rarely leave
    // pages unswept when the next cycle starts.
    heapDistance -= 1024 * 1024;
    if (heapDistance < int64(_PageSize)) {
      // Not an extreme ratio, even so.
      heapDistance = _PageSize;
    }
    uint64 pagesSwept = mheap_.pagesSwept.Load();
    uint64 pagesInUse = mheap_.pagesInUse.Load();
    int64 sweepDistancePages = int64(pagesInUse) - int64(pagesSwept);
    if (sweepDistancePages <= 0) {
      mheap_.sweepPagesPerByte = 0;
    } else {
      mheap_.sweepPagesPerByte = double(sweepDistancePages) / double(heapDistance);
      mheap_.sweepHeapLiveBasis = heapLiveBasis;
      // The basis last: a sweeper in deductSweepCredit that sees it change
      // recomputes its debt from the fields above.
      mheap_.pagesSweptBasis.Store(pagesSwept);
    }
  }
}

}  // namespace runtime
