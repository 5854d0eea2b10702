// debug/stubs.hpp: package runtime/debug's bodiless declarations of the
// functions the runtime provides, mirroring src/runtime/debug/stubs.go at
// go1.22.12.
//
// As with package sync (sync/runtime.hpp), nothing here includes the
// runtime: each declaration names only a symbol, and the runtime defines a
// function under that symbol with LINKNAME (mgcpacer.cpp's setGCPercent and
// setMemoryLimit, mheap.cpp's runtime_debug_freeOSMemory), so the linker
// joins them. A Go compiler names these "runtime/debug.setGCPercent"; the
// slash is not allowed in an assembler symbol, so the port spells the
// package path as gccgo does ("/" becomes "..z2f"). The ctest
// linkname_sync checks both ends.
#pragma once
#include <cstdint>

#include "../pragmas.hpp"

namespace gort::debug {

/// freeOSMemory: runtime.GC, then every free page back to the OS.
/// \gosrc{debug/stubs.go,freeOSMemory}
void freeOSMemory() GOSYMBOL("runtime..z2fdebug.freeOSMemory");

/// pauseBuffer: the header of the []time.Duration that ReadGCStats lends
/// readGCStats (the runtime reads it as its slice header, runtime::slice:
/// array, len, cap), each element a count of nanoseconds.
struct pauseBuffer {
  int64_t* array;
  int len;
  int cap;
};

/// readGCStats: fill *pauses with the pause history, the pause end times,
/// the last collection's time, the number of collections and the total
/// pause (runtime readGCStats, mstats.cpp). \gosrc{debug/stubs.go,readGCStats}
void readGCStats(pauseBuffer* pauses) GOSYMBOL("runtime..z2fdebug.readGCStats");

/// setGCPercent: set GOGC (negative: off), re-pace, return the old value.
/// \gosrc{debug/stubs.go,setGCPercent}
int32_t setGCPercent(int32_t percent) GOSYMBOL("runtime..z2fdebug.setGCPercent");

/// setMemoryLimit: set the soft memory limit (negative: only read it),
/// re-pace, return the old value. \gosrc{debug/stubs.go,setMemoryLimit}
int64_t setMemoryLimit(int64_t limit) GOSYMBOL("runtime..z2fdebug.setMemoryLimit");

/// setMaxStack: set the most bytes of stack one goroutine may hold, return
/// the old limit (runtime setMaxStack, rdebug.cpp). \gosrc{debug/stubs.go,setMaxStack}
int64_t setMaxStack(int64_t in) GOSYMBOL("runtime..z2fdebug.setMaxStack");

/// setMaxThreads: set the most OS threads the program may use, return the
/// old limit (runtime setMaxThreads, proc.cpp). \gosrc{debug/stubs.go,setMaxThreads}
int64_t setMaxThreads(int64_t in) GOSYMBOL("runtime..z2fdebug.setMaxThreads");

}  // namespace gort::debug
