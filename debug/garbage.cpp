// debug/garbage.cpp: package runtime/debug's collector controls, mirroring
// src/runtime/debug/garbage.go at go1.22.12. See garbage.hpp.
#include "garbage.hpp"

#include "stubs.hpp"

namespace gort::debug {

/// \gosrc{debug/garbage.go,SetGCPercent}
int SetGCPercent(int percent) { return int(setGCPercent(int32_t(percent))); }

/// \gosrc{debug/garbage.go,FreeOSMemory}
void FreeOSMemory() { freeOSMemory(); }

/// \gosrc{debug/garbage.go,SetMemoryLimit}
int64_t SetMemoryLimit(int64_t limit) { return setMemoryLimit(limit); }

}  // namespace gort::debug
