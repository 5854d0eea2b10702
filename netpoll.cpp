// netpoll.cpp: the network poller's portable half, mirroring netpoll.go at
// go1.22.12: starting the poller once, and the count of goroutines waiting
// in it. See netpoll.hpp for what is ported so far.
//
// Locks: netpollInitLock serialises netpollinit; it is held only for that.
#include "netpoll.hpp"

#include "proc.hpp"

namespace runtime {

namespace {
mutex netpollInitLock;  // protects the one call of netpollinit
}  // namespace
atomic::Uint32 netpollInited;
atomic::Uint32 netpollWaiters;

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

/// netpollAnyWaiters: is any goroutine blocked in the poller?
/// \gosrc{netpoll.go,netpollAnyWaiters}
bool netpollAnyWaiters() { return netpollWaiters.Load() > 0; }

/// netpollAdjustWaiters adds what netpoll reported to netpollWaiters.
/// \gosrc{netpoll.go,netpollAdjustWaiters}
void netpollAdjustWaiters(int32 delta) {
  if (delta != 0) netpollWaiters.Add(uint32(delta));
}

}  // namespace runtime
