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
    if (i > 0 && c == scases[lockorder[i - 1]].c) continue;  // same channel below: unlock it there
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
  gopark(nullptr, nullptr, waitReasonSelectNoCases, 1);  // nothing will ever ready it
  throw_("unreachable");
}

namespace {
NOSPLIT_INLINE uintptr sortkey(hchan* c);

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

/// selectgo: runs one select statement. cas0 points to nsends send
/// cases followed by nrecvs receive cases; order0 to 2*(nsends+nrecvs)
/// uint16s of scratch (pollorder, then lockorder). Returns the index of the
/// chosen case (-1 if none and !block) and, for a receive, whether a value
/// was received (false: the channel was closed). \gosrc{select.go,selectgo}
selectgoResult selectgo(scase* cas0, uint16* order0, uintptr* pc0, int nsends, int nrecvs,
                        bool block) {
  (void)pc0;
  int ncases = nsends + nrecvs;
  scase* scases = cas0;
  uint16* pollorder = order0;
  uint16* lockorder = order0 + ncases;

  // Build pollorder: a random shuffle (inside-out Fisher-Yates) of the cases.
  int norder = 0;
  for (int i = 0; i < ncases; i++) {
    scase* cas = &scases[i];
    // A nil channel never becomes ready: leave its case out of both orders.
    if (cas->c == nullptr) {
      cas->elem = nullptr;  // drop the reference (Go: for the GC)
      continue;
    }
    uint32 j = cheaprandn(uint32(norder + 1));
    pollorder[norder] = pollorder[j];
    pollorder[j] = uint16(i);
    norder++;
  }

  // Build lockorder: the cases sorted by channel address, with an in-place
  // heap sort (O(n log n), no extra memory). First sift each case up.
  for (int i = 0; i < norder; i++) {
    int j = i;
    // Taking cases in pollorder keeps cases on one channel in random order.
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

  // Lock every channel of the select (see Lock order above).
  sellock(scases, lockorder, norder);

  g* gp;
  sudog* sg;
  hchan* c;
  scase* k;
  sudog* sglist;
  sudog* sgnext;
  void* qp;
  heapPtr<sudog>* nextp;
  int casi = -1;
  scase* cas = nullptr;
  bool caseSuccess = false;
  bool recvOK = false;
  selunlockArgs ua{scases, lockorder, norder};

  // Pass 1: poll each case in pollorder; the first that can proceed wins.
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

  // Pass 2: nothing was ready; queue a sudog on every case's channel.
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
    // Go allows no stack growth from here until sg1 is on gp.waiting,
    // where copystack looks for it; the port keeps the same order.
    sg1->elem = cas->elem;
    sg1->releasetime = 0;
    sg1->c = c;
    // gp.waiting lists the sudogs in lockorder (selparkcommit relies on it).
    *nextp = sg1;
    nextp = &sg1->waitlink;
    if (casi < nsends)
      c->sendq.enqueue(sg1);
    else
      c->recvq.enqueue(sg1);
  }

  // Park until one case's counterpart (or a close) readies us.
  gp->param = nullptr;
  // Tell stack shrinkers to keep off: we are about to park on channels,
  // and activeStackChans is not set yet.
  gp->parkingOnChan.Store(true);
  gopark(selparkcommit, nullptr, waitReasonSelect, 1);
  gp->activeStackChans = false;

  sellock(scases, lockorder, norder);

  gp->selectDone.Store(0);
  sg = static_cast<sudog*>(gp->param.get());
  gp->param = nullptr;

  // Pass 3: unlink the losing cases' sudogs (left queued, they would pile
  // up on channels nobody uses) and note which case won. gp.waiting holds
  // the sudogs in lockorder, so walk both together.
  casi = -1;
  cas = nullptr;
  caseSuccess = false;
  sglist = gp->waiting;
  // Reset every sudog's select fields before dropping the gp.waiting list.
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
      // The winner: whoever readied us already took it off its queue.
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
  // Receive case, value waiting in the buffer.
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
  // Send case, room in the buffer.
  typedmemmove(c->elemtype, chanbuf(c, c->sendx), cas->elem);
  c->sendx++;
  if (c->sendx == c->dataqsiz) c->sendx = 0;
  c->qcount++;
  selunlock(scases, lockorder, norder);
  goto retc;

recv:
  // Receive case, sender sg parked: recv finishes it.
  runtime::recv(c, sg, cas->elem, selunlockf, &ua, 2);
  recvOK = true;
  goto retc;

rclose:
  // Receive case on a closed, drained channel: zero value, ok == false.
  selunlock(scases, lockorder, norder);
  recvOK = false;
  if (cas->elem != nullptr) typedmemzero(c->elemtype, cas->elem);
  goto retc;

send:
  // Send case, receiver sg parked: send finishes it.
  runtime::send(c, sg, cas->elem, selunlockf, &ua, 2);
  goto retc;

retc:
  return {casi, recvOK};

sclose:
  // Send case on a closed channel: panic, as chansend does.
  selunlock(scases, lockorder, norder);
  panicplain("send on closed channel");
}

/// sortkey: the order in which select locks channels: by address.
/// \gosrc{select.go,hchan.sortkey}
namespace {
NOSPLIT_INLINE uintptr sortkey(hchan* c) { return reinterpret_cast<uintptr>(c); }
}  // namespace

/// dequeueSudoG removes sgp from q, wherever it is. \gosrc{select.go,dequeueSudoG}
void waitq::dequeueSudoG(sudog* sgp) {
  sudog* x = sgp->prev;
  sudog* y = sgp->next;
  if (x != nullptr) {
    if (y != nullptr) {
      // has neighbours on both sides
      x->next = y;
      y->prev = x;
      sgp->next = nullptr;
      sgp->prev = nullptr;
      return;
    }
    // was the tail
    x->next = nullptr;
    last = x;
    sgp->prev = nullptr;
    return;
  }
  if (y != nullptr) {
    // was the head
    y->prev = nullptr;
    first = y;
    sgp->next = nullptr;
    return;
  }
  // No neighbours: sgp is the sole element, or was unlinked already (by
  // dequeue). Only in the first case does first point at it.
  if (first == sgp) {
    first = nullptr;
    last = nullptr;
  }
}

}  // namespace runtime
