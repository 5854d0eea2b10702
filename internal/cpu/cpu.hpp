// internal/cpu/cpu.hpp: the cache-line constants of internal/cpu at
// go1.22.12 (cpu.go, cpu_x86.go) that the runtime's allocator uses to keep
// per-class and per-P data on lines of their own.
#pragma once
#include <cstdint>

namespace runtime::cpu {

/// CacheLinePadSize: the padding that keeps two structures off one cache
/// line on amd64. \gosrc{internal/cpu/cpu_x86.go,CacheLinePadSize}
inline constexpr uintptr_t CacheLinePadSize = 64;

/// CacheLinePad: padding a structure ends with so that what follows it in
/// memory starts on another cache line. \gosrc{internal/cpu/cpu.go,CacheLinePad}
struct CacheLinePad {
  uint8_t _[CacheLinePadSize];
};

/// CacheLineSize: the assumed cache line size. A variable in Go that no
/// amd64 code changes; a constant here. \gosrc{internal/cpu/cpu.go,CacheLineSize}
inline constexpr uintptr_t CacheLineSize = CacheLinePadSize;

}  // namespace runtime::cpu
