// mbitmap_allocheaders.cpp: where a heap object's pointer map lives, and
// how it is written and read, mirroring mbitmap_allocheaders.go at
// go1.22.12 (the allocation-headers layout, go1.22's default):
//   - a small object with pointers (at most minSizeForMallocHeader bytes)
//     has its pointer bits in a bitmap at the end of its span (heapBits),
//     one bit per word, written at allocation by writeHeapBitsSmall;
//   - a larger small object carries a malloc header, its type, in its
//     first word, in front of the memory mallocgc returns;
//   - a large object's type is its span's largeType;
// heapSetType does whichever applies, and typePointers reads the result
// back: the words of an object that hold pointers, which is what the
// collector's scan will walk. The constants and heapBitsInSpan are in
// mheap.hpp; the maps themselves come from type.hpp (typeOf<T>'s GCData).
//
// Invariant [heapbits-tail]: for a span whose class is scan and whose
// elemsize satisfies heapBitsInSpan, the last npages*pageSize/64 bytes of
// the span are its pointer bitmap, never an object (initSpan sizes nelems
// to leave them out).
//
// Invariant [typed-heap]: every object of a scan span has its map recorded
// by heapSetType before mallocgc returns it: its bits in the span's bitmap,
// its header, or its span's largeType. A noscan span has none.
#include <cstring>

#include "mgc.hpp"
#include "mheap.hpp"
#include "mwbbuf.hpp"
#include "proc.hpp"
#include "print.hpp"

namespace runtime {

/// storeHeader: write a small object's malloc header; see loadHeader
/// (mheap.hpp) for why through an asm operand.
static inline void storeHeader(const _type** header, const _type* t) {
  asm volatile("movq %1, %0" : "=m"(*header) : "r"(t) : "memory");
}

/// typePointersOf: an iterator over the pointers in [addr, addr+size),
/// which lies within one object of span. \gosrc{mbitmap_allocheaders.go,mspan.typePointersOf}
typePointers mspan::typePointersOf(uintptr addr, uintptr size) {
  uintptr base = objBase(addr);
  typePointers tp = typePointersOfUnchecked(base);
  if (base == addr && size == elemsize) return tp;
  return tp.fastForward(addr - tp.addr, addr + size);
}

/// typePointersOfType: an iterator over the pointers of values of typ
/// laid end to end from addr, which is in span; typ may be the element
/// type of an array allocation. \gosrc{mbitmap_allocheaders.go,mspan.typePointersOfType}
typePointers mspan::typePointersOfType(const _type* typ, uintptr addr) {
  constexpr bool doubleCheck = false;
  if (doubleCheck && (typ == nullptr || (typ->Kind_ & kindGCProg) != 0)) {
    throw_("bad type passed to typePointersOfType");
  }
  if (spanclass.noscan()) return typePointers{};
  // GCData is always a bitmap in the port (type.hpp).
  const uint8* gcdata = typ->GCData;
  return typePointers{addr, addr, readUintptr(gcdata), typ};
}

// (typePointers::nextFast and next, and mspan::typePointersOfUnchecked, are
// defined in mheap.hpp, so that scanobject's loop inlines them.)

/// fastForward: the iterator moved n bytes on from tp.addr, with limit as
/// its new end; n need not be a multiple of the type's size.
/// \gosrc{mbitmap_allocheaders.go,typePointers.fastForward}
typePointers typePointers::fastForward(uintptr n, uintptr limit) const {
  typePointers tp = *this;
  uintptr target = tp.addr + n;
  if (target >= limit) return typePointers{};
  if (tp.typ == nullptr) {
    // The span's bits for the whole object are in the mask: clear those
    // below target and at or past limit.
    tp.mask &= ~lowMask((target - tp.addr) / sizeof(uintptr));
    if (tp.addr + sizeof(uintptr) * ptrBits > limit) {
      uintptr bits = (tp.addr + sizeof(uintptr) * ptrBits - limit) / sizeof(uintptr);
      tp.mask &= ~(lowMask(bits) << (ptrBits - bits));
    }
    return tp;
  }

  // Skip whole elements, then whole mask-sized chunks of one.
  if (n >= tp.typ->size) {
    uintptr oldelem = tp.elem;
    tp.elem += (tp.addr - tp.elem + n) / tp.typ->size * tp.typ->size;
    tp.addr = tp.elem + alignDown(n - (tp.elem - oldelem), ptrBits * sizeof(uintptr));
  } else {
    tp.addr += alignDown(n, ptrBits * sizeof(uintptr));
  }

  if (tp.addr - tp.elem >= tp.typ->PtrBytes) {
    // Past this element's pointers: the next element's start.
    tp.elem += tp.typ->size;
    tp.addr = tp.elem;
    tp.mask = readUintptr(tp.typ->GCData);
    if (tp.addr >= limit) return typePointers{};
  } else {
    // The chunk target is in: its bits from target on.
    tp.mask = readUintptr(addb(const_cast<uint8*>(tp.typ->GCData), (tp.addr - tp.elem) / sizeof(uintptr) / 8));
    tp.mask &= ~lowMask((target - tp.addr) / sizeof(uintptr));
  }
  if (tp.addr + sizeof(uintptr) * ptrBits > limit) {
    uintptr bits = (tp.addr + sizeof(uintptr) * ptrBits - limit) / sizeof(uintptr);
    tp.mask &= ~(lowMask(bits) << (ptrBits - bits));
  }
  return tp;
}

/// objBase: the base of the object in span that addr points into.
/// \gosrc{mbitmap_allocheaders.go,mspan.objBase}
uintptr mspan::objBase(uintptr addr) { return base() + objIndex(addr) * elemsize; }

/// bulkBarrierPreWrite: the write barriers of a copy of size bytes from src
/// to dst (src 0: dst is being cleared), to run before the copy: for every
/// pointer word of dst, its old value and the value that will replace it
/// are recorded. dst in the heap is walked by typ's map (or, with typ
/// nullptr, by the object's own), a global word by word; elsewhere (a
/// stack) nothing is needed. \gosrc{mbitmap_allocheaders.go,bulkBarrierPreWrite}
void bulkBarrierPreWrite(uintptr dst, uintptr src, uintptr size, const _type* typ) {
  if (((dst | src | size) & (sizeof(uintptr) - 1)) != 0) throw_("bulkBarrierPreWrite: unaligned arguments");
  if (!writeBarrier.enabled) return;
  mspan* s = spanOf(dst);
  if (s == nullptr) {
    // A global: data or bss.
    rootRange d = dataRoots(), b = bssRoots();
    if ((d.lo <= dst && dst < d.hi) || (b.lo <= dst && dst < b.hi)) {
      bulkBarrierBitmap(dst, src, size);
    }
    return;
  } else if (s->state.get() != mSpanInUse || dst < s->base() || s->limit <= dst) {
    // Heap memory once, not now: a stack (the caller's own, or another
    // goroutine's for a direct channel send). No barriers.
    return;
  }
  wbBuf* buf = &getg()->m->p.ptr()->wbBuf_;
  typePointers tp = typ != nullptr ? s->typePointersOfType(typ, dst) : s->typePointersOf(dst, size);
  for (;;) {
    auto r = tp.next(dst + size);
    tp = r.tp;
    if (r.addr == 0) break;
    uintptr* dstx = reinterpret_cast<uintptr*>(r.addr);
    if (src == 0) {
      uintptr* p = buf->get1();
      p[0] = *dstx;
    } else {
      uintptr* srcx = reinterpret_cast<uintptr*>(src + (r.addr - dst));
      uintptr* p = buf->get2();
      p[0] = *dstx;
      p[1] = *srcx;
    }
  }
}

/// bulkBarrierPreWriteSrcOnly: as bulkBarrierPreWrite, for a dst known to
/// hold no pointers yet (fresh memory): only the values copied in are
/// recorded. \gosrc{mbitmap_allocheaders.go,bulkBarrierPreWriteSrcOnly}
void bulkBarrierPreWriteSrcOnly(uintptr dst, uintptr src, uintptr size, const _type* typ) {
  if (((dst | src | size) & (sizeof(uintptr) - 1)) != 0) throw_("bulkBarrierPreWrite: unaligned arguments");
  if (!writeBarrier.enabled) return;
  wbBuf* buf = &getg()->m->p.ptr()->wbBuf_;
  mspan* s = spanOf(dst);
  typePointers tp = typ != nullptr ? s->typePointersOfType(typ, dst) : s->typePointersOf(dst, size);
  for (;;) {
    auto r = tp.next(dst + size);
    tp = r.tp;
    if (r.addr == 0) break;
    uintptr* srcx = reinterpret_cast<uintptr*>(src + (r.addr - dst));
    uintptr* p = buf->get1();
    p[0] = *srcx;
  }
}

/// initHeapBits: clear the span's pointer bitmap, if it has one
/// ([heapbits-tail]). Even a span fresh from the OS, whose bitmap is zero
/// already: the first allocation's writeHeapBitsSmall reads the bitmap
/// word before it writes it, and on a page never touched that read maps
/// the kernel's zero page, so the write takes a second fault. Clearing
/// takes the page with one (a port that skipped the clear counted 24 000
/// extra faults in binary-trees at depth 20). \gosrc{mbitmap_allocheaders.go,mspan.initHeapBits}
void mspan::initHeapBits(bool forceClear) {
  (void)forceClear;  // as in Go 1.22: cleared either way
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

namespace runtime {

/// heapBitsSmallForAddr: the pointer bits of the headerless object at addr,
/// read from the span's bitmap (they may straddle two of its words).
/// \gosrc{mbitmap_allocheaders.go,mspan.heapBitsSmallForAddr}
uintptr mspan::heapBitsSmallForAddr(uintptr addr) {
  uintptr spanSize = npages * pageSize;
  uintptr bitmapSize = spanSize / sizeof(uintptr) / 8;
  uint8* hbits = reinterpret_cast<uint8*>(base() + spanSize - bitmapSize);

  // The object's first bit is bit j of bitmap word i; it has elemsize/8
  // bits, at most ptrBits.
  uintptr i = (addr - base()) / sizeof(uintptr) / ptrBits;
  uintptr j = (addr - base()) / sizeof(uintptr) % ptrBits;
  uintptr bits = elemsize / sizeof(uintptr);
  uintptr* word0 = reinterpret_cast<uintptr*>(addb(hbits, sizeof(uintptr) * (i + 0)));
  uintptr* word1 = reinterpret_cast<uintptr*>(addb(hbits, sizeof(uintptr) * (i + 1)));

  // Relaxed loads: the span's owner may be writing another object's bits
  // into the same word (writeHeapBitsSmall); this object's bits are the
  // same in the old word and the new.
  uintptr read;
  if (j + bits > ptrBits) {
    // Two words.
    uintptr bits0 = ptrBits - j;
    uintptr bits1 = bits - bits0;
    read = atomic::detail::racyLoad(word0) >> j;
    read |= (atomic::detail::racyLoad(word1) & lowMask(bits1)) << bits0;
  } else {
    // One word.
    read = (atomic::detail::racyLoad(word0) >> j) & lowMask(bits);
  }
  return read;
}

/// writeHeapBitsSmall: record the pointer bits of the headerless object at
/// x, dataSize bytes of values of typ (an array of them when dataSize is
/// larger), in the span's bitmap; returns the bytes the collector will
/// scan. \gosrc{mbitmap_allocheaders.go,mspan.writeHeapBitsSmall}
uintptr mspan::writeHeapBitsSmall(uintptr x, uintptr dataSize, const _type* typ) {
  // The object's bits: typ's map, repeated for each element.
  uintptr src0 = readUintptr(typ->GCData);

  uintptr bits = elemsize / sizeof(uintptr);
  uintptr scanSize = typ->PtrBytes;
  uintptr src = src0;
  if (typ->size == sizeof(uintptr)) {
    // A one-word pointerful type is one pointer: every word is.
    src = lowMask(dataSize / sizeof(uintptr));
  } else {
    for (uintptr i = typ->size; i < dataSize; i += typ->size) {
      src |= src0 << (i / sizeof(uintptr));
      scanSize += typ->size;
    }
  }

  // Where they go: bit j of word i of the span's bitmap, maybe straddling
  // into word i+1. The object's bits past dataSize are written as zero.
  notInHeapSlice<uintptr> dst = heapBits();
  uintptr o = (x - base()) / sizeof(uintptr);
  uintptr i = o / ptrBits;
  uintptr j = o % ptrBits;
  // The owner is the words' only writer, but a mark worker may be reading
  // another object's bits from the same word (heapBitsSmallForAddr): each
  // word is stored whole, with a relaxed atomic where Go has a plain store.
  using atomic::detail::racyStore;
  if (j + bits > ptrBits) {
    uintptr bits0 = ptrBits - j;
    uintptr bits1 = bits - bits0;
    racyStore(&dst[int(i + 0)], (dst[int(i + 0)] & (~uintptr(0) >> bits0)) | (src << j));
    racyStore(&dst[int(i + 1)], (dst[int(i + 1)] & ~lowMask(bits1)) | (src >> bits0));
  } else {
    racyStore(&dst[int(i)], (dst[int(i)] & ~(lowMask(bits) << j)) | (src << j));
  }

  constexpr bool doubleCheck = false;
  if (doubleCheck) {
    uintptr srcRead = heapBitsSmallForAddr(x);
    if (srcRead != src) {
      print("runtime: x=", hex(x), " i=", i, " j=", j, " bits=", bits, "\n");
      print("runtime: dataSize=", dataSize, " typ.Size_=", typ->size, " typ.PtrBytes=", typ->PtrBytes, "\n");
      print("runtime: src0=", hex(src0), " src=", hex(src), " srcRead=", hex(srcRead), "\n");
      throw_("bad pointer bits written for small object");
    }
  }
  return scanSize;
}

// (heapBitsSetType: the entry of the older heap bitmap layout, a no-op in
// the allocation-headers build.)

/// heapSetType: record the type of the pointerful object at x (dataSize
/// bytes of typ values) where the collector will look for it: the span's
/// bitmap if there is no header, else the header (the malloc header, or
/// span.largeType); returns the bytes the collector will scan ([typed-heap]).
/// \gosrc{mbitmap_allocheaders.go,heapSetType}
uintptr heapSetType(uintptr x, uintptr dataSize, const _type* typ, const _type** header, mspan* span) {
  uintptr scanSize;
  const _type* gctyp = typ;
  if (header == nullptr) {
    scanSize = span->writeHeapBitsSmall(x, dataSize, typ);
  } else {
    // (A type whose map is a GC program has it expanded into a span of its
    // own here; the port's types always carry a bitmap: type.hpp.)
    if ((typ->Kind_ & kindGCProg) != 0) throw_("heapSetType: GC programs are not supported");
    storeHeader(header, gctyp);
    scanSize = span->elemsize;
  }
  // (Go's doubleCheck, off in Go's build, cross-checks the result against
  // typePointers here; tests/mbitmap_test.cpp does the same.)
  return scanSize;
}

/// getgcmask: the pointer map of the heap object at p as the heap records
/// it, one byte per word (1: pointer), from the object's start to its last
/// pointer word, into mask (room for maskLen); returns its length. et is
/// the type of the value at p. The map read through the object's record
/// must agree with one built from et, which is checked (a throw if not).
/// Departure: heap objects only (the port has no module data or stack
/// maps); and the mask goes to a caller's buffer, not a new []byte.
/// \gosrc{mbitmap_allocheaders.go,getgcmask}
int getgcmask(void* p, const _type* et, uint8* mask, int maskLen) {
  foundObject fo = findObject(uintptr(p), 0, 0);
  uintptr base = fo.base;
  mspan* s = fo.s;
  if (base == 0) throw_("getgcmask: not a heap object");
  if (s->spanclass.noscan()) return 0;
  uintptr limit = base + s->elemsize;

  // Start at the iterator's start, which hides a malloc header.
  typePointers tp = s->typePointersOfUnchecked(base);
  base = tp.addr;

  int n = int((limit - base) / sizeof(uintptr));
  if (n > maskLen) throw_("getgcmask: mask too small");
  for (int i = 0; i < n; i++) mask[i] = 0;
  for (;;) {
    uintptr addr;
    auto r = tp.next(limit);
    tp = r.tp;
    addr = r.addr;
    if (addr == 0) break;
    mask[(addr - base) / sizeof(uintptr)] = 1;
  }

  // What the caller is not shown must be zero.
  for (uintptr i = limit; i < s->elemsize; i++) {
    if (*reinterpret_cast<uint8*>(i) != 0) throw_("found non-zeroed tail of allocation");
  }

  // The mask ends at the last pointer.
  while (n > 0 && mask[n - 1] == 0) n--;

  // Again, from the type alone, tiled to the end of the object: the heap's
  // record must agree with it as far as the record goes.
  tp = s->typePointersOfType(et, base);
  for (;;) {
    auto r = tp.next(limit);
    tp = r.tp;
    if (r.addr == 0) break;
    uintptr i = (r.addr - base) / sizeof(uintptr);
    if (int(i) < n && mask[i] != 1) throw_("mismatch between typePointersOfType and typePointersOf");
  }
  for (int i = 0; i < n; i++) {
    if (mask[i] == 1) {
      // Every pointer word of the record is one of the type's too.
      uintptr off = uintptr(i) * sizeof(uintptr) % et->size;
      if (off >= et->PtrBytes || ((et->GCData[off / sizeof(uintptr) / 8] >> (off / sizeof(uintptr) % 8)) & 1) == 0) {
        throw_("mismatch between typePointersOfType and typePointersOf");
      }
    }
  }
  return n;
}

// (userArenaHeapBitsSetType and writeUserArenaHeapBits: user arenas,
// GOEXPERIMENT=arenas, not part of the port. writeHeapBitsForAddr,
// heapBitsForAddr and heapBits.next/nextFast: panicking stubs Go keeps for
// the older layout.)

}  // namespace runtime
