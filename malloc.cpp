// malloc.cpp: the allocator's entry points, mirroring malloc.go at
// go1.22.12: mallocinit (the arena hints), mheap.sysAlloc (reserving
// arenas), mallocgc with its three paths (tiny, small, large), newobject,
// newarray, persistentalloc and linearAlloc. The design, [mallocing] and
// [no-collector] are in malloc.hpp; the layers below in mcache.hpp,
// mcentral.hpp, mheap.hpp.
//
// Locks: mallocgc takes none on its fast paths ([mcache-owner]); the heap
// lock is taken below it, on the system stack. globalAlloc.mutex protects
// globalAlloc's chunk and offset and is taken on g0 only (persistentalloc1
// is SYSTEMSTACK) with nothing else held that persistentalloc could need;
// a P's palloc needs no lock. persistentChunks is pushed with CAS and never
// popped, so readers (inPersistentAlloc) need no lock.
#include "malloc.hpp"

#include <tuple>

#include "asan.hpp"
#include "lockrank_off.hpp"
#include "mcache.hpp"
#include "mem.hpp"
#include "mgc.hpp"
#include "mheap.hpp"
#include "proc.hpp"
#include "race.hpp"
#include "tagptr.hpp"

namespace runtime {

uintptr zerobase;

/// mallocinit: check the sizes the allocator depends on, set up the heap and
/// the bootstrap mcache, and lay out the arena hints. After osinit
/// (physPageSize), before anything allocates. \gosrc{malloc.go,mallocinit}
void mallocinit() {
  if (class_to_size[_TinySizeClass] != _TinySize) throw_("bad TinySizeClass");

  if ((heapArenaBitmapWords & (heapArenaBitmapWords - 1)) != 0) {
    // The heap bitmap's arithmetic is modular.
    throw_("heapArenaBitmapWords not a power of 2");
  }

  // The physical page size (osinit).
  if (physPageSize == 0) {
    // osinit could not learn it.
    throw_("failed to get system page size");
  }
  if (physPageSize > maxPhysPageSize) {
    print("system page size (", physPageSize, ") is larger than maximum page size (", maxPhysPageSize, ")\n");
    throw_("bad system page size");
  }
  if (physPageSize < minPhysPageSize) {
    print("system page size (", physPageSize, ") is smaller than minimum page size (", minPhysPageSize, ")\n");
    throw_("bad system page size");
  }
  if ((physPageSize & (physPageSize - 1)) != 0) {
    print("system page size (", physPageSize, ") must be a power of 2\n");
    throw_("bad system page size");
  }
  if ((physHugePageSize & (physHugePageSize - 1)) != 0) {
    print("system huge page size (", physHugePageSize, ") must be a power of 2\n");
    throw_("bad system huge page size");
  }
  if (physHugePageSize > maxPhysHugePageSize) {
    // Not wrong, merely unsupported: no huge pages then.
    physHugePageSize = 0;
  }
  if (physHugePageSize != 0) {
    // A power of 2: count the shift up to it.
    while ((uintptr(1) << physHugePageShift) != physHugePageSize) physHugePageShift++;
  }
  if (pagesPerArena % pagesPerSpanRoot != 0) {
    print("pagesPerArena (", pagesPerArena, ") is not divisible by pagesPerSpanRoot (", pagesPerSpanRoot, ")\n");
    throw_("bad pagesPerSpanRoot");
  }
  if (pagesPerArena % pagesPerReclaimerChunk != 0) {
    print("pagesPerArena (", pagesPerArena, ") is not divisible by pagesPerReclaimerChunk (",
          pagesPerReclaimerChunk, ")\n");
    throw_("bad pagesPerReclaimerChunk");
  }
  // The malloc header's threshold must be a size-class boundary, so that
  // the check gives the same answer before and after rounding.
  bool minSizeForMallocHeaderIsSizeClass = false;
  for (uintptr i = 0; i < _NumSizeClasses; i++) {
    if (minSizeForMallocHeader == uintptr(class_to_size[i])) {
      minSizeForMallocHeaderIsSizeClass = true;
      break;
    }
  }
  if (!minSizeForMallocHeaderIsSizeClass) throw_("min size of malloc header is not a size class boundary");
  // The pointer bitmap of a headerless object fits in one word.
  if (minSizeForMallocHeader / sizeof(uintptr) > 8 * sizeof(uintptr)) {
    throw_("max pointer/scan bitmap size for headerless objects is too large");
  }

  if (minTagBits > taggedPointerBits) throw_("taggedPointerbits too small");

  // The heap.
  mheap_.init();
  mcache0 = allocmcache();
  // (Go's lockInit calls rank the locks; lock ranking is off: lockrank_off.hpp.)

  // The arena hints. On 64-bit, from the middle of the address space, at
  // 0x00c0<<32, then 0x01c0<<32, and so on up to 0x7fc0<<32: room to grow
  // one contiguous heap, and addresses that are easy to recognise (and,
  // read as bytes, are not valid UTF-8). The hints above 0x3f<<40 go to
  // user arenas, so that those never fragment the heap's range.
  //
  // Departure: under the race detector Go confines the heap to [0x00c0<<32,
  // 0x00e0<<32), which Go's race runtime requires, and gives up ("too many
  // address space collisions") once those hints fail. gort's
  // ThreadSanitizer is the C++ one, whose application memory lies
  // elsewhere; the port uses the ordinary hints, and sysAlloc's fallback
  // (any address the kernel picks) when ThreadSanitizer or AddressSanitizer
  // has taken the hinted addresses for itself.
  for (int i = 0x7f; i >= 0; i--) {
    uintptr p = uintptr(i) << 40 | uintptr(0x00c0) << 32;
    arenaHint** hintList = &mheap_.arenaHints;
    if (i > 0x3f) hintList = &mheap_.userArena.arenaHints;
    arenaHint* hint = static_cast<arenaHint*>(mheap_.arenaHintAlloc.alloc());
    hint->addr = p;
    hint->next = *hintList;
    *hintList = hint;
  }
  // Departure: Go initialises the pacer in gcinit (mgc.go), after
  // mallocinit. Until mgc.cpp lands, mallocinit does it, which also gives
  // the allocator its memory limit (GOMEMLIMIT) before its first use.
  gcController.init(readGOGC(), readGOMEMLIMIT());
}

/// sysAlloc: reserve heap arena space for at least n bytes, a whole number
/// of arenas, heapArenaBytes-aligned, with heapArena metadata for each; the
/// region is Reserved (the caller maps it). Tries each hint in turn, then
/// any address the kernel offers. Registers the arenas in allArenas if
/// register_. {nullptr, 0} on failure. h.lock must be held.
/// \gosrc{malloc.go,mheap.sysAlloc}
mheap::sysAllocResult mheap::sysAlloc(uintptr n, arenaHint** hintList, bool register_) {
  assertLockHeld(&lock);

  void* v = nullptr;
  uintptr size = 0;
  n = alignUp(n, heapArenaBytes);

  if (hintList == &arenaHints) {
    // The heap's pre-reservation first (32-bit only; empty here), whose
    // memory counts as released.
    v = arena.alloc(n, heapArenaBytes, &gcController.heapReleased);
    if (v != nullptr) {
      size = n;
      goto mapped;
    }
  }

  // Grow at a hint.
  while (*hintList != nullptr) {
    arenaHint* hint = *hintList;
    uintptr p = hint->addr;
    if (hint->down) p -= n;
    if (p + n < p) {
      // Wraps around: do not ask.
      v = nullptr;
    } else if (arenaIndex(p + n - 1) >= uint(uintptr(1) << arenaBits)) {
      // Beyond the addressable heap.
      v = nullptr;
    } else {
      v = sysReserve(reinterpret_cast<void*>(p), n);
    }
    if (p == uintptr(v)) {
      // Got it; move the hint past it.
      if (!hint->down) p += n;
      hint->addr = p;
      size = n;
      break;
    }
    // The OS put it elsewhere (or nowhere): drop this hint, try the next.
    if (v != nullptr) sysFreeOS(v, n);
    *hintList = hint->next;
    arenaHintAlloc.free(hint);
  }

  if (size == 0) {
    // (Go's race runtime throws here; see mallocinit's Departure.)

    // Every hint failed: take any suitably aligned address.
    auto [av, asize] = sysReserveAligned(nullptr, n, heapArenaBytes);
    v = av;
    size = asize;
    if (v == nullptr) return {nullptr, 0};

    // New hints to grow this region both ways.
    arenaHint* hint = static_cast<arenaHint*>(arenaHintAlloc.alloc());
    hint->addr = uintptr(v);
    hint->down = true;
    hint->next = mheap_.arenaHints;
    mheap_.arenaHints = hint;
    hint = static_cast<arenaHint*>(arenaHintAlloc.alloc());
    hint->addr = uintptr(v) + size;
    hint->next = mheap_.arenaHints;
    mheap_.arenaHints = hint;
  }

  // Refuse addresses the arena map cannot hold.
  {
    const char* bad = nullptr;
    uintptr p = uintptr(v);
    if (p + size < p) {
      bad = "region exceeds uintptr range";
    } else if (arenaIndex(p) >= uint(uintptr(1) << arenaBits)) {
      bad = "base outside usable address space";
    } else if (arenaIndex(p + size - 1) >= uint(uintptr(1) << arenaBits)) {
      bad = "end outside usable address space";
    }
    if (bad != nullptr) {
      // Should not happen, and would be confusing to debug.
      print("runtime: memory allocated by OS [", hex(p), ", ", hex(p + size), ") not in usable address space: ", bad,
            "\n");
      throw_("memory reservation exceeds address space limit");
    }
  }

  if ((uintptr(v) & (heapArenaBytes - 1)) != 0) throw_("misrounded allocation in sysAlloc");

mapped:
  // The arenas' metadata.
  for (arenaIdx ri = arenaIndex(uintptr(v)); ri <= arenaIndex(uintptr(v) + size - 1); ++ri) {
    auto* l2 = arenas[ri.l1()].load();
    if (l2 == nullptr) {
      // The L2 map, 32 MiB of address space that demand paging keeps
      // cheap. sysAllocOS, not sysAlloc: no statistic could count it
      // honestly, since little of it is ever touched.
      l2 = static_cast<decltype(l2)>(sysAllocOS(sizeof(*l2)));
      if (l2 == nullptr) throw_("out of memory allocating heap arena map");
      if (arenasHugePages) {
        sysHugePage(l2, sizeof(*l2));
      } else {
        sysNoHugePage(l2, sizeof(*l2));
      }
      arenas[ri.l1()] = l2;
    }

    if ((*l2)[ri.l2()].load() != nullptr) throw_("arena already initialized");
    heapArena* r = static_cast<heapArena*>(heapArenaAlloc.alloc(sizeof(heapArena), sizeof(void*), &memstats.gcMiscSys));
    if (r == nullptr) {
      r = static_cast<heapArena*>(persistentalloc(sizeof(heapArena), sizeof(void*), &memstats.gcMiscSys));
      if (r == nullptr) throw_("out of memory allocating heap arena metadata");
    }

    // Register the arena in allArenas.
    if (register_) {
      if (allArenas.len == allArenas.cap) {
        uintptr size_ = 2 * uintptr(allArenas.cap) * sizeof(void*);
        if (size_ == 0) size_ = physPageSize;
        auto* newArray = static_cast<arenaIdx*>(persistentalloc(size_, sizeof(void*), &memstats.gcMiscSys));
        if (newArray == nullptr) throw_("out of memory allocating allArenas");
        notInHeapSlice<arenaIdx> oldSlice = allArenas;
        allArenas = notInHeapSlice<arenaIdx>{newArray, oldSlice.len, int(size_ / sizeof(void*))};
        if (oldSlice.len > 0) memmove(allArenas.array, oldSlice.array, uintptr(oldSlice.len) * sizeof(arenaIdx));
        // The old array is not freed: a reader may still be using it; the
        // doubling bounds the waste by 2x.
      }
      allArenas.len++;
      allArenas[allArenas.len - 1] = ri;
    }

    // Atomically, in case an object of the new arena became visible before
    // the heap lock is released (it should not).
    (*l2)[ri.l2()] = r;
  }

  // (Go tells its race detector about the new heap memory: racemapshadow.)

  return {v, size};
}

/// sysReserveAligned: sysReserve of size bytes aligned to align, by
/// reserving size+align and trimming the ends. Returns the reservation and
/// its size. \gosrc{malloc.go,sysReserveAligned}
std::pair<void*, uintptr> sysReserveAligned(void* v, uintptr size, uintptr align) {
  // A large alignment is unlikely by chance: reserve more and cut. (Go's
  // Windows branch, which cannot cut, retries instead.)
  uintptr p = uintptr(sysReserve(v, size + align));
  if (p == 0) return {nullptr, 0};
  if ((p & (align - 1)) == 0) return {reinterpret_cast<void*>(p), size + align};
  // Trim the unaligned parts.
  uintptr pAligned = alignUp(p, align);
  sysFreeOS(reinterpret_cast<void*>(p), pAligned - p);
  uintptr end = pAligned + size;
  uintptr endLen = (p + size + align) - end;
  if (endLen > 0) sysFreeOS(reinterpret_cast<void*>(end), endLen);
  return {reinterpret_cast<void*>(pAligned), size};
}

/// enableMetadataHugePages: back the heap's metadata (the page bitmaps, the
/// arena L2 maps) with huge pages from now on. Idempotent; takes the heap
/// lock briefly, so it must not be held. \gosrc{malloc.go,mheap.enableMetadataHugePages}
void mheap::enableMetadataHugePages() {
  systemstackcheck();
  // The page allocator's bitmaps.
  pages.enableChunkHugePages();

  // New L2 maps get huge pages once the flag is set; the old ones are
  // advised after the lock is dropped.
  runtime::lock(&lock);
  if (arenasHugePages) {
    runtime::unlock(&lock);
    return;
  }
  arenasHugePages = true;
  runtime::unlock(&lock);

  // The L1 map is small everywhere: walk all of it.
  for (uintptr i = 0; i < (uintptr(1) << arenaL1Bits); i++) {
    auto* l2 = arenas[i].load();
    if (l2 == nullptr) continue;
    sysHugePage(l2, sizeof(*l2));
  }
}

/// nextFree: the next free object of c's span of class spc, refilling the
/// span from the mcentral when it is full (shouldhelpgc then says so). The
/// M is pinned ([mcache-owner]). \gosrc{malloc.go,mcache.nextFree}
std::tuple<gclinkptr, mspan*, bool> mcache::nextFree(spanClass spc) {
  mspan* s = alloc[spc];
  bool shouldhelpgc = false;
  uint16 freeIndex = s->nextFreeIndex();
  if (freeIndex == s->nelems) {
    // The span is full.
    if (s->allocCount != s->nelems) {
      print("runtime: s.allocCount= ", s->allocCount, " s.nelems= ", s->nelems, "\n");
      throw_("s.allocCount != s.nelems && freeIndex == s.nelems");
    }
    refill(spc);
    shouldhelpgc = true;
    s = alloc[spc];

    freeIndex = s->nextFreeIndex();
  }

  if (freeIndex >= s->nelems) throw_("freeIndex is not valid");

  gclinkptr v = gclinkptr(uintptr(freeIndex) * s->elemsize + s->base());
  s->allocCount++;
  if (s->allocCount > s->nelems) {
    print("s.allocCount= ", s->allocCount, " s.nelems= ", s->nelems, "\n");
    throw_("s.allocCount > s.nelems");
  }
  return {v, s, shouldhelpgc};
}

/// mallocgc: size bytes from the garbage-collected heap, zeroed if
/// needzero, for an object of type typ (nullptr, or a type without
/// pointers, is noscan). Three paths: tiny (noscan, under 16 bytes, packed
/// into a shared 16-byte block), small (a slot of the size class's span in
/// this P's mcache), and large (a span of its own).
/// \gosrc{malloc.go,mallocgc}
///
/// An allocation that takes a new span tests the heap trigger and may run
/// a collection (gcStart) before it returns; while a cycle marks, the
/// allocation is charged to the goroutine's assist credit. What is left
/// out, each where it would sit: the heap profiler's sampling
/// (MemProfileRate), and GODEBUG=sbrk and inittrace.
void* mallocgc(uintptr size, const _type* typ, bool needzero) {
  if (gcphase == _GCmarktermination) throw_("mallocgc called with gcphase == _GCmarktermination");

  if (size == 0) return &zerobase;

  // (Go records the lock-rank edge of a malloc that may queue finalizers.)

  uintptr userSize = size;
  if (asanenabled) {
    // Redzones around the object, as ASan's own malloc adds: the extra
    // bytes are poisoned below, so an overflow into them is reported.
    size += computeRZlog(size);
  }

  // (Go's debug.malloc: GODEBUG=sbrk=1 and inittrace, not ported.)

  // While the collector marks, charge the allocation to the goroutine's
  // assist credit; in debt, it assists first.
  g* assistG = deductAssistCredit(size);

  // The M holds m.locks and m.mallocing from here on ([mallocing]).
  m* mp = acquirem();
  if (mp->mallocing != 0) throw_("malloc deadlock");
  if (mp->gsignal == getg()) throw_("malloc during signal");
  mp->mallocing = 1;

  bool shouldhelpgc = false;
  uintptr dataSize = userSize;
  mcache* c = getMCache(mp);
  if (c == nullptr) throw_("mallocgc called without a P or outside bootstrapping");
  mspan* span;
  const _type** header = nullptr;
  void* x;
  bool noscan = typ == nullptr || typ->PtrBytes == 0;
  // A large noscan object may be zeroed after preemption is allowed again.
  bool delayedZeroing = false;
  // Small or large. The window between maxSmallSize-mallocHeaderSize and
  // maxSmallSize counts as large: the largest class holds one object
  // anyway, and this keeps headers out of it.
  if (size <= maxSmallSize - mallocHeaderSize) {
    if (noscan && size < maxTinySize) {
      // The tiny allocator: pointer-free objects under 16 bytes share one
      // 16-byte block, which lives until all of them are unreachable (at
      // worst 2x waste; the best case saves 8x). Its main customers are
      // small strings and escaping scalars.

      uintptr off = c->tinyoffset;
      // Align the object as its size suggests.
      if ((size & 7) == 0) {
        off = alignUp(off, 8);
      } else if ((size & 3) == 0) {
        off = alignUp(off, 4);
      } else if ((size & 1) == 0) {
        off = alignUp(off, 2);
      }
      if (off + size <= maxTinySize && c->tiny != 0) {
        // It fits in the current block.
        x = reinterpret_cast<void*>(c->tiny + off);
        c->tinyoffset = off + size;
        c->tinyAllocs++;
        mp->mallocing = 0;
        releasem(mp);
        return x;
      }
      // A new block.
      span = c->alloc[tinySpanClass];
      gclinkptr v = nextFreeFast(span);
      if (v == 0) std::tie(v, span, shouldhelpgc) = c->nextFree(tinySpanClass);
      x = reinterpret_cast<void*>(uintptr(v));
      // Departure: Go clears the new block whatever its span; the port
      // clears it only if the span may hold old data (span.needzero), as
      // the small path below does. A fresh span is zero from the OS, and
      // writing it would fault in each page as it is handed out (Go's
      // collector recycles warm memory; without one every block is fresh).
      if (span->needzero != 0) {
        static_cast<uint64*>(x)[0] = 0;
        static_cast<uint64*>(x)[1] = 0;
      }
      // Keep whichever block has more room left. (Not under the race
      // detector: see the padding at the end.)
      if (!raceenabled && (size < c->tinyoffset || c->tiny == 0)) {
        c->tiny = uintptr(x);
        c->tinyoffset = size;
      }
      size = maxTinySize;
    } else {
      bool hasHeader = !noscan && !heapBitsInSpan(size);
      if (hasHeader) size += mallocHeaderSize;
      uint8 sizeclass;
      if (size <= smallSizeMax - 8) {
        sizeclass = size_to_class8[divRoundUp(size, smallSizeDiv)];
      } else {
        sizeclass = size_to_class128[divRoundUp(size - smallSizeMax, largeSizeDiv)];
      }
      size = uintptr(class_to_size[sizeclass]);
      spanClass spc = makeSpanClass(sizeclass, noscan);
      span = c->alloc[spc];
      gclinkptr v = nextFreeFast(span);
      if (v == 0) std::tie(v, span, shouldhelpgc) = c->nextFree(spc);
      x = reinterpret_cast<void*>(uintptr(v));
      // A slot the sweeper freed is poisoned: open it before clearing it
      // (the redzone is poisoned again below).
      if (asanenabled) asanunpoison(x, size);
      if (needzero && span->needzero != 0) memclrNoHeapPointers(x, size);
      if (hasHeader) {
        header = static_cast<const _type**>(x);
        x = add(x, mallocHeaderSize);
        size -= mallocHeaderSize;
      }
    }
  } else {
    shouldhelpgc = true;
    // A span of its own. A noscan object may be zeroed after the M is
    // released (it is not visible to anyone yet).
    span = c->allocLarge(size, noscan);
    span->freeindex = 1;
    span->allocCount = 1;
    size = span->elemsize;
    x = reinterpret_cast<void*>(span->base());
    if (asanenabled) asanunpoison(x, size);  // poisoned as the span was allocated
    if (needzero && span->needzero != 0) {
      if (noscan) {
        delayedZeroing = true;
      } else {
        memclrNoHeapPointers(x, size);
      }
    }
    if (!noscan) header = &span->largeType;
  }
  if (!noscan) {
    // The object's pointer map, where the collector will look for it
    // ([typed-heap], mbitmap_allocheaders.cpp), and the scan work it adds.
    c->scanAlloc += heapSetType(uintptr(x), dataSize, typ, header, span);
    // Port only: the mark must not take this object's words for exact
    // pointers (mspan.conservative).
    if (typ->conservative) span->conservative = true;
  }

  // The object's initialisation is visible before any pointer to it.
  publicationBarrier();
  // From here a scan (even a conservative one) may see x as allocated.
  span->freeIndexForScan = span->freeindex;

  // Allocate black while the collector marks: this cycle's sweep must keep
  // x, whatever points to it ([gc-black-alloc], mgc.hpp).
  if (gcphase != _GCoff) gcmarknewobject(span, uintptr(x));

  // (Go tells its race detector about the new object: racemalloc. gort's
  // ThreadSanitizer sees the C++ accesses themselves, and nothing is ever
  // freed and reused yet.)

  if (asanenabled) {
    // Only the requested bytes are addressable: the rest of the slot (the
    // redzone and the size-class padding) is poisoned.
    void* rzBeg = add(x, userSize);
    asanpoison(rzBeg, size - userSize);
    asanunpoison(x, userSize);
  }

  // (Go's heap profiler samples here, every MemProfileRate bytes of
  // span.elemsize: mprof.go, later.)
  mp->mallocing = 0;
  releasem(mp);

  // A large pointer-free object is cleared now, where preemption may happen.
  if (delayedZeroing) {
    if (!noscan) throw_("delayed zeroing on data that may contain pointers");
    if (header != nullptr) throw_("unexpected malloc header in delayed zeroing of large object");
    memclrNoHeapPointersChunked(size, x);
  }

  // (Go: debug.malloc's allocfreetrace and inittrace.)

  // The assist's debt covers the whole slot, its rounding included.
  if (assistG != nullptr) assistG->gcAssistBytes -= int64(size - dataSize);

  // A new span was taken: the heap may have reached the pacer's trigger.
  if (shouldhelpgc) {
    if (gcTrigger t{gcTriggerHeap, 0, 0}; t.test()) {
      gcStart(t);
    }
  }

  if (raceenabled && noscan && dataSize < maxTinySize) {
    // Under the race detector a tiny object sits at the end of its 16-byte
    // block, so that arithmetic past it leaves the block (Go: for checkptr).
    x = add(x, size - dataSize);
  }

  return x;
}

/// deductAssistCredit: while the collector marks, charge size bytes to the
/// goroutine's assist credit, assisting first if that puts it in debt
/// (gcAssistAlloc); returns the goroutine charged, or nullptr when no
/// cycle is marking. \gosrc{malloc.go,deductAssistCredit}
g* deductAssistCredit(uintptr size) {
  g* assistG = nullptr;
  if (atomic::Load(&gcBlackenEnabled) != 0) {
    // Charge the user goroutine, not g0 (the runtime allocates on the
    // system stack on its behalf).
    assistG = getg();
    if (assistG->m->curg != nullptr) assistG = assistG->m->curg;
    // The requested size now; the slot's rounding is added once mallocgc
    // knows it.
    assistG->gcAssistBytes -= int64(size);
    if (assistG->gcAssistBytes < 0) {
      // In debt: mark first. An assist may block, so this comes before
      // mallocgc makes the M non-preemptible.
      gcAssistAlloc(assistG);
    }
  }
  return assistG;
}

/// memclrNoHeapPointersChunked: clear size bytes at x in 256 KiB pieces,
/// yielding between them if the goroutine is asked to.
/// \gosrc{malloc.go,memclrNoHeapPointersChunked}
void memclrNoHeapPointersChunked(uintptr size, void* x) {
  uintptr v = uintptr(x);
  // Measured by Go: 128 KiB is too small, 512 KiB too large.
  constexpr uintptr chunkBytes = 256 * 1024;
  uintptr vsize = v + size;
  for (uintptr voff = v; voff < vsize; voff = voff + chunkBytes) {
    if (getg()->preempt) {
      // (Go: goschedguarded, which yields unless the M holds locks.)
      if (getg()->m->locks == 0) Gosched();
    }
    uintptr n = vsize - voff;
    if (n > chunkBytes) n = chunkBytes;
    memclrNoHeapPointers(reinterpret_cast<void*>(voff), n);
  }
}

/// newobject: `new(T)`: a zeroed object of typ. \gosrc{malloc.go,newobject}
void* newobject(const _type* typ) { return mallocgc(typ->size, typ, true); }

/// newarray: n zeroed objects of typ, in one allocation; a size beyond the
/// heap is a panic. \gosrc{malloc.go,newarray}
void* newarray(const _type* typ, int n) {
  if (n == 1) return mallocgc(typ->size, typ, true);
  uintptr mem;
  bool overflow = __builtin_mul_overflow(typ->size, uintptr(n), &mem);
  if (overflow || mem > maxAlloc || n < 0) panicplain("runtime: allocation size out of range");
  return mallocgc(mem, typ, true);
}

/// globalAlloc: the persistentAlloc of callers without a P, and its lock.
/// \gosrc{malloc.go,globalAlloc}
static struct {
  mutex mutex_;  // Departure: Go embeds the mutex (field named mutex)
  persistentAlloc persistentAlloc_;
} globalAlloc;

/// persistentChunks: every chunk persistentalloc has mapped, linked through
/// each chunk's first word. \gosrc{malloc.go,persistentChunks}
static notInHeap* persistentChunks;

/// persistentalloc: size bytes of zeroed memory, aligned to align (8 if 0),
/// that are never freed, counted in sysStat. On the system stack, because
/// growing a goroutine stack may itself call it. \gosrc{malloc.go,persistentalloc}
void* persistentalloc(uintptr size, uintptr align, sysMemStat* sysStat) {
  notInHeap* p;
  systemstack([&] { p = persistentalloc1(size, align, sysStat); });
  return p;
}

/// persistentalloc1: persistentalloc's body. A block of 64 KiB or more is a
/// sysAlloc of its own; smaller ones are cut from a 256 KiB chunk: the
/// current P's (p.palloc, no lock), or without a P the global one.
/// \gosrc{malloc.go,persistentalloc1}
notInHeap* persistentalloc1(uintptr size, uintptr align, sysMemStat* sysStat) {
  systemstackcheck();
  constexpr uintptr maxBlock = 64 << 10;  // Windows' reservation granularity

  if (size == 0) throw_("persistentalloc: size == 0");
  if (align != 0) {
    if ((align & (align - 1)) != 0) throw_("persistentalloc: align is not a power of 2");
    if (align > _PageSize) throw_("persistentalloc: align is too large");
  } else {
    align = 8;
  }

  if (size >= maxBlock) return static_cast<notInHeap*>(sysAlloc(size, sysStat));

  m* mp = acquirem();
  persistentAlloc* persistent;
  if (mp != nullptr && mp->p) {
    persistent = &mp->p.ptr()->palloc;
  } else {
    lock(&globalAlloc.mutex_);
    persistent = &globalAlloc.persistentAlloc_;
  }
  persistent->off = alignUp(persistent->off, align);
  if (persistent->off + size > persistentChunkSize || persistent->base == nullptr) {
    persistent->base = static_cast<notInHeap*>(sysAlloc(persistentChunkSize, &memstats.other_sys));
    if (persistent->base == nullptr) {
      if (persistent == &globalAlloc.persistentAlloc_) unlock(&globalAlloc.mutex_);
      throw_("runtime: cannot allocate memory");
    }

    // Push the chunk on persistentChunks.
    for (;;) {
      uintptr chunks = uintptr(atomic::Load(&persistentChunks));
      *reinterpret_cast<uintptr*>(persistent->base) = chunks;
      if (atomic::Cas(reinterpret_cast<uintptr*>(&persistentChunks), chunks,
                      uintptr(persistent->base))) {
        break;
      }
    }
    persistent->off = alignUp(sizeof(uintptr), align);
  }
  notInHeap* p = persistent->base->add(persistent->off);
  persistent->off += size;
  releasem(mp);
  if (persistent == &globalAlloc.persistentAlloc_) unlock(&globalAlloc.mutex_);

  if (sysStat != &memstats.other_sys) {
    sysStat->add(int64(size));
    memstats.other_sys.add(-int64(size));
  }
  return p;
}

/// inPersistentAlloc: whether p is in memory persistentalloc handed out
/// from a chunk. NOSPLIT: the write barrier's checks may call it.
/// \gosrc{malloc.go,inPersistentAlloc}
bool inPersistentAlloc(uintptr p) {
  uintptr chunk = atomic::Load(reinterpret_cast<uintptr*>(&persistentChunks));
  while (chunk != 0) {
    if (p >= chunk && p < chunk + persistentChunkSize) return true;
    chunk = *reinterpret_cast<uintptr*>(chunk);
  }
  return false;
}

/// init: a linear allocator over [base, base+size), mapping as it goes if
/// mapMemory. \gosrc{malloc.go,linearAlloc.init}
void linearAlloc::init(uintptr base, uintptr size, bool mapMemory_) {
  if (base + size < base) {
    // Drop the last byte, so the bounds cannot overflow; it stays reserved.
    size -= 1;
  }
  next = base;
  mapped = base;
  end = base + size;
  mapMemory = mapMemory_;
}

/// alloc: size bytes aligned to align, or nullptr when the region is used
/// up; the pages it reaches are mapped (Reserved -> Ready) if mapMemory.
/// \gosrc{malloc.go,linearAlloc.alloc}
void* linearAlloc::alloc(uintptr size, uintptr align, sysMemStat* sysStat) {
  uintptr p = alignUp(next, align);
  if (p + size > end) return nullptr;
  next = p + size;
  if (uintptr pEnd = alignUp(next - 1, physPageSize); pEnd > mapped) {
    if (mapMemory) {
      // Reserved -> Prepared -> Ready.
      uintptr n = pEnd - mapped;
      sysMap(reinterpret_cast<void*>(mapped), n, sysStat);
      sysUsed(reinterpret_cast<void*>(mapped), n, n);
    }
    mapped = pEnd;
  }
  return reinterpret_cast<void*>(p);
}

/// add: the address bytes past p. \gosrc{malloc.go,notInHeap.add}
notInHeap* notInHeap::add(uintptr bytes) {
  return reinterpret_cast<notInHeap*>(reinterpret_cast<uintptr>(this) + bytes);
}

/// computeRZlog: the redzone ASan's allocator would put after an object of
/// userSize bytes (compiler-rt's ComputeRZLog), in bytes.
/// \gosrc{malloc.go,computeRZlog}
uintptr computeRZlog(uintptr userSize) {
  if (userSize <= (64 - 16)) return 16 << 0;
  if (userSize <= (128 - 32)) return 16 << 1;
  if (userSize <= (512 - 64)) return 16 << 2;
  if (userSize <= (4096 - 128)) return 16 << 3;
  if (userSize <= (1 << 14) - 256) return 16 << 4;
  if (userSize <= (1 << 15) - 512) return 16 << 5;
  if (userSize <= (1 << 16) - 1024) return 16 << 6;
  return 16 << 7;
}

}  // namespace runtime
