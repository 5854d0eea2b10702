// mpallocbits.cpp: the page allocator's per-chunk bitmaps, mirroring
// mpallocbits.go at go1.22.12: bit operations on pageBits, and on
// pallocBits the summary (summarize) and the searches for free runs (find,
// with find1, findSmallN and findLargeN for runs of 1, up to 64, and more
// than 64 pages). The searches work a 64-bit word at a time with
// trailing/leading-zero counts and shift tricks, never bit by bit.
#include "mpagealloc.hpp"

#include <algorithm>

#include "internal/sys/intrinsics.hpp"

namespace runtime {

/// get: bit i (0 or 1). \gosrc{mpallocbits.go,pageBits.get}
uint pageBits::get(uint i) const { return uint((b[i / 64] >> (i % 64)) & 1); }

/// block64: the aligned 64-bit word that holds bit i.
/// \gosrc{mpallocbits.go,pageBits.block64}
uint64 pageBits::block64(uint i) const { return b[i / 64]; }

/// set: set bit i. \gosrc{mpallocbits.go,pageBits.set}
void pageBits::set(uint i) { b[i / 64] |= uint64(1) << (i % 64); }

/// setRange: set bits [i, i+n); n > 0. \gosrc{mpallocbits.go,pageBits.setRange}
void pageBits::setRange(uint i, uint n) {
  if (n == 1) {
    set(i);
    return;
  }
  // The bits [i, j].
  uint j = i + n - 1;
  if (i / 64 == j / 64) {
    b[i / 64] |= (lsh64(1, n) - 1) << (i % 64);
    return;
  }
  // The first word from bit i up, the whole words between, the last word
  // up to bit j.
  b[i / 64] |= ~uint64(0) << (i % 64);
  for (uint k = i / 64 + 1; k < j / 64; k++) b[k] = ~uint64(0);
  b[j / 64] |= lsh64(1, j % 64 + 1) - 1;
}

/// setAll: set every bit. \gosrc{mpallocbits.go,pageBits.setAll}
void pageBits::setAll() {
  for (uint i = 0; i < len; i++) b[i] = ~uint64(0);
}

/// setBlock64: set, in the word that holds bit i, the bits set in v.
/// \gosrc{mpallocbits.go,pageBits.setBlock64}
void pageBits::setBlock64(uint i, uint64 v) { b[i / 64] |= v; }

/// clear: clear bit i. \gosrc{mpallocbits.go,pageBits.clear}
void pageBits::clear(uint i) { b[i / 64] &= ~(uint64(1) << (i % 64)); }

/// clearRange: clear bits [i, i+n); n > 0. \gosrc{mpallocbits.go,pageBits.clearRange}
void pageBits::clearRange(uint i, uint n) {
  if (n == 1) {
    clear(i);
    return;
  }
  uint j = i + n - 1;
  if (i / 64 == j / 64) {
    b[i / 64] &= ~((lsh64(1, n) - 1) << (i % 64));
    return;
  }
  b[i / 64] &= ~(~uint64(0) << (i % 64));
  for (uint k = i / 64 + 1; k < j / 64; k++) b[k] = 0;
  b[j / 64] &= ~(lsh64(1, j % 64 + 1) - 1);
}

/// clearAll: clear every bit. \gosrc{mpallocbits.go,pageBits.clearAll}
void pageBits::clearAll() {
  for (uint i = 0; i < len; i++) b[i] = 0;
}

/// clearBlock64: clear, in the word that holds bit i, the bits set in v.
/// \gosrc{mpallocbits.go,pageBits.clearBlock64}
void pageBits::clearBlock64(uint i, uint64 v) { b[i / 64] &= ~v; }

/// popcntRange: the number of set bits in [i, i+n); n > 0.
/// \gosrc{mpallocbits.go,pageBits.popcntRange}
uint pageBits::popcntRange(uint i, uint n) const {
  if (n == 1) return uint((b[i / 64] >> (i % 64)) & 1);
  uint j = i + n - 1;
  if (i / 64 == j / 64) {
    return uint(sys::OnesCount64((b[i / 64] >> (i % 64)) & (lsh64(1, n) - 1)));
  }
  uint s = 0;
  s += uint(sys::OnesCount64(b[i / 64] >> (i % 64)));
  for (uint k = i / 64 + 1; k < j / 64; k++) s += uint(sys::OnesCount64(b[k]));
  s += uint(sys::OnesCount64(b[j / 64] & (lsh64(1, j % 64 + 1) - 1)));
  return s;
}

/// summarize: the chunk's summary (free pages at the start, longest free
/// run, free pages at the end). A first pass over the words gets start and
/// end, and the longest run made of whole words and word edges; if that run
/// is shorter than 62 pages, a run inside one word could be longer, so a
/// second pass looks inside each word: it shrinks every run of zeros by the
/// best length so far (ORing the word with itself shifted, doubling the
/// shift as the runs of ones grow), and whatever zeros survive make a
/// longer run. \gosrc{mpallocbits.go,pallocBits.summarize}
pallocSum pallocBits::summarize() const {
  uint start, most = 0, cur = 0;
  constexpr uint notSetYet = ~uint(0);
  start = notSetYet;
  for (uint i = 0; i < len; i++) {
    uint64 x = b[i];
    if (x == 0) {
      cur += 64;
      continue;
    }
    uint t = uint(sys::TrailingZeros64(x));
    uint l = uint(sys::LeadingZeros64(x));

    // The run that reaches into this word from below ends here.
    cur += t;
    if (start == notSetYet) start = cur;
    most = std::max(most, cur);
    // The run at the top of this word may go on in the next.
    cur = l;
  }
  if (start == notSetYet) {
    // Not one bit set: all free.
    constexpr uint n = uint(64 * len);
    return packPallocSum(n, n, n);
  }
  most = std::max(most, cur);

  if (most >= 64 - 2) {
    // No run inside one word can beat that.
    return packPallocSum(start, most, cur);
  }
  // Look inside each word (every word has a one, or we had returned above).
  for (uint i = 0; i < len; i++) {
    uint64 x = b[i];

    // Drop the word's trailing zeros: they were counted above.
    x >>= sys::TrailingZeros64(x) & 63;
    if ((x & (x + 1)) == 0) continue;  // zeros only at the top, if any

    uint p = most;  // how far every run of zeros must still shrink
    uint k = 1;     // the shortest run of ones in x, a lower bound
    for (;;) {
      bool done = false;
      // Shrink every run of zeros (but the top one) by p.
      while (p > 0) {
        if (p <= k) {
          // Fill p zeros at the top of each run of zeros with ones.
          x |= x >> (p & 63);
          if ((x & (x + 1)) == 0) done = true;
          break;
        }
        // Fill k zeros at the top of each run of zeros.
        x |= x >> (k & 63);
        if ((x & (x + 1)) == 0) {
          done = true;
          break;
        }
        p -= k;
        // The runs of ones are now at least 2k long.
        k *= 2;
      }
      if (done) break;

      // The lowest run of zeros left is a longer run than most: take it.
      uint j = uint(sys::TrailingZeros64(~x));  // the ones below it
      x >>= j & 63;
      j = uint(sys::TrailingZeros64(x));        // the zeros themselves
      x >>= j & 63;
      most += j;
      if ((x & (x + 1)) == 0) break;
      p = j;  // every other run must now shrink by j more
    }
  }
  return packPallocSum(start, most, cur);
}

/// find: the first run of npages free pages at or after the word that holds
/// searchIdx (^uint(0) if none), and the first free page seen (the next
/// searchIdx; meaningless on failure). For npages == 1 both are the page.
/// \gosrc{mpallocbits.go,pallocBits.find}
pallocBits::found pallocBits::find(uintptr npages, uint searchIdx) const {
  if (npages == 1) {
    uint addr = find1(searchIdx);
    return {addr, addr};
  } else if (npages <= 64) {
    return findSmallN(npages, searchIdx);
  }
  return findLargeN(npages, searchIdx);
}

/// find1: the first free page at or after searchIdx's word (^uint(0) if
/// none). \gosrc{mpallocbits.go,pallocBits.find1}
uint pallocBits::find1(uint searchIdx) const {
  for (uint i = searchIdx / 64; i < len; i++) {
    uint64 x = b[i];
    if (~x == 0) continue;
    return i * 64 + uint(sys::TrailingZeros64(~x));
  }
  return ~uint(0);
}

/// findSmallN: find for 2 to 64 pages. Such a run spans at most one word
/// boundary, so each word is tried for a run that straddles its lower edge
/// (the previous word's leading zeros with this word's trailing zeros) and
/// then for a run inside it (findBitRange64).
/// \gosrc{mpallocbits.go,pallocBits.findSmallN}
pallocBits::found pallocBits::findSmallN(uintptr npages, uint searchIdx) const {
  uint end = 0, newSearchIdx = ~uint(0);
  for (uint i = searchIdx / 64; i < len; i++) {
    uint64 bi = b[i];
    if (~bi == 0) {
      end = 0;
      continue;
    }
    // The first free page: after the trailing ones of this word.
    if (newSearchIdx == ~uint(0)) newSearchIdx = i * 64 + uint(sys::TrailingZeros64(~bi));
    uint start = uint(sys::TrailingZeros64(bi));
    if (end + start >= uint(npages)) return {i * 64 - end, newSearchIdx};
    uint j = findBitRange64(~bi, uint(npages));
    if (j < 64) return {i * 64 + j, newSearchIdx};
    end = uint(sys::LeadingZeros64(bi));
  }
  return {~uint(0), newSearchIdx};
}

/// findLargeN: find for more than 64 pages. Such a run spans at least one
/// word boundary, so it is built from a word's leading zeros, whole free
/// words, and the next word's trailing zeros.
/// \gosrc{mpallocbits.go,pallocBits.findLargeN}
pallocBits::found pallocBits::findLargeN(uintptr npages, uint searchIdx) const {
  uint start = ~uint(0), size = 0, newSearchIdx = ~uint(0);
  for (uint i = searchIdx / 64; i < len; i++) {
    uint64 x = b[i];
    if (x == ~uint64(0)) {
      size = 0;
      continue;
    }
    if (newSearchIdx == ~uint(0)) newSearchIdx = i * 64 + uint(sys::TrailingZeros64(~x));
    if (size == 0) {
      size = uint(sys::LeadingZeros64(x));
      start = i * 64 + 64 - size;
      continue;
    }
    uint s = uint(sys::TrailingZeros64(x));
    if (s + size >= uint(npages)) {
      size += s;
      return {start, newSearchIdx};
    }
    if (s < 64) {
      size = uint(sys::LeadingZeros64(x));
      start = i * 64 + 64 - size;
      continue;
    }
    size += 64;
  }
  if (size < uint(npages)) return {~uint(0), newSearchIdx};
  return {start, newSearchIdx};
}

/// allocRange: mark pages [i, i+n) in use. \gosrc{mpallocbits.go,pallocBits.allocRange}
void pallocBits::allocRange(uint i, uint n) { pageBits::setRange(i, n); }

/// allocAll: mark every page in use. \gosrc{mpallocbits.go,pallocBits.allocAll}
void pallocBits::allocAll() { pageBits::setAll(); }

/// free1: mark page i free. \gosrc{mpallocbits.go,pallocBits.free1}
void pallocBits::free1(uint i) { pageBits::clear(i); }

/// free: mark pages [i, i+n) free. \gosrc{mpallocbits.go,pallocBits.free}
void pallocBits::free(uint i, uint n) { pageBits::clearRange(i, n); }

/// freeAll: mark every page free. \gosrc{mpallocbits.go,pallocBits.freeAll}
void pallocBits::freeAll() { pageBits::clearAll(); }

/// pages64: the in-use bits of the 64-page aligned block that holds page i.
/// \gosrc{mpallocbits.go,pallocBits.pages64}
uint64 pallocBits::pages64(uint i) const { return pageBits::block64(i); }

/// allocPages64: mark in use, in the 64-page block that holds page i, the
/// pages whose bits are set in alloc. \gosrc{mpallocbits.go,pallocBits.allocPages64}
void pallocBits::allocPages64(uint i, uint64 alloc) { pageBits::setBlock64(i, alloc); }

/// allocRange: mark pages [i, i+n) in use and not scavenged.
/// \gosrc{mpallocbits.go,pallocData.allocRange}
void pallocData::allocRange(uint i, uint n) {
  pallocBits::allocRange(i, n);
  scavenged.clearRange(i, n);
}

/// allocAll: mark every page in use and not scavenged.
/// \gosrc{mpallocbits.go,pallocData.allocAll}
void pallocData::allocAll() {
  pallocBits::allocAll();
  scavenged.clearAll();
}

}  // namespace runtime
