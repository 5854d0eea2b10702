// mwbbuf.hpp: the write-barrier entry point and its buffer, mirroring
// mwbbuf.go at go1.22.12 (wbBuf, wbBufFlush) and the gcWriteBarrier routines
// Go keeps in asm_amd64.s.
//
// In Go, the compiler turns every store of a pointer into the heap into
//   if writeBarrier.enabled { buf := gcWriteBarrier2(); buf[0] = new; buf[1] = *slot }
//   *slot = new
// (cmd/compile/internal/ssa/writebarrier.go). The port has no compiler pass,
// so runtime code spells that sequence as writebarrierptr(slot, new), an
// always-inlined template, and tools/gocheck.py treats a call of any
// gcWriteBarrier* as a write barrier in the calling function: the rule behind
// NOWRITEBARRIER and NOWRITEBARRIERREC (pragmas.hpp).
//
// The collector enables barriers while it marks (setGCPhase, mgc.cpp);
// otherwise every barrier is a test and a branch.
//
// Invariants:
//   [wb-entry]   the only out-of-line barrier entry is gcWriteBarrier; it and
//                everything it calls are NOSPLIT (Go: gcWriteBarrier<> is
//                NOSPLIT, wbBufFlush is nosplit, and nothing under them may
//                grow the stack while a pointer is half-written).
//   [wb-buf]     b.next and b.end bracket the free part of b.buf; entries
//                below b.next are (new, old) pointer pairs not yet handed to
//                the collector.
#pragma once
#include "runtime2.hpp"

namespace runtime {

/// The global barrier switch (Go: mgc.go's writeBarrier). Generated code in
/// Go reads `enabled` with one 32-bit load, hence the padding.
/// Departure: declared here (defined in mgc.cpp), so that runtime2.hpp's p
/// and type.hpp's gort::ptr see it without mgc.hpp. \gosrc{mgc.go,writeBarrier}
struct writeBarrier_t {
  bool enabled;   // tested before every barrier
  uint8 pad[3];   // keeps a 32-bit read of `enabled` inside the struct
  uint64 alignme;
};
extern writeBarrier_t writeBarrier;

// wbBuf and its sizes are declared in runtime2.hpp: the P embeds one (p.wbBuf_).

/// wbBufFlush empties the current buffer into the collector's work queue.
/// \gosrc{mwbbuf.go,wbBufFlush}
NOWRITEBARRIERREC NOSPLIT void wbBufFlush();

struct p;
/// wbBufFlush1 greys what pp's buffer records and empties it.
/// \gosrc{mwbbuf.go,wbBufFlush1}
NOWRITEBARRIERREC void wbBufFlush1(p* pp);

/// gcWriteBarrier reserves nbytes (a multiple of the word size, at most
/// wbMaxEntriesPerCall words) in the current buffer and returns the slots,
/// flushing first when they do not fit. Go: asm_amd64.s's gcWriteBarrier<>,
/// reached with the byte count in R11. [wb-entry]
/// \gosrc{asm_amd64.s,gcWriteBarrier}
NOSPLIT uintptr* gcWriteBarrier(uintptr nbytes);

// gcWriteBarrier1..8 (asm_amd64.s): the entry points the compiler calls,
// one per number of slots wanted.
/// \gosrc{asm_amd64.s,gcWriteBarrier1}
NOSPLIT_INLINE uintptr* gcWriteBarrier1() { return gcWriteBarrier(1 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier2}
NOSPLIT_INLINE uintptr* gcWriteBarrier2() { return gcWriteBarrier(2 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier3}
NOSPLIT_INLINE uintptr* gcWriteBarrier3() { return gcWriteBarrier(3 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier4}
NOSPLIT_INLINE uintptr* gcWriteBarrier4() { return gcWriteBarrier(4 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier5}
NOSPLIT_INLINE uintptr* gcWriteBarrier5() { return gcWriteBarrier(5 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier6}
NOSPLIT_INLINE uintptr* gcWriteBarrier6() { return gcWriteBarrier(6 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier7}
NOSPLIT_INLINE uintptr* gcWriteBarrier7() { return gcWriteBarrier(7 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier8}
NOSPLIT_INLINE uintptr* gcWriteBarrier8() { return gcWriteBarrier(8 * sizeof(uintptr)); }

/// writebarrierptr performs `*slot = ptr` with the barrier Go's compiler
/// would insert around it: while barriers are on, the new and the old value
/// are recorded for the collector first.
/// Departure: Go's compiler expands this inline at every pointer store into
/// the heap (cmd/compile/internal/ssa/writebarrier.go); the name is the one
/// the runtime used for the same job before go1.10.
template <class T>
NOSPLIT_INLINE void writebarrierptr(T** slot, T* ptr) {
  if (writeBarrier.enabled) {
    uintptr* buf = gcWriteBarrier2();
    buf[0] = reinterpret_cast<uintptr>(ptr);
    buf[1] = reinterpret_cast<uintptr>(*slot);
  }
  *slot = ptr;
}

}  // namespace runtime
