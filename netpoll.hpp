// netpoll.hpp: the network poller's portable half (netpoll.go at go1.22.12)
// and the interface its Linux half implements (netpoll_epoll.cpp).
//
// What is here so far is what the timers need: an M with no goroutine to
// run and a timer pending sleeps in netpoll(delay) until the timer is due
// or netpollBreak wakes it (findRunnable, wakeNetPoller). The poller starts
// with the program's first timer (doaddtimer calls netpollGenericInit).
// Departure: the pollDesc half (pollOpen, pollWait, deadlines, the
// goroutines parked on file descriptors) is not ported yet (issue 13), so
// netpoll never returns goroutines and netpollWaiters stays 0.
//
// Invariants:
//   [netpoll-break]  netpollWakeSig is 1 from a netpollBreak's write to the
//                    eventfd until a blocking netpoll reads it back: at most
//                    one wake-up is in flight, and none is lost (a break that
//                    finds one in flight has nothing to add).
#pragma once
#include <tuple>

#include "runtime2.hpp"

namespace runtime {

/// netpollInited: 1 once netpollinit has run. \gosrc{netpoll.go,netpollInited}
extern atomic::Uint32 netpollInited;
/// netpollWaiters: goroutines parked in the poller (none yet; see above).
/// \gosrc{netpoll.go,netpollWaiters}
extern atomic::Uint32 netpollWaiters;

void netpollGenericInit();
bool netpollinited();
bool netpollAnyWaiters();
void netpollAdjustWaiters(int32 delta);

// netpoll_epoll.cpp
void netpollinit();
bool netpollIsPollDescriptor(uintptr fd);
void netpollBreak();
std::tuple<gList, int32> netpoll(int64 delay);

}  // namespace runtime
