// slice.cpp: the runtime's side of slices, mirroring slice.go at go1.22.12:
// make (makeslice, makeslice64, with their panics), append's growth
// (growslice and nextslicecap, Go's growth rule) and copy (slicecopy). The
// language surface, gort::slice<T>, is in slice.hpp with the invariants.
//
// Go's growth rule (nextslicecap): a slice under 256 elements doubles; from
// there the factor eases from 2 toward 1.25 (newcap += (newcap + 768) / 4)
// so that the step between small and large slices is smooth; the result is
// then rounded up to the size class mallocgc will hand out (roundupsize),
// and the extra room is kept as capacity.
#include "slice.hpp"

#include "internal/sys/intrinsics.hpp"
#include "malloc.hpp"
#include "proc.hpp"

namespace runtime {

/// panicmakeslicelen: make's length is negative or too large.
/// \gosrc{slice.go,panicmakeslicelen}
void panicmakeslicelen() { panicerrorstring("makeslice: len out of range"); }

/// panicmakeslicecap: make's capacity is below its length or too large.
/// \gosrc{slice.go,panicmakeslicecap}
void panicmakeslicecap() { panicerrorstring("makeslice: cap out of range"); }

// (makeslicecopy: the compiler's fusion of make and copy; gort::make then
// gort::copy does the same in two calls.)

/// makeslice: the zeroed array of make([]T, len, cap). When cap is out of
/// range, the message blames len if len alone is out of range too (a
/// make([]T, n) with a huge n reports len, as its source says).
/// \gosrc{slice.go,makeslice}
void* makeslice(const _type* et, int len, int cap) {
  uintptr mem;
  bool overflow = __builtin_mul_overflow(et->size, uintptr(cap), &mem);
  if (overflow || mem > maxAlloc || len < 0 || len > cap) {
    uintptr lmem;
    bool loverflow = __builtin_mul_overflow(et->size, uintptr(len), &lmem);
    if (loverflow || lmem > maxAlloc || len < 0) panicmakeslicelen();
    panicmakeslicecap();
  }
  return mallocgc(mem, et, true);
}

/// makeslice64: makeslice with int64 bounds, which must fit in an int.
/// \gosrc{slice.go,makeslice64}
void* makeslice64(const _type* et, int64 len64, int64 cap64) {
  int len = int(len64);
  if (int64(len) != len64) panicmakeslicelen();
  int cap = int(cap64);
  if (int64(cap) != cap64) panicmakeslicecap();
  return makeslice(et, len, cap);
}

/// growslice: a new array for a slice that must hold newLen elements,
/// num of them new, whose array at oldPtr holds oldCap. The old elements
/// are copied, the rest of the new array is zero ([slice-zero]), and the
/// result has length newLen and the capacity Go's growth rule gives.
/// \gosrc{slice.go,growslice}
slice growslice(void* oldPtr, int newLen, int oldCap, int num, const _type* et) {
  int oldLen = newLen - num;
  // (Go tells the race detector, msan and asan about the read of the old
  // elements here; C++'s memmove below is seen by the sanitizers itself.)

  if (newLen < 0) panicerrorstring("growslice: len out of range");

  if (et->size == 0) {
    // A zero-size element needs no memory; the array is zerobase.
    return slice{&zerobase, newLen, newLen};
  }

  int newcap = nextslicecap(newLen, oldCap);

  bool overflow = false;
  uintptr lenmem, newlenmem, capmem;
  // Sizes 1, 8 and powers of two avoid a division (the compiler folds the
  // constant ones).
  bool noscan = et->PtrBytes == 0;
  if (et->size == 1) {
    lenmem = uintptr(oldLen);
    newlenmem = uintptr(newLen);
    capmem = roundupsize(uintptr(newcap), noscan);
    overflow = uintptr(newcap) > maxAlloc;
    newcap = int(capmem);
  } else if (et->size == sizeof(uintptr)) {
    lenmem = uintptr(oldLen) * sizeof(uintptr);
    newlenmem = uintptr(newLen) * sizeof(uintptr);
    capmem = roundupsize(uintptr(newcap) * sizeof(uintptr), noscan);
    overflow = uintptr(newcap) > maxAlloc / sizeof(uintptr);
    newcap = int(capmem / sizeof(uintptr));
  } else if (isPowerOfTwo(et->size)) {
    uintptr shift = uintptr(sys::TrailingZeros64(uint64(et->size))) & 63;
    lenmem = uintptr(oldLen) << shift;
    newlenmem = uintptr(newLen) << shift;
    capmem = roundupsize(uintptr(newcap) << shift, noscan);
    overflow = uintptr(newcap) > (maxAlloc >> shift);
    newcap = int(capmem >> shift);
    capmem = uintptr(newcap) << shift;
  } else {
    lenmem = uintptr(oldLen) * et->size;
    newlenmem = uintptr(newLen) * et->size;
    overflow = __builtin_mul_overflow(et->size, uintptr(newcap), &capmem);
    capmem = roundupsize(capmem, noscan);
    newcap = int(capmem / et->size);
    capmem = uintptr(newcap) * et->size;
  }

  // An overflowing capacity would let append write past the array (Go's
  // example: a []T with a huge T appended to from a large count); the
  // maxAlloc test also catches a newcap whose int conversion wrapped.
  if (overflow || capmem > maxAlloc || newcap < 0) panicerrorstring("growslice: len out of range");

  void* p;
  if (et->PtrBytes == 0) {
    p = mallocgc(capmem, nullptr, false);
    // Only the part past the appended elements is cleared: append writes
    // the rest at once.
    memclrNoHeapPointers(add(p, newlenmem), capmem - newlenmem);
  } else {
    // Pointer memory must be zero before the collector can see it.
    p = mallocgc(capmem, et, true);
    if (lenmem > 0 && writeBarrier.enabled) {
      // The new array may be black already: the pointers copied into it
      // are recorded. Only up to the last element's pointer words.
      bulkBarrierPreWriteSrcOnly(uintptr(p), uintptr(oldPtr), lenmem - et->size + et->PtrBytes, et);
    }
  }
  // (A nil slice has no array: C++'s memmove must not see its null
  // pointer even for zero bytes, where Go's takes it.)
  if (lenmem != 0) memmove(p, oldPtr, lenmem);

  return slice{p, newLen, newcap};
}

/// nextslicecap: the capacity for a slice of oldCap that must hold newLen
/// (Go's growth rule; see the file comment). \gosrc{slice.go,nextslicecap}
int nextslicecap(int newLen, int oldCap) {
  int newcap = oldCap;
  // Go's ints wrap; C++'s must not overflow, so the sums are unsigned.
  int doublecap = int(unsigned(newcap) + unsigned(newcap));
  if (newLen > doublecap) return newLen;

  constexpr int threshold = 256;
  if (oldCap < threshold) return doublecap;
  for (;;) {
    // From 2x for small slices toward 1.25x for large ones.
    int t = int(unsigned(newcap) + unsigned(3 * threshold));
    newcap = int(unsigned(newcap) + unsigned(t >> 2));
    // Compared as unsigned: an overflowed newcap is not a small one.
    if (unsigned(newcap) >= unsigned(newLen)) break;
  }
  // An overflow leaves newcap non-positive: then exactly newLen.
  if (newcap <= 0) return newLen;
  return newcap;
}

// (reflect_growslice: reflect's entry; gort has no reflect.)

/// isPowerOfTwo: x is 0 or a power of two. \gosrc{slice.go,isPowerOfTwo}
bool isPowerOfTwo(uintptr x) { return (x & (x - 1)) == 0; }

/// slicecopy: copy(to, from) for elements of width bytes without pointers
/// to barrier: min(toLen, fromLen) of them; returns that count.
/// \gosrc{slice.go,slicecopy}
int slicecopy(void* toPtr, int toLen, void* fromPtr, int fromLen, uintptr width) {
  if (fromLen == 0 || toLen == 0) return 0;
  int n = fromLen;
  if (toLen < n) n = toLen;
  if (width == 0) return n;
  uintptr size = uintptr(n) * width;
  // (Go tells the race detector, msan and asan about both ranges here.)
  if (size == 1) {
    // One byte: a plain store beats a call to memmove.
    *static_cast<byte*>(toPtr) = *static_cast<byte*>(fromPtr);
  } else {
    memmove(toPtr, fromPtr, size);
  }
  return n;
}

// (bytealg_MakeNoZero: package strings.Builder's uncleared byte slice;
// not part of the port.)

/// typedslicecopy: see type.hpp. \gosrc{mbarrier.go,typedslicecopy}
int typedslicecopy(const _type* typ, void* dstPtr, int dstLen, void* srcPtr, int srcLen) {
  int n = dstLen;
  if (n > srcLen) n = srcLen;
  if (n == 0) return 0;
  if (dstPtr == srcPtr) return n;
  uintptr size = uintptr(n) * typ->size;
  if (writeBarrier.enabled) {
    uintptr pwsize = size - typ->size + typ->PtrBytes;
    bulkBarrierPreWrite(uintptr(dstPtr), uintptr(srcPtr), pwsize, typ);
  }
  memmove(dstPtr, srcPtr, size);
  return n;
}

/// memclrHasPointers: see type.hpp. \gosrc{mbarrier.go,memclrHasPointers}
void memclrHasPointers(void* ptr, uintptr n) {
  // No type here: bulkBarrierPreWrite reads the heap's own bitmap.
  bulkBarrierPreWrite(uintptr(ptr), 0, n, nullptr);
  memclrNoHeapPointers(ptr, n);
}

}  // namespace runtime
