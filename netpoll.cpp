// netpoll.cpp: the network poller's portable half, mirroring netpoll.go at
// go1.22.12: starting the poller once; the pollDesc of each descriptor,
// whose two semaphores park a reader and a writer; the entry points package
// internal/poll calls over the linkname back channel; deadlines as timers.
// See netpoll.hpp for the states of rg and wg, the invariants and the locks.
#include "netpoll.hpp"

#include "malloc.hpp"
#include "mstats.hpp"
#include "proc.hpp"
#include "stubs.hpp"
#include "tagptr.hpp"

namespace runtime {

namespace {
mutex netpollInitLock;  // protects the one call of netpollinit
}  // namespace
atomic::Uint32 netpollInited;
pollCache pollcache;
atomic::Uint32 netpollWaiters;

/// pollInfo.closing: is the descriptor being closed? \gosrc{netpoll.go,pollInfo.closing}
bool pollInfo::closing() const { return (v & pollClosing) != 0; }
/// pollInfo.eventErr: did epoll report an error? \gosrc{netpoll.go,pollInfo.eventErr}
bool pollInfo::eventErr() const { return (v & pollEventErr) != 0; }
/// pollInfo.expiredReadDeadline \gosrc{netpoll.go,pollInfo.expiredReadDeadline}
bool pollInfo::expiredReadDeadline() const { return (v & pollExpiredReadDeadline) != 0; }
/// pollInfo.expiredWriteDeadline \gosrc{netpoll.go,pollInfo.expiredWriteDeadline}
bool pollInfo::expiredWriteDeadline() const { return (v & pollExpiredWriteDeadline) != 0; }

/// info: pd's pollInfo, read without the lock. \gosrc{netpoll.go,pollDesc.info}
pollInfo pollDesc::info() { return pollInfo{atomicInfo.Load()}; }

/// publishInfo recomputes atomicInfo from closing, rd, wd and fdseq, keeping
/// the event-error bit, which lives only there. Called with pd.lock held
/// after any change to those fields ([pd-info]). \gosrc{netpoll.go,pollDesc.publishInfo}
void pollDesc::publishInfo() {
  uint32 info = 0;
  if (closing) info |= pollClosing;
  if (rd < 0) info |= pollExpiredReadDeadline;
  if (wd < 0) info |= pollExpiredWriteDeadline;
  info |= uint32(fdseq.Load() & pollFDSeqMask) << pollFDSeq;
  // Every bit but pollEventErr comes from info.
  uint32 x = atomicInfo.Load();
  while (!atomicInfo.CompareAndSwap(x, (x & pollEventErr) | info)) x = atomicInfo.Load();
}

/// setEventErr sets the event-error bit to b, unless seq is not 0 and names
/// another use of the pollDesc than the current one (an event that raced
/// with a close and reuse: Go issue 59545). \gosrc{netpoll.go,pollDesc.setEventErr}
void pollDesc::setEventErr(bool b, uintptr seq) {
  uint32 mSeq = uint32(seq & pollFDSeqMask);
  uint32 x = atomicInfo.Load();
  uint32 xSeq = (x >> pollFDSeq) & pollFDSeqMask;
  if (seq != 0 && xSeq != mSeq) return;
  while (((x & pollEventErr) != 0) != b && !atomicInfo.CompareAndSwap(x, x ^ pollEventErr)) {
    x = atomicInfo.Load();
    xSeq = (x >> pollFDSeq) & pollFDSeqMask;
    if (seq != 0 && xSeq != mSeq) return;
  }
}

/// poll_runtime_pollServerInit: internal/poll's runtime_pollServerInit, which
/// starts the poller. \gosrc{netpoll.go,poll_runtime_pollServerInit}
void poll_runtime_pollServerInit() LINKNAME("internal..z2fpoll.runtime_pollServerInit");
void poll_runtime_pollServerInit() { netpollGenericInit(); }

/// netpollGenericInit starts the poller, once, whoever asks first.
/// \gosrc{netpoll.go,netpollGenericInit}
void netpollGenericInit() {
  if (netpollInited.Load() == 0) {
    lock(&netpollInitLock);
    if (netpollInited.Load() == 0) {
      netpollinit();
      netpollInited.Store(1);
    }
    unlock(&netpollInitLock);
  }
}

/// netpollinited: has the poller started? \gosrc{netpoll.go,netpollinited}
bool netpollinited() { return netpollInited.Load() != 0; }

/// poll_runtime_isPollServerDescriptor: is fd the poller's own (the epoll
/// descriptor or the eventfd), which internal/poll must not close?
/// \gosrc{netpoll.go,poll_runtime_isPollServerDescriptor}
bool poll_runtime_isPollServerDescriptor(uintptr fd) LINKNAME("internal..z2fpoll.runtime_isPollServerDescriptor");
bool poll_runtime_isPollServerDescriptor(uintptr fd) { return netpollIsPollDescriptor(fd); }

/// poll_runtime_pollOpen takes a pollDesc for fd from pollcache, resets it
/// and adds fd to the epoll set; returns the pollDesc, or nullptr and the
/// errno of a failed epoll_ctl. \gosrc{netpoll.go,poll_runtime_pollOpen}
std::tuple<pollDesc*, int> poll_runtime_pollOpen(uintptr fd) LINKNAME("internal..z2fpoll.runtime_pollOpen");
std::tuple<pollDesc*, int> poll_runtime_pollOpen(uintptr fd) {
  pollDesc* pd = pollcache.alloc();
  lock(&pd->lock);
  uintptr wg = pd->wg.Load();
  if (wg != pdNil && wg != pdReady) throw_("runtime: blocked write on free polldesc");
  uintptr rg = pd->rg.Load();
  if (rg != pdNil && rg != pdReady) throw_("runtime: blocked read on free polldesc");
  pd->fd = fd;
  if (pd->fdseq.Load() == 0) {
    pd->fdseq.Store(1);  // setEventErr reads a seq of 0 as "any"
  }
  pd->closing = false;
  pd->setEventErr(false, 0);
  pd->rseq++;
  pd->rg.Store(pdNil);
  pd->rd = 0;
  pd->wseq++;
  pd->wg.Store(pdNil);
  pd->wd = 0;
  pd->self = pd;
  pd->publishInfo();
  unlock(&pd->lock);

  uintptr errno_ = netpollopen(fd, pd);
  if (errno_ != 0) {
    pollcache.free(pd);
    return {nullptr, int(errno_)};
  }
  return {pd, 0};
}

/// poll_runtime_pollClose takes fd out of the epoll set and returns pd to
/// pollcache; pollUnblock must have run first, so that no goroutine waits.
/// \gosrc{netpoll.go,poll_runtime_pollClose}
void poll_runtime_pollClose(pollDesc* pd) LINKNAME("internal..z2fpoll.runtime_pollClose");
void poll_runtime_pollClose(pollDesc* pd) {
  if (!pd->closing) throw_("runtime: close polldesc w/o unblock");
  uintptr wg = pd->wg.Load();
  if (wg != pdNil && wg != pdReady) throw_("runtime: blocked write on closing polldesc");
  uintptr rg = pd->rg.Load();
  if (rg != pdNil && rg != pdReady) throw_("runtime: blocked read on closing polldesc");
  netpollclose(pd->fd);
  pollcache.free(pd);
}

/// free bumps pd's fdseq, so that an epoll event still on its way for the
/// old descriptor is dropped ([pd-fdseq]), and puts pd on the free list.
/// \gosrc{netpoll.go,pollCache.free}
void pollCache::free(pollDesc* pd) {
  // No one else can see pd now; publishInfo wants the lock all the same.
  runtime::lock(&pd->lock);
  uintptr seq = pd->fdseq.Load();
  seq = (seq + 1) & ((uintptr(1) << taggedPointerBits) - 1);
  pd->fdseq.Store(seq);
  pd->publishInfo();
  runtime::unlock(&pd->lock);

  runtime::lock(&lock);
  pd->link = first;
  first = pd;
  runtime::unlock(&lock);
}

/// poll_runtime_pollReset readies pd for a new wait in mode ('r' or 'w'):
/// a pending notification is dropped. Returns a poll error code.
/// \gosrc{netpoll.go,poll_runtime_pollReset}
int poll_runtime_pollReset(pollDesc* pd, int mode) LINKNAME("internal..z2fpoll.runtime_pollReset");
int poll_runtime_pollReset(pollDesc* pd, int mode) {
  int errcode = netpollcheckerr(pd, int32(mode));
  if (errcode != pollNoError) return errcode;
  if (mode == 'r') {
    pd->rg.Store(pdNil);
  } else if (mode == 'w') {
    pd->wg.Store(pdNil);
  }
  return pollNoError;
}

/// poll_runtime_pollWait parks the calling goroutine until pd's descriptor
/// is ready for mode ('r' or 'w'), its deadline passes or it is closed.
/// Returns a poll error code. \gosrc{netpoll.go,poll_runtime_pollWait}
int poll_runtime_pollWait(pollDesc* pd, int mode) LINKNAME("internal..z2fpoll.runtime_pollWait");
int poll_runtime_pollWait(pollDesc* pd, int mode) {
  int errcode = netpollcheckerr(pd, int32(mode));
  if (errcode != pollNoError) return errcode;
  // epoll is edge-triggered: no netpollarm (Go arms only on Solaris, AIX
  // and wasip1).
  while (!netpollblock(pd, int32(mode), false)) {
    errcode = netpollcheckerr(pd, int32(mode));
    if (errcode != pollNoError) return errcode;
    // A deadline fired and woke us, and was then moved before we ran: as if
    // it never fired, wait again.
  }
  return pollNoError;
}

/// poll_runtime_pollSetDeadline sets the read ('r'), write ('w') or both
/// ('r'+'w') deadlines of pd to d ns from now (d < 0: already passed, 0:
/// none), arming, moving or stopping the deadline timers, and wakes a
/// goroutine whose deadline is now in the past. The same time for both
/// uses one timer, netpollDeadline. \gosrc{netpoll.go,poll_runtime_pollSetDeadline}
void poll_runtime_pollSetDeadline(pollDesc* pd, int64 d, int mode)
    LINKNAME("internal..z2fpoll.runtime_pollSetDeadline");
void poll_runtime_pollSetDeadline(pollDesc* pd, int64 d, int mode) {
  lock(&pd->lock);
  if (pd->closing) {
    unlock(&pd->lock);
    return;
  }
  int64 rd0 = pd->rd, wd0 = pd->wd;
  bool combo0 = rd0 > 0 && rd0 == wd0;
  if (d > 0) {
    d = int64(uint64(d) + uint64(nanotime()));  // wraps as Go's int64 does
    if (d <= 0) {
      // A deadline in the future that overflowed: the latest there is.
      d = maxWhen;
    }
  }
  if (mode == 'r' || mode == 'r' + 'w') pd->rd = d;
  if (mode == 'w' || mode == 'r' + 'w') pd->wd = d;
  pd->publishInfo();
  bool combo = pd->rd > 0 && pd->rd == pd->wd;
  void (*rtf)(void*, uintptr) = netpollReadDeadline;
  if (combo) rtf = netpollDeadline;
  if (pd->rt.f == nullptr) {
    if (pd->rd > 0) {
      pd->rt.f = rtf;
      // The timer carries the rseq of now: if pd is reused or its
      // deadline moved before it fires, the seqs differ and it does nothing.
      pd->rt.arg = pd->makeArg();
      pd->rt.seq = pd->rseq;
      resettimer(&pd->rt, pd->rd);
    }
  } else if (pd->rd != rd0 || combo != combo0) {
    pd->rseq++;  // the armed timer is stale now
    if (pd->rd > 0) {
      modtimer(&pd->rt, pd->rd, 0, rtf, pd->makeArg(), pd->rseq);
    } else {
      deltimer(&pd->rt);
      pd->rt.f = nullptr;
    }
  }
  if (pd->wt.f == nullptr) {
    if (pd->wd > 0 && !combo) {
      pd->wt.f = netpollWriteDeadline;
      pd->wt.arg = pd->makeArg();
      pd->wt.seq = pd->wseq;
      resettimer(&pd->wt, pd->wd);
    }
  } else if (pd->wd != wd0 || combo != combo0) {
    pd->wseq++;  // the armed timer is stale now
    if (pd->wd > 0 && !combo) {
      modtimer(&pd->wt, pd->wd, 0, netpollWriteDeadline, pd->makeArg(), pd->wseq);
    } else {
      deltimer(&pd->wt);
      pd->wt.f = nullptr;
    }
  }
  // A deadline now in the past wakes the goroutine waiting for it, if any
  // (publishInfo above already keeps a new one from parking).
  int32 delta = 0;
  g* rg = nullptr;
  g* wg = nullptr;
  if (pd->rd < 0) rg = netpollunblock(pd, 'r', false, &delta);
  if (pd->wd < 0) wg = netpollunblock(pd, 'w', false, &delta);
  unlock(&pd->lock);
  if (rg != nullptr) netpollgoready(rg, 3);
  if (wg != nullptr) netpollgoready(wg, 3);
  netpollAdjustWaiters(delta);
}

/// poll_runtime_pollUnblock marks pd closing, wakes its waiters (who see
/// pollErrClosing) and stops its deadline timers: the first half of a close.
/// \gosrc{netpoll.go,poll_runtime_pollUnblock}
void poll_runtime_pollUnblock(pollDesc* pd) LINKNAME("internal..z2fpoll.runtime_pollUnblock");
void poll_runtime_pollUnblock(pollDesc* pd) {
  lock(&pd->lock);
  if (pd->closing) throw_("runtime: unblock on closing polldesc");
  pd->closing = true;
  pd->rseq++;
  pd->wseq++;
  pd->publishInfo();
  int32 delta = 0;
  g* rg = netpollunblock(pd, 'r', false, &delta);
  g* wg = netpollunblock(pd, 'w', false, &delta);
  if (pd->rt.f != nullptr) {
    deltimer(&pd->rt);
    pd->rt.f = nullptr;
  }
  if (pd->wt.f != nullptr) {
    deltimer(&pd->wt);
    pd->wt.f = nullptr;
  }
  unlock(&pd->lock);
  if (rg != nullptr) netpollgoready(rg, 3);
  if (wg != nullptr) netpollgoready(wg, 3);
  netpollAdjustWaiters(delta);
}

/// netpollready: netpoll found pd's descriptor ready for mode ('r', 'w' or
/// 'r'+'w'). Sets the semaphores to pdReady and pushes the goroutines they
/// held onto toRun; returns the change to netpollWaiters. It may run with
/// the world stopped: no write barriers. \gosrc{netpoll.go,netpollready}
int32 netpollready(gList* toRun, pollDesc* pd, int32 mode) {
  int32 delta = 0;
  g* rg = nullptr;
  g* wg = nullptr;
  if (mode == 'r' || mode == 'r' + 'w') rg = netpollunblock(pd, 'r', true, &delta);
  if (mode == 'w' || mode == 'r' + 'w') wg = netpollunblock(pd, 'w', true, &delta);
  if (rg != nullptr) toRun->push(rg);
  if (wg != nullptr) toRun->push(wg);
  return delta;
}

/// netpollcheckerr: why a wait in mode cannot go on (closing, an expired
/// deadline, an event error; the last only for reads, since a write will
/// find a more precise error itself), or pollNoError. Reads only atomicInfo.
/// \gosrc{netpoll.go,netpollcheckerr}
int netpollcheckerr(pollDesc* pd, int32 mode) {
  pollInfo info = pd->info();
  if (info.closing()) return pollErrClosing;
  if ((mode == 'r' && info.expiredReadDeadline()) || (mode == 'w' && info.expiredWriteDeadline())) {
    return pollErrTimeout;
  }
  if (mode == 'r' && info.eventErr()) return pollErrNotPollable;
  return pollNoError;
}

/// netpollblockcommit: gopark's unlock function for a descriptor wait, run
/// on g0 after the goroutine is parked: it commits by turning pdWait into
/// the g. If a notification or a timeout came first, the CAS fails and the
/// goroutine runs on at once. \gosrc{netpoll.go,netpollblockcommit}
bool netpollblockcommit(g* gp, void* gpp) {
  bool r = static_cast<atomic::Uintptr*>(gpp)->CompareAndSwap(pdWait, uintptr(gp));
  if (r) {
    // The scheduler blocks in netpoll only while someone waits there.
    netpollAdjustWaiters(1);
  }
  return r;
}

/// netpollgoready makes a goroutine woken from a descriptor runnable.
/// \gosrc{netpoll.go,netpollgoready}
void netpollgoready(g* gp, int traceskip) { goready(gp, traceskip + 1); }

/// netpollblock parks the goroutine on pd's semaphore for mode until it is
/// readied; returns true for I/O readiness, false for a timeout or close.
/// waitio waits for readiness only (Go uses it on Windows).
/// [pd-one-waiter] \gosrc{netpoll.go,netpollblock}
bool netpollblock(pollDesc* pd, int32 mode, bool waitio) {
  atomic::Uintptr* gpp = &pd->rg;
  if (mode == 'w') gpp = &pd->wg;

  // pdNil -> pdWait, or take a pending notification.
  for (;;) {
    if (gpp->CompareAndSwap(pdReady, pdNil)) return true;
    if (gpp->CompareAndSwap(pdNil, pdWait)) break;
    // Anything but the two states above here is a second waiter.
    uintptr v = gpp->Load();
    if (v != pdReady && v != pdNil) throw_("runtime: double wait");
  }

  // Closing and deadlines must be checked again now that gpp says pdWait:
  // pollUnblock, pollSetDeadline and the deadline timers change them first
  // and look at rg/wg after ([pd-info]).
  if (waitio || netpollcheckerr(pd, mode) == pollNoError) {
    gopark(netpollblockcommit, gpp, waitReasonIOWait, 5);
  }
  // A notification may have come meanwhile: take it, whatever woke us.
  uintptr old = gpp->Swap(pdNil);
  if (old > pdWait) throw_("runtime: corrupted polldesc");
  return old == pdReady;
}

/// netpollunblock moves pd's semaphore for mode to pdReady (ioready) or
/// pdNil and returns the goroutine it held, if any, adding the change to
/// netpollWaiters to *delta (to be applied after the goroutine is readied).
/// \gosrc{netpoll.go,netpollunblock}
g* netpollunblock(pollDesc* pd, int32 mode, bool ioready, int32* delta) {
  atomic::Uintptr* gpp = &pd->rg;
  if (mode == 'w') gpp = &pd->wg;

  for (;;) {
    uintptr old = gpp->Load();
    if (old == pdReady) return nullptr;
    if (old == pdNil && !ioready) {
      // Only readiness is remembered: pollWait checks for a timeout or a
      // close itself before it waits.
      return nullptr;
    }
    uintptr new_ = ioready ? pdReady : pdNil;
    if (gpp->CompareAndSwap(old, new_)) {
      if (old == pdWait) {
        old = pdNil;
      } else if (old != pdNil) {
        *delta -= 1;
      }
      return reinterpret_cast<g*>(old);
    }
  }
}

/// netpolldeadlineimpl: a deadline timer fired. Unless it is stale (seq
/// is no longer pd's rseq or wseq), marks the deadline passed and wakes the
/// goroutine waiting for it. \gosrc{netpoll.go,netpolldeadlineimpl}
void netpolldeadlineimpl(pollDesc* pd, uintptr seq, bool read, bool write) {
  lock(&pd->lock);
  uintptr currentSeq = pd->rseq;
  if (!read) currentSeq = pd->wseq;
  if (seq != currentSeq) {
    // pd was reused, or the deadline moved, after this timer was armed.
    unlock(&pd->lock);
    return;
  }
  int32 delta = 0;
  g* rg = nullptr;
  if (read) {
    if (pd->rd <= 0 || pd->rt.f == nullptr) throw_("runtime: inconsistent read deadline");
    pd->rd = -1;
    pd->publishInfo();
    rg = netpollunblock(pd, 'r', false, &delta);
  }
  g* wg = nullptr;
  if (write) {
    if (pd->wd <= 0 || (pd->wt.f == nullptr && !read)) throw_("runtime: inconsistent write deadline");
    pd->wd = -1;
    pd->publishInfo();
    wg = netpollunblock(pd, 'w', false, &delta);
  }
  unlock(&pd->lock);
  if (rg != nullptr) netpollgoready(rg, 0);
  if (wg != nullptr) netpollgoready(wg, 0);
  netpollAdjustWaiters(delta);
}

/// netpollDeadline: the timer function of a read and write deadline at the
/// same time. \gosrc{netpoll.go,netpollDeadline}
void netpollDeadline(void* arg, uintptr seq) {
  netpolldeadlineimpl(static_cast<pollDesc*>(arg), seq, true, true);
}

/// netpollReadDeadline: the read-deadline timer's function.
/// \gosrc{netpoll.go,netpollReadDeadline}
void netpollReadDeadline(void* arg, uintptr seq) {
  netpolldeadlineimpl(static_cast<pollDesc*>(arg), seq, true, false);
}

/// netpollWriteDeadline: the write-deadline timer's function.
/// \gosrc{netpoll.go,netpollWriteDeadline}
void netpollWriteDeadline(void* arg, uintptr seq) {
  netpolldeadlineimpl(static_cast<pollDesc*>(arg), seq, false, true);
}

/// netpollAnyWaiters: is any goroutine blocked in the poller?
/// \gosrc{netpoll.go,netpollAnyWaiters}
bool netpollAnyWaiters() { return netpollWaiters.Load() > 0; }

/// netpollAdjustWaiters adds what netpoll reported to netpollWaiters.
/// \gosrc{netpoll.go,netpollAdjustWaiters}
void netpollAdjustWaiters(int32 delta) {
  if (delta != 0) netpollWaiters.Add(uint32(delta));
}

/// alloc takes a pollDesc from the free list, refilling it with a 4 KiB
/// block from persistentalloc when empty. Off the heap because epoll holds
/// the only other reference to it, which the collector cannot see.
/// \gosrc{netpoll.go,pollCache.alloc}
pollDesc* pollCache::alloc() {
  runtime::lock(&lock);
  if (first == nullptr) {
    constexpr uintptr pdSize = sizeof(pollDesc);
    uintptr n = pollBlockSize / pdSize;
    if (n == 0) n = 1;
    auto* mem = static_cast<uint8*>(persistentalloc(n * pdSize, 0, &memstats.other_sys));
    for (uintptr i = 0; i < n; i++) {
      auto* pd = reinterpret_cast<pollDesc*>(mem + i * pdSize);
      pd->link = first;
      first = pd;
    }
  }
  pollDesc* pd = first;
  first = pd->link;
  runtime::unlock(&lock);
  return pd;
}

/// makeArg: pd as a timer's argument. Departure: Go builds an interface
/// value pointing at pd.self without allocating (a NotInHeap pointer must
/// be stored indirectly, Go issue 42076); the port's timer argument is a
/// plain pointer, so it is pd itself. \gosrc{netpoll.go,pollDesc.makeArg}
void* pollDesc::makeArg() { return self; }

}  // namespace runtime
