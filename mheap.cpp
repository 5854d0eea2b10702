// mheap.cpp: the page heap, mirroring mheap.go at go1.22.12: spans and span
// lists, the arena map lookups (spanOf and friends), mheap's init, span
// allocation (alloc, allocManual, allocSpan, initSpan), heap growth (grow),
// freeing (freeSpan, freeManual), and the span bitmaps' arenas (gcBits).
// The structure, invariants and locking are described in mheap.hpp. The
// sweeper's page reclaimer (reclaim, reclaimChunk), freeOSMemory, and the
// specials: the list per span (addspecial, removespecial), the finalizer
// record (addfinalizer, removefinalizer) and freeSpecial, which hands a dead
// object's finalizer to mfinal.cpp's queue. The profile, reachability and
// pin-count specials come with the profiler, gcTestIsReachable and the
// pinner (tools/fidelity_manifest.tsv).
#include "mheap.hpp"

#include "asan.hpp"
#include "lockrank_off.hpp"
#include "mcache.hpp"
#include "mem.hpp"
#include "mfinal.hpp"
#include "mgc.hpp"
#include "mgcsweep.hpp"
#include "print.hpp"
#include "proc.hpp"

namespace runtime {

mheap mheap_;
gcBitsArenasState gcBitsArenas;

/// set: publish a span's state ([span-publish]). \gosrc{mheap.go,mSpanStateBox.set}
void mSpanStateBox::set(mSpanState st) { s.Store(uint8(st)); }

/// layout: the span's object size, its number of objects, and its size in
/// bytes. \gosrc{mheap.go,mspan.layout}
mspan::layoutResult mspan::layout() {
  layoutResult r{};
  r.total = npages << _PageShift;
  r.size = elemsize;
  if (r.size > 0) r.n = r.total / r.size;
  return r;
}

/// recordspan: spanalloc's first-use hook: every mspan structure ever made
/// goes on h.allspans. The array grows by sysAlloc (by half, at least 64
/// KiB of pointers) and the old one is freed. The heap lock is held.
/// \gosrc{mheap.go,recordspan}
void recordspan(void* vh, void* p) {
  mheap* h = static_cast<mheap*>(vh);
  mspan* s = static_cast<mspan*>(p);

  assertLockHeld(&h->lock);

  if (h->allspans.len >= h->allspans.cap) {
    int n = int(64 * 1024 / sizeof(void*));
    if (n < h->allspans.cap * 3 / 2) n = h->allspans.cap * 3 / 2;
    notInHeapSlice<mspan*> nw{};
    nw.array = static_cast<mspan**>(sysAlloc(uintptr(n) * sizeof(void*), &memstats.other_sys));
    if (nw.array == nullptr) throw_("runtime: cannot allocate memory");
    nw.len = h->allspans.len;
    nw.cap = n;
    if (h->allspans.len > 0) memmove(nw.array, h->allspans.array, uintptr(h->allspans.len) * sizeof(void*));
    notInHeapSlice<mspan*> oldAllspans = h->allspans;
    h->allspans = nw;
    if (oldAllspans.len != 0) {
      sysFree(oldAllspans.array, uintptr(oldAllspans.cap) * sizeof(void*), &memstats.other_sys);
    }
  }
  h->allspans.len++;
  h->allspans[h->allspans.len - 1] = s;
}

/// inheap: whether b points into a heap object (live or dead); false for
/// stacks (manual spans). \gosrc{mheap.go,inheap}
bool inheap(uintptr b) { return spanOfHeap(b) != nullptr; }

/// inHeapOrStack: whether b points into an allocated span of either kind.
/// \gosrc{mheap.go,inHeapOrStack}
bool inHeapOrStack(uintptr b) {
  mspan* s = spanOf(b);
  if (s == nullptr || b < s->base()) return false;
  switch (s->state.get()) {
    case mSpanInUse:
    case mSpanManual:
      return b < s->limit;
    default:
      return false;
  }
}

// (spanOf and spanOfUnchecked are defined inline in mheap.hpp.)

/// spanOfHeap: the in-use heap span whose objects p points into, or
/// nullptr. The state is checked first (an atomic load), which orders the
/// reads of the other fields after the span's initialisation.
/// \gosrc{mheap.go,spanOfHeap}
mspan* spanOfHeap(uintptr p) {
  mspan* s = spanOf(p);
  if (s == nullptr || s->state.get() != mSpanInUse || p < s->base() || p >= s->limit) return nullptr;
  return s;
}

/// init: the fixallocs, the mcentrals and the page allocator.
/// \gosrc{mheap.go,mheap.init}
void mheap::init() {
  spanalloc.init(sizeof(mspan), recordspan, this, &memstats.mspan_sys);
  cachealloc.init(sizeof(struct mcache), nullptr, nullptr, &memstats.mcache_sys);
  specialfinalizeralloc.init(sizeof(specialfinalizer), nullptr, nullptr, &memstats.other_sys);
  specialReachableAlloc.init(sizeof(specialReachable), nullptr, nullptr, &memstats.other_sys);
  arenaHintAlloc.init(sizeof(arenaHint), nullptr, nullptr, &memstats.other_sys);

  // mspans are not zeroed on reuse: a concurrent sweeper may look at a
  // span while it is being reallocated, and relies on its sweepgen
  // surviving ([fix-zero], mfixalloc.hpp). mspan holds no heap pointers.
  spanalloc.zero = false;

  for (uintptr i = 0; i < numSpanClasses; i++) central[i].mcentral.init(spanClass(uint8(i)));

  pages.init(&lock, &memstats.gcMiscSys, false);
}

/// reclaim: sweep until npage pages have gone back to the heap (or the
/// sweep is over), before the caller takes npage new ones. Spans that a
/// sweep frees elsewhere count first (reclaimCredit); then chunks of
/// pagesPerReclaimerChunk pages of the heap are claimed in turn
/// (reclaimIndex) and their unmarked in-use spans swept, which is cheaper
/// than sweeping span by span when most of the heap is garbage. Not with
/// mheap_.lock held. \gosrc{mheap.go,mheap.reclaim}
void mheap::reclaim(uintptr npage) {
  // A quick check first: the index says when every chunk is claimed.
  if (reclaimIndex.Load() >= uint64(1) << 63) return;

  // Not preempted while this sweeper is counted ([sweep-active]).
  m* mp = acquirem();

  notInHeapSlice<arenaIdx> arenas = sweepArenas;
  bool locked = false;
  while (npage > 0) {
    // Credit first: pages freed by other sweeps.
    if (uintptr credit = reclaimCredit.Load(); credit > 0) {
      uintptr take = credit;
      if (take > npage) take = npage;  // leave the rest for others
      if (reclaimCredit.CompareAndSwap(credit, credit - take)) npage -= take;
      continue;
    }

    // Claim a chunk.
    uintptr idx = uintptr(reclaimIndex.Add(pagesPerReclaimerChunk) - pagesPerReclaimerChunk);
    if (idx / pagesPerArena >= uintptr(arenas.len)) {
      // Past the end: nothing left to reclaim this cycle.
      reclaimIndex.Store(uint64(1) << 63);
      break;
    }

    if (!locked) {
      // The spans of the chunk cannot be freed while the lock is held.
      runtime::lock(&this->lock);
      locked = true;
    }

    // Sweep the chunk.
    uintptr nfound = reclaimChunk(arenas, idx, pagesPerReclaimerChunk);
    if (nfound <= npage) {
      npage -= nfound;
    } else {
      // More than needed: the rest is credit for the next caller.
      reclaimCredit.Add(nfound - npage);
      npage = 0;
    }
  }
  if (locked) runtime::unlock(&this->lock);
  releasem(mp);
}

/// reclaimChunk: sweep the unmarked in-use spans that start in the n pages
/// from pageIdx (an index over arenas); the pages freed. mheap_.lock held
/// on entry and on return, released around each sweep.
/// \gosrc{mheap.go,mheap.reclaimChunk}
uintptr mheap::reclaimChunk(notInHeapSlice<arenaIdx> arenas, uintptr pageIdx, uintptr n) {
  assertLockHeld(&this->lock);

  uintptr nFreed = 0;
  sweepLocker sl = sweep.active.begin();
  if (!sl.valid) return 0;
  while (n > 0) {
    arenaIdx ai = arenas[int(pageIdx / pagesPerArena)];
    heapArena* ha = (*this->arenas[ai.l1()].load())[ai.l2()];

    // The bitmaps of this arena from the chunk's first page on, at most n
    // pages of them.
    uintptr arenaPage = pageIdx % pagesPerArena;
    uint8* inUse = &ha->pageInUse[arenaPage / 8];
    uint8* marked = &ha->pageMarks[arenaPage / 8];
    uintptr nbytes = sizeof(ha->pageInUse) - arenaPage / 8;
    if (nbytes > n / 8) nbytes = n / 8;

    for (uintptr i = 0; i < nbytes; i++) {
      // A span in use whose first page has no mark has no marked object:
      // all of it is garbage.
      uint8 inUseUnmarked = atomic::Load(&inUse[i]) & ~marked[i];
      if (inUseUnmarked == 0) continue;

      for (uintptr j = 0; j < 8; j++) {
        if ((inUseUnmarked & (1 << j)) != 0) {
          mspan* s = ha->spans[arenaPage + i * 8 + j].load();
          if (sweepLocked ss{}; sl.tryAcquire(s, &ss)) {
            uintptr npages = s->npages;
            runtime::unlock(&this->lock);
            if (ss.sweep(false)) nFreed += npages;
            runtime::lock(&this->lock);
            // The sweep may have freed spans (pageInUse changed).
            inUseUnmarked = atomic::Load(&inUse[i]) & ~marked[i];
          }
        }
      }
    }

    // The next arena.
    pageIdx += nbytes * 8;
    n -= nbytes * 8;
  }
  sweep.active.end(sl);
  // (Go traces the sweep here.)
  assertLockHeld(&this->lock);
  return nFreed;
}

/// alloc: a heap span of npages pages for spanclass, initialised; nullptr
/// when the OS refuses more memory. span.needzero says whether it must be
/// cleared. \gosrc{mheap.go,mheap.alloc}
mspan* mheap::alloc(uintptr npages, spanClass spanclass) {
  // The heap lock is taken only on the system stack.
  mspan* s;
  systemstack([&] {
    // Sweep at least npages pages back first, while a sweep is under way,
    // so that the heap does not grow for pages the sweep would free.
    if (!isSweepDone()) reclaim(npages);
    s = allocSpan(npages, spanAllocHeap, spanclass);
  });
  return s;
}

/// allocManual: a manually managed span (stacks) of npages pages; nullptr on
/// failure. It counts in its own statistic (inStacks for stacks), not in
/// heapInUse. The memory may need clearing (span.needzero).
/// \gosrc{mheap.go,mheap.allocManual}
mspan* mheap::allocManual(uintptr npages, spanAllocType typ) {
  systemstackcheck();
  if (!manual(typ)) throw_("manual span allocation called with non-manually-managed type");
  mspan* s = allocSpan(npages, typ, 0);
  // Pages the sweeper freed are poisoned (freeSpan); the caller manages
  // this memory itself (stacks poison and unpoison their own).
  if (s != nullptr && asanenabled) asanunpoison(reinterpret_cast<void*>(s->base()), npages << _PageShift);
  return s;
}

/// setSpans: the pages [base, base+npage*pageSize) now belong to s
/// ([spans-map]). \gosrc{mheap.go,mheap.setSpans}
void mheap::setSpans(uintptr base, uintptr npage, mspan* s) {
  uintptr p = base / pageSize;
  arenaIdx ai = arenaIndex(base);
  heapArena* ha = (*arenas[ai.l1()].load())[ai.l2()].load();
  for (uintptr n = 0; n < npage; n++) {
    uintptr i = (p + n) % pagesPerArena;
    if (i == 0) {
      ai = arenaIndex(base + n * pageSize);
      ha = (*arenas[ai.l1()].load())[ai.l2()].load();
    }
    ha->spans[i] = s;
  }
}

/// allocNeedsZero: whether the just-allocated pages [base,
/// base+npage*pageSize) may hold old data, and, either way, raise the
/// arenas' zeroedBase past them ([zeroed-base]). Must be called for every
/// allocation of pages. No lock needed: the CAS loop copes with racing
/// allocations of neighbouring pages. \gosrc{mheap.go,mheap.allocNeedsZero}
bool mheap::allocNeedsZero(uintptr base, uintptr npage) {
  bool needZero = false;
  while (npage > 0) {
    arenaIdx ai = arenaIndex(base);
    heapArena* ha = (*arenas[ai.l1()].load())[ai.l2()].load();

    uintptr zeroedBase = atomic::Load(&ha->zeroedBase);
    uintptr arenaBase_ = base % heapArenaBytes;
    if (arenaBase_ < zeroedBase) {
      // The pages start below the zeroed part: they have been used.
      needZero = true;
    }
    // (arenaBase_ > zeroedBase is possible while an allocation just below
    // this one is still raising zeroedBase; these pages are still zero.)

    // Raise zeroedBase to the end of the pages in this arena.
    uintptr arenaLimit = arenaBase_ + npage * pageSize;
    if (arenaLimit > heapArenaBytes) arenaLimit = heapArenaBytes;
    while (arenaLimit > zeroedBase) {
      if (atomic::Cas(&ha->zeroedBase, zeroedBase, arenaLimit)) break;
      zeroedBase = atomic::Load(&ha->zeroedBase);
      // A zeroedBase now inside these pages means someone else allocated
      // them too.
      if (zeroedBase <= arenaLimit && zeroedBase > arenaBase_) {
        throw_("potentially overlapping in-use allocations detected");
      }
    }

    // On to the next arena, if the pages go on.
    base += arenaLimit - arenaBase_;
    npage -= (arenaLimit - arenaBase_) / pageSize;
  }
  return needZero;
}

/// tryAllocMSpan: an mspan from this P's cache, without the heap lock, or
/// nullptr. On the system stack, so the P cannot change.
/// \gosrc{mheap.go,mheap.tryAllocMSpan}
mspan* mheap::tryAllocMSpan() {
  systemstackcheck();
  p* pp = getg()->m->p.ptr();
  if (pp == nullptr || pp->mspancache.len == 0) return nullptr;
  mspan* s = pp->mspancache.buf[pp->mspancache.len - 1];
  pp->mspancache.len--;
  return s;
}

/// allocMSpanLocked: an mspan, from this P's cache (refilled to half from
/// spanalloc when empty) or, without a P, from spanalloc. The heap lock is
/// held. \gosrc{mheap.go,mheap.allocMSpanLocked}
mspan* mheap::allocMSpanLocked() {
  systemstackcheck();
  assertLockHeld(&lock);

  p* pp = getg()->m->p.ptr();
  if (pp == nullptr) return static_cast<mspan*>(spanalloc.alloc());
  if (pp->mspancache.len == 0) {
    constexpr int refillCount = int(sizeof(pp->mspancache.buf) / sizeof(pp->mspancache.buf[0])) / 2;
    for (int i = 0; i < refillCount; i++) pp->mspancache.buf[i] = static_cast<mspan*>(spanalloc.alloc());
    pp->mspancache.len = refillCount;
  }
  mspan* s = pp->mspancache.buf[pp->mspancache.len - 1];
  pp->mspancache.len--;
  return s;
}

/// freeMSpanLocked: s goes back to this P's mspan cache, or to spanalloc.
/// The heap lock is held. \gosrc{mheap.go,mheap.freeMSpanLocked}
void mheap::freeMSpanLocked(mspan* s) {
  systemstackcheck();
  assertLockHeld(&lock);

  p* pp = getg()->m->p.ptr();
  constexpr int capacity = int(sizeof(pp->mspancache.buf) / sizeof(pp->mspancache.buf[0]));
  if (pp != nullptr && pp->mspancache.len < capacity) {
    pp->mspancache.buf[pp->mspancache.len] = s;
    pp->mspancache.len++;
    return;
  }
  spanalloc.free(s);
}

/// allocSpan: a span of npages pages, initialised for typ (and, for the
/// heap, spanclass), with its bytes counted; nullptr if the heap cannot
/// grow. Small requests are served from this P's page cache and mspan cache
/// with no lock at all; otherwise under the heap lock, growing the heap if
/// the page allocator has no room. Must not be called with the heap lock
/// held. \gosrc{mheap.go,mheap.allocSpan}
mspan* mheap::allocSpan(uintptr npages, spanAllocType typ, spanClass spanclass) {
  systemstackcheck();
  g* gp = getg();
  uintptr base = 0, scav = 0;
  uintptr growth = 0;
  mspan* s = nullptr;
  uintptr bytesToScavenge;
  bool forceScavenge;
  uintptr nbytes;
  heapStatsDelta* stats;

  // Stacks need physical-page alignment on a few systems only.
  bool needPhysPageAlign = physPageAlignedStacks && typ == spanAllocStack && pageSize < physPageSize;

  // Small enough for the page cache (which cannot align)?
  p* pp = gp->m->p.ptr();
  if (!needPhysPageAlign && pp != nullptr && npages < pageCachePages / 4) {
    pageCache* c = &pp->pcache;

    // Refill an empty cache.
    if (c->empty()) {
      runtime::lock(&lock);
      *c = pages.allocToCache();
      runtime::unlock(&lock);
    }

    auto [b, sc] = c->alloc(npages);
    base = b;
    scav = sc;
    if (base != 0) {
      s = tryAllocMSpan();
      if (s != nullptr) goto HaveSpan;
      // Pages but no mspan: the lock is needed for one.
    }
  }

  // The rest needs the heap lock.
  runtime::lock(&lock);

  if (needPhysPageAlign) {
    // Find room for an extra physical page, then take the aligned part. The
    // edges cannot be freed afterwards (their scavenged state would be
    // lost), so only the aligned range is allocated; searchAddr is left
    // stale, which costs time, not correctness.
    uintptr extraPages = physPageSize / pageSize;
    base = pages.find(npages + extraPages).addr;
    if (base == 0) {
      auto [g_, ok] = grow(npages + extraPages);
      growth = g_;
      if (!ok) {
        runtime::unlock(&lock);
        return nullptr;
      }
      base = pages.find(npages + extraPages).addr;
      if (base == 0) throw_("grew heap, but no adequate free space found");
    }
    base = alignUp(base, physPageSize);
    scav = pages.allocRange(base, npages);
  }

  if (base == 0) {
    // The page allocator, growing the heap if it has no room.
    auto [b, sc] = pages.alloc(npages);
    base = b;
    scav = sc;
    if (base == 0) {
      auto [g_, ok] = grow(npages);
      growth = g_;
      if (!ok) {
        runtime::unlock(&lock);
        return nullptr;
      }
      auto [b2, sc2] = pages.alloc(npages);
      base = b2;
      scav = sc2;
      if (base == 0) throw_("grew heap, but no adequate free space found");
    }
  }
  if (s == nullptr) {
    // No mspan from the P's cache: take one now, under the lock.
    s = allocMSpanLocked();
  }
  runtime::unlock(&lock);

HaveSpan:
  // Scavenge in response to this allocation if the memory limit or the
  // heap's growth calls for it: the largest amount any rule asks for. Done
  // now, before sysUsed of scavenged pages commits more memory.
  bytesToScavenge = 0;
  forceScavenge = false;
  // The memory-limit rule is skipped while the GC CPU limiter limits: the
  // limit is then being given up for CPU, and scavenging would cost more.
  if (int64 limit = gcController.memoryLimit.Load(); !gcCPULimiter.limiting()) {
    // Keep under the memory limit by what this span will page in.
    uint64 inuse = gcController.mappedReady.Load();
    if (uint64(scav) + inuse > uint64(limit)) {
      bytesToScavenge = uintptr(uint64(scav) + inuse - uint64(limit));
      forceScavenge = true;
    }
  }
  if (uint64 goal = scavenge.gcPercentGoal.Load(); goal != ~uint64(0) && growth > 0) {
    // The heap just grew: release what is least likely to be reused, down
    // to the goal the pacer set (none before the first GC cycle).
    if (uint64 retained = heapRetained(); retained + uint64(growth) > goal) {
      uintptr todo = growth;
      if (uintptr overage = uintptr(retained + uint64(growth) - goal); todo > overage) todo = overage;
      if (todo > bytesToScavenge) bytesToScavenge = todo;
    }
  }
  // Without a P (rare), skip it: someone else will do it.
  if (pp != nullptr && bytesToScavenge > 0) {
    // The time is the GC CPU limiter's as an assist's is (a mark worker
    // here has an event in flight already, and start says so).
    int64 start = nanotime();
    bool track = pp->limiterEvent.start(limiterEventScavengeAssist, start);
    // Stop early if the limiter turns on meanwhile.
    uintptr released = pages.scavenge(bytesToScavenge, [] { return gcCPULimiter.limiting(); }, forceScavenge);
    mheap_.pages.scav.releasedEager.Add(released);
    int64 now = nanotime();
    if (track) pp->limiterEvent.stop(limiterEventScavengeAssist, now);
    scavenge.assistTime.Add(now - start);
  }

  // Initialise the span.
  initSpan(s, typ, spanclass, base, npages);

  // Commit whatever part of the span was scavenged, and account for it.
  nbytes = npages * pageSize;
  if (scav != 0) {
    // Some of the span's pages were scavenged: make the whole range ready.
    sysUsed(reinterpret_cast<void*>(base), nbytes, scav);
    gcController.heapReleased.add(-int64(scav));
  }
  gcController.heapFree.add(-int64(nbytes - scav));
  if (typ == spanAllocHeap) gcController.heapInUse.add(int64(nbytes));
  // The consistent statistics.
  stats = memstats.heapStats.acquire();
  atomic::Xadd(&stats->committed, int64(scav));
  atomic::Xadd(&stats->released, -int64(scav));
  switch (typ) {
    case spanAllocHeap:
      atomic::Xadd(&stats->inHeap, int64(nbytes));
      break;
    case spanAllocStack:
      atomic::Xadd(&stats->inStacks, int64(nbytes));
      break;
    case spanAllocPtrScalarBits:
      atomic::Xadd(&stats->inPtrScalarBits, int64(nbytes));
      break;
    case spanAllocWorkBuf:
      atomic::Xadd(&stats->inWorkBufs, int64(nbytes));
      break;
  }
  memstats.heapStats.release();

  // (Go's pageTraceAlloc is a no-op without GOEXPERIMENT=pagetrace.)
  return s;
}

/// initSpan: set up the blank span s for [base, base+npages*pageSize) and
/// publish it in the arena map ([span-publish], [spans-map]). The heap lock
/// is not held. \gosrc{mheap.go,mheap.initSpan}
void mheap::initSpan(mspan* s, spanAllocType typ, spanClass spanclass, uintptr base, uintptr npages) {
  s->init(base, npages);
  if (allocNeedsZero(base, npages)) s->needzero = 1;
  uintptr nbytes = npages * pageSize;
  if (manual(typ)) {
    s->manualFreeList = 0;
    s->nelems = 0;
    s->limit = s->base() + s->npages * pageSize;
    s->state.set(mSpanManual);
  } else {
    // The span's fields are set before it is published anywhere, as the
    // heap lock is not held.
    s->spanclass = spanclass;
    if (int8 sizeclass = spanclass.sizeclass(); sizeclass == 0) {
      s->elemsize = nbytes;
      s->nelems = 1;
      s->divMul = 0;
    } else {
      s->elemsize = uintptr(class_to_size[sizeclass]);
      if (!s->spanclass.noscan() && heapBitsInSpan(s->elemsize)) {
        // The pointer bitmap of a small scan span takes the span's tail.
        s->nelems = uint16((nbytes - (nbytes / sizeof(uintptr) / 8)) / s->elemsize);
      } else {
        s->nelems = uint16(nbytes / s->elemsize);
      }
      s->divMul = class_to_divmagic[sizeclass];
    }

    // The allocation and mark bitmaps, all free.
    s->freeindex = 0;
    s->freeIndexForScan = 0;
    s->allocCache = ~uint64(0);  // all ones: every object free
    s->gcmarkBits = newMarkBits(uintptr(s->nelems));
    s->allocBits = newAllocBits(uintptr(s->nelems));

    // h.sweepgen changes only with the world stopped, which the system
    // stack excludes.
    atomic::Store(&s->sweepgen, sweepgen);

    // The state last: it publishes the other fields ([span-publish]).
    s->state.set(mSpanInUse);
  }

  // The span's pages name it in the arena map. Only this thread touches
  // these entries until pointers into the span are published.
  setSpans(s->base(), npages, s);

  if (!manual(typ)) {
    // The span is complete: make it visible to the page sweeper.
    auto [arena, pageIdx, pageMask] = pageIndexOf(s->base());
    atomic::Or8(&arena->pageInUse[pageIdx], pageMask);

    pagesInUse.Add(npages);
  }

  // The span is observable before any pointer into it is.
  publicationBarrier();
}

/// grow: add at least npage pages to the page allocator, a whole chunk
/// (4 MiB) at a time, from the current arena reservation or a new one
/// (sysAlloc). Returns the bytes added, or false if the OS refuses: then
/// Go's "out of memory" line is printed and the caller throws. The heap lock
/// is held. \gosrc{mheap.go,mheap.grow}
mheap::growResult mheap::grow(uintptr npage) {
  assertLockHeld(&lock);

  // Whole chunks: each sysMap below is of a few MiB at least.
  uintptr ask = alignUp(npage, pallocChunkPages) * pageSize;

  uintptr totalGrowth = 0;
  // (end may overflow: ask can be huge and has nothing to do with base.)
  uintptr end = curArena.base + ask;
  uintptr nBase = alignUp(end, physPageSize);
  if (nBase > curArena.end || /* overflow */ end < curArena.base) {
    // The current arena is too small: reserve more, perhaps elsewhere, so
    // the whole ask must fit in the new space.
    auto [av, asize] = sysAlloc(ask, &arenaHints, true);
    if (av == nullptr) {
      uint64 inUse = gcController.heapFree.load() + gcController.heapReleased.load() + gcController.heapInUse.load();
      print("runtime: out of memory: cannot allocate ", ask, "-byte block (", inUse, " in use)\n");
      return {0, false};
    }

    if (uintptr(av) == curArena.end) {
      // Contiguous with the current arena: extend it.
      curArena.end = uintptr(av) + asize;
    } else {
      // A new place (rare): hand what is left of the current arena to the
      // page allocator, Reserved -> Prepared and counted as released, then
      // switch.
      if (uintptr size = curArena.end - curArena.base; size != 0) {
        sysMap(reinterpret_cast<void*>(curArena.base), size, &gcController.heapReleased);
        heapStatsDelta* stats = memstats.heapStats.acquire();
        atomic::Xadd(&stats->released, int64(size));
        memstats.heapStats.release();
        pages.grow(curArena.base, size);
        totalGrowth += size;
      }
      curArena.base = uintptr(av);
      curArena.end = uintptr(av) + asize;
    }

    // No overflow now: the new space holds ask bytes from its base.
    nBase = alignUp(curArena.base + ask, physPageSize);
  }

  // Take the ask from the current arena.
  uintptr v = curArena.base;
  curArena.base = nBase;

  // Reserved -> Prepared. The arena is aligned far beyond a physical page,
  // so all of it can be counted as released.
  sysMap(reinterpret_cast<void*>(v), nBase - v, &gcController.heapReleased);

  // Released and idle, though no span holds it yet.
  heapStatsDelta* stats = memstats.heapStats.acquire();
  atomic::Xadd(&stats->released, int64(nBase - v));
  memstats.heapStats.release();

  // Free (and scavenged) in the page allocator.
  pages.grow(v, nBase - v);
  totalGrowth += nBase - v;
  return {totalGrowth, true};
}

/// freeSpan: give a heap span's pages back. Only the sweeper does (none
/// yet). Under ASan the whole span is poisoned: nothing in it is live.
/// \gosrc{mheap.go,mheap.freeSpan}
void mheap::freeSpan(mspan* s) {
  systemstack([&] {
    // (Go's pageTraceFree is a no-op without GOEXPERIMENT=pagetrace.)
    runtime::lock(&lock);
    if (asanenabled) {
      // No object of the span is live any more.
      asanpoison(reinterpret_cast<void*>(s->base()), s->npages << _PageShift);
    }
    freeSpanLocked(s, spanAllocHeap);
    runtime::unlock(&lock);
  });
}

/// freeManual: give back a manually managed span from allocManual, with
/// the type it was allocated as. The span is marked as needing zeroing.
/// \gosrc{mheap.go,mheap.freeManual}
void mheap::freeManual(mspan* s, spanAllocType typ) {
  systemstackcheck();
  s->needzero = 1;
  runtime::lock(&lock);
  freeSpanLocked(s, typ);
  runtime::unlock(&lock);
}

/// freeSpanLocked: return s's pages to the page allocator and its mspan to
/// the cache, with the accounting of allocSpan undone. The heap lock is
/// held. \gosrc{mheap.go,mheap.freeSpanLocked}
void mheap::freeSpanLocked(mspan* s, spanAllocType typ) {
  assertLockHeld(&lock);

  switch (s->state.get()) {
    case mSpanManual:
      if (s->allocCount != 0) throw_("mheap.freeSpanLocked - invalid stack free");
      break;
    case mSpanInUse: {
      if (s->isUserArenaChunk) throw_("mheap.freeSpanLocked - invalid free of user arena chunk");
      // s.sweepgen is read atomically: a sweeper that lost the race to
      // claim s (tryAcquire's failed CAS, which ThreadSanitizer counts as a
      // write) may still be touching the word; Go reads it plainly.
      if (s->allocCount != 0 || atomic::Load(&s->sweepgen) != sweepgen) {
        print("mheap.freeSpanLocked - span ", s, " ptr ", hex(s->base()), " allocCount ", s->allocCount,
              " sweepgen ", atomic::Load(&s->sweepgen), "/", sweepgen, "\n");
        throw_("mheap.freeSpanLocked - invalid free");
      }
      pagesInUse.Add(-s->npages);

      // Clear the span's in-use bit.
      auto [arena, pageIdx, pageMask] = pageIndexOf(s->base());
      atomic::And8(&arena->pageInUse[pageIdx], uint8(~pageMask));
      break;
    }
    default:
      throw_("mheap.freeSpanLocked - invalid span state");
  }

  // The statistics, as allocSpan's in reverse.
  uintptr nbytes = s->npages * pageSize;
  gcController.heapFree.add(int64(nbytes));
  if (typ == spanAllocHeap) gcController.heapInUse.add(-int64(nbytes));
  heapStatsDelta* stats = memstats.heapStats.acquire();
  switch (typ) {
    case spanAllocHeap:
      atomic::Xadd(&stats->inHeap, -int64(nbytes));
      break;
    case spanAllocStack:
      atomic::Xadd(&stats->inStacks, -int64(nbytes));
      break;
    case spanAllocPtrScalarBits:
      atomic::Xadd(&stats->inPtrScalarBits, -int64(nbytes));
      break;
    case spanAllocWorkBuf:
      atomic::Xadd(&stats->inWorkBufs, -int64(nbytes));
      break;
  }
  memstats.heapStats.release();

  // The pages are free again.
  pages.free(s->base(), s->npages);

  // And the mspan structure is no longer needed.
  s->state.set(mSpanDead);
  freeMSpanLocked(s);
}

/// scavengeAll: release every free page to the OS, under the heap lock.
/// \gosrc{mheap.go,mheap.scavengeAll}
void mheap::scavengeAll() {
  systemstackcheck();
  // No malloc or panic while the page allocator is being walked: this is
  // an entry to the heap that does not come through mallocgc.
  g* gp = getg();
  gp->m->mallocing++;

  uintptr released = pages.scavenge(~uintptr(0), nullptr, true);

  gp->m->mallocing--;

  if (debug.scavtrace > 0) printScavTrace(0, released, true);
}

/// runtime_debug_freeOSMemory: runtime/debug.FreeOSMemory: collect, then
/// release every free page (debug/stubs.hpp declares the other end).
/// \gosrc{mheap.go,runtime_debug_freeOSMemory}
void runtime_debug_freeOSMemory() LINKNAME("runtime..z2fdebug.freeOSMemory");
void runtime_debug_freeOSMemory() {
  GC();
  systemstack([] { mheap_.scavengeAll(); });
}

/// init: a span of npages pages at base, in no list, dead. The mspan is not
/// zeroed first ([fix-zero]): every field that matters is set here.
/// \gosrc{mheap.go,mspan.init}
void mspan::init(uintptr base_, uintptr npages_) {
  next = nullptr;
  prev = nullptr;
  list = nullptr;
  startAddr = base_;
  npages = npages_;
  allocCount = 0;
  spanclass = 0;
  elemsize = 0;
  speciallock.key = 0;
  specials = nullptr;
  needzero = 0;
  conservative = false;
  freeindex = 0;
  freeIndexForScan = 0;
  allocBits = nullptr;
  gcmarkBits = nullptr;
  pinnerBits = nullptr;
  state.set(mSpanDead);
}

/// inList: whether the span is on a list. \gosrc{mheap.go,mspan.inList}
bool mspan::inList() { return list != nullptr; }

/// init: an empty list. \gosrc{mheap.go,mSpanList.init}
void mSpanList::init() {
  first = nullptr;
  last = nullptr;
}

/// remove: take span off this list, which must hold it.
/// \gosrc{mheap.go,mSpanList.remove}
void mSpanList::remove(mspan* span) {
  if (span->list != this) {
    print("runtime: failed mSpanList.remove span.npages=", span->npages, " span=", span, " prev=", span->prev,
          " span.list=", span->list, " list=", this, "\n");
    throw_("mSpanList.remove");
  }
  if (first == span) {
    first = span->next;
  } else {
    span->prev->next = span->next;
  }
  if (last == span) {
    last = span->prev;
  } else {
    span->next->prev = span->prev;
  }
  span->next = nullptr;
  span->prev = nullptr;
  span->list = nullptr;
}

/// isEmpty. \gosrc{mheap.go,mSpanList.isEmpty}
bool mSpanList::isEmpty() { return first == nullptr; }

/// insert: span at the front. \gosrc{mheap.go,mSpanList.insert}
void mSpanList::insert(mspan* span) {
  if (span->next != nullptr || span->prev != nullptr || span->list != nullptr) {
    print("runtime: failed mSpanList.insert ", span, " ", span->next, " ", span->prev, " ", span->list, "\n");
    throw_("mSpanList.insert");
  }
  span->next = first;
  if (first != nullptr) {
    // Not empty: the old first comes after span; last stays.
    first->prev = span;
  } else {
    // Empty: span is last too.
    last = span;
  }
  first = span;
  span->list = this;
}

/// insertBack: span at the back. \gosrc{mheap.go,mSpanList.insertBack}
void mSpanList::insertBack(mspan* span) {
  if (span->next != nullptr || span->prev != nullptr || span->list != nullptr) {
    print("runtime: failed mSpanList.insertBack ", span, " ", span->next, " ", span->prev, " ", span->list, "\n");
    throw_("mSpanList.insertBack");
  }
  span->prev = last;
  if (last != nullptr) {
    last->next = span;
  } else {
    first = span;
  }
  last = span;
  span->list = this;
}

/// takeAll: move every span of other to the front of this list.
/// \gosrc{mheap.go,mSpanList.takeAll}
void mSpanList::takeAll(mSpanList* other) {
  if (other->isEmpty()) return;

  // They all belong to this list now.
  for (mspan* s = other->first; s != nullptr; s = s->next) s->list = this;

  // Join the lists, other's first.
  if (isEmpty()) {
    first = other->first;
    last = other->last;
  } else {
    other->last->next = first;
    first->prev = other->last;
    first = other->first;
  }

  other->first = nullptr;
  other->last = nullptr;
}

// --- Specials -----------------------------------------------------------------

/// spanHasSpecials: set the span's bit in its arena's pageSpecials, so that
/// markrootSpans visits it ([specials-sorted]). \gosrc{mheap.go,spanHasSpecials}
void spanHasSpecials(mspan* s) {
  auto [ha, pageIdx, pageMask] = pageIndexOf(s->base());
  atomic::Or8(&ha->pageSpecials[pageIdx], pageMask);
}

/// spanHasNoSpecials: clear the span's bit in pageSpecials.
/// \gosrc{mheap.go,spanHasNoSpecials}
void spanHasNoSpecials(mspan* s) {
  auto [ha, pageIdx, pageMask] = pageIndexOf(s->base());
  atomic::And8(&ha->pageSpecials[pageIdx], uint8(~pageMask));
}

/// addspecial: put the record s (its kind filled in) into the specials list
/// of p's span at p's offset. False, and s untouched, if a record of that
/// kind is there already. \gosrc{mheap.go,addspecial}
bool addspecial(void* p, special* s) {
  mspan* span = spanOfHeap(uintptr(p));
  if (span == nullptr) throw_("addspecial on invalid pointer");

  // The sweeper reads and edits the list without speciallock (it owns the
  // span): sweep the span first, so that no sweep of it is under way.
  m* mp = acquirem();
  span->ensureSwept();

  uintptr offset = uintptr(p) - span->base();
  byte kind = s->kind;

  lock(&span->speciallock);

  auto [iter, exists] = span->specialFindSplicePoint(offset, kind);
  if (!exists) {
    // Link it in at its sorted place ([specials-sorted]).
    s->offset = uint16(offset);
    s->next = *iter;
    *iter = s;
    spanHasSpecials(span);
  }

  unlock(&span->speciallock);
  releasem(mp);
  return !exists;
}

/// removespecial: unlink and return p's record of the given kind (nullptr
/// if it has none); the caller frees it to its fixalloc.
/// \gosrc{mheap.go,removespecial}
special* removespecial(void* p, uint8 kind) {
  mspan* span = spanOfHeap(uintptr(p));
  if (span == nullptr) throw_("removespecial on invalid pointer");

  // As in addspecial: no sweep of the span may be running.
  m* mp = acquirem();
  span->ensureSwept();

  uintptr offset = uintptr(p) - span->base();

  special* result = nullptr;
  lock(&span->speciallock);

  auto [iter, exists] = span->specialFindSplicePoint(offset, kind);
  if (exists) {
    special* s = *iter;
    *iter = s->next;
    result = s;
  }
  if (span->specials == nullptr) spanHasNoSpecials(span);
  unlock(&span->speciallock);
  releasem(mp);
  return result;
}

/// specialFindSplicePoint: the link (the list head or a record's next)
/// where a record of (offset, kind) belongs in the sorted list, and
/// whether the record there is exactly that one.
/// \gosrc{mheap.go,mspan.specialFindSplicePoint}
mspan::splicePoint mspan::specialFindSplicePoint(uintptr offset, byte kind) {
  special** iter = &specials;
  bool found = false;
  for (;;) {
    special* s = *iter;
    if (s == nullptr) break;
    if (offset == uintptr(s->offset) && kind == s->kind) {
      found = true;
      break;
    }
    if (offset < uintptr(s->offset) || (offset == uintptr(s->offset) && kind < s->kind)) break;
    iter = &s->next;
  }
  return {iter, found};
}

/// addfinalizer: attach the finalizer f to the object p; false if p has
/// one already. During a mark, it keeps markrootSpans' promise itself (the
/// span's root job may have run): what p reaches, and f, are marked.
/// \gosrc{mheap.go,addfinalizer}
bool addfinalizer(void* p, funcval* f, uintptr nret, const _type* fint, const ptrtype* ot) {
  lock(&mheap_.speciallock);
  auto* s = static_cast<specialfinalizer*>(mheap_.specialfinalizeralloc.alloc());
  unlock(&mheap_.speciallock);
  s->special.kind = _KindSpecialFinalizer;
  s->fn = f;
  s->nret = nret;
  s->fint = fint;
  s->ot = ot;
  if (addspecial(p, &s->special)) {
    // The mark is running: what the object reaches must be marked now, or
    // it could be freed before the finalizer runs.
    if (gcphase != _GCoff) {
      foundObject fo = findObject(uintptr(p), 0, 0);
      m* mp = acquirem();
      gcWork* gcw = &mp->p.ptr()->gcw;
      // What the object reaches stays for the finalizer...
      if (!fo.s->spanclass.noscan()) scanobject(fo.base, gcw);
      // ...and so does the closure, which only the record names.
      scanblock(uintptr(&s->fn), sizeof(uintptr), &oneptrmask[0], gcw);
      releasem(mp);
    }
    return true;
  }

  // p had a finalizer: give the record back.
  lock(&mheap_.speciallock);
  mheap_.specialfinalizeralloc.free(s);
  unlock(&mheap_.speciallock);
  return false;
}

/// removefinalizer: detach p's finalizer, if it has one.
/// \gosrc{mheap.go,removefinalizer}
void removefinalizer(void* p) {
  auto* s = reinterpret_cast<specialfinalizer*>(removespecial(p, _KindSpecialFinalizer));
  if (s == nullptr) return;  // none to remove
  lock(&mheap_.speciallock);
  mheap_.specialfinalizeralloc.free(s);
  unlock(&mheap_.speciallock);
}

/// newSpecialsIter: an iterator at the head of span's list.
/// \gosrc{mheap.go,newSpecialsIter}
specialsIter newSpecialsIter(mspan* span) { return specialsIter{&span->specials, span->specials}; }

/// valid: whether the iterator is at a record. \gosrc{mheap.go,specialsIter.valid}
bool specialsIter::valid() const { return s != nullptr; }

/// next: move to the following record. \gosrc{mheap.go,specialsIter.next}
void specialsIter::next() {
  pprev = &s->next;
  s = *pprev;
}

/// unlinkAndNext: take the current record out of the list, move to the
/// following one, and return the record taken.
/// \gosrc{mheap.go,specialsIter.unlinkAndNext}
special* specialsIter::unlinkAndNext() {
  special* cur = s;
  s = cur->next;
  *pprev = s;
  return cur;
}

/// freeSpecial: act on an unlinked record of an object being freed, then
/// free the record: for a finalizer, queue it to run on p; a reachability
/// probe is marked done and left to its creator. Departure: the profile
/// and pin-counter kinds do not exist yet, so they are "bad special kind"
/// here.
/// \gosrc{mheap.go,freeSpecial}
void freeSpecial(special* s, void* p, uintptr size) {
  (void)size;  // the profile record's argument (mProf_Free)
  switch (s->kind) {
    case _KindSpecialFinalizer: {
      auto* sf = reinterpret_cast<specialfinalizer*>(s);
      queuefinalizer(p, sf->fn, sf->nret, sf->fint, sf->ot);
      lock(&mheap_.speciallock);
      mheap_.specialfinalizeralloc.free(sf);
      unlock(&mheap_.speciallock);
      break;
    }
    case _KindSpecialReachable: {
      auto* sp = reinterpret_cast<specialReachable*>(s);
      // The creator (gcTestIsReachable) frees it.
      sp->done = true;
      break;
    }
    default:
      throw_("bad special kind");
  }
}

/// ptr: the gclink p points to. \gosrc{mcache.go,gclinkptr.ptr}
gclink* gclinkptr::ptr() const { return reinterpret_cast<gclink*>(v); }

// (gcBits::bytep and gcBits::bitp are defined inline in mheap.hpp.)

/// tryAlloc: bytes of bitmap from this arena, or nullptr if it is (nearly)
/// full. Safe from several threads at once (an atomic add claims the room).
/// \gosrc{mheap.go,gcBitsArena.tryAlloc}
///
/// Departure: Go calls it on a nil arena too (no arena yet) and gets nil;
/// a C++ member function cannot be called on nullptr, so newMarkBits checks
/// for nil before calling.
gcBits* gcBitsArena::tryAlloc(uintptr bytes) {
  if (atomic::Load(&free) + bytes > uintptr(sizeof(bits))) return nullptr;
  // Claim the room.
  uintptr end = atomic::Xadd(&free, bytes);
  if (end > uintptr(sizeof(bits))) return nullptr;
  // It fit.
  uintptr start = end - bytes;
  return &bits[start];
}

/// newMarkBits: a zeroed, 8-byte aligned bitmap for nelems objects, cut from
/// gcBitsArenas.next, which gets a fresh arena when it is full.
/// \gosrc{mheap.go,newMarkBits}
gcBits* newMarkBits(uintptr nelems) {
  uintptr blocksNeeded = (nelems + 63) / 64;
  uintptr bytesNeeded = blocksNeeded * 8;

  // First the current head, without the lock.
  gcBitsArena* head = atomic::Load(&gcBitsArenas.next);
  if (gcBits* p = head != nullptr ? head->tryAlloc(bytesNeeded) : nullptr; p != nullptr) return p;

  // The head is full: a new arena may be needed. Under the lock the head
  // cannot change (its free offset still can), so try it once more.
  lock(&gcBitsArenas.lock);
  if (gcBits* p = gcBitsArenas.next != nullptr ? gcBitsArenas.next->tryAlloc(bytesNeeded) : nullptr;
      p != nullptr) {
    unlock(&gcBitsArenas.lock);
    return p;
  }

  // A new arena; the lock may be dropped meanwhile.
  gcBitsArena* fresh = newArenaMayUnlock();
  // If it was, another thread may have installed a fresh head already.
  if (gcBits* p = gcBitsArenas.next != nullptr ? gcBitsArenas.next->tryAlloc(bytesNeeded) : nullptr;
      p != nullptr) {
    // Keep the fresh arena for later.
    fresh->next = gcBitsArenas.free;
    gcBitsArenas.free = fresh;
    unlock(&gcBitsArenas.lock);
    return p;
  }

  // Not linked in yet, so no one else can take from it: this must fit.
  gcBits* p = fresh->tryAlloc(bytesNeeded);
  if (p == nullptr) throw_("markBits overflow");

  // The fresh arena becomes the head of next.
  fresh->next = gcBitsArenas.next;
  atomic::Store(&gcBitsArenas.next, fresh);

  unlock(&gcBitsArenas.lock);
  return p;
}

/// newAllocBits: the allocation bitmap of a new span (later allocation
/// bitmaps are the mark bitmaps of the cycle before, swapped in by the
/// sweeper). \gosrc{mheap.go,newAllocBits}
gcBits* newAllocBits(uintptr nelems) { return newMarkBits(nelems); }

/// nextMarkBitArenaEpoch: a new mark has begun: the arenas of two cycles
/// ago (previous) can be reused, the current ones become previous, and the
/// mark bits allocated during the last sweep (next) become current.
/// \gosrc{mheap.go,nextMarkBitArenaEpoch}
void nextMarkBitArenaEpoch() {
  lock(&gcBitsArenas.lock);
  if (gcBitsArenas.previous != nullptr) {
    if (gcBitsArenas.free == nullptr) {
      gcBitsArenas.free = gcBitsArenas.previous;
    } else {
      // Append the free list after the last of previous.
      gcBitsArena* last = gcBitsArenas.previous;
      while (last->next != nullptr) last = last->next;
      last->next = gcBitsArenas.free;
      gcBitsArenas.free = gcBitsArenas.previous;
    }
  }
  gcBitsArenas.previous = gcBitsArenas.current;
  gcBitsArenas.current = gcBitsArenas.next;
  atomic::Store(&gcBitsArenas.next, static_cast<gcBitsArena*>(nullptr));  // newMarkBits makes a new one
  unlock(&gcBitsArenas.lock);
}

/// newArenaMayUnlock: a zeroed bitmap arena, from the free list or the OS
/// (for which gcBitsArenas.lock is dropped and retaken).
/// \gosrc{mheap.go,newArenaMayUnlock}
gcBitsArena* newArenaMayUnlock() {
  gcBitsArena* result;
  if (gcBitsArenas.free == nullptr) {
    unlock(&gcBitsArenas.lock);
    result = static_cast<gcBitsArena*>(sysAlloc(gcBitsChunkBytes, &memstats.gcMiscSys));
    if (result == nullptr) throw_("runtime: cannot allocate memory");
    lock(&gcBitsArenas.lock);
  } else {
    result = gcBitsArenas.free;
    gcBitsArenas.free = gcBitsArenas.free->next;
    memclrNoHeapPointers(result, gcBitsChunkBytes);
  }
  result->next = nullptr;
  // Start the bits 8-byte aligned.
  if (offsetof(gcBitsArena, bits) % 8 == 0) {
    result->free = 0;
  } else {
    result->free = 8 - (uintptr(&result->bits[0]) & 7);
  }
  return result;
}

}  // namespace runtime
