// netpoll_epoll.cpp: the network poller on Linux, mirroring
// netpoll_epoll.go at go1.22.12: one epoll instance for the process, every
// polled descriptor in it edge-triggered for reading and writing (its
// event's data is the pollDesc, tagged with its fdseq: [pd-fdseq]), and an
// eventfd in it that netpollBreak writes to wake an M blocked in
// epoll_wait ([netpoll-break]). See netpoll.hpp.
#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "netpoll.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "tagptr.hpp"

namespace runtime {

namespace {
int32 epfd = -1;               // the epoll descriptor
uintptr netpollEventFd;        // the eventfd netpollBreak writes to
atomic::Uint32 netpollWakeSig;  // [netpoll-break]
}  // namespace

/// netpollinit creates the epoll instance and registers the eventfd, its
/// event's data the address of netpollEventFd, which is how netpoll tells
/// it from a pollDesc. \gosrc{netpoll_epoll.go,netpollinit}
void netpollinit() {
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) {
    print("runtime: epollcreate failed with ", errno, "\n");
    throw_("runtime: netpollinit failed");
  }
  int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (efd < 0) {
    print("runtime: eventfd failed with ", errno, "\n");
    throw_("runtime: eventfd failed");
  }
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.ptr = &netpollEventFd;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, efd, &ev) != 0) {
    print("runtime: epollctl failed with ", errno, "\n");
    throw_("runtime: epollctl failed");
  }
  netpollEventFd = uintptr(efd);
}

/// netpollIsPollDescriptor: is fd one of the poller's own?
/// \gosrc{netpoll_epoll.go,netpollIsPollDescriptor}
bool netpollIsPollDescriptor(uintptr fd) { return fd == uintptr(epfd) || fd == netpollEventFd; }

/// netpollopen adds fd to the epoll set, edge-triggered for input, output
/// and the peer's hang-up, with pd and its fdseq as the event's data.
/// Returns 0 or an errno. \gosrc{netpoll_epoll.go,netpollopen}
uintptr netpollopen(uintptr fd, pollDesc* pd) {
  struct epoll_event ev = {};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  taggedPointer tp = taggedPointerPack(pd, pd->fdseq.Load());
  ev.data.u64 = tp.v;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, int(fd), &ev) != 0) return uintptr(errno);
  return 0;
}

/// netpollclose takes fd out of the epoll set. Returns 0 or an errno.
/// \gosrc{netpoll_epoll.go,netpollclose}
uintptr netpollclose(uintptr fd) {
  struct epoll_event ev = {};
  if (epoll_ctl(epfd, EPOLL_CTL_DEL, int(fd), &ev) != 0) return uintptr(errno);
  return 0;
}

/// netpollBreak wakes an M blocked in netpoll: one 8-byte write to the
/// eventfd, skipped if a wake-up is already in flight. \gosrc{netpoll_epoll.go,netpollBreak}
void netpollBreak() {
  if (!netpollWakeSig.CompareAndSwap(0, 1)) return;  // one in flight already
  uint64 one = 1;
  for (;;) {
    ssize_t n = write(int(netpollEventFd), &one, sizeof one);
    if (n == ssize_t(sizeof one)) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // the counter is full: a wake-up is pending
    print("runtime: netpollBreak write failed with ", errno, "\n");
    throw_("runtime: netpollBreak write failed");
  }
}

/// netpoll waits for ready descriptors: delay < 0 blocks until one is ready
/// (or a break), 0 only looks, > 0 waits about delay ns in epoll_wait's
/// unit, the millisecond: a delay under 1 ms waits 1 ms, a longer one is
/// cut down to whole milliseconds (as in Go). Returns the goroutines made runnable and
/// the change to netpollWaiters. \gosrc{netpoll_epoll.go,netpoll}
std::tuple<gList, int32> netpoll(int64 delay) {
  if (epfd == -1) return {gList{}, 0};
  int32 waitms;
  if (delay < 0) {
    waitms = -1;
  } else if (delay == 0) {
    waitms = 0;
  } else if (delay < 1000000) {
    waitms = 1;
  } else if (delay < 1000000000000000LL) {
    waitms = int32(delay / 1000000);
  } else {
    // Go's cap on a wait for a timer: 1e9 ms, about 11.5 days.
    waitms = 1000000000;
  }
  struct epoll_event events[128];
retry:
  int n = epoll_wait(epfd, events, 128, waitms);
  if (n < 0) {
    if (errno != EINTR) {
      print("runtime: epollwait on fd ", epfd, " failed with ", errno, "\n");
      throw_("runtime: netpoll failed");
    }
    // A timed wait that a signal cut short: return, so that the caller
    // works out again how long to wait.
    if (waitms > 0) return {gList{}, 0};
    goto retry;
  }
  gList toRun;
  int32 delta = 0;
  for (int i = 0; i < n; i++) {
    struct epoll_event& ev = events[i];
    if (ev.events == 0) continue;
    if (ev.data.ptr == &netpollEventFd) {
      if (ev.events != EPOLLIN) {
        print("runtime: netpoll: eventfd ready for ", ev.events, "\n");
        throw_("runtime: netpoll: eventfd ready for something unexpected");
      }
      if (delay != 0) {
        // Only a blocking poll consumes the wake-up: a non-blocking one
        // may see it too, and must leave it for the M it was meant for.
        // (Without EFD_SEMAPHORE, one read resets the counter.)
        uint64 one;
        ssize_t r = read(int(netpollEventFd), &one, sizeof one);
        (void)r;
        netpollWakeSig.Store(0);
      }
      continue;
    }
    int32 mode = 0;
    if ((ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) mode += 'r';
    if ((ev.events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) mode += 'w';
    if (mode != 0) {
      taggedPointer tp{ev.data.u64};
      auto* pd = static_cast<pollDesc*>(tp.pointer());
      uintptr tag = tp.tag();
      // An event for an earlier use of this pollDesc is dropped ([pd-fdseq]).
      if (pd->fdseq.Load() == tag) {
        pd->setEventErr(ev.events == EPOLLERR, tag);
        delta += netpollready(&toRun, pd, mode);
      }
    }
  }
  return {toRun, delta};
}

}  // namespace runtime
