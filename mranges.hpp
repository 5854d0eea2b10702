// mranges.hpp: ranges of address space, mirroring mranges.go at go1.22.12:
// offAddr (an address in the "offset" view of the address space), addrRange
// ([base, limit)), atomicOffAddr (an offAddr that can carry a mark), and
// addrRanges (a sorted, coalesced set of ranges; the page allocator's record
// of which address space it has been given). The small value types are
// defined here, inline, as Go's compiler inlines them; addrRanges' methods
// are in mranges.cpp.
//
// The offset view. On amd64 an address is 48 bits sign-extended, so the
// upper half (0xffff8000_00000000 and up) sorts before the lower half once
// arenaBaseOffset is subtracted. Every comparison of heap addresses goes
// through offAddr, so that the page allocator sees one contiguous line from
// minOffAddr to maxOffAddr.
//
// Invariants:
//   [range-segment] an addrRange never spans the gap between the two halves
//                   (makeAddrRange throws).
//   [ranges-sorted] addrRanges.ranges is sorted by base, its ranges neither
//                   overlap nor touch (touching ones are merged), and
//                   totalBytes is the sum of their sizes.
//   [offaddr-mark]  an atomicOffAddr holds addr - arenaBaseOffset, negated
//                   while "marked": a mark records an increase that a
//                   decreasing writer (StoreMin) must not overwrite.
//
// Locks: addrRanges is not safe for concurrent use; the page allocator's
// copy is protected by the heap lock. atomicOffAddr is lock-free.
#pragma once
#include "malloc.hpp"
#include "mstats.hpp"
#include "runtime2.hpp"

namespace runtime {

/// offAddr: an address compared in the offset view (see above). The field
/// is not to be read directly: addr() gives the virtual address.
/// \gosrc{mranges.go,offAddr}
struct offAddr {
  uintptr a;

  offAddr add(uintptr bytes) const;
  offAddr sub(uintptr bytes) const;
  uintptr diff(offAddr l2) const;
  bool lessThan(offAddr l2) const;
  bool lessEqual(offAddr l2) const;
  bool equal(offAddr l2) const;
  uintptr addr() const;
  bool operator==(const offAddr&) const = default;
};

/// addrRange: the address space [base, limit), in one segment
/// ([range-segment]). \gosrc{mranges.go,addrRange}
struct addrRange {
  offAddr base, limit;

  uintptr size() const;
  bool contains(uintptr addr) const;
  addrRange subtract(addrRange b) const;
  /// takeFromFront's and takeFromBack's two results.
  struct taken {
    uintptr addr;
    bool ok;
  };
  taken takeFromFront(uintptr len, uint8 align);
  taken takeFromBack(uintptr len, uint8 align);
  addrRange removeGreaterEqual(uintptr addr) const;
  bool operator==(const addrRange&) const = default;
};

addrRange makeAddrRange(uintptr base, uintptr limit);

/// minOffAddr: the lowest address of the offset view, arenaBaseOffset
/// itself. \gosrc{mranges.go,minOffAddr}
inline constexpr offAddr minOffAddr{arenaBaseOffset};

/// maxOffAddr: the highest address the page allocator's chunk index and the
/// arena map can represent. \gosrc{mranges.go,maxOffAddr}
inline constexpr offAddr maxOffAddr{(((uintptr(1) << heapAddrBits) - 1) + arenaBaseOffset)};

/// atomicOffAddr: an offAddr read and written atomically, which a writer may
/// "mark" ([offaddr-mark]). \gosrc{mranges.go,atomicOffAddr}
struct atomicOffAddr {
  atomic::Int64 a;  // addr - arenaBaseOffset, negated while marked

  void Clear();
  void StoreMin(uintptr addr);
  void StoreUnmark(uintptr markedAddr, uintptr newAddr);
  void StoreMarked(uintptr addr);
  /// Load's two results: the address, and whether it was marked.
  struct loaded {
    uintptr addr;
    bool marked;
  };
  loaded Load();
};

/// addrRanges: a set of address ranges, sorted and coalesced
/// ([ranges-sorted]). Departure: Go's ranges is a slice; here the same three
/// words (array, len, cap) are spelled out, and the array, like Go's, comes
/// from persistentalloc and is never freed. \gosrc{mranges.go,addrRanges}
struct addrRanges {
  addrRange* ranges;   // [len] sorted by base; room for cap
  int len;
  int cap;
  uintptr totalBytes;  // the sum of the ranges' sizes
  sysMemStat* sysStat; // where the array's memory is counted

  void init(sysMemStat* sysStat);
  int findSucc(uintptr addr);
  /// findAddrGreaterEqual's two results.
  struct found {
    uintptr addr;
    bool ok;
  };
  found findAddrGreaterEqual(uintptr addr);
  bool contains(uintptr addr);
  void add(addrRange r);
  addrRange removeLast(uintptr nBytes);
  void removeGreaterEqual(uintptr addr);
  void cloneInto(addrRanges* b);
};

// --- The value types' methods, in mranges.go's order ---------------------------

/// makeAddrRange: the range [base, limit); throws if the two are in
/// different segments ([range-segment]). \gosrc{mranges.go,makeAddrRange}
inline addrRange makeAddrRange(uintptr base, uintptr limit) {
  addrRange r{offAddr{base}, offAddr{limit}};
  if ((base - arenaBaseOffset >= base) != (limit - arenaBaseOffset >= limit)) {
    throw_("addr range base and limit are not in the same memory segment");
  }
  return r;
}

/// size: the range's length in bytes; 0 for an empty or inverted range.
/// \gosrc{mranges.go,addrRange.size}
inline uintptr addrRange::size() const {
  if (!base.lessThan(limit)) return 0;
  // One segment ([range-segment]), so the difference is exact.
  return limit.diff(base);
}

/// contains: whether addr is in [base, limit).
/// \gosrc{mranges.go,addrRange.contains}
inline bool addrRange::contains(uintptr addr) const {
  return base.lessEqual(offAddr{addr}) && (offAddr{addr}).lessThan(limit);
}

/// subtract: this range with b cut out. b may cover it, overlap one end, or
/// miss it; b strictly inside it would split it, which throws.
/// \gosrc{mranges.go,addrRange.subtract}
inline addrRange addrRange::subtract(addrRange b) const {
  addrRange a = *this;
  if (b.base.lessEqual(a.base) && a.limit.lessEqual(b.limit)) {
    return addrRange{};
  } else if (a.base.lessThan(b.base) && b.limit.lessThan(a.limit)) {
    throw_("bad prune");
  } else if (b.limit.lessThan(a.limit) && a.base.lessThan(b.limit)) {
    a.base = b.limit;
  } else if (a.base.lessThan(b.base) && b.base.lessThan(a.limit)) {
    a.limit = b.base;
  }
  return a;
}

/// takeFromFront: take len bytes from the front, after aligning the base up
/// to align; the start of what was taken, or ok == false if it does not fit.
/// \gosrc{mranges.go,addrRange.takeFromFront}
inline addrRange::taken addrRange::takeFromFront(uintptr len, uint8 align) {
  uintptr b = alignUp(base.addr(), uintptr(align)) + len;
  if (b > limit.addr()) return {0, false};
  base = offAddr{b};
  return {b - len, true};
}

/// takeFromBack: take len bytes from the back, aligning the new limit down
/// to align; its start, or ok == false if it does not fit.
/// \gosrc{mranges.go,addrRange.takeFromBack}
inline addrRange::taken addrRange::takeFromBack(uintptr len, uint8 align) {
  uintptr l = alignDown(limit.addr() - len, uintptr(align));
  if (base.addr() > l) return {0, false};
  limit = offAddr{l};
  return {l, true};
}

/// removeGreaterEqual: the part of the range below addr.
/// \gosrc{mranges.go,addrRange.removeGreaterEqual}
inline addrRange addrRange::removeGreaterEqual(uintptr addr) const {
  if ((offAddr{addr}).lessEqual(base)) return addrRange{};
  if (limit.lessEqual(offAddr{addr})) return *this;
  return makeAddrRange(base.addr(), addr);
}

/// add: the address bytes above l. \gosrc{mranges.go,offAddr.add}
NOSPLIT_INLINE offAddr offAddr::add(uintptr bytes) const { return offAddr{a + bytes}; }

/// sub: the address bytes below l. \gosrc{mranges.go,offAddr.sub}
NOSPLIT_INLINE offAddr offAddr::sub(uintptr bytes) const { return offAddr{a - bytes}; }

/// diff: the bytes from l2 up to l1. \gosrc{mranges.go,offAddr.diff}
NOSPLIT_INLINE uintptr offAddr::diff(offAddr l2) const { return a - l2.a; }

/// lessThan: l1 < l2 in the offset view. \gosrc{mranges.go,offAddr.lessThan}
NOSPLIT_INLINE bool offAddr::lessThan(offAddr l2) const {
  return (a - arenaBaseOffset) < (l2.a - arenaBaseOffset);
}

/// lessEqual: l1 <= l2 in the offset view. \gosrc{mranges.go,offAddr.lessEqual}
NOSPLIT_INLINE bool offAddr::lessEqual(offAddr l2) const {
  return (a - arenaBaseOffset) <= (l2.a - arenaBaseOffset);
}

/// equal: the same address (the view does not matter).
/// \gosrc{mranges.go,offAddr.equal}
NOSPLIT_INLINE bool offAddr::equal(offAddr l2) const { return *this == l2; }

/// addr: the virtual address. \gosrc{mranges.go,offAddr.addr}
NOSPLIT_INLINE uintptr offAddr::addr() const { return a; }

/// Clear: store minOffAddr, unless a marked value is there; a marked value
/// stays until a reader has seen it. \gosrc{mranges.go,atomicOffAddr.Clear}
inline void atomicOffAddr::Clear() {
  for (;;) {
    int64 old = a.Load();
    if (old < 0) return;
    if (a.CompareAndSwap(old, int64(minOffAddr.addr() - arenaBaseOffset))) return;
  }
}

/// StoreMin: store addr if it is lower (in the offset view) than the value
/// there and that value is not marked (a marked value is negative, so it
/// always compares lower). \gosrc{mranges.go,atomicOffAddr.StoreMin}
inline void atomicOffAddr::StoreMin(uintptr addr) {
  int64 nw = int64(addr - arenaBaseOffset);
  for (;;) {
    int64 old = a.Load();
    if (old < nw) return;
    if (a.CompareAndSwap(old, nw)) return;
  }
}

/// StoreUnmark: replace the marked markedAddr (as Load returned it) with
/// newAddr, unmarked; does nothing if the value has changed since.
/// \gosrc{mranges.go,atomicOffAddr.StoreUnmark}
inline void atomicOffAddr::StoreUnmark(uintptr markedAddr, uintptr newAddr) {
  a.CompareAndSwap(-int64(markedAddr - arenaBaseOffset), int64(newAddr - arenaBaseOffset));
}

/// StoreMarked: store addr, marked. \gosrc{mranges.go,atomicOffAddr.StoreMarked}
inline void atomicOffAddr::StoreMarked(uintptr addr) { a.Store(-int64(addr - arenaBaseOffset)); }

/// Load: the address, and whether it is marked.
/// \gosrc{mranges.go,atomicOffAddr.Load}
inline atomicOffAddr::loaded atomicOffAddr::Load() {
  int64 v = a.Load();
  bool wasMarked = false;
  if (v < 0) {
    wasMarked = true;
    v = -v;
  }
  return {uintptr(v) + arenaBaseOffset, wasMarked};
}

}  // namespace runtime
