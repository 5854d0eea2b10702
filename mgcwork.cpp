// mgcwork.cpp: the collector's work queues, mirroring mgcwork.go at
// go1.22.12. See mgcwork.hpp for the design and its invariants
// ([wbuf-owner], [gcw-p], [wbuf-nomem]).
#include "mgcwork.hpp"

#include "malloc.hpp"
#include "mgc.hpp"
#include "mheap.hpp"
#include "print.hpp"
#include "proc.hpp"

namespace runtime {

static_assert(workbufAlloc % pageSize == 0 && workbufAlloc % _WorkbufSize == 0, "bad workbufAlloc");

/// init: take the two buffers a gcWork works with: an empty one, and a
/// full one from the global list if there is one (so a consumer starts with
/// work). \gosrc{mgcwork.go,gcWork.init}
void gcWork::init() {
  wbuf1 = getempty();
  workbuf* w2 = trygetfull();
  if (w2 == nullptr) w2 = getempty();
  wbuf2 = w2;
}

/// put: queue obj, which must already be marked (greyobject does both).
/// When both buffers are full, one goes to the global list. \gosrc{mgcwork.go,gcWork.put}
void gcWork::put(uintptr obj) {
  bool flushed = false;
  workbuf* wbuf = wbuf1;
  if (wbuf == nullptr) {
    init();
    wbuf = wbuf1;
  } else if (wbuf->hdr.nobj == workbuf::objLen) {
    workbuf* t = wbuf1;
    wbuf1 = wbuf2;
    wbuf2 = t;
    wbuf = wbuf1;
    if (wbuf->hdr.nobj == workbuf::objLen) {
      putfull(wbuf);
      flushedWork = true;
      wbuf = getempty();
      wbuf1 = wbuf;
      flushed = true;
    }
  }
  wbuf->obj[wbuf->hdr.nobj] = obj;
  wbuf->hdr.nobj++;
  // A full buffer went to the global list: let the pacer find it workers
  // (only now, with this gcWork consistent, as enlistWorker may use it).
  if (flushed && gcphase == _GCmark) gcController.enlistWorker();
}

/// putBatch: put n objects. \gosrc{mgcwork.go,gcWork.putBatch}
void gcWork::putBatch(uintptr* obj, int n) {
  if (n == 0) return;
  bool flushed = false;
  workbuf* wbuf = wbuf1;
  if (wbuf == nullptr) {
    init();
    wbuf = wbuf1;
  }
  while (n > 0) {
    while (wbuf->hdr.nobj == workbuf::objLen) {
      putfull(wbuf);
      flushedWork = true;
      flushed = true;
      wbuf1 = wbuf2;
      wbuf2 = getempty();
      wbuf = wbuf1;
    }
    int room = workbuf::objLen - wbuf->hdr.nobj;
    int c = n < room ? n : room;
    memmove(&wbuf->obj[wbuf->hdr.nobj], obj, uintptr(c) * sizeof(uintptr));
    wbuf->hdr.nobj += c;
    obj += c;
    n -= c;
  }
  if (flushed && gcphase == _GCmark) gcController.enlistWorker();
}

/// tryGet: a grey object, or 0 if this P and the global list have none.
/// \gosrc{mgcwork.go,gcWork.tryGet}
uintptr gcWork::tryGet() {
  workbuf* wbuf = wbuf1;
  if (wbuf == nullptr) {
    init();
    wbuf = wbuf1;
  }
  if (wbuf->hdr.nobj == 0) {
    workbuf* t = wbuf1;
    wbuf1 = wbuf2;
    wbuf2 = t;
    wbuf = wbuf1;
    if (wbuf->hdr.nobj == 0) {
      workbuf* owbuf = wbuf;
      wbuf = trygetfull();
      if (wbuf == nullptr) return 0;
      putempty(owbuf);
      wbuf1 = wbuf;
    }
  }
  wbuf->hdr.nobj--;
  return wbuf->obj[wbuf->hdr.nobj];
}

/// dispose: give both buffers back to the global lists and flush the
/// counters into work and gcController. \gosrc{mgcwork.go,gcWork.dispose}
void gcWork::dispose() {
  if (workbuf* wbuf = wbuf1; wbuf != nullptr) {
    if (wbuf->hdr.nobj == 0) {
      putempty(wbuf);
    } else {
      putfull(wbuf);
      flushedWork = true;
    }
    wbuf1 = nullptr;
    wbuf = wbuf2;
    if (wbuf->hdr.nobj == 0) {
      putempty(wbuf);
    } else {
      putfull(wbuf);
      flushedWork = true;
    }
    wbuf2 = nullptr;
  }
  if (bytesMarked != 0) {
    atomic::Xadd(&work.bytesMarked, bytesMarked);
    bytesMarked = 0;
  }
  if (heapScanWork != 0) {
    gcController.heapScanWork.Add(heapScanWork);
    heapScanWork = 0;
  }
}

/// balance: move some of this P's work to the global list, for other
/// workers. \gosrc{mgcwork.go,gcWork.balance}
void gcWork::balance() {
  if (wbuf1 == nullptr) return;
  if (workbuf* wbuf = wbuf2; wbuf->hdr.nobj != 0) {
    putfull(wbuf);
    flushedWork = true;
    wbuf2 = getempty();
  } else if (workbuf* w1 = wbuf1; w1->hdr.nobj > 4) {
    wbuf1 = handoff(w1);
    flushedWork = true;  // handoff did putfull
  } else {
    return;
  }
  // A buffer went to the global list: find it a worker.
  if (gcphase == _GCmark) gcController.enlistWorker();
}

/// empty: no grey object on this gcWork. \gosrc{mgcwork.go,gcWork.empty}
bool gcWork::empty() { return wbuf1 == nullptr || (wbuf1->hdr.nobj == 0 && wbuf2->hdr.nobj == 0); }

/// checknonempty / checkempty. \gosrc{mgcwork.go,workbuf.checknonempty}
void workbuf::checknonempty() {
  if (hdr.nobj == 0) throw_("workbuf is empty");
}
/// \gosrc{mgcwork.go,workbuf.checkempty}
void workbuf::checkempty() {
  if (hdr.nobj != 0) throw_("workbuf is not empty");
}

/// getempty: an empty workbuf: from work.empty, else carved from a span
/// (a freed one kept on work.wbufSpans.free, else a new manual span).
/// \gosrc{mgcwork.go,getempty}
workbuf* getempty() {
  workbuf* b = nullptr;
  if (atomic::Load(&work.empty.v) != 0) {
    b = static_cast<workbuf*>(work.empty.pop());
    if (b != nullptr) b->checkempty();
  }
  if (b == nullptr) {
    // Departure: Go looks at free.first before taking the lock, a racy
    // read; the list's links are plain fields written under the lock, and
    // another mark worker may be writing them, so the port looks under the
    // lock. This path runs once
    // per span of workbufs, not per buffer.
    mspan* s = nullptr;
    lock(&work.wbufSpans.lock);
    s = work.wbufSpans.free.first;
    if (s != nullptr) {
      work.wbufSpans.free.remove(s);
      work.wbufSpans.busy.insert(s);
    }
    unlock(&work.wbufSpans.lock);
    if (s == nullptr) {
      systemstack([&] { s = mheap_.allocManual(workbufAlloc / pageSize, spanAllocWorkBuf); });
      if (s == nullptr) throw_("out of memory");
      lock(&work.wbufSpans.lock);
      work.wbufSpans.busy.insert(s);
      unlock(&work.wbufSpans.lock);
    }
    // Carve the span into workbufs: keep the first, the rest go to the
    // empty list.
    for (uintptr i = 0; i + _WorkbufSize <= workbufAlloc; i += _WorkbufSize) {
      auto* newb = reinterpret_cast<workbuf*>(s->base() + i);
      newb->hdr.nobj = 0;
      lfnodeValidate(&newb->hdr.node);
      if (i == 0) {
        b = newb;
      } else {
        putempty(newb);
      }
    }
  }
  return b;
}

/// putempty: b, which must be empty, onto work.empty. \gosrc{mgcwork.go,putempty}
void putempty(workbuf* b) {
  b->checkempty();
  work.empty.push(&b->hdr.node);
}

/// putfull: b, which must not be empty, onto work.full. \gosrc{mgcwork.go,putfull}
void putfull(workbuf* b) {
  b->checknonempty();
  work.full.push(&b->hdr.node);
}

/// trygetfull: a full workbuf from work.full, or nullptr. \gosrc{mgcwork.go,trygetfull}
workbuf* trygetfull() {
  auto* b = static_cast<workbuf*>(work.full.pop());
  if (b != nullptr) b->checknonempty();
  return b;
}

/// handoff: put half of b's objects on work.full (in b) and return a new
/// buffer with the other half. \gosrc{mgcwork.go,handoff}
workbuf* handoff(workbuf* b) {
  workbuf* b1 = getempty();
  int n = b->hdr.nobj / 2;
  b->hdr.nobj -= n;
  b1->hdr.nobj = n;
  memmove(&b1->obj[0], &b->obj[b->hdr.nobj], uintptr(n) * sizeof(b1->obj[0]));
  putfull(b);
  return b1;
}

/// prepareFreeWorkbufs: after the mark, every workbuf span can be freed:
/// move them all to the free list and forget the empty workbufs.
/// \gosrc{mgcwork.go,prepareFreeWorkbufs}
void prepareFreeWorkbufs() {
  lock(&work.wbufSpans.lock);
  if (atomic::Load(&work.full.v) != 0) throw_("cannot free workbufs when work.full != 0");
  // The empty list points into the spans about to be freed.
  work.empty.v = 0;
  work.wbufSpans.free.takeAll(&work.wbufSpans.busy);
  unlock(&work.wbufSpans.lock);
}

/// freeSomeWbufs: free up to a batch of workbuf spans; reports whether
/// more remain. \gosrc{mgcwork.go,freeSomeWbufs}
bool freeSomeWbufs(bool preemptible) {
  constexpr int batchSize = 64;
  lock(&work.wbufSpans.lock);
  if (gcphase != _GCoff || work.wbufSpans.free.isEmpty()) {
    unlock(&work.wbufSpans.lock);
    return false;
  }
  systemstack([&] {
    g* gp = getg()->m->curg;
    for (int i = 0; i < batchSize && !(preemptible && gp != nullptr && gp->preempt.load()); i++) {
      mspan* span = work.wbufSpans.free.first;
      if (span == nullptr) break;
      work.wbufSpans.free.remove(span);
      mheap_.freeManual(span, spanAllocWorkBuf);
    }
  });
  bool more = !work.wbufSpans.free.isEmpty();
  unlock(&work.wbufSpans.lock);
  return more;
}

}  // namespace runtime
