// mranges.cpp: addrRanges, the sorted and coalesced set of address ranges,
// mirroring mranges.go at go1.22.12 (the value types offAddr, addrRange and
// atomicOffAddr are inline in mranges.hpp). The invariant is
// [ranges-sorted]; the caller provides the locking (the heap lock for the
// page allocator's inUse).
#include "mranges.hpp"

#include <cstring>

#include "print.hpp"

namespace runtime {

/// init: an empty set with room for 16 ranges, its array from
/// persistentalloc and counted in sysStat. \gosrc{mranges.go,addrRanges.init}
void addrRanges::init(sysMemStat* sysStat) {
  len = 0;
  cap = 16;
  ranges = static_cast<addrRange*>(
      persistentalloc(sizeof(addrRange) * uintptr(cap), sizeof(uintptr), sysStat));
  this->sysStat = sysStat;
  totalBytes = 0;
}

/// findSucc: the index of the first range whose base is above addr (len if
/// none). A binary search narrows the candidates to at most eight, which a
/// linear scan finishes. \gosrc{mranges.go,addrRanges.findSucc}
int addrRanges::findSucc(uintptr addr) {
  offAddr base{addr};

  constexpr int iterMax = 8;
  int bot = 0, top = len;
  while (top - bot > iterMax) {
    int i = int(uint(bot + top) >> 1);
    if (ranges[i].contains(base.addr())) {
      // addr is in ranges[i], so the next range is its successor.
      return i + 1;
    }
    if (base.lessThan(ranges[i].base)) {
      // ranges[i] may be the successor; those below it have to be ruled out.
      top = i;
    } else {
      // addr is at or beyond ranges[i].limit: ranges[i] is not it.
      bot = i + 1;
    }
  }
  for (int i = bot; i < top; i++) {
    if (base.lessThan(ranges[i].base)) return i;
  }
  return top;
}

/// findAddrGreaterEqual: the lowest address in the set that is >= addr, or
/// ok == false when every address in the set is below addr.
/// \gosrc{mranges.go,addrRanges.findAddrGreaterEqual}
addrRanges::found addrRanges::findAddrGreaterEqual(uintptr addr) {
  int i = findSucc(addr);
  if (i == 0) return {ranges[0].base.addr(), true};
  if (ranges[i - 1].contains(addr)) return {addr, true};
  if (i < len) return {ranges[i].base.addr(), true};
  return {0, false};
}

/// contains: whether addr is in some range of the set.
/// \gosrc{mranges.go,addrRanges.contains}
bool addrRanges::contains(uintptr addr) {
  int i = findSucc(addr);
  if (i == 0) return false;
  return ranges[i - 1].contains(addr);
}

/// add: insert r, which must be non-empty and overlap nothing in the set,
/// merging it with a neighbour it touches ([ranges-sorted]). Moving the
/// tail of the array makes this linear, which is fine for the heap's few
/// (usually one) ranges. \gosrc{mranges.go,addrRanges.add}
void addrRanges::add(addrRange r) {
  // An empty range changes nothing, but is almost surely a caller's bug.
  if (r.size() == 0) {
    print("runtime: range = {", hex(r.base.addr()), ", ", hex(r.limit.addr()), "}\n");
    throw_("attempted to add zero-sized address range");
  }
  // r is not in the set, so its successor's index is where it goes.
  int i = findSucc(r.base.addr());
  bool coalescesDown = i > 0 && ranges[i - 1].limit.equal(r.base);
  bool coalescesUp = i < len && r.limit.equal(ranges[i].base);
  if (coalescesUp && coalescesDown) {
    // r closes the gap between its neighbours: one range, at i-1.
    ranges[i - 1].limit = ranges[i].limit;
    memmove(&ranges[i], &ranges[i + 1], sizeof(addrRange) * uintptr(len - i - 1));
    len--;
  } else if (coalescesDown) {
    ranges[i - 1].limit = r.limit;
  } else if (coalescesUp) {
    ranges[i].base = r.base;
  } else {
    // A range of its own.
    if (len + 1 > cap) {
      // Double the array. The old one leaks (persistentalloc has no free),
      // at most as much again as the array in use.
      addrRange* oldRanges = ranges;
      int oldLen = len;
      cap = cap * 2;
      ranges = static_cast<addrRange*>(
          persistentalloc(sizeof(addrRange) * uintptr(cap), sizeof(uintptr), sysStat));
      len = oldLen + 1;
      // Copy the old ranges around a hole for the new one.
      memmove(&ranges[0], &oldRanges[0], sizeof(addrRange) * uintptr(i));
      memmove(&ranges[i + 1], &oldRanges[i], sizeof(addrRange) * uintptr(oldLen - i));
    } else {
      len++;
      memmove(&ranges[i + 1], &ranges[i], sizeof(addrRange) * uintptr(len - 1 - i));
    }
    ranges[i] = r;
  }
  totalBytes += r.size();
}

/// removeLast: remove and return the highest range, or only its last nBytes
/// if it is longer. An empty set gives an empty range.
/// \gosrc{mranges.go,addrRanges.removeLast}
addrRange addrRanges::removeLast(uintptr nBytes) {
  if (len == 0) return addrRange{};
  addrRange r = ranges[len - 1];
  uintptr size = r.size();
  if (size > nBytes) {
    offAddr newEnd = r.limit.sub(nBytes);
    ranges[len - 1].limit = newEnd;
    totalBytes -= nBytes;
    return addrRange{newEnd, r.limit};
  }
  len--;
  totalBytes -= size;
  return r;
}

/// removeGreaterEqual: drop every address >= addr, cutting the range that
/// contains addr. \gosrc{mranges.go,addrRanges.removeGreaterEqual}
void addrRanges::removeGreaterEqual(uintptr addr) {
  int pivot = findSucc(addr);
  if (pivot == 0) {
    // addr is below every range.
    totalBytes = 0;
    len = 0;
    return;
  }
  uintptr removed = 0;
  for (int i = pivot; i < len; i++) removed += ranges[i].size();
  if (addrRange r = ranges[pivot - 1]; r.contains(addr)) {
    removed += r.size();
    r = r.removeGreaterEqual(addr);
    if (r.size() == 0) {
      pivot--;
    } else {
      removed -= r.size();
      ranges[pivot - 1] = r;
    }
  }
  len = pivot;
  totalBytes -= removed;
}

/// cloneInto: make b a copy of a, reusing b's array when it is big enough.
/// \gosrc{mranges.go,addrRanges.cloneInto}
void addrRanges::cloneInto(addrRanges* b) {
  if (len > b->cap) {
    b->len = 0;
    b->cap = cap;
    b->ranges = static_cast<addrRange*>(
        persistentalloc(sizeof(addrRange) * uintptr(b->cap), sizeof(uintptr), b->sysStat));
  }
  b->len = len;
  b->totalBytes = totalBytes;
  memmove(b->ranges, ranges, sizeof(addrRange) * uintptr(len));
}

}  // namespace runtime
