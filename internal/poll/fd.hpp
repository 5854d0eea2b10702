// internal/poll/fd.hpp: package internal/poll, the layer between package
// net and os and the runtime's poller: an FD is a descriptor that a
// goroutine reads or writes without ever blocking its thread. Mirrors, at
// go1.22.12, src/internal/poll/fd.go (the errors), fd_unix.go (FD),
// fd_poll_runtime.go (pollDesc, deadlines), fd_posix.go and fd_mutex.go
// (fdMutex: fd_mutex.hpp).
//
// An FD's descriptor is non-blocking. Read tries read(2); on EAGAIN it
// parks the goroutine in the runtime (pollDesc::waitRead ->
// runtime_pollWait -> netpollblock) until epoll says the descriptor is
// readable, its deadline passes (ErrDeadlineExceeded, "i/o timeout") or it
// is closed (ErrNetClosing / ErrFileClosing), and tries again.
//
// Invariants:
//   [fd-one-reader]  fdmu's read lock is held across a whole Read or Accept
//                    (the write lock across a Write), so at most one
//                    goroutine waits on the runtime's pollDesc per mode.
//   [fd-close]       Close marks fdmu closed (no new operation starts),
//                    wakes the waiting ones (evict), and the last reference
//                    to drop (decref) closes the descriptor (destroy);
//                    Close returns only after that (csema), unless the FD
//                    is blocking.
#pragma once
#include <errno.h>

#include <cstdint>
#include <tuple>

#include "../../errors/errors.hpp"
#include "../../go.hpp"
#include "../../slice.hpp"
#include "../../time/time.hpp"
#include "fd_mutex.hpp"

namespace gort::poll {

/// sysErrno(f): f(), a call into the kernel that returns 0 or -1, made as
/// package syscall makes it (Syscall: the goroutine in _Gsyscall, see
/// fd_unix.cpp for why that matters even on a call that cannot block);
/// 0, or the errno it set, read inside the bracket. For close, shutdown,
/// connect, bind, listen, getsockopt and setsockopt; Go makes socket,
/// getsockname and getpeername raw (RawSyscall), and so does the port.
template <class F>
int sysErrno(F&& f) {
  return gort::syscall([&] { return f() == 0 ? 0 : errno; });
}

// --- fd.go -------------------------------------------------------------------

/// The objects of the sentinels that other packages share (os's
/// ErrDeadlineExceeded and ErrNoDeadline are these, as in Go).
extern errorObject errDeadlineExceededObject;
extern errorObject errNoDeadlineObject;

/// ErrNetClosing: an operation on a network connection closed meanwhile.
/// \gosrc{internal/poll/fd.go,ErrNetClosing}
extern const error ErrNetClosing;
/// ErrFileClosing: the same for a file. \gosrc{internal/poll/fd.go,ErrFileClosing}
extern const error ErrFileClosing;
/// ErrNoDeadline: the descriptor is not pollable, so it has no deadlines.
/// \gosrc{internal/poll/fd.go,ErrNoDeadline}
extern const error ErrNoDeadline;
/// ErrDeadlineExceeded: "i/o timeout"; Timeout() is true.
/// \gosrc{internal/poll/fd.go,ErrDeadlineExceeded}
extern const error ErrDeadlineExceeded;
/// ErrNotPollable: epoll reported an error on the descriptor.
/// \gosrc{internal/poll/fd.go,ErrNotPollable}
extern const error ErrNotPollable;
error errClosing(bool isFile);

// --- fd_poll_runtime.go ------------------------------------------------------

struct FD;

/// pollDesc: an FD's handle on the runtime's pollDesc (its address, or 0
/// for a descriptor the poller cannot watch, such as a regular file).
/// \gosrc{internal/poll/fd_poll_runtime.go,pollDesc}
struct pollDesc {
  uintptr_t runtimeCtx = 0;

  error init(FD* fd);
  void close();
  void evict();
  error prepare(int mode, bool isFile);
  error prepareRead(bool isFile);
  error prepareWrite(bool isFile);
  error wait(int mode, bool isFile);
  error waitRead(bool isFile);
  error waitWrite(bool isFile);
  bool pollable() const;
};

error convertErr(int res, bool isFile);
error setDeadlineImpl(FD* fd, time::Time t, int mode);
bool IsPollDescriptor(uintptr_t fd);

// --- fd_unix.go --------------------------------------------------------------

/// FD: a descriptor used by package net or os. \gosrc{internal/poll/fd_unix.go,FD}
struct FD {
  fdMutex fdmu;             // serialises Read, Write and Close ([fd-one-reader])
  int Sysfd = -1;           // the descriptor
  pollDesc pd;              // its runtime poller context
  uint32_t csema = 0;       // Close waits here for destroy ([fd-close])
  uint32_t isBlocking = 0;  // 1: not in the poller; reads block the thread
  bool IsStream = false;    // a stream socket or a pipe (not datagrams)
  bool ZeroReadIsEOF = false;  // a read of 0 bytes means end of file
  bool isFile = false;      // a file, not a socket: the error texts differ

  error Init(const char* net, bool pollable);
  error destroy();
  error Close();
  std::tuple<int, error> Read(slice<uint8_t> p);
  std::tuple<int, error> Write(slice<uint8_t> p);
  std::tuple<int, error> Accept();
  error SetDeadline(time::Time t);
  error SetReadDeadline(time::Time t);
  error SetWriteDeadline(time::Time t);
  error eofError(int n, error err);
  error Shutdown(int how);

  // fd_mutex.go's FD methods.
  error incref();
  error decref();
  error readLock();
  void readUnlock();
  error writeLock();
  void writeUnlock();
};

/// maxRW: the most a stream Read or Write asks the kernel for at once.
/// \gosrc{internal/poll/fd_unix.go,maxRW}
inline constexpr int maxRW = 1 << 30;

}  // namespace gort::poll
