// mgcwork.hpp: the collector's work queues, mirroring mgcwork.go at
// go1.22.12: gcWork, the per-P producer/consumer of grey objects, and
// workbuf, the fixed-size blocks of object pointers it trades with the
// global lists work.full and work.empty (mgc.hpp's workType).
//
// Greying an object means putting its address on some gcWork; blackening it
// means taking it off and scanning it (mgcmark.cpp). A gcWork holds two
// workbufs, so that a producer and a consumer alternating on one boundary
// do not swap a buffer with the global list at every step (Go's
// "two-buffer hysteresis").
//
// Invariant [wbuf-owner]: a workbuf is owned by exactly one of: a gcWork
// (wbuf1 or wbuf2), work.full (it is not empty), work.empty (it is empty),
// or a span on work.wbufSpans.busy that has not carved it out yet.
// Invariant [gcw-p]: a gcWork is used only by the goroutine holding its P,
// with preemption disabled (Go's rule; here the mark code runs on the system
// stack or with m.locks held).
// Invariant [wbuf-nomem]: workbufs live in manual spans (allocManual,
// spanAllocWorkBuf): never in the garbage-collected heap, so the collector
// never scans them as objects.
//
// Locks: work.wbufSpans.lock protects the free and busy span lists; the
// full and empty lists are lock-free stacks (lfstack.hpp).
#pragma once
#include "lfstack.hpp"
#include "runtime2.hpp"

namespace runtime {

/// _WorkbufSize: the bytes of one workbuf; workbufAlloc: the bytes of the
/// span workbufs are carved from. \gosrc{mgcwork.go,_WorkbufSize}
inline constexpr uintptr _WorkbufSize = 2048;
inline constexpr uintptr workbufAlloc = 32 << 10;

/// workbufhdr: the list link (first, for lfstack) and the count.
/// \gosrc{mgcwork.go,workbufhdr}
struct workbufhdr {
  lfnode node;  // must be first
  int nobj;
};

/// workbuf: a block of grey object addresses. \gosrc{mgcwork.go,workbuf}
struct workbuf : sys::NotInHeap {
  workbufhdr hdr;
  uintptr obj[(_WorkbufSize - sizeof(workbufhdr)) / sizeof(uintptr)];
  static constexpr int objLen = int((_WorkbufSize - sizeof(workbufhdr)) / sizeof(uintptr));

  void checknonempty();
  void checkempty();
};
static_assert(sizeof(workbuf) == _WorkbufSize);

// gcWork is declared in runtime2.hpp: the P embeds one (p.gcw).

// The two fast paths, inline as Go's compiler inlines them into
// greyobject and gcDrain.
/// putFast: put when wbuf1 has room, else report false and do nothing.
/// \gosrc{mgcwork.go,gcWork.putFast}
NOSPLIT_INLINE bool gcWork::putFast(uintptr obj) {
  workbuf* wbuf = wbuf1;
  if (wbuf == nullptr || wbuf->hdr.nobj == workbuf::objLen) return false;
  wbuf->obj[wbuf->hdr.nobj] = obj;
  wbuf->hdr.nobj++;
  return true;
}

/// tryGetFast: a grey object from wbuf1 alone, or 0.
/// \gosrc{mgcwork.go,gcWork.tryGetFast}
NOSPLIT_INLINE uintptr gcWork::tryGetFast() {
  workbuf* wbuf = wbuf1;
  if (wbuf == nullptr || wbuf->hdr.nobj == 0) return 0;
  wbuf->hdr.nobj--;
  return wbuf->obj[wbuf->hdr.nobj];
}

NOWRITEBARRIER workbuf* getempty();
NOWRITEBARRIER void putempty(workbuf* b);
NOWRITEBARRIER void putfull(workbuf* b);
NOWRITEBARRIER workbuf* trygetfull();
NOWRITEBARRIER workbuf* handoff(workbuf* b);
void prepareFreeWorkbufs();
bool freeSomeWbufs(bool preemptible);

}  // namespace runtime
