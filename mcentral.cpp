// mcentral.cpp: the central span lists, mirroring mcentral.go at go1.22.12.
// See mcentral.hpp for the four sets, [central-class] and [central-owner].
//
// uncacheSpan sweeps a span cached before a sweep began (mgcsweep.cpp).
// cacheSpan charges sweep credit (deductSweepCredit) and, while the
// background sweep of a cycle is under way, sweeps spans of its class from
// the unswept sets to find one with a free object.
#include "mheap.hpp"  // which includes mcentral.hpp

#include "mgcsweep.hpp"

#include "asan.hpp"
#include "print.hpp"
#include "proc.hpp"

namespace runtime {

/// init: an empty mcentral for span class spc. \gosrc{mcentral.go,mcentral.init}
void mcentral::init(spanClass spc) { spanclass = spc; }

/// partialUnswept: the unswept spans with free objects, for sweepgen.
/// \gosrc{mcentral.go,mcentral.partialUnswept}
spanSet* mcentral::partialUnswept(uint32 sweepgen) { return &partial[1 - sweepgen / 2 % 2]; }

/// partialSwept: the swept spans with free objects.
/// \gosrc{mcentral.go,mcentral.partialSwept}
spanSet* mcentral::partialSwept(uint32 sweepgen) { return &partial[sweepgen / 2 % 2]; }

/// fullUnswept: the unswept spans without free objects.
/// \gosrc{mcentral.go,mcentral.fullUnswept}
spanSet* mcentral::fullUnswept(uint32 sweepgen) { return &full[1 - sweepgen / 2 % 2]; }

/// fullSwept: the swept spans without free objects.
/// \gosrc{mcentral.go,mcentral.fullSwept}
spanSet* mcentral::fullSwept(uint32 sweepgen) { return &full[sweepgen / 2 % 2]; }

/// cacheSpan: a span with free objects for an mcache: a swept partial one
/// if there is one, else a fresh one from the heap; nullptr if the heap
/// cannot grow. Its allocCache is loaded for its freeindex.
/// \gosrc{mcentral.go,mcentral.cacheSpan}
mspan* mcentral::cacheSpan() {
  // Charge the span's bytes to the sweeper's credit: sweep first if
  // allocation is ahead of sweeping. (Go also traces the sweep here.)
  uintptr spanBytes = uintptr(class_to_allocnpages[spanclass.sizeclass()]) * _PageSize;
  deductSweepCredit(spanBytes, 0);

  mspan* s;
  // Swept spans with free objects first.
  uint32 sg = mheap_.sweepgen;
  if (s = partialSwept(sg)->pop(); s != nullptr) goto havespan;

  // Then sweep unswept spans of this class, up to spanBudget of them, for
  // one with a free object: partial ones first, then full ones (a sweep
  // may free slots in them).
  if (sweepLocker sl = sweep.active.begin(); sl.valid) {
    int spanBudget = 100;
    for (; spanBudget >= 0; spanBudget--) {
      s = partialUnswept(sg)->pop();
      if (s == nullptr) break;
      if (sweepLocked ss{}; sl.tryAcquire(s, &ss)) {
        // Ours: sweep it and use it.
        ss.sweep(true);
        sweep.active.end(sl);
        goto havespan;
      }
      // Another sweeper owns it (it took it before it could pop it): that
      // sweeper puts it on the right list or frees it. Leave it alone.
    }
    for (; spanBudget >= 0; spanBudget--) {
      s = fullUnswept(sg)->pop();
      if (s == nullptr) break;
      if (sweepLocked ss{}; sl.tryAcquire(s, &ss)) {
        ss.sweep(true);
        // Use it if the sweep freed a slot.
        if (uint16 freeIndex = s->nextFreeIndex(); freeIndex != s->nelems) {
          s->freeindex = freeIndex;
          sweep.active.end(sl);
          goto havespan;
        }
        // Still full: onto the swept full set.
        fullSwept(sg)->push(s);
      }
      // (As above: another sweeper's.)
    }
    sweep.active.end(sl);
  }

  // Nothing in the mcentral: a fresh span from the heap.
  s = grow();
  if (s == nullptr) return nullptr;

  // s has free objects.
havespan:
  {
    int n = int(s->nelems) - int(s->allocCount);
    if (n == 0 || s->freeindex == s->nelems || s->allocCount == s->nelems) {
      throw_("span has no free objects");
    }
    uint16 freeByteBase = uint16(s->freeindex & ~(64 - 1));
    uint16 whichByte = freeByteBase / 8;
    // Load the cache from the bitmap, then shift it so that its low bit is
    // freeindex's ([alloc-cache], mbitmap.cpp).
    s->refillAllocCache(whichByte);
    s->allocCache >>= s->freeindex % 64;
  }
  return s;
}

/// uncacheSpan: take back s from an mcache: onto the swept set, partial or
/// full. s is of this class and has objects allocated.
/// \gosrc{mcentral.go,mcentral.uncacheSpan}
void mcentral::uncacheSpan(mspan* s) {
  if (s->allocCount == 0) throw_("uncaching span but s.allocCount == 0");

  uint32 sg = mheap_.sweepgen;
  bool stale = s->sweepgen == sg + 1;

  // Its sweepgen says it is no longer cached.
  if (stale) {
    // Cached since before a sweep began: it needs sweeping, and sweeping
    // puts it on the right list.
    atomic::Store(&s->sweepgen, sg - 1);
  } else {
    atomic::Store(&s->sweepgen, sg);
  }

  if (stale) {
    // Sweep it. Its sweepgen (sg-1, "being swept") already says this
    // caller owns it, as tryAcquire would have; the sweep puts it on the
    // right list, or frees it.
    sweepLocked ss{s};
    ss.sweep(false);
  } else {
    if (int(s->nelems) - int(s->allocCount) > 0) {
      // Room left: back to the partial swept set.
      partialSwept(sg)->push(s);
    } else {
      // Full, and not stale: the full swept set.
      fullSwept(sg)->push(s);
    }
  }
}

/// grow: a fresh span of this class from the heap, set up for allocation:
/// its limit (the end of its last whole object) and its pointer bitmap.
/// \gosrc{mcentral.go,mcentral.grow}
mspan* mcentral::grow() {
  uintptr npages = uintptr(class_to_allocnpages[spanclass.sizeclass()]);
  uintptr size = uintptr(class_to_size[spanclass.sizeclass()]);

  mspan* s = mheap_.alloc(npages, spanclass);
  if (s == nullptr) return nullptr;

  // n = span bytes / size, by multiplication.
  uintptr n = s->divideByElemSize(npages << _PageShift);
  s->limit = s->base() + size * n;
  // Pages the sweeper gave back are poisoned (freeSpan): open the span
  // before its bitmap is cleared; its objects are poisoned again below.
  if (asanenabled) asanunpoison(reinterpret_cast<void*>(s->base()), npages << _PageShift);
  s->initHeapBits(false);
  if (asanenabled) {
    // Departure: Go does not poison a fresh span; the port does, so that a
    // use of an object mallocgc has not handed out is reported. mallocgc
    // unpoisons each object as it hands it out.
    // The objects only: a scan span's pointer bitmap at its tail is not
    // an object's ([heapbits-tail]).
    asanpoison(reinterpret_cast<void*>(s->base()), uintptr(s->nelems) * s->elemsize);
  }
  return s;
}

}  // namespace runtime
