// chan.cpp: Go channels, mirroring chan.go at go1.22.12.
//
// Invariants (for hchan c; Go states the same at the top of chan.go):
//   [chan-q]      At least one of c.sendq and c.recvq is empty, except for an
//                 unbuffered channel with a single goroutine blocked on it
//                 in a select for both sending and receiving: then the
//                 lengths are bounded only by the number of select cases.
//   [chan-buf]    For a buffered channel: c.qcount > 0 implies c.recvq is
//                 empty, and c.qcount < c.dataqsiz implies c.sendq is empty.
//   [chan-slots]  The qcount slots from recvx (mod dataqsiz) hold live
//                 values; every other slot is raw storage.
//
// Locks: c.lock protects every field of c and the sudogs queued on c. It is
// never held across a park: gopark's unlock function (chanparkcommit)
// releases it once the goroutine is off its stack. A G is readied only after
// c.lock is released (send/recv take the unlock as an argument for that).
//
// The send path, `ch <- v` (chansend1 -> chansend):
//   1. nil channel: block forever ("chan send (nil chan)").
//   2. Fast path without the lock: a non-blocking send on a full, open
//      channel fails at once.
//   3. Lock. Closed: unlock and panic "send on closed channel".
//   4. A receiver is parked (recvq non-empty): copy v straight into its
//      stack slot (sendDirect) and ready it; the buffer is not touched.
//   5. Room in the buffer: copy v into slot sendx.
//   6. Otherwise park on c.sendq with a sudog that points at v; the receiver
//      that takes it copies v out and readies the sender; close readies it
//      with success = false, and the sender then panics.
#include "chan.hpp"

#include <cstdlib>

#include "print.hpp"
#include "proc.hpp"

namespace runtime {

namespace {
constexpr uintptr maxAlign = 8;
// hchanSize: hchan rounded up to maxAlign; a buffer follows it in memory.
constexpr uintptr hchanSize = sizeof(hchan) + (-sizeof(hchan) & (maxAlign - 1));
constexpr uintptr maxAlloc = uintptr(1) << 47;

NOSPLIT_INLINE void* add(void* p, uintptr x) { return static_cast<char*>(p) + x; }
// The unlock function chansend and chanrecv hand to send and recv (Go
// passes a closure, func() { unlock(&c.lock) }).
void unlockmutex(void* l) { unlock(static_cast<mutex*>(l)); }
}  // namespace

/// makechan64: make(chan T, size) with a 64-bit size. \gosrc{chan.go,makechan64}
hchan* makechan64(const _type* t, int64 size) {
  if (int64(int(size)) != size) panicplain("makechan: size out of range");
  return makechan(t, int(size));
}

/// makechan allocates a channel whose buffer holds size elements of t.
/// \gosrc{chan.go,makechan}
hchan* makechan(const _type* elem, int64 size) {
  // compiler checks this but be safe.
  if (elem->size >= (1 << 16)) throw_("makechan: invalid channel element type");
  uintptr mem = 0;
  bool overflow = __builtin_mul_overflow(elem->size, uintptr(size < 0 ? 0 : size), &mem);
  if (overflow || mem > maxAlloc - hchanSize || size < 0) panicplain("makechan: size out of range");

  // Departure: one allocation from C++'s heap holds the hchan and its
  // buffer, aligned for the element (Go: mallocgc, with the buffer apart
  // when elements hold pointers, for the collector's sake).
  uintptr align = elem->align > maxAlign ? elem->align : maxAlign;
  uintptr bufoff = (hchanSize + align - 1) & ~(align - 1);
  void* mem0 = ::operator new(bufoff + mem, std::align_val_t(align));
  hchan* c = ::new (mem0) hchan{};
  if (mem > 0) c->buf = add(mem0, bufoff);
  c->elemsize = uint16(elem->size);
  c->elemtype = elem;
  c->dataqsiz = uintptr(size);
  c->refs.Store(1);
  return c;
}

/// chanbuf(c, i) is a pointer to the i'th slot in the buffer. \gosrc{chan.go,chanbuf}
void* chanbuf(hchan* c, uintptr i) { return add(c->buf, i * uintptr(c->elemsize)); }

/// full reports whether a send on c would block (that is, the channel is
/// full). It reads single words without the lock, so the answer may be
/// stale by the time the caller acts. \gosrc{chan.go,full}
static bool full(hchan* c) {
  // c.dataqsiz is immutable (never written after the channel is created)
  // so it is safe to read at any time during channel operation.
  if (c->dataqsiz == 0) {
    // Assumes that a pointer read is relaxed-atomic.
    return atomic::Load(&c->recvq.first) == nullptr;
  }
  // Assumes that a uint read is relaxed-atomic.
  return atomic::Load(&c->qcount) == c->dataqsiz;
}

/// chansend1: entry point for `c <- x` from compiled code. \gosrc{chan.go,chansend1}
void chansend1(hchan* c, void* elem) { chansend(c, elem, true, getcallerpc()); }

static bool chanparkcommit(g* gp, void* chanLock);

/// chansend: the generic send. With block == false it does not sleep and
/// reports whether it sent. \gosrc{chan.go,chansend}
bool chansend(hchan* c, void* ep, bool block, uintptr callerpc) {
  (void)callerpc;
  if (c == nullptr) {
    if (!block) return false;
    mustgetg("chansend");
    gopark(nullptr, nullptr, waitReasonChanSendNilChan, 2);
    throw_("unreachable");
  }

  // Fast path: check for failed non-blocking operation without acquiring
  // the lock. A closed channel cannot go back to open, so if it reads as
  // open and full here, it was both at once at some moment: reporting that
  // the send cannot proceed is consistent with that moment.
  if (!block && atomic::Load(&c->closed) == 0 && full(c)) return false;

  g* gp = mustgetg("chansend");
  lock(&c->lock);

  if (c->closed != 0) {
    unlock(&c->lock);
    panicplain("send on closed channel");
  }

  if (sudog* sg = c->recvq.dequeue()) {
    // Found a waiting receiver. We pass the value we want to send
    // directly to the receiver, bypassing the channel buffer (if any).
    send(c, sg, ep, unlockmutex, &c->lock, 3);
    return true;
  }

  if (c->qcount < c->dataqsiz) {
    // Space is available in the channel buffer. Enqueue the element to send.
    void* qp = chanbuf(c, c->sendx);
    typedmemmove(c->elemtype, qp, ep);
    c->sendx++;
    if (c->sendx == c->dataqsiz) c->sendx = 0;
    c->qcount++;
    unlock(&c->lock);
    return true;
  }

  if (!block) {
    unlock(&c->lock);
    return false;
  }

  // Block on the channel. Some receiver will complete our operation for us.
  sudog* mysg = acquireSudog();
  mysg->releasetime = 0;
  // No stack splits between assigning elem and enqueuing mysg on
  // gp.waiting where copystack can find it (a Go concern kept for order).
  mysg->elem = ep;
  mysg->waitlink = nullptr;
  mysg->g_ = gp;
  mysg->isSelect = false;
  mysg->c = c;
  gp->waiting = mysg;
  gp->param = nullptr;
  c->sendq.enqueue(mysg);
  gp->parkingOnChan.Store(true);
  gopark(chanparkcommit, &c->lock, waitReasonChanSend, 2);

  // someone woke us up.
  if (mysg != gp->waiting) throw_("G waiting list is corrupted");
  gp->waiting = nullptr;
  gp->activeStackChans = false;
  bool closed = !mysg->success;
  gp->param = nullptr;
  mysg->c = nullptr;
  mysg->elem = nullptr;
  releaseSudog(mysg);
  if (closed) {
    if (c->closed == 0) throw_("chansend: spurious wakeup");
    panicplain("send on closed channel");
  }
  return true;
}

/// send processes a send on a channel c with a receiver sg parked on it:
/// the value at ep goes straight into the receiver's slot; the receiver is
/// readied after the lock is released. c must be locked; send unlocks it
/// (through unlockf; select passes selunlock instead).
/// \gosrc{chan.go,send}
void send(hchan* c, sudog* sg, void* ep, void (*unlockf)(void*), void* unlockarg, int skip) {
  if (sg->elem != nullptr) {
    sendDirect(c->elemtype, sg, ep);
    sg->elem = nullptr;
  }
  g* gp = sg->g_;
  unlockf(unlockarg);
  gp->param = sg;
  sg->success = true;
  goready(gp, skip + 1);
}

/// sendDirect writes into another goroutine's stack: the one place where the
/// runtime does so. Safe because that goroutine is parked and its sudog is
/// off every queue. \gosrc{chan.go,sendDirect}
void sendDirect(const _type* t, sudog* sg, void* src) {
  void* dst = sg->elem;
  typedmemmove(t, dst, src);
}

/// recvDirect: the receiving side's copy from a parked sender's stack.
/// \gosrc{chan.go,recvDirect}
void recvDirect(const _type* t, sudog* sg, void* dst) {
  void* src = sg->elem;
  typedmemmove(t, dst, src);
}

/// closechan: close(c). Every parked receiver gets the zero value and
/// ok == false; every parked sender wakes to panic. \gosrc{chan.go,closechan}
void closechan(hchan* c) {
  if (c == nullptr) panicplain("close of nil channel");
  mustgetg("closechan");
  lock(&c->lock);
  if (c->closed != 0) {
    unlock(&c->lock);
    panicplain("close of closed channel");
  }
  c->closed = 1;

  gList glist;
  // release all readers
  for (;;) {
    sudog* sg = c->recvq.dequeue();
    if (sg == nullptr) break;
    if (sg->elem != nullptr) {
      typedmemzero(c->elemtype, sg->elem);
      sg->elem = nullptr;
    }
    g* gp = sg->g_;
    gp->param = sg;
    sg->success = false;
    glist.push(gp);
  }
  // release all writers (they will panic)
  for (;;) {
    sudog* sg = c->sendq.dequeue();
    if (sg == nullptr) break;
    sg->elem = nullptr;
    g* gp = sg->g_;
    gp->param = sg;
    sg->success = false;
    glist.push(gp);
  }
  unlock(&c->lock);

  // Ready all Gs now that we've dropped the channel lock.
  while (!glist.empty()) {
    g* gp = glist.pop();
    gp->schedlink.v = 0;
    goready(gp, 3);
  }
}

/// empty reports whether a read from c would block (that is, the channel is
/// empty). Like full, a racy read of single words. \gosrc{chan.go,empty}
static bool empty(hchan* c) {
  // c.dataqsiz is immutable.
  if (c->dataqsiz == 0) return atomic::Load(&c->sendq.first) == nullptr;
  return atomic::Load(&c->qcount) == 0;
}

/// chanrecv1: entry point for `<-c` from compiled code. \gosrc{chan.go,chanrecv1}
void chanrecv1(hchan* c, void* elem) { chanrecv(c, elem, true); }

/// chanrecv2: `v, ok := <-c`. \gosrc{chan.go,chanrecv2}
bool chanrecv2(hchan* c, void* elem) {
  auto [selected, received] = chanrecv(c, elem, true);
  (void)selected;
  return received;
}


/// chanrecv receives on c and writes the value to ep (raw storage; nil to
/// drop the value). With block == false it does not sleep. Returns
/// (selected, received): a closed, drained channel gives (true, false) and
/// the zero value. \gosrc{chan.go,chanrecv}
std::tuple<bool, bool> chanrecv(hchan* c, void* ep, bool block) {
  if (c == nullptr) {
    if (!block) return {false, false};
    mustgetg("chanrecv");
    gopark(nullptr, nullptr, waitReasonChanReceiveNilChan, 2);
    throw_("unreachable");
  }

  // Fast path: check for failed non-blocking operation without acquiring
  // the lock.
  if (!block && empty(c)) {
    // After observing that the channel is not ready for receiving, we
    // observe whether the channel is closed. The order matters: a channel
    // that was empty and open at the first check and is closed now was
    // empty when it closed (closing cannot add data).
    if (atomic::Load(&c->closed) == 0) return {false, false};
    // The channel is irreversibly closed. Re-check whether it has any
    // pending data to receive, which could have arrived between the empty
    // and closed checks above.
    if (empty(c)) {
      if (ep != nullptr) typedmemzero(c->elemtype, ep);
      return {true, false};
    }
  }

  g* gp = mustgetg("chanrecv");
  lock(&c->lock);

  if (c->closed != 0) {
    if (c->qcount == 0) {
      unlock(&c->lock);
      if (ep != nullptr) typedmemzero(c->elemtype, ep);
      return {true, false};
    }
    // The channel has been closed, but the channel's buffer have data.
  } else {
    // Just found waiting sender with not closed.
    if (sudog* sg = c->sendq.dequeue()) {
      // Found a waiting sender. If buffer is size 0, receive value directly
      // from sender. Otherwise, receive from head of queue and add sender's
      // value to the tail of the queue (both map to the same buffer slot
      // because the queue is full).
      recv(c, sg, ep, unlockmutex, &c->lock, 3);
      return {true, true};
    }
  }

  if (c->qcount > 0) {
    // Receive directly from queue
    void* qp = chanbuf(c, c->recvx);
    if (ep != nullptr) typedmemmove(c->elemtype, ep, qp);
    typedmemclr(c->elemtype, qp);
    c->recvx++;
    if (c->recvx == c->dataqsiz) c->recvx = 0;
    c->qcount--;
    unlock(&c->lock);
    return {true, true};
  }

  if (!block) {
    unlock(&c->lock);
    return {false, false};
  }

  // no sender available: block on this channel.
  sudog* mysg = acquireSudog();
  mysg->releasetime = 0;
  mysg->elem = ep;
  mysg->waitlink = nullptr;
  gp->waiting = mysg;
  mysg->g_ = gp;
  mysg->isSelect = false;
  mysg->c = c;
  gp->param = nullptr;
  c->recvq.enqueue(mysg);
  gp->parkingOnChan.Store(true);
  gopark(chanparkcommit, &c->lock, waitReasonChanReceive, 2);

  // someone woke us up
  if (mysg != gp->waiting) throw_("G waiting list is corrupted");
  gp->waiting = nullptr;
  gp->activeStackChans = false;
  bool success = mysg->success;
  gp->param = nullptr;
  mysg->c = nullptr;
  mysg->elem = nullptr;
  releaseSudog(mysg);
  return {true, success};
}

/// recv processes a receive on a full channel c with a sender sg parked on
/// it. Unbuffered: the value comes straight from the sender. Buffered (and
/// so full): take the head of the buffer and put the sender's value in the
/// slot just freed, which is the tail. c must be locked; recv unlocks it.
/// \gosrc{chan.go,recv}
void recv(hchan* c, sudog* sg, void* ep, void (*unlockf)(void*), void* unlockarg, int skip) {
  if (c->dataqsiz == 0) {
    if (ep != nullptr) {
      // copy data from sender
      recvDirect(c->elemtype, sg, ep);
    }
  } else {
    // Queue is full. Take the item at the head of the queue. Make the
    // sender enqueue its item at the tail of the queue. Since the queue is
    // full, those are both the same slot.
    void* qp = chanbuf(c, c->recvx);
    // copy data from queue to receiver
    if (ep != nullptr) typedmemmove(c->elemtype, ep, qp);
    typedmemclr(c->elemtype, qp);
    // copy data from sender to queue
    typedmemmove(c->elemtype, qp, sg->elem);
    c->recvx++;
    if (c->recvx == c->dataqsiz) c->recvx = 0;
    c->sendx = c->recvx;  // c.sendx = (c.sendx+1) % c.dataqsiz
  }
  sg->elem = nullptr;
  g* gp = sg->g_;
  unlockf(unlockarg);
  gp->param = sg;
  sg->success = true;
  goready(gp, skip + 1);
}

/// chanparkcommit: gopark's unlock function for channels. \gosrc{chan.go,chanparkcommit}
static bool chanparkcommit(g* gp, void* chanLock) {
  // There are unlocked sudogs that point into gp's stack. Stack copying
  // must lock the channels of those sudogs (a Go concern; kept for order).
  gp->activeStackChans = true;
  // Mark that it's safe for stack shrinking to occur now, because any
  // thread acquiring this G's stack for shrinking is guaranteed to observe
  // activeStackChans after this store.
  gp->parkingOnChan.Store(false);
  // Make sure we unlock after setting activeStackChans and unsetting
  // parkingOnChan. The moment we unlock chanLock we risk gp getting readied
  // by a channel operation and so gp could continue running before
  // everything before the unlock is visible (even to gp itself).
  unlock(static_cast<mutex*>(chanLock));
  return true;
}

/// selectnbsend: `select { case c <- v: ... default: ... }`.
/// \gosrc{chan.go,selectnbsend}
bool selectnbsend(hchan* c, void* elem) { return chansend(c, elem, false, getcallerpc()); }

/// selectnbrecv: `select { case v, ok = <-c: ... default: ... }`.
/// \gosrc{chan.go,selectnbrecv}
std::tuple<bool, bool> selectnbrecv(void* elem, hchan* c) { return chanrecv(c, elem, false); }

/// chanlen: len(c), read without the lock. cmd/compile inlines len(c) as a
/// nil check and a load of qcount; reflect_chanlen is the same as a function.
/// \gosrc{chan.go,reflect_chanlen}
int chanlen(hchan* c) {
  if (c == nullptr) return 0;
  return int(atomic::Load(&c->qcount));
}

/// chancap: cap(c) (inlined by cmd/compile as a load of dataqsiz).
/// \gosrc{chan.go,reflect_chancap}
int chancap(hchan* c) {
  if (c == nullptr) return 0;
  return int(c->dataqsiz);
}

/// enqueue adds sgp at the tail. \gosrc{chan.go,enqueue}
void waitq::enqueue(sudog* sgp) {
  sgp->next = nullptr;
  sudog* x = last;
  if (x == nullptr) {
    sgp->prev = nullptr;
    first = sgp;
    last = sgp;
    return;
  }
  sgp->prev = x;
  x->next = sgp;
  last = sgp;
}

/// dequeue removes the first sudog whose goroutine can still take it: a
/// sudog of a select is skipped if another case of that select has already
/// won (selectDone). \gosrc{chan.go,dequeue}
sudog* waitq::dequeue() {
  for (;;) {
    sudog* sgp = first;
    if (sgp == nullptr) return nullptr;
    sudog* y = sgp->next;
    if (y == nullptr) {
      first = nullptr;
      last = nullptr;
    } else {
      y->prev = nullptr;
      first = y;
      sgp->next = nullptr;  // mark as removed (see dequeueSudoG)
    }
    // if a goroutine was put on this queue because of a select, there is a
    // small window between the goroutine being woken up by a different
    // case and it grabbing the channel locks. Once it has the lock it
    // removes itself from the queue, so we won't see it after that. We use
    // a flag in the G struct to tell us when someone else has won the race
    // to signal this goroutine but the goroutine hasn't removed itself from
    // the queue yet.
    if (sgp->isSelect && !sgp->g_->selectDone.CompareAndSwap(0, 1)) continue;
    return sgp;
  }
}

/// chanretain / chanrelease (Departure: reference counting until the GC).
void chanretain(hchan* c) { c->refs.Add(1); }
void chanrelease(hchan* c) {
  if (c->refs.Add(-1) != 0) return;
  // The last reference: no goroutine can be parked on c (a parked goroutine
  // holds a reference), so only buffered values remain.
  for (uintptr i = 0, x = c->recvx; i < c->qcount; i++) {
    typedmemclr(c->elemtype, chanbuf(c, x));
    if (++x == c->dataqsiz) x = 0;
  }
  const _type* t = c->elemtype;
  uintptr align = t->align > maxAlign ? t->align : maxAlign;
  c->~hchan();
  ::operator delete(static_cast<void*>(c), std::align_val_t(align));
}

}  // namespace runtime
