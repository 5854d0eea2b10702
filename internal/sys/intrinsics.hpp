// internal/sys/intrinsics.hpp: the bit-counting and prefetch intrinsics of
// runtime/internal/sys at go1.22.12 (intrinsics.go), with Go's names and
// Go's results: a count of a zero word is the word's width, where the GCC
// builtins (__builtin_ctzll and friends) leave that case undefined. C++20's
// <bit> functions define it as Go does and compile to TZCNT/LZCNT/POPCNT
// where the target has them (BSF/BSR with a zero test otherwise), as Go's
// compiler does for these calls.
#pragma once
#include <bit>
#include <cstdint>

#include "../../pragmas.hpp"

namespace runtime::sys {

/// TrailingZeros64: the number of zero bits below the lowest set bit of x;
/// 64 for x == 0. \gosrc{internal/sys/intrinsics.go,TrailingZeros64}
NOSPLIT_INLINE int TrailingZeros64(uint64_t x) { return std::countr_zero(x); }

/// LeadingZeros64: the number of zero bits above the highest set bit of x;
/// 64 for x == 0 (Go: math/bits.LeadingZeros64, re-exported by sys).
NOSPLIT_INLINE int LeadingZeros64(uint64_t x) { return std::countl_zero(x); }

/// x86HasPOPCNT: whether the CPU has the POPCNT instruction (Go:
/// runtime.x86HasPOPCNT, which cpuinit copies from internal/cpu and the
/// compiler tests before each POPCNT it emits for OnesCount on amd64 v1).
/// Read from CPUID once, during static initialisation; false before that,
/// which only selects the portable count.
inline const bool x86HasPOPCNT = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("popcnt") != 0;
}();

/// OnesCount64: the number of set bits in x (Go: math/bits.OnesCount64):
/// one POPCNT where the CPU has it, as Go's compiler emits, and the
/// portable count otherwise. (The build targets x86-64 v1, which lacks
/// POPCNT, so std::popcount alone would always be the portable count.)
NOSPLIT_INLINE int OnesCount64(uint64_t x) {
  if (__builtin_expect(x86HasPOPCNT, true)) {
    uint64_t n;
    asm("popcntq %1, %0" : "=r"(n) : "rm"(x));
    return int(n);
  }
  return std::popcount(x);
}

/// Prefetch: ask for the cache line at addr, to be read soon (PREFETCHT0,
/// as Go's compiler emits on amd64). A hint: it never faults, whatever addr
/// is. \gosrc{internal/sys/intrinsics.go,Prefetch}
NOSPLIT_INLINE void Prefetch(uintptr_t addr) { __builtin_prefetch(reinterpret_cast<const void*>(addr), 0, 3); }

/// PrefetchStreamed: as Prefetch, for data read once (PREFETCHNTA: keep it
/// out of the outer caches). \gosrc{internal/sys/intrinsics.go,PrefetchStreamed}
NOSPLIT_INLINE void PrefetchStreamed(uintptr_t addr) {
  __builtin_prefetch(reinterpret_cast<const void*>(addr), 0, 0);
}

}  // namespace runtime::sys
