// mbitmap.cpp: the spans' allocation and mark bitmaps, mirroring the part of
// mbitmap.go at go1.22.12 that the allocator uses: finding the next free
// object (nextFreeIndex, refillAllocCache), object indices by magic division
// (divideByElemSize, objIndex), mark bits, and findObject, which turns any
// pointer into its heap object. The rest of mbitmap.go (bulk write barriers,
// GC programs) belongs to the collector. The types are in mheap.hpp.
//
// Invariant [alloc-cache]: s.allocCache holds the complement of the 64 bits
// of s.allocBits that start at s.freeindex rounded down to 64, shifted right
// by freeindex % 64; a 1 bit is a free object. Bits past nelems may be set
// and are ignored.
#include <cstring>

#include "internal/sys/intrinsics.hpp"
#include "mgc.hpp"
#include "mheap.hpp"
#include "mwbbuf.hpp"
#include "print.hpp"
#include "proc.hpp"

namespace runtime {

/// addb: the byte n bytes past p. \gosrc{mbitmap.go,addb}
uint8* addb(uint8* p, uintptr n) { return p + n; }

/// subtractb: the byte n bytes before p. \gosrc{mbitmap.go,subtractb}
uint8* subtractb(uint8* p, uintptr n) { return p - n; }

/// add1: the byte after p. \gosrc{mbitmap.go,add1}
uint8* add1(uint8* p) { return p + 1; }

/// subtract1: the byte before p. \gosrc{mbitmap.go,subtract1}
uint8* subtract1(uint8* p) { return p - 1; }

/// allocBitsForIndex: the allocation bit of object allocBitIndex.
/// \gosrc{mbitmap.go,mspan.allocBitsForIndex}
markBits mspan::allocBitsForIndex(uintptr allocBitIndex) {
  auto [bytep, mask] = allocBits->bitp(allocBitIndex);
  return markBits{bytep, mask, allocBitIndex};
}

/// refillAllocCache: load the 8 bytes of allocBits at whichByte into
/// allocCache, inverted, so that a 1 is a free object ([alloc-cache]).
/// \gosrc{mbitmap.go,mspan.refillAllocCache}
void mspan::refillAllocCache(uint16 whichByte) {
  const uint8* bytes = allocBits->bytep(uintptr(whichByte));
  uint64 aCache = 0;
  aCache |= uint64(bytes[0]);
  aCache |= uint64(bytes[1]) << (1 * 8);
  aCache |= uint64(bytes[2]) << (2 * 8);
  aCache |= uint64(bytes[3]) << (3 * 8);
  aCache |= uint64(bytes[4]) << (4 * 8);
  aCache |= uint64(bytes[5]) << (5 * 8);
  aCache |= uint64(bytes[6]) << (6 * 8);
  aCache |= uint64(bytes[7]) << (7 * 8);
  allocCache = ~aCache;
}

/// nextFreeIndex: the index of the first free object at or after
/// freeindex, or nelems if there is none; freeindex moves past it and the
/// cache is refilled as it crosses 64-object boundaries.
/// \gosrc{mbitmap.go,mspan.nextFreeIndex}
uint16 mspan::nextFreeIndex() {
  uint16 sfreeindex = freeindex;
  uint16 snelems = nelems;
  if (sfreeindex == snelems) return sfreeindex;
  if (sfreeindex > snelems) throw_("s.freeindex > s.nelems");

  uint64 aCache = allocCache;

  int bitIndex = sys::TrailingZeros64(aCache);
  while (bitIndex == 64) {
    // Nothing free in the cached bits: on to the next 64.
    sfreeindex = uint16((sfreeindex + 64) & ~(64 - 1));
    if (sfreeindex >= snelems) {
      freeindex = snelems;
      return snelems;
    }
    uint16 whichByte = sfreeindex / 8;
    refillAllocCache(whichByte);
    aCache = allocCache;
    bitIndex = sys::TrailingZeros64(aCache);
  }
  uint16 result = uint16(sfreeindex + uint16(bitIndex));
  if (result >= snelems) {
    freeindex = snelems;
    return snelems;
  }

  // Go shifts by bitIndex+1 even when that is 64 (giving 0); a C++ shift
  // by 64 is undefined (x86 would leave the cache unchanged).
  allocCache = (allocCache >> uint(bitIndex)) >> 1;
  sfreeindex = uint16(result + 1);

  if (sfreeindex % 64 == 0 && sfreeindex != snelems) {
    // Every bit of the cache has been shifted out: load the next 64, which
    // start at the new freeindex.
    uint16 whichByte = sfreeindex / 8;
    refillAllocCache(whichByte);
  }
  freeindex = sfreeindex;
  return result;
}

/// isFree: whether object index is unallocated. The span must be in use.
/// \gosrc{mbitmap.go,mspan.isFree}
bool mspan::isFree(uintptr index) {
  if (index < uintptr(freeIndexForScan)) return false;
  auto [bytep, mask] = allocBits->bitp(index);
  return (*bytep & mask) == 0;
}

/// markBitsForAddr: the mark bit of the object p points into.
/// \gosrc{mbitmap.go,markBitsForAddr}
markBits markBitsForAddr(uintptr p) {
  mspan* s = spanOf(p);
  uintptr objIndex = s->objIndex(p);
  return s->markBitsForIndex(objIndex);
}

/// markBitsForBase: the mark bit of the span's first object.
/// \gosrc{mbitmap.go,mspan.markBitsForBase}
markBits mspan::markBitsForBase() { return markBits{&gcmarkBits->x, uint8(1), 0}; }

// (mspan::markBitsForIndex, markBits::isMarked and markBits::setMarked
// are defined inline in mheap.hpp.)

/// setMarkedNonAtomic. \gosrc{mbitmap.go,markBits.setMarkedNonAtomic}
void markBits::setMarkedNonAtomic() const { *bytep |= mask; }

/// clearMarked: clear the bit, atomically. \gosrc{mbitmap.go,markBits.clearMarked}
void markBits::clearMarked() const { atomic::And8(bytep, uint8(~mask)); }

/// markBitsForSpan: the mark bit of the span at base's first object.
/// \gosrc{mbitmap.go,markBitsForSpan}
markBits markBitsForSpan(uintptr base) {
  markBits mbits = markBitsForAddr(base);
  if (mbits.mask != 1) throw_("markBitsForSpan: unaligned start");
  return mbits;
}

/// advance: on to the next object's bit. \gosrc{mbitmap.go,markBits.advance}
void markBits::advance() {
  if (mask == 1 << 7) {
    bytep = bytep + 1;
    mask = 1;
  } else {
    mask = uint8(mask << 1);
  }
  index++;
}

/// badPointer: report a pointer into a part of the heap that holds no
/// objects, found at *(refBase+refOff) when refBase is not 0, and throw.
/// Something stored an address that is not a live heap object's where the
/// collector reads exact pointers (Go's unsafe or cgo misuse; in the port,
/// a gort::ptr made from a stale raw pointer), or the runtime has a bug.
/// Departure: Go also raises the M's traceback level to 2; the port's
/// traceback level is GOTRACEBACK's. \gosrc{mbitmap.go,badPointer}
[[noreturn]] void badPointer(mspan* s, uintptr p, uintptr refBase, uintptr refOff) {
  printlock();
  print("runtime: pointer ", hex(p));
  if (s != nullptr) {
    mSpanState state = s->state.get();
    if (state != mSpanInUse) {
      print(" to unallocated span");
    } else {
      print(" to unused region of span");
    }
    print(" span.base()=", hex(s->base()), " span.limit=", hex(s->limit), " span.state=", uint8(state));
  }
  print("\n");
  if (refBase != 0) {
    print("runtime: found in object at *(", hex(refBase), "+", hex(refOff), ")\n");
    gcDumpObject("object", refBase, refOff);
  }
  throw_("found bad pointer in Go heap (incorrect use of unsafe or cgo?)");
}

// (findObject is defined in mheap.hpp, with the other lookups the scan
// loops inline.)

/// bulkBarrierBitmap: the barriers of a copy into a global. Departure: Go
/// reads the module's data or bss pointer mask and records the pointer
/// words; the port's globals have no mask (they are scanned conservatively,
/// markrootBlock), so every word is recorded, and wbBufFlush1 keeps only
/// those that point to allocated heap objects. \gosrc{mbitmap.go,bulkBarrierBitmap}
void bulkBarrierBitmap(uintptr dst, uintptr src, uintptr size) {
  wbBuf* buf = &getg()->m->p.ptr()->wbBuf_;
  for (uintptr i = 0; i < size; i += sizeof(uintptr)) {
    if (src == 0) {
      uintptr* p = buf->get1();
      p[0] = *reinterpret_cast<uintptr*>(dst + i);
    } else {
      uintptr* p = buf->get2();
      p[0] = *reinterpret_cast<uintptr*>(dst + i);
      p[1] = *reinterpret_cast<uintptr*>(src + i);
    }
  }
}

/// typeBitsBulkBarrier: the write barriers of a copy of one value of typ
/// from src to dst, found from typ's map alone: for a dst that may be
/// another goroutine's stack (a direct channel send), where no span says
/// what dst holds. \gosrc{mbitmap.go,typeBitsBulkBarrier}
void typeBitsBulkBarrier(const _type* typ, uintptr dst, uintptr src, uintptr size) {
  if (typ == nullptr) throw_("runtime: typeBitsBulkBarrier without type");
  if (typ->size != size) {
    print("runtime: typeBitsBulkBarrier with type of size ", typ->size, " but memory size", size, "\n");
    throw_("runtime: invalid typeBitsBulkBarrier");
  }
  if (!writeBarrier.enabled) return;
  const uint8* ptrmask = typ->GCData;
  wbBuf* buf = &getg()->m->p.ptr()->wbBuf_;
  uint32 bits = 0;
  for (uintptr i = 0; i < typ->PtrBytes; i += sizeof(uintptr)) {
    if ((i & (sizeof(uintptr) * 8 - 1)) == 0) {
      bits = uint32(*ptrmask);
      ptrmask++;
    } else {
      bits >>= 1;
    }
    if ((bits & 1) != 0) {
      uintptr* p = buf->get2();
      p[0] = *reinterpret_cast<uintptr*>(dst + i);
      p[1] = *reinterpret_cast<uintptr*>(src + i);
    }
  }
}

/// countAlloc: the objects marked in the span's mark bitmap.
/// \gosrc{mbitmap.go,mspan.countAlloc}
int mspan::countAlloc() {
  int count = 0;
  uintptr bytes = divRoundUp(uintptr(nelems), 8);
  // 8 bytes at a time: the bitmap is 8-byte aligned (newMarkBits) and the
  // bits past nelems are zero.
  for (uintptr i = 0; i < bytes; i += 8) {
    uint64 mrkBits;
    __builtin_memcpy(&mrkBits, gcmarkBits->bytep(i), 8);
    count += sys::OnesCount64(mrkBits);
  }
  return count;
}

// (readUintptr is inline, in mheap.hpp.)

}  // namespace runtime
