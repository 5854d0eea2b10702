// netpoll.hpp: the network poller's portable half (netpoll.go at go1.22.12)
// and the interface its Linux half implements (netpoll_epoll.cpp).
//
// A goroutine that reads a descriptor with nothing to read parks on the
// descriptor's pollDesc instead of blocking its thread; the descriptor sits
// in one epoll set, edge-triggered, and whichever M calls netpoll (an idle M
// in findRunnable, blocking until the next timer; another M looking without
// blocking; sysmon every 10 ms) gets back the goroutines whose descriptors
// became ready and makes them runnable. Package internal/poll drives it over
// the linkname back channel (poll_runtime_pollOpen, pollWait, pollReset,
// pollSetDeadline, pollUnblock, pollClose); a deadline is a pair of timers
// in the pollDesc. The poller starts with the first descriptor or timer.
//
// pollDesc.rg (and wg, the same for writers) is a binary semaphore with
// four values:
//
//   pdNil    nothing pending
//   pdReady  an I/O notification is pending; a reader takes it (-> pdNil)
//   pdWait   a reader is about to park (netpollblock); it commits by
//            storing its g (netpollblockcommit), unless a notification
//            (-> pdReady) or a timeout or close (-> pdNil) comes first
//   a g      that reader is parked; a notification readies it and leaves
//            pdReady, a timeout or close readies it and leaves pdNil
//
// Invariants:
//   [netpoll-break]  netpollWakeSig is 1 from a netpollBreak's write to the
//                    eventfd until a blocking netpoll reads it back: at most
//                    one wake-up is in flight, and none is lost (a break that
//                    finds one in flight has nothing to add).
//   [pd-one-waiter]  at most one goroutine waits on a pollDesc per mode
//                    (internal/poll's fdMutex serialises readers, and
//                    writers); a second one throws "double wait".
//   [pd-info]        pd.atomicInfo's closing and expired-deadline bits are
//                    those of closing, rd and wd, republished (publishInfo)
//                    under pd.lock after every change and before any
//                    netpollunblock, so that netpollcheckerr, which takes no
//                    lock, stops a goroutine from parking anew.
//   [pd-fdseq]       pd.fdseq changes whenever the pollDesc is freed, and an
//                    epoll event carries the fdseq it was registered with
//                    (a tagged pointer): an event for a closed descriptor
//                    whose pollDesc is reused is dropped.
//   [pd-typestable]  a pollDesc, once made, is never freed: it goes back to
//                    pollcache and is reused, because epoll may still report
//                    its old descriptor.
//
// Locks: netpollInitLock serialises netpollinit. pollcache.lock protects the
// free list. pd.lock protects closing, user, rseq, wseq, rt, rd, wt and wd;
// it is never held while a goroutine is readied (netpollgoready runs after
// the unlock). A deadline timer's function takes pd.lock; timers run with
// no other lock held (runOneTimer), so the order is timersLock, never held,
// then pd.lock.
#pragma once
#include <tuple>

#include "runtime2.hpp"
#include "time.hpp"

namespace runtime {

/// The error codes of poll_runtime_pollReset and pollWait; internal/poll's
/// convertErr knows the same numbers. \gosrc{netpoll.go,pollNoError}
enum : int {
  pollNoError = 0,         // no error
  pollErrClosing = 1,      // the descriptor is being closed
  pollErrTimeout = 2,      // its deadline has passed
  pollErrNotPollable = 3,  // epoll reported an error on it
};

/// The states of pollDesc.rg and wg besides a g (see the top of the file).
/// \gosrc{netpoll.go,pdNil}
inline constexpr uintptr pdNil = 0;
inline constexpr uintptr pdReady = 1;
inline constexpr uintptr pdWait = 2;

/// pollBlockSize: the bytes pollcache takes from persistentalloc at a time.
/// \gosrc{netpoll.go,pollBlockSize}
inline constexpr uintptr pollBlockSize = 4 * 1024;

/// pollInfo: the bits netpollcheckerr needs, read without pd.lock
/// ([pd-info]). \gosrc{netpoll.go,pollInfo}
struct pollInfo {
  uint32 v;
  bool closing() const;
  bool eventErr() const;
  bool expiredReadDeadline() const;
  bool expiredWriteDeadline() const;
};

/// The bits of a pollInfo; pollFDSeq's 20 bits hold the low bits of fdseq.
/// \gosrc{netpoll.go,pollClosing}
enum : uint32 {
  pollClosing = 1 << 0,
  pollEventErr = 1 << 1,
  pollExpiredReadDeadline = 1 << 2,
  pollExpiredWriteDeadline = 1 << 3,
  pollFDSeq = 4,  // a shift: the fdseq field starts at bit 4
};
/// \gosrc{netpoll.go,pollFDSeqBits}
inline constexpr uint32 pollFDSeqBits = 20;
inline constexpr uint32 pollFDSeqMask = (uint32(1) << pollFDSeqBits) - 1;

/// pollDesc: the poller's record of one descriptor. Allocated off the heap
/// (persistentalloc) and never freed ([pd-typestable]); it holds no GC
/// reference (rg and wg name gs as integers; every g is also in allgs).
/// \gosrc{netpoll.go,pollDesc}
struct pollDesc : sys::NotInHeap {
  pollDesc* link;          // next in pollcache's free list, under its lock
  uintptr fd;              // the descriptor, fixed while in use
  atomic::Uintptr fdseq;   // bumped on free ([pd-fdseq])
  atomic::Uint32 atomicInfo;  // a pollInfo ([pd-info])
  atomic::Uintptr rg;      // pdNil, pdReady, pdWait or the g waiting to read
  atomic::Uintptr wg;      // the same for a writer
  mutex lock;              // protects the fields below
  bool closing;
  uint32 user;             // a cookie internal/poll may set (unused on Linux)
  uintptr rseq;            // bumped to make pending read-deadline timers stale
  timer rt;                // the read-deadline timer (armed when rt.f is set)
  int64 rd;                // read deadline: a future nanotime, or -1 once passed
  uintptr wseq;            // the same for writes
  timer wt;
  int64 wd;
  pollDesc* self;          // Go keeps it for makeArg; see makeArg

  pollInfo info();
  void publishInfo();
  void setEventErr(bool b, uintptr seq);
  void* makeArg();
};

/// pollCache: the free list of pollDescs. \gosrc{netpoll.go,pollCache}
struct pollCache {
  mutex lock;
  pollDesc* first;
  void free(pollDesc* pd);
  pollDesc* alloc();
};

/// netpollInited: 1 once netpollinit has run. \gosrc{netpoll.go,netpollInited}
extern atomic::Uint32 netpollInited;
/// pollcache: where every pollDesc comes from. \gosrc{netpoll.go,pollcache}
extern pollCache pollcache;
/// netpollWaiters: goroutines parked in the poller (on a pollDesc).
/// \gosrc{netpoll.go,netpollWaiters}
extern atomic::Uint32 netpollWaiters;

void poll_runtime_pollServerInit();
void netpollGenericInit();
bool netpollinited();
bool poll_runtime_isPollServerDescriptor(uintptr fd);
std::tuple<pollDesc*, int> poll_runtime_pollOpen(uintptr fd);
void poll_runtime_pollClose(pollDesc* pd);
int poll_runtime_pollReset(pollDesc* pd, int mode);
int poll_runtime_pollWait(pollDesc* pd, int mode);
void poll_runtime_pollSetDeadline(pollDesc* pd, int64 d, int mode);
void poll_runtime_pollUnblock(pollDesc* pd);
NOWRITEBARRIER int32 netpollready(gList* toRun, pollDesc* pd, int32 mode);
int netpollcheckerr(pollDesc* pd, int32 mode);
bool netpollblockcommit(g* gp, void* gpp);
void netpollgoready(g* gp, int traceskip);
bool netpollblock(pollDesc* pd, int32 mode, bool waitio);
g* netpollunblock(pollDesc* pd, int32 mode, bool ioready, int32* delta);
void netpolldeadlineimpl(pollDesc* pd, uintptr seq, bool read, bool write);
void netpollDeadline(void* arg, uintptr seq);
void netpollReadDeadline(void* arg, uintptr seq);
void netpollWriteDeadline(void* arg, uintptr seq);
bool netpollAnyWaiters();
void netpollAdjustWaiters(int32 delta);

// netpoll_epoll.cpp
void netpollinit();
bool netpollIsPollDescriptor(uintptr fd);
uintptr netpollopen(uintptr fd, pollDesc* pd);
uintptr netpollclose(uintptr fd);
void netpollBreak();
std::tuple<gList, int32> netpoll(int64 delay);

}  // namespace runtime
