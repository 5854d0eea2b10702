// mcache.cpp: the per-P allocation cache, mirroring mcache.go at go1.22.12.
// See mcache.hpp for [mcache-owner], [mcache-empty], [mcache-cached] and
// [tiny]. The cache feeds the pacer's heapLive (gcController.update) and
// pays sweep credit (deductSweepCredit); what is left out is noted where it
// would sit: the heap profiler's sampling (nextSample).
#include "mcache.hpp"

#include "asan.hpp"
#include "mgcpacer.hpp"
#include "mgcsweep.hpp"
#include "print.hpp"
#include "proc.hpp"

namespace runtime {

mspan emptymspan;
mcache* mcache0;


/// allocmcache: a new mcache from cachealloc, every slot on emptymspan.
/// \gosrc{mcache.go,allocmcache}
mcache* allocmcache() {
  mcache* c;
  systemstack([&] {
    lock(&mheap_.lock);
    c = static_cast<mcache*>(mheap_.cachealloc.alloc());
    c->flushGen.Store(mheap_.sweepgen);
    unlock(&mheap_.lock);
  });
  for (uintptr i = 0; i < numSpanClasses; i++) c->alloc[i] = &emptymspan;
  // Go sets nextSample = nextSample() for the heap profiler (mprof.go),
  // which comes later; with MemProfileRate 0 in effect, no sample is due.
  c->nextSample = 0;
  return c;
}

/// freemcache: give c's spans back and free it (a P is being destroyed).
/// \gosrc{mcache.go,freemcache}
void freemcache(mcache* c) {
  systemstack([&] {
    c->releaseAll();
    stackcache_clear(c);

    lock(&mheap_.lock);
    mheap_.cachealloc.free(c);
    unlock(&mheap_.lock);
  });
}

/// refill: replace c's full span of class spc with one that has a free
/// object, from the class's mcentral, counting the objects the old span
/// handed out. Runs with the M pinned ([mcache-owner]).
/// \gosrc{mcache.go,mcache.refill}
void mcache::refill(spanClass spc) {
  // Give the current span back to the central lists.
  mspan* s = alloc[spc];

  if (s->allocCount != s->nelems) throw_("refill of span with free space remaining");
  if (s != &emptymspan) {
    // It is no longer cached.
    if (s->sweepgen != mheap_.sweepgen + 3) throw_("bad sweepgen in refill");
    mheap_.central[spc].mcentral.uncacheSpan(s);

    // Count the slots it handed out since it was cached.
    heapStatsDelta* stats = memstats.heapStats.acquire();
    int64 slotsUsed = int64(s->allocCount) - int64(s->allocCountBeforeCache);
    atomic::Xadd(&stats->smallAllocCount[spc.sizeclass()], slotsUsed);

    // And the tiny allocations, with the tiny class's span.
    if (spc == tinySpanClass) {
      atomic::Xadd(&stats->tinyAllocCount, int64(tinyAllocs));
      tinyAllocs = 0;
    }
    memstats.heapStats.release();

    // The inconsistent, internal count.
    int64 bytesAllocated = slotsUsed * int64(s->elemsize);
    gcController.totalAlloc.Add(bytesAllocated);

    // For safety.
    s->allocCountBeforeCache = 0;
  }

  // A span with room from the central lists.
  s = mheap_.central[spc].mcentral.cacheSpan();
  if (s == nullptr) throw_("out of memory");

  if (s->allocCount == s->nelems) throw_("span has no free space");

  // Cached now: the sweeper must leave it alone ([mcache-cached]). Atomic:
  // the reclaimer reads a span's sweepgen without owning it (tryAcquire).
  atomic::Store(&s->sweepgen, mheap_.sweepgen + 3);

  // Remember allocCount, to count what this cache allocates from it.
  s->allocCountBeforeCache = s->allocCount;

  // Tell the pacer the whole span is in use: heapLive overestimates by its
  // free slots until releaseAll takes them back out (or a sweep recomputes
  // heapLive). Flush scanAlloc with it.
  uintptr usedBytes = uintptr(s->allocCount) * s->elemsize;
  gcController.update(int64(s->npages * pageSize) - int64(usedBytes), int64(scanAlloc));
  scanAlloc = 0;

  alloc[spc] = s;
}

/// allocLarge: a span of its own for a large object of size bytes, counted
/// and put on its class's full swept set (where the sweeper will find it).
/// \gosrc{mcache.go,mcache.allocLarge}
mspan* mcache::allocLarge(uintptr size, bool noscan) {
  if (size + _PageSize < size) throw_("out of memory");
  uintptr npages = size >> _PageShift;
  if ((size & _PageMask) != 0) npages++;

  // Pay for the pages with sweeping, before taking them.
  deductSweepCredit(npages * _PageSize, npages);

  spanClass spc = makeSpanClass(0, noscan);
  mspan* s = mheap_.alloc(npages, spc);
  if (s == nullptr) throw_("out of memory");

  // The consistent, external counts.
  heapStatsDelta* stats = memstats.heapStats.acquire();
  atomic::Xadd(&stats->largeAlloc, int64(npages * pageSize));
  atomic::Xadd(&stats->largeAllocCount, 1);
  memstats.heapStats.release();

  // The inconsistent, internal count.
  gcController.totalAlloc.Add(npages * pageSize);

  // The whole span is live.
  gcController.update(int64(s->npages * pageSize), 0);

  // On the full swept set, where the background sweeper sees it.
  mheap_.central[spc].mcentral.fullSwept(mheap_.sweepgen)->push(s);
  s->limit = s->base() + size;
  s->initHeapBits(false);
  if (asanenabled) {
    // Departure: as mcentral.grow, the port poisons the fresh span; mallocgc
    // unpoisons the object.
    asanpoison(reinterpret_cast<void*>(s->base()), s->npages << _PageShift);
  }
  return s;
}

/// releaseAll: give every cached span back to its mcentral and drop the
/// tiny block, flushing the counts. \gosrc{mcache.go,mcache.releaseAll}
void mcache::releaseAll() {
  // Flush scanAlloc while at it.
  int64 scanAlloc_ = int64(scanAlloc);
  scanAlloc = 0;

  uint32 sg = mheap_.sweepgen;
  int64 dHeapLive = 0;
  for (uintptr i = 0; i < numSpanClasses; i++) {
    mspan* s = alloc[i];
    if (s != &emptymspan) {
      int64 slotsUsed = int64(s->allocCount) - int64(s->allocCountBeforeCache);
      s->allocCountBeforeCache = 0;

      // What it handed out since it was cached.
      heapStatsDelta* stats = memstats.heapStats.acquire();
      atomic::Xadd(&stats->smallAllocCount[spanClass(uint8(i)).sizeclass()], slotsUsed);
      memstats.heapStats.release();

      // The internal count.
      gcController.totalAlloc.Add(slotsUsed * int64(s->elemsize));

      if (s->sweepgen != sg + 1) {
        // refill counted the span's free slots in heapLive: take them back
        // out. Not for a span cached before this sweep began (sweepgen+1):
        // heapLive was recomputed by the mark since then.
        dHeapLive -= int64(uintptr(s->nelems) - uintptr(s->allocCount)) * int64(s->elemsize);
      }

      // Back to the mcentral.
      mheap_.central[i].mcentral.uncacheSpan(s);
      alloc[i] = &emptymspan;
    }
  }
  // No tiny block any more.
  tiny = 0;
  tinyoffset = 0;

  // The tiny allocations.
  heapStatsDelta* stats = memstats.heapStats.acquire();
  atomic::Xadd(&stats->tinyAllocCount, int64(tinyAllocs));
  tinyAllocs = 0;
  memstats.heapStats.release();

  // heapLive and heapScan.
  gcController.update(dHeapLive, scanAlloc_);
}

/// prepareForSweep: flush c if a sweep phase has begun since it was last
/// flushed; called before a P allocates (acquirep). With no collector the
/// sweep generation never moves, so it returns at once.
/// \gosrc{mcache.go,mcache.prepareForSweep}
void mcache::prepareForSweep() {
  // Allocation could instead go on with the old spans, allocating black,
  // behind a ragged barrier; that would carry mark bits into the next cycle.
  uint32 sg = mheap_.sweepgen;
  uint32 flushGen_ = flushGen.Load();
  if (flushGen_ == sg) {
    return;
  } else if (flushGen_ != sg - 2) {
    print("bad flushGen ", flushGen_, " in prepareForSweep; sweepgen ", sg, "\n");
    throw_("bad flushGen");
  }
  releaseAll();
  // Departure: Go's callers (acquirep) run on the system stack; the port's
  // may not, so the switch is explicit (systemstack on g0 just calls).
  systemstack([this] { stackcache_clear(this); });
  flushGen.Store(mheap_.sweepgen);  // synchronises with gcStart
}

}  // namespace runtime
