// select.cpp: the select statement, mirroring select.go at go1.22.12.
//
// selectgo runs a select with nsends send cases followed by nrecvs receive
// cases (the compiler's order). In three passes:
//   1. Poll, in a random permutation of the cases (pollorder), so that no
//      ready case is favoured: the first ready case wins.
//   2. Nothing ready and the select blocks: enqueue one sudog per case, in
//      lock order, all linked on gp.waiting, and park ("select").
//   3. Woken by the case that won (gp.param is its sudog): dequeue the
//      sudogs of every other case and report the winner.
// Lock order: every channel involved is locked in order of address
// (lockorder, sorted with a heap sort, as Go does, to avoid both allocation
// and quadratic time); a channel named by several cases is locked once.
// Locking all of them at once is what makes a select atomic with respect to
// each channel's operations; the common order is what prevents deadlock
// between two selects.
//
// Only one case may win: a sudog of a select is taken from a channel queue
// only by the party that first CASes the goroutine's selectDone from 0 to 1
// (waitq.dequeue in chan.cpp).
#include "select.hpp"

#include "print.hpp"
#include "proc.hpp"

namespace runtime {

/// sellock locks every channel of the cases, in lockorder, skipping repeats.
/// \gosrc{select.go,sellock}
static void sellock(scase* scases, uint16* lockorder, int n) {
  hchan* c = nullptr;
  for (int i = 0; i < n; i++) {
    hchan* c0 = scases[lockorder[i]].c;
    if (c0 != c) {
      c = c0;
      lock(&c->lock);
    }
  }
}

/// selunlock unlocks them in reverse order. Once the last one is unlocked
/// the select's goroutine may be readied and may run: nothing of the
/// select's state may be touched after that. \gosrc{select.go,selunlock}
static void selunlock(scase* scases, uint16* lockorder, int n) {
  for (int i = n - 1; i >= 0; i--) {
    hchan* c = scases[lockorder[i]].c;
    if (i > 0 && c == scases[lockorder[i - 1]].c) continue;  // will unlock it on the next iteration
    unlock(&c->lock);
  }
}

/// selparkcommit: gopark's unlock function for select: unlock every channel
/// of gp.waiting (already in lock order). \gosrc{select.go,selparkcommit}
static bool selparkcommit(g* gp, void*) {
  gp->activeStackChans = true;
  gp->parkingOnChan.Store(false);
  hchan* lastc = nullptr;
  for (sudog* sg = gp->waiting; sg != nullptr; sg = sg->waitlink) {
    // Unlock each channel once, and only after the last sudog on it, since
    // a sudog on an unlocked channel may be dequeued by another goroutine.
    if (sg->c != lastc && lastc != nullptr) unlock(&lastc->lock);
    lastc = sg->c;
  }
  if (lastc != nullptr) unlock(&lastc->lock);
  return true;
}

/// block: `select {}`, parks forever. \gosrc{select.go,block}
void block() {
  mustgetg("select");
  gopark(nullptr, nullptr, waitReasonSelectNoCases, 1);  // forever
  throw_("unreachable");
}

namespace {
NOSPLIT_INLINE uintptr sortkey(hchan* c) { return reinterpret_cast<uintptr>(c); }

struct selunlockArgs {
  scase* scases;
  uint16* lockorder;
  int n;
};
void selunlockf(void* a) {
  auto* s = static_cast<selunlockArgs*>(a);
  selunlock(s->scases, s->lockorder, s->n);
}
}  // namespace

/// selectgo implements the select statement. cas0 points to nsends send
/// cases followed by nrecvs receive cases; order0 to 2*(nsends+nrecvs)
/// uint16s of scratch (pollorder, then lockorder). Returns the index of the
/// chosen case (-1 if none and !block) and, for a receive, whether a value
/// was received (false: the channel was closed). \gosrc{select.go,selectgo}
std::tuple<int, bool> selectgo(scase* cas0, uint16* order0, uintptr* pc0, int nsends, int nrecvs,
                               bool block) {
  (void)pc0;
  int ncases = nsends + nrecvs;
  scase* scases = cas0;
  uint16* pollorder = order0;
  uint16* lockorder = order0 + ncases;

  // generate permuted order
  int norder = 0;
  for (int i = 0; i < ncases; i++) {
    scase* cas = &scases[i];
    // Omit cases without channels from the poll and lock orders.
    if (cas->c == nullptr) {
      cas->elem = nullptr;  // allow GC
      continue;
    }
    uint32 j = cheaprandn(uint32(norder + 1));
    pollorder[norder] = pollorder[j];
    pollorder[j] = uint16(i);
    norder++;
  }

  // sort the cases by Hchan address to get the locking order.
  // simple heap sort, to guarantee n log n time and constant stack footprint.
  for (int i = 0; i < norder; i++) {
    int j = i;
    // Start with the pollorder to permute cases on the same channel.
    hchan* c = scases[pollorder[i]].c;
    while (j > 0 && sortkey(scases[lockorder[(j - 1) / 2]].c) < sortkey(c)) {
      int k = (j - 1) / 2;
      lockorder[j] = lockorder[k];
      j = k;
    }
    lockorder[j] = pollorder[i];
  }
  for (int i = norder - 1; i >= 0; i--) {
    uint16 o = lockorder[i];
    hchan* c = scases[o].c;
    lockorder[i] = lockorder[0];
    int j = 0;
    for (;;) {
      int k = j * 2 + 1;
      if (k >= i) break;
      if (k + 1 < i && sortkey(scases[lockorder[k]].c) < sortkey(scases[lockorder[k + 1]].c)) k++;
      if (sortkey(c) < sortkey(scases[lockorder[k]].c)) {
        lockorder[j] = lockorder[k];
        j = k;
        continue;
      }
      break;
    }
    lockorder[j] = o;
  }

  // lock all the channels involved in the select
  sellock(scases, lockorder, norder);

  g* gp;
  sudog* sg;
  hchan* c;
  scase* k;
  sudog* sglist;
  sudog* sgnext;
  void* qp;
  sudog** nextp;
  int casi = -1;
  scase* cas = nullptr;
  bool caseSuccess = false;
  bool recvOK = false;
  selunlockArgs ua{scases, lockorder, norder};

  // pass 1 - look for something already waiting
  for (int oi = 0; oi < norder; oi++) {
    casi = int(pollorder[oi]);
    cas = &scases[casi];
    c = cas->c;
    if (casi >= nsends) {
      sg = c->sendq.dequeue();
      if (sg != nullptr) goto recv;
      if (c->qcount > 0) goto bufrecv;
      if (c->closed != 0) goto rclose;
    } else {
      if (c->closed != 0) goto sclose;
      sg = c->recvq.dequeue();
      if (sg != nullptr) goto send;
      if (c->qcount < c->dataqsiz) goto bufsend;
    }
  }

  if (!block) {
    selunlock(scases, lockorder, norder);
    casi = -1;
    goto retc;
  }

  // pass 2 - enqueue on all chans
  gp = getg();
  if (gp->waiting != nullptr) throw_("gp.waiting != nil");
  nextp = &gp->waiting;
  for (int li = 0; li < norder; li++) {
    casi = int(lockorder[li]);
    cas = &scases[casi];
    c = cas->c;
    sudog* sg1 = acquireSudog();
    sg1->g_ = gp;
    sg1->isSelect = true;
    // No stack splits between assigning elem and enqueuing sg on
    // gp.waiting where copystack can find it (kept for Go's order).
    sg1->elem = cas->elem;
    sg1->releasetime = 0;
    sg1->c = c;
    // Construct waiting list in lock order.
    *nextp = sg1;
    nextp = &sg1->waitlink;
    if (casi < nsends)
      c->sendq.enqueue(sg1);
    else
      c->recvq.enqueue(sg1);
  }

  // wait for someone to wake us up
  gp->param = nullptr;
  // Signal to anyone trying to shrink our stack that we're about to park
  // on a channel.
  gp->parkingOnChan.Store(true);
  gopark(selparkcommit, nullptr, waitReasonSelect, 1);
  gp->activeStackChans = false;

  sellock(scases, lockorder, norder);

  gp->selectDone.Store(0);
  sg = static_cast<sudog*>(gp->param);
  gp->param = nullptr;

  // pass 3 - dequeue from unsuccessful chans; otherwise they stack up on
  // quiet channels. Record the successful case, if any. We singly-linked
  // up the SudoGs in lock order.
  casi = -1;
  cas = nullptr;
  caseSuccess = false;
  sglist = gp->waiting;
  // Clear all elem before unlinking from gp.waiting.
  for (sudog* sg1 = gp->waiting; sg1 != nullptr; sg1 = sg1->waitlink) {
    sg1->isSelect = false;
    sg1->elem = nullptr;
    sg1->c = nullptr;
  }
  gp->waiting = nullptr;

  for (int li = 0; li < norder; li++) {
    int casei = int(lockorder[li]);
    k = &scases[casei];
    if (sg == sglist) {
      // sg has already been dequeued by the G that woke us up.
      casi = casei;
      cas = k;
      caseSuccess = sglist->success;
    } else {
      c = k->c;
      if (casei < nsends)
        c->sendq.dequeueSudoG(sglist);
      else
        c->recvq.dequeueSudoG(sglist);
    }
    sgnext = sglist->waitlink;
    sglist->waitlink = nullptr;
    releaseSudog(sglist);
    sglist = sgnext;
  }

  if (cas == nullptr) throw_("selectgo: bad wakeup");
  c = cas->c;
  if (casi < nsends) {
    if (!caseSuccess) goto sclose;
  } else {
    recvOK = caseSuccess;
  }
  selunlock(scases, lockorder, norder);
  goto retc;

bufrecv:
  // can receive from buffer
  recvOK = true;
  qp = chanbuf(c, c->recvx);
  if (cas->elem != nullptr) typedmemmove(c->elemtype, cas->elem, qp);
  typedmemclr(c->elemtype, qp);
  c->recvx++;
  if (c->recvx == c->dataqsiz) c->recvx = 0;
  c->qcount--;
  selunlock(scases, lockorder, norder);
  goto retc;

bufsend:
  // can send to buffer
  typedmemmove(c->elemtype, chanbuf(c, c->sendx), cas->elem);
  c->sendx++;
  if (c->sendx == c->dataqsiz) c->sendx = 0;
  c->qcount++;
  selunlock(scases, lockorder, norder);
  goto retc;

recv:
  // can receive from sleeping sender (sg)
  runtime::recv(c, sg, cas->elem, selunlockf, &ua, 2);
  recvOK = true;
  goto retc;

rclose:
  // read at end of closed channel
  selunlock(scases, lockorder, norder);
  recvOK = false;
  if (cas->elem != nullptr) typedmemzero(c->elemtype, cas->elem);
  goto retc;

send:
  // can send to a sleeping receiver (sg)
  runtime::send(c, sg, cas->elem, selunlockf, &ua, 2);
  goto retc;

retc:
  return {casi, recvOK};

sclose:
  // send on closed channel
  selunlock(scases, lockorder, norder);
  panicplain("send on closed channel");
}

/// dequeueSudoG removes sgp from q, wherever it is. \gosrc{select.go,dequeueSudoG}
void waitq::dequeueSudoG(sudog* sgp) {
  sudog* x = sgp->prev;
  sudog* y = sgp->next;
  if (x != nullptr) {
    if (y != nullptr) {
      // middle of queue
      x->next = y;
      y->prev = x;
      sgp->next = nullptr;
      sgp->prev = nullptr;
      return;
    }
    // end of queue
    x->next = nullptr;
    last = x;
    sgp->prev = nullptr;
    return;
  }
  if (y != nullptr) {
    // start of queue
    y->prev = nullptr;
    first = y;
    sgp->next = nullptr;
    return;
  }
  // x==y==nil. Either sgp is the only element in the queue, or it has
  // already been removed. Use q.first to disambiguate.
  if (first == sgp) {
    first = nullptr;
    last = nullptr;
  }
}

}  // namespace runtime
