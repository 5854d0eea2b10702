// debug/garbage.hpp: the collector's controls from package runtime/debug
// (src/runtime/debug/garbage.go, go1.22.12): SetGCPercent, SetMemoryLimit,
// FreeOSMemory. #include <gort/debug/garbage.hpp>; namespace gort::debug.
//
// Each is a thin wrapper over a runtime function reached through the
// linkname back channel (debug/stubs.hpp). Not ported yet: ReadGCStats,
// SetMaxStack, SetMaxThreads, SetPanicOnFault, SetTraceback,
// WriteHeapDump.
#pragma once
#include <cstdint>

namespace gort::debug {

/// SetGCPercent sets GOGC: a collection starts when the heap allocated
/// since the last one reaches percent per cent of the heap that survived
/// it (plus the stacks and globals it scanned). A negative percent turns
/// the collector off (unless the memory limit is reached); when it does,
/// SetGCPercent returns only once no mark phase is running. Returns the
/// previous setting, initially GOGC from the environment (100 if unset).
/// \gosrc{debug/garbage.go,SetGCPercent}
int SetGCPercent(int percent);

/// FreeOSMemory forces a collection and then returns as much memory to the
/// operating system as it can (madvise), even without GOGC's reasons to.
/// \gosrc{debug/garbage.go,FreeOSMemory}
void FreeOSMemory();

/// SetMemoryLimit sets the soft limit, in bytes, on the memory the runtime
/// uses: the heap, its free but unreleased pages, goroutine stacks and the
/// runtime's metadata (not the program text, nor memory the C++ heap or
/// other code maps). Near the limit the collector runs more often,
/// whatever GOGC says. A negative limit only reads the setting. Returns
/// the previous limit, initially GOMEMLIMIT from the environment
/// (math.MaxInt64 when unset: no limit).
/// \gosrc{debug/garbage.go,SetMemoryLimit}
int64_t SetMemoryLimit(int64_t limit);

}  // namespace gort::debug
