// chan.cpp: Go channels, mirroring chan.go at go1.22.12.
//
// Invariants (for hchan c; Go states the same at the top of chan.go):
//   [chan-q]      sendq and recvq are never both non-empty, with one
//                 exception: on an unbuffered channel, one goroutine's
//                 select may park on both sides at once, and each queue
//                 then holds at most one entry per case of that select.
//   [chan-buf]    Buffered: receivers are parked only while the buffer is
//                 empty, senders only while it is full.
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

#include "malloc.hpp"
#include "mfinal.hpp"
#include "print.hpp"
#include "proc.hpp"

namespace runtime {

/// hchan holds raw pointers (buf, elemtype, the wait queues' sudogs), so
/// its map cannot be derived: it is scanned conservatively, like g and m.
template <>
inline constexpr bool conservativeScan<hchan> = true;

namespace {
constexpr uintptr maxAlign = 8;
// hchanSize: hchan rounded up to maxAlign; a buffer follows it in memory.
constexpr uintptr hchanSize = sizeof(hchan) + (-sizeof(hchan) & (maxAlign - 1));

// The unlock function chansend and chanrecv hand to send and recv (Go
// passes a closure, func() { unlock(&c.lock) }).
void unlockmutex(void* l) { unlock(static_cast<mutex*>(l)); }
}  // namespace

/// chanfinalizer: port only: the finalizer of a buffered channel whose
/// elements have destructors (makechan). The channel is unreachable, so no
/// goroutine is parked on it (a parked goroutine's sudog references it) and
/// no other can lock it: the values still buffered are destroyed in queue
/// order, each slot cleared. Its argument frame holds the hchan pointer
/// (runfinq, mfinal.cpp).
static void chanfinalizer(funcval*, void* frame) {
  hchan* c = *static_cast<hchan**>(frame);
  for (uintptr i = 0, x = c->recvx; i < c->qcount; i++) {
    typedmemclr(c->elemtype, chanbuf(c, x));
    if (++x == c->dataqsiz) x = 0;
  }
  c->qcount = 0;
}
static funcval chanfinalizerPC{reinterpret_cast<void (*)(funcval*)>(&chanfinalizer)};

/// makechan64: make(chan T, size) with a 64-bit size. \gosrc{chan.go,makechan64}
hchan* makechan64(const _type* t, int64 size) {
  if (int64(int(size)) != size) panicplain("makechan: size out of range");
  return makechan(t, int(size));
}

/// makechan allocates a channel whose buffer holds size elements of t.
/// \gosrc{chan.go,makechan}
hchan* makechan(const _type* elem, int64 size) {
  // cmd/compile already rejects such element types; check again anyway.
  if (elem->size >= (1 << 16)) throw_("makechan: invalid channel element type");
  uintptr mem = 0;
  bool overflow = __builtin_mul_overflow(elem->size, uintptr(size < 0 ? 0 : size), &mem);
  if (overflow || mem > maxAlloc - hchanSize || size < 0) panicplain("makechan: size out of range");

  // The channel comes from the garbage-collected heap, in Go's three
  // shapes. Its own pointers need no scanning when its elements hold none:
  // buf points into the same object, elemtype is static, and a parked
  // goroutine's sudog is reachable from that goroutine (g.waiting).
  if (elem->align > 16) throw_("makechan: element alignment above 16 bytes");
  hchan* c;
  if (mem == 0) {
    // No buffer (unbuffered, or zero-size elements): the hchan alone.
    c = ::new (mallocgc(hchanSize, nullptr, true)) hchan{};
  } else if (elem->PtrBytes == 0) {
    // Pointer-free elements: hchan and buffer in one pointer-free object.
    uintptr bufoff = (hchanSize + elem->align - 1) & ~(elem->align - 1);
    void* mem0 = mallocgc(bufoff + mem, nullptr, true);
    c = ::new (mem0) hchan{};
    c->buf = add(mem0, bufoff);
  } else {
    // Elements with pointers: the buffer is an object of its own, scanned
    // by the element's map. Departure: hchan is scanned conservatively
    // (it holds raw pointers, malloc.hpp's conservativeScan).
    c = newobject<hchan>();
    c->buf = mallocgc(mem, elem, true);
  }
  c->elemsize = uint16(elem->size);
  c->elemtype = elem;
  c->dataqsiz = uintptr(size);
  // Departure: values left in the buffer must have their destructors run
  // once the channel is unreachable (chan.hpp).
  if (size > 0 && elem->destructs) SetFinalizer(c, &ptrTypeOf<hchan>, &chanfinalizerPC, 0, &ptrTypeOf<hchan>.Type);
  return c;
}

/// chanbuf: address of buffer slot i of c. \gosrc{chan.go,chanbuf}
void* chanbuf(hchan* c, uintptr i) { return add(c->buf, i * uintptr(c->elemsize)); }

/// full: would a send on c block right now? Built from single-word loads
/// without the lock, so the result may be out of date as soon as it is
/// returned. \gosrc{chan.go,full}
static bool full(hchan* c) {
  // dataqsiz is fixed by makechan, so reading it unlocked is safe.
  if (c->dataqsiz == 0) {
    // Unbuffered: full unless a receiver is parked (one relaxed pointer load).
    return c->recvq.first.load() == nullptr;
  }
  // Buffered: full when every slot is taken (one relaxed word load).
  return c->qcount.load() == c->dataqsiz;
}

/// chansend1: what cmd/compile calls for the statement `c <- x`. \gosrc{chan.go,chansend1}
void chansend1(hchan* c, void* elem) { chansend(c, elem, true, getcallerpc()); }

static bool chanparkcommit(g* gp, void* chanLock);

NOINLINE static bool chansendSlow(hchan* c, void* ep, bool block, uintptr callerpc);

/// chansend: the generic send. With block == false it does not sleep and
/// reports whether it sent. \gosrc{chan.go,chansend}
///
/// Departure [chan-fastpath]: Go's chansend is one function; here its
/// lock-free early exit stays in chansend and the rest of Go's body is in
/// chansendSlow, which chansend tail-calls. The reason is the C++ calling
/// convention: a function that calls others keeps its live values in
/// callee-saved registers, and GCC saves and restores all of them (five
/// pushes and five pops) on entry, even on the early-exit path that needs
/// none. Go's ABI has no callee-saved registers, so Go's chansend pays
/// nothing for its early exit. With the split, the early exit runs without
/// a frame (GCC inlines it into selectnbsend; selectnbrecv reaches chanrecv's
/// with a tail jump), and BenchmarkSelectNonblock's failed operations cost
/// about what Go's do. Nothing changes in what is checked or in what order.
bool chansend(hchan* c, void* ep, bool block, uintptr callerpc) {
  // Lock-free early exit: a non-blocking send on an open, full channel
  // fails. A closed channel cannot go back to open, so if it reads as
  // open and full here, it was both at once at some moment: reporting that
  // the send cannot proceed is consistent with that moment. (Go tests for
  // nil first; a nil channel fails the c != nullptr test here, and
  // chansendSlow handles it exactly as Go does.)
  if (!block && c != nullptr && c->closed.load() == 0 && full(c)) return false;
  return chansendSlow(c, ep, block, callerpc);
}

/// chansendSlow: Go's chansend from the nil check on, without the lock-free
/// early exit, which chansend has just tested (see [chan-fastpath]).
static bool chansendSlow(hchan* c, void* ep, bool block, uintptr callerpc) {
  (void)callerpc;
  if (c == nullptr) {
    if (!block) return false;
    mustgetg("chansend");
    gopark(nullptr, nullptr, waitReasonChanSendNilChan, 2);
    throw_("unreachable");
  }

  g* gp = mustgetg("chansend");
  lock(&c->lock);

  if (c->closed != 0) {
    unlock(&c->lock);
    panicplain("send on closed channel");
  }

  if (sudog* sg = c->recvq.dequeue()) {
    // A receiver is parked: hand it the value directly; the buffer is not
    // used.
    send(c, sg, ep, unlockmutex, &c->lock, 3);
    return true;
  }

  if (c->qcount < c->dataqsiz) {
    // Room in the buffer: copy the value into slot sendx.
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

  // No receiver and no room: park on sendq. The receiver that takes the
  // value finishes the send.
  sudog* mysg = acquireSudog();
  mysg->releasetime = 0;
  // Go forbids stack growth from here until mysg is on gp.waiting, where
  // copystack looks for it; the port keeps the same order.
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

  // Resumed, by a receiver (success) or by closechan (failure).
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

/// send: the send on c, given a receiver sg found parked there. The value
/// at ep goes straight into the receiver's slot; the receiver is
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
  // dst is another goroutine's stack, which the collector may have scanned
  // already: record the pointers written there (typedmemmove, which sees
  // no heap span at dst, records none).
  if (t->PtrBytes != 0) typeBitsBulkBarrier(t, uintptr(dst), uintptr(src), t->size);
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
  // Wake each parked receiver with the zero value and ok == false.
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
  // Wake each parked sender; it panics once it runs.
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

  // c.lock is free again; only now make the collected goroutines runnable.
  while (!glist.empty()) {
    g* gp = glist.pop();
    gp->schedlink.set(nullptr);
    goready(gp, 3);
  }
}

/// empty: would a receive on c block right now? Like full, unlocked
/// single-word loads whose result may be stale. \gosrc{chan.go,empty}
static bool empty(hchan* c) {
  // dataqsiz never changes after makechan.
  if (c->dataqsiz == 0) return c->sendq.first.load() == nullptr;
  return c->qcount.load() == 0;
}

/// chanrecv1: what cmd/compile calls for the expression `<-c`. \gosrc{chan.go,chanrecv1}
void chanrecv1(hchan* c, void* elem) { chanrecv(c, elem, true); }

/// chanrecv2: `v, ok := <-c`. \gosrc{chan.go,chanrecv2}
bool chanrecv2(hchan* c, void* elem) {
  auto [selected, received] = chanrecv(c, elem, true);
  (void)selected;
  return received;
}


NOINLINE static chanrecvResult chanrecvSlow(hchan* c, void* ep, bool block);

/// chanrecv: the generic receive. The value is stored at ep (raw storage),
/// or dropped when ep is nil. With block == false it does not sleep. Returns
/// (selected, received): a closed, drained channel gives (true, false) and
/// the zero value. \gosrc{chan.go,chanrecv}
///
/// Departure [chan-fastpath] (see chansend): the lock-free early exit stays
/// here and the rest of Go's chanrecv is chanrecvSlow, so that a
/// non-blocking receive that finds nothing (BenchmarkChanNonblocking,
/// BenchmarkSelectNonblock) or a closed channel (BenchmarkChanClosed) saves
/// and restores no callee-saved registers, as Go's saves none.
chanrecvResult chanrecv(hchan* c, void* ep, bool block) {
  // Lock-free early exit for a non-blocking receive that cannot proceed.
  // (Go tests for nil first; a nil channel fails c != nullptr here and
  // chanrecvSlow handles it as Go does.)
  if (!block && c != nullptr && empty(c)) {
    // Emptiness is read first and closed second, never the reverse. Seen
    // empty and then still open, the channel was both at one instant, so
    // failing is correct; a channel seen empty and then closed was
    // already empty when it closed (closing adds no data).
    if (c->closed.load() == 0) return {false, false};
    // Closed for good. A send may have landed between the two loads
    // above, so test emptiness once more before returning the zero value.
    if (empty(c)) {
      if (ep != nullptr) typedmemzero(c->elemtype, ep);
      return {true, false};
    }
  }
  return chanrecvSlow(c, ep, block);
}

/// chanrecvSlow: Go's chanrecv from the nil check on, without the lock-free
/// early exit, which chanrecv has just tested (see [chan-fastpath]).
static chanrecvResult chanrecvSlow(hchan* c, void* ep, bool block) {
  if (c == nullptr) {
    if (!block) return {false, false};
    mustgetg("chanrecv");
    gopark(nullptr, nullptr, waitReasonChanReceiveNilChan, 2);
    throw_("unreachable");
  }

  g* gp = mustgetg("chanrecv");
  lock(&c->lock);

  if (c->closed != 0) {
    if (c->qcount == 0) {
      unlock(&c->lock);
      if (ep != nullptr) typedmemzero(c->elemtype, ep);
      return {true, false};
    }
    // Closed, yet values remain buffered: go on and take one.
  } else {
    // Open: a parked sender comes before the buffer.
    if (sudog* sg = c->sendq.dequeue()) {
      // A sender is parked. recv copies from it directly when unbuffered;
      // when buffered (hence full) it takes the head value and refills
      // that slot, now the tail, with the sender's value.
      recv(c, sg, ep, unlockmutex, &c->lock, 3);
      return {true, true};
    }
  }

  if (c->qcount > 0) {
    // Take the value in slot recvx.
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

  // Nothing to take: park on recvq until a sender or closechan completes
  // the receive.
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

  // Resumed, by a sender (success) or by closechan (failure).
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

/// recv: the receive on c, given a sender sg found parked there.
/// Unbuffered: copy straight from the sender. Buffered: the buffer must be
/// full; the head value goes to ep and the sender's value fills the freed
/// slot, which is the new tail. Entered with c locked; unlockf releases it.
/// \gosrc{chan.go,recv}
void recv(hchan* c, sudog* sg, void* ep, void (*unlockf)(void*), void* unlockarg, int skip) {
  if (c->dataqsiz == 0) {
    if (ep != nullptr) {
      // straight from the sender's stack
      recvDirect(c->elemtype, sg, ep);
    }
  } else {
    // Full buffer: the head slot (recvx) is also where the next send
    // would go (sendx), so the sender's value can reuse it.
    void* qp = chanbuf(c, c->recvx);
    // head value out to the receiver
    if (ep != nullptr) typedmemmove(c->elemtype, ep, qp);
    typedmemclr(c->elemtype, qp);
    // sender's value into the freed slot
    typedmemmove(c->elemtype, qp, sg->elem);
    c->recvx++;
    if (c->recvx == c->dataqsiz) c->recvx = 0;
    c->sendx = c->recvx;  // full, so this equals sendx advanced by one
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
  // gp is parked with sudogs pointing into its stack and their channels
  // unlocked; flag that a stack copy must lock those channels (Go's
  // concern; the port keeps the step).
  gp->activeStackChans = true;
  // Stack shrinking may go ahead from now on: a shrinker that takes gp's
  // stack sees the activeStackChans store above, since it came first.
  gp->parkingOnChan.Store(false);
  // Unlock last. Once chanLock is free a channel operation may ready gp,
  // and gp (or anyone) must then see both stores above.
  unlock(static_cast<mutex*>(chanLock));
  return true;
}

/// selectnbsend: `select { case c <- v: ... default: ... }`.
/// \gosrc{chan.go,selectnbsend}
bool selectnbsend(hchan* c, void* elem) { return chansend(c, elem, false, getcallerpc()); }

/// selectnbrecv: `select { case v, ok = <-c: ... default: ... }`.
/// \gosrc{chan.go,selectnbrecv}
chanrecvResult selectnbrecv(void* elem, hchan* c) { return chanrecv(c, elem, false); }

/// chanlen: len(c), read without the lock. cmd/compile inlines len(c) as a
/// nil check and a load of qcount; reflect_chanlen is the same as a function.
/// \gosrc{chan.go,reflect_chanlen}
int chanlen(hchan* c) {
  if (c == nullptr) return 0;
  return int(c->qcount.load());
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

// waitq::dequeue, Go's next and last function here, is defined inline in
// chan.hpp, so that chansend, chanrecv and selectgo inline it (Departure
// there).

}  // namespace runtime
