// mwbbuf.cpp: the write-barrier buffer and entry point, mirroring mwbbuf.go
// at go1.22.12 and asm_amd64.s's gcWriteBarrier<>. See mwbbuf.hpp for the
// design and its invariants [wb-entry] and [wb-buf].
//
// Nothing enables write barriers yet (there is no collector), so at run time
// only writeBarrier.enabled is read. The functions below are complete enough
// to be called and checked: tools/gocheck.py finds their callers, and the
// NOSPLIT ones are held to Go's 792-byte nosplit limit.
#include "mwbbuf.hpp"

#include "proc.hpp"

namespace runtime {

/// Departure: Go defines writeBarrier in mgc.go; it lives here until mgc.cpp
/// exists. Zero: barriers off.
writeBarrier_t writeBarrier;

namespace {
/// The buffer gcWriteBarrier fills. Departure: Go uses the running P's
/// p.wbBuf; until that field exists (GC issue) each thread has its own. The
/// type is trivial, so access needs no TLS initialisation call.
thread_local wbBuf threadWbBuf;
}  // namespace

// --- mwbbuf.go ------------------------------------------------------------------

/// \gosrc{mwbbuf.go,wbBuf.reset}
void wbBuf::reset() {
  uintptr start = reinterpret_cast<uintptr>(&buf[0]);
  next = start;
  end = start + wbBufEntries * sizeof(buf[0]);
  if ((end - next) % sizeof(buf[0]) != 0) throw_("bad write barrier buffer bounds");
}

/// \gosrc{mwbbuf.go,wbBuf.discard}
void wbBuf::discard() { next = reinterpret_cast<uintptr>(&buf[0]); }

/// \gosrc{mwbbuf.go,wbBuf.empty}
bool wbBuf::empty() { return next == reinterpret_cast<uintptr>(&buf[0]); }

/// \gosrc{mwbbuf.go,wbBuf.get1}
uintptr* wbBuf::get1() {
  if (next + sizeof(uintptr) > end) wbBufFlush();
  uintptr* p = reinterpret_cast<uintptr*>(next);
  next += sizeof(uintptr);
  return p;
}

/// \gosrc{mwbbuf.go,wbBuf.get2}
uintptr* wbBuf::get2() {
  if (next + 2 * sizeof(uintptr) > end) wbBufFlush();
  uintptr* p = reinterpret_cast<uintptr*>(next);
  next += 2 * sizeof(uintptr);
  return p;
}

/// Departure: Go hands the recorded pointers to wbBufFlush1 on the system
/// stack, which shades them for the collector; with no collector there is
/// nobody to hand them to, so the buffer is emptied in place (wbBufFlush1
/// arrives with the GC issue).
/// \gosrc{mwbbuf.go,wbBufFlush}
void wbBufFlush() { threadWbBuf.reset(); }

// --- asm_amd64.s -----------------------------------------------------------------

/// The body Go's gcWriteBarrier1..8 jump to: claim nbytes of the buffer,
/// flushing and retrying while it is too full. \gosrc{asm_amd64.s,gcWriteBarrier}
uintptr* gcWriteBarrier(uintptr nbytes) {
  wbBuf* b = &threadWbBuf;
  for (;;) {
    uintptr nx = b->next + nbytes;
    if (nx <= b->end) {
      b->next = nx;
      return reinterpret_cast<uintptr*>(nx - nbytes);
    }
    wbBufFlush();
  }
}

}  // namespace runtime
