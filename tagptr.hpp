// tagptr.hpp: pointers with a tag in their spare bits, mirroring
// tagptr_64bit.go at go1.22.12 (and the type in tagptr.go). lfstack packs a
// node's address and a push count into one 64-bit word this way, so that a
// single CAS swaps both (the count defeats ABA).
//
// The packing on amd64: a user address has 48 significant bits (47 in
// practice) and is 8-byte aligned, so shifting it left by 16 leaves its low
// 3 bits and the 16 freed high bits, 19 in all (tagBits), for the tag.
// pointer() shifts back arithmetically, which restores a sign-extended
// (kernel-half) address too.
//
// Invariant [tag-roundtrip]: taggedPointerPack(p, t).pointer() == p for an
// 8-byte-aligned p below 2^48 (lfnodeValidate checks it per node).
#pragma once
#include "runtime2.hpp"

namespace runtime {

/// taggedPointer: a pointer and a tag in one word. \gosrc{tagptr.go,taggedPointer}
struct taggedPointer {
  uint64 v;
  void* pointer() const;
  uintptr tag() const;
};

/// minTagBits: the fewest tag bits any platform must offer.
/// \gosrc{tagptr.go,minTagBits}
inline constexpr uintptr minTagBits = 10;

/// addrBits, tagBits: the address bits a pointer keeps and the bits left
/// for the tag (including the 3 alignment bits). \gosrc{tagptr_64bit.go,addrBits}
inline constexpr uintptr addrBits = 48;
inline constexpr uintptr tagBits = 64 - addrBits + 3;

/// taggedPointerBits: the tag's width on this platform.
/// \gosrc{tagptr_64bit.go,taggedPointerBits}
inline constexpr uintptr taggedPointerBits = tagBits;

/// taggedPointerPack: ptr and the low tagBits bits of tag in one word.
/// \gosrc{tagptr_64bit.go,taggedPointerPack}
NOSPLIT_INLINE taggedPointer taggedPointerPack(void* ptr, uintptr tag) {
  return taggedPointer{uint64(uintptr(ptr)) << (64 - addrBits) |
                       uint64(tag & ((uintptr(1) << tagBits) - 1))};
}

/// pointer: the pointer part. \gosrc{tagptr_64bit.go,taggedPointer.pointer}
NOSPLIT_INLINE void* taggedPointer::pointer() const {
  return reinterpret_cast<void*>(uintptr(int64(v) >> tagBits << 3));
}

/// tag: the tag part. \gosrc{tagptr_64bit.go,taggedPointer.tag}
NOSPLIT_INLINE uintptr taggedPointer::tag() const {
  return uintptr(v & ((uint64(1) << taggedPointerBits) - 1));
}

}  // namespace runtime
