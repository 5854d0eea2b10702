// debug/garbage.hpp: the collector's controls from package runtime/debug
// (src/runtime/debug/garbage.go, go1.22.12): ReadGCStats, SetGCPercent,
// SetMemoryLimit, FreeOSMemory. #include <gort/debug/garbage.hpp>;
// namespace gort::debug.
//
// Each is a thin wrapper over a runtime function reached through the
// linkname back channel (debug/stubs.hpp); SetMaxStack and SetMaxThreads
// too. Not ported yet: SetPanicOnFault, SetTraceback, WriteHeapDump.
//
// Departure: Go's GCStats holds time.Time and time.Duration values in
// slices; until the port has package time (the timers issue), a time is a
// std::chrono::system_clock::time_point and a duration
// std::chrono::nanoseconds (time.Duration's own unit), and the histories
// are std::vectors: they hold no GC references, so the C++ heap may keep
// them. As in Go, ReadGCStats reuses their capacity when it is enough.
#pragma once
#include <chrono>
#include <cstdint>
#include <vector>

namespace gort::debug {

/// GCStats: what ReadGCStats reports about recent collections.
/// \gosrc{debug/garbage.go,GCStats}
struct GCStats {
  std::chrono::system_clock::time_point LastGC;        // when the last collection ended
  int64_t NumGC = 0;                                   // collections so far
  std::chrono::nanoseconds PauseTotal{0};              // their pauses, summed
  std::vector<std::chrono::nanoseconds> Pause;         // pause history, newest first
  std::vector<std::chrono::system_clock::time_point> PauseEnd;  // when each ended, newest first
  std::vector<std::chrono::nanoseconds> PauseQuantiles;
};

/// ReadGCStats reads the collector's statistics into *stats: the time and
/// count of collections, their total pause, and the pauses (and their end
/// times) of up to the last 256 collections, newest first. When
/// stats->PauseQuantiles is not empty it is filled with quantiles of the
/// pause history: with 5 entries, the minimum, 25%, 50%, 75% and the
/// maximum. \gosrc{debug/garbage.go,ReadGCStats}
void ReadGCStats(GCStats* stats);

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

/// SetMaxStack sets the most memory one goroutine's stack may use, and
/// returns the previous setting, initially 1 GB as in Go on 64-bit (Go's
/// int is 64 bits: int64_t here). A goroutine whose stack would grow past it ends the program with Go's
/// "runtime: goroutine stack exceeds N-byte limit" and "fatal error: stack
/// overflow". It limits only future growth: the port's stacks grow by
/// segments (stack.cpp), and the sum of a goroutine's segments is what
/// counts. \gosrc{debug/garbage.go,SetMaxStack}
int64_t SetMaxStack(int64_t bytes);

/// SetMaxThreads sets the most operating-system threads (Ms) the program
/// may use, and returns the previous setting, initially 10 000 as in Go.
/// A program that needs one more, because every thread it has is blocked
/// in a system call or locked to a goroutine, ends with Go's "runtime:
/// program exceeds N-thread limit" and "fatal error: thread exhaustion";
/// so does one already past the new limit. Counts above MaxInt32 are held
/// at MaxInt32 (Go's int is 64 bits: int64_t here).
/// \gosrc{debug/garbage.go,SetMaxThreads}
int64_t SetMaxThreads(int64_t threads);

}  // namespace gort::debug
