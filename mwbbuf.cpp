// mwbbuf.cpp: the write-barrier buffer and entry point, mirroring mwbbuf.go
// at go1.22.12 and asm_amd64.s's gcWriteBarrier<>. See mwbbuf.hpp for the
// design and its invariants [wb-entry] and [wb-buf].
//
// setGCPhase (mgc.cpp) enables write barriers while the collector marks;
// the recorded pointers go to the P's grey set through wbBufFlush1.
#include "mwbbuf.hpp"

#include "malloc.hpp"
#include "mgc.hpp"
#include "mgcwork.hpp"
#include "mheap.hpp"
#include "proc.hpp"

namespace runtime {

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

/// wbBufFlush: hand the running P's recorded pointers to the collector
/// (wbBufFlush1, on the system stack). \gosrc{mwbbuf.go,wbBufFlush}
void wbBufFlush() {
  g* gp = getg();
  if (gp->m->dying > 0) {
    // Throwing: the buffer is of no use any more.
    gp->m->p.ptr()->wbBuf_.discard();
    return;
  }
  systemstack([] { wbBufFlush1(getg()->m->p.ptr()); });
}

/// wbBufFlush1: grey every heap object the buffer of pp names and empty
/// it. pp must be the running P or the world stopped.
/// \gosrc{mwbbuf.go,wbBufFlush1}
void wbBufFlush1(p* pp) {
  systemstackcheck();
  wbBuf& b = pp->wbBuf_;
  uintptr start = reinterpret_cast<uintptr>(&b.buf[0]);
  uintptr n = (b.next - start) / sizeof(b.buf[0]);
  uintptr* ptrs = &b.buf[0];
  if (gcphase == _GCoff) {
    // Barriers are off: the records are of no use (Go: a barrier buffered
    // just before the phase changed).
    b.reset();
    return;
  }
  gcWork* gcw = &pp->gcw;
  uintptr pos = 0;
  for (uintptr i = 0; i < n; i++) {
    uintptr ptr = ptrs[i];
    if (ptr < minLegalPointer) continue;  // nil, mostly
    // Departure: Go looks the pointer up with findObject, which reports a
    // pointer into no object (badPointer); the port's barriers also record
    // words that are not known to be pointers (a global, a conservatively
    // scanned value: bulkBarrierPreWrite), so a word that names no
    // allocated heap object is skipped, as scanConservative skips it.
    mspan* s = spanOfHeap(ptr);
    if (s == nullptr) continue;
    uintptr objIndex = s->objIndex(ptr);
    if (s->isFree(objIndex)) continue;
    // Already marked: black or grey already.
    markBits mbits = s->markBitsForIndex(objIndex);
    if (mbits.isMarked()) continue;
    mbits.setMarked();
    auto [arena, pageIdx, pageMask] = pageIndexOf(s->base());
    if ((atomic::Load8(&arena->pageMarks[pageIdx]) & pageMask) == 0) atomic::Or8(&arena->pageMarks[pageIdx], pageMask);
    if (s->spanclass.noscan()) {
      gcw->bytesMarked += uint64(s->elemsize);
      continue;
    }
    // Reuse the buffer's own slots for the grey objects (pos <= i).
    ptrs[pos++] = s->base() + objIndex * s->elemsize;
  }
  gcw->putBatch(ptrs, int(pos));
  b.reset();
}

/// wbRecord: see mwbbuf.hpp. Port only.
void wbRecord(uintptr ptr, uintptr old) {
  if (ptr == old) return;  // no reference deleted (wbAfterStore)
  uintptr* buf = gcWriteBarrier2();
  buf[0] = ptr;
  buf[1] = old;
}

/// wbRecordWords: see type.hpp. Port only.
void wbRecordWords(uintptr obj, uint64 mask) {
  const uintptr* w = reinterpret_cast<const uintptr*>(obj);
  while (mask != 0) {
    uintptr vals[wbMaxEntriesPerCall];
    uintptr n = 0;
    while (mask != 0 && n < wbMaxEntriesPerCall) {
      uintptr v = w[__builtin_ctzll(mask)];
      mask &= mask - 1;
      if (v != 0) vals[n++] = v;
    }
    if (n == 0) continue;
    uintptr* buf = gcWriteBarrier(n * sizeof(uintptr));
    for (uintptr i = 0; i < n; i++) buf[i] = vals[i];
  }
}

// --- asm_amd64.s -----------------------------------------------------------------

/// The body Go's gcWriteBarrier1..8 jump to: claim nbytes of the buffer,
/// flushing and retrying while it is too full. \gosrc{asm_amd64.s,gcWriteBarrier}
uintptr* gcWriteBarrier(uintptr nbytes) {
  wbBuf* b = &getg()->m->p.ptr()->wbBuf_;
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
