// mbitmap_allocheaders.cpp: where a heap object's pointer map lives, the
// part of mbitmap_allocheaders.go at go1.22.12 that setting up a span needs:
// a small object with pointers (at most minSizeForMallocHeader bytes) has
// its pointer bits in a bitmap at the end of its span (heapBits), which
// initHeapBits clears; a larger one carries a malloc header (its type) in
// front of it, or in span.largeType for a large object. The constants and
// heapBitsInSpan are in mheap.hpp.
//
// Writing the pointer maps at allocation (heapSetType, writeHeapBitsSmall)
// and reading them (typePointers) belong to typed allocation, which comes
// with the collector's pointer maps (tools/fidelity_manifest.tsv).
//
// Invariant [heapbits-tail]: for a span whose class is scan and whose
// elemsize satisfies heapBitsInSpan, the last npages*pageSize/64 bytes of
// the span are its pointer bitmap, never an object (initSpan sizes nelems
// to leave them out).
#include "mheap.hpp"

namespace runtime {

/// initHeapBits: clear the span's pointer bitmap, if it has one
/// ([heapbits-tail]). \gosrc{mbitmap_allocheaders.go,mspan.initHeapBits}
///
/// Departure: Go clears the bitmap of every such span; the port skips a span
/// whose memory is fresh from the OS (needzero == 0, so the bitmap is zero
/// already), since writing it would fault in the span's last page before
/// any object there is used (Go's collector recycles warm spans; without one
/// every span is fresh). forceClear, which Go 1.22 ignores, clears anyway.
void mspan::initHeapBits(bool forceClear) {
  if (!forceClear && needzero == 0) return;
  if ((!spanclass.noscan() && heapBitsInSpan(elemsize)) || isUserArenaChunk) {
    notInHeapSlice<uintptr> b = heapBits();
    for (int i = 0; i < b.len; i++) b[i] = 0;
  }
}

/// heapBits: the span's pointer bitmap, at its tail ([heapbits-tail]).
/// \gosrc{mbitmap_allocheaders.go,mspan.heapBits}
notInHeapSlice<uintptr> mspan::heapBits() {
  // Nearly every such span is one page; the constant folds.
  if (npages == 1) return heapBitsSlice(base(), pageSize);
  return heapBitsSlice(base(), npages * pageSize);
}

/// heapBitsSlice: the bitmap at the end of the span at spanBase.
/// \gosrc{mbitmap_allocheaders.go,heapBitsSlice}
notInHeapSlice<uintptr> heapBitsSlice(uintptr spanBase, uintptr spanSize) {
  uintptr bitmapSize = spanSize / sizeof(uintptr) / 8;
  int elems = int(bitmapSize / sizeof(uintptr));
  return notInHeapSlice<uintptr>{reinterpret_cast<uintptr*>(spanBase + spanSize - bitmapSize), elems, elems};
}

}  // namespace runtime
