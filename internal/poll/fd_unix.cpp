// internal/poll/fd_unix.cpp: FD on Unix, mirroring
// src/internal/poll/fd_unix.go at go1.22.12 (Init, destroy, Close, Read,
// Write, Accept, ignoringEINTRIO) and sock_cloexec.go's accept. See fd.hpp
// for the invariants.
//
// Every read(2) and write(2) is a system call in the scheduler's sense
// (gort::syscall, go.hpp: entersyscall ... exitsyscall), as Go's
// syscall.Read and Write are, on a non-blocking descriptor too, where the
// call cannot block. The bracket also keeps sysmon awake. sysmon sleeps
// while every P is idle, for up to a minute, and entering a system call is
// one of the few things that wake it. Awake, it polls the network when no
// thread has for 10 ms and starts idle Ps on what it finds. Without that,
// two goroutines handing data to each other through the poller can keep
// the running threads busy with each other while the timers of idle Ps (a
// read deadline among them) wait for sysmon's sleep to end.
#include <errno.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../go.hpp"
#include "../../io/io.hpp"
#include "fd.hpp"

namespace gort::poll {

namespace {
/// The result of one read(2) or write(2): n, or -1 and the errno.
struct ioResult {
  long n;
  int err;
};

/// ignoringEINTRIO calls fn until it is not interrupted by a signal.
/// \gosrc{internal/poll/fd_unix.go,ignoringEINTRIO}
template <class F>
ioResult ignoringEINTRIO(F fn) {
  for (;;) {
    ioResult r = fn();
    if (r.err != EINTR) return r;
  }
}

/// sysRead and sysWrite: read(2) and write(2) of p, as system calls (see
/// the top of the file).
ioResult sysRead(FD* fd, uint8_t* p, long n) {
  return gort::syscall([&] {
    long r = ::read(fd->Sysfd, p, size_t(n));
    return ioResult{r, r < 0 ? errno : 0};
  });
}
ioResult sysWrite(FD* fd, const uint8_t* p, long n) {
  return gort::syscall([&] {
    long r = ::write(fd->Sysfd, p, size_t(n));
    return ioResult{r, r < 0 ? errno : 0};
  });
}

/// accept: accept4(2) of a non-blocking, close-on-exec connection.
/// \gosrc{internal/poll/sock_cloexec.go,accept}
std::tuple<int, int> accept(int s) {
  // errno is read inside the bracket: exitsyscall may resume this goroutine
  // on another thread, whose errno is not this call's.
  return gort::syscall([&]() -> std::tuple<int, int> {
    int ns = ::accept4(s, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (ns < 0) return {-1, errno};
    return {ns, 0};
  });
}

/// raiseNofile: the soft limit on open descriptors raised to the hard one
/// when the program starts, as Go's package syscall does in its init
/// (src/syscall/rlimit.go): a program of many connections should not fail
/// at the shell's default of 1024. Departure: the port has no package
/// syscall, so the raise lives with the descriptors (it runs in programs
/// that link package internal/poll: users of os and net), and no child
/// process gets the original limit back (the port has no os/exec).
[[maybe_unused]] const bool raiseNofile = [] {
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  return true;
}();

}  // namespace

/// Init readies the FD: net is "file" for a file (its closing error
/// differs); pollable registers the descriptor with the poller, and one
/// that cannot be (a regular file, epoll says EPERM) stays blocking.
/// \gosrc{internal/poll/fd_unix.go,FD.Init}
error FD::Init(const char* net, bool pollable) {
  if (std::string_view(net) == "file") isFile = true;
  if (!pollable) {
    isBlocking = 1;
    return nullptr;
  }
  error err = pd.init(this);
  if (err) {
    // Not pollable after all: the descriptor is used blocking.
    isBlocking = 1;
  }
  return err;
}

/// destroy closes the descriptor once the last reference is gone, and lets
/// Close return ([fd-close]). \gosrc{internal/poll/fd_unix.go,FD.destroy}
error FD::destroy() {
  // The poller forgets it first, so that the number cannot be reused while
  // epoll still names this pollDesc.
  pd.close();
  error err;
  if (int e = sysErrno([&] { return ::close(Sysfd); })) err = errors::Errno(e);
  Sysfd = -1;
  runtime_Semrelease(&csema);
  return err;
}

/// Close closes the FD: no new operation may start, the waiting ones are
/// woken with the closing error, and Close returns after the descriptor is
/// closed ([fd-close]). \gosrc{internal/poll/fd_unix.go,FD.Close}
error FD::Close() {
  if (!fdmu.increfAndClose()) return errClosing(isFile);
  // Wake the goroutines blocked in Read or Write; they drop their
  // references on the way out, and the last one destroys.
  pd.evict();
  error err = decref();
  // Wait for that, unless the descriptor is blocking: a goroutine blocked
  // in read(2) there would keep Close waiting for ever.
  if (isBlocking == 0) runtime_Semacquire(&csema);
  return err;
}

/// Read reads up to len(p) bytes, parking the goroutine while there is
/// nothing to read. \gosrc{internal/poll/fd_unix.go,FD.Read}
std::tuple<int, error> FD::Read(slice<uint8_t> p) {
  if (error err = readLock()) return {0, err};
  deferred unlock{[this] { readUnlock(); }};
  if (len(p) == 0) {
    // A read of 0 bytes returns at once, as read(2) would not.
    return {0, nullptr};
  }
  if (error err = pd.prepareRead(isFile)) return {0, err};
  long want = len(p);
  if (IsStream && want > maxRW) want = maxRW;
  for (;;) {
    ioResult r = ignoringEINTRIO([&] { return sysRead(this, &p[0], want); });
    error err;
    int n = int(r.n);
    if (r.err != 0) {
      n = 0;
      if (r.err == EAGAIN && pd.pollable()) {
        if (!(err = pd.waitRead(isFile))) continue;
      } else {
        err = errors::Errno(r.err);
      }
    }
    err = eofError(n, err);
    return {n, err};
  }
}

/// Write writes all of p, parking the goroutine while the descriptor's
/// buffer is full. \gosrc{internal/poll/fd_unix.go,FD.Write}
std::tuple<int, error> FD::Write(slice<uint8_t> p) {
  if (error err = writeLock()) return {0, err};
  deferred unlock{[this] { writeUnlock(); }};
  if (error err = pd.prepareWrite(isFile)) return {0, err};
  int nn = 0;
  for (;;) {
    int max = len(p);
    if (IsStream && max - nn > maxRW) max = nn + maxRW;
    ioResult r = ignoringEINTRIO([&] { return sysWrite(this, max > nn ? &p[nn] : nullptr, max - nn); });
    int n = int(r.n);
    if (n > 0) nn += n;
    error err = r.err != 0 ? errors::Errno(r.err) : error();
    if (nn == len(p)) return {nn, err};
    if (r.err == EAGAIN && pd.pollable()) {
      if (!(err = pd.waitWrite(isFile))) continue;
    }
    if (err) return {nn, err};
    if (n == 0) return {nn, io::ErrUnexpectedEOF};
  }
}

/// Accept accepts a connection on a listening socket, parking while none
/// is waiting; the new descriptor is non-blocking and close-on-exec.
/// Departure: Go also returns the peer's address and the failing call's
/// name; package net asks the new socket for its addresses instead.
/// \gosrc{internal/poll/fd_unix.go,FD.Accept}
std::tuple<int, error> FD::Accept() {
  if (error err = readLock()) return {-1, err};
  deferred unlock{[this] { readUnlock(); }};
  if (error err = pd.prepareRead(isFile)) return {-1, err};
  for (;;) {
    auto [s, e] = accept(Sysfd);
    if (e == 0) return {s, nullptr};
    switch (e) {
      case EINTR:
        continue;
      case EAGAIN:
        if (pd.pollable()) {
          error err = pd.waitRead(isFile);
          if (!err) continue;
          return {-1, err};
        }
        break;
      case ECONNABORTED:
        // A connection closed while it waited in the queue: try the next.
        continue;
    }
    return {-1, errors::Errno(e)};
  }
}

}  // namespace gort::poll
