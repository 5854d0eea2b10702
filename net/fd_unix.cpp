// net/fd_unix.cpp: a network socket, mirroring src/net/fd_posix.go and
// fd_unix.go at go1.22.12: netFD's reads, writes, deadlines and close over
// internal/poll's FD, a non-blocking connect that parks until the socket is
// writable, and accept. See net.hpp.
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "../mfinal.hpp"
#include "../os/file.hpp"
#include "net.hpp"

namespace gort::net {

namespace {
TCPAddr sockaddrToTCP(const sockaddr_in& sa) {
  TCPAddr a{};
  std::memcpy(a.IP, &sa.sin_addr.s_addr, 4);
  a.Port = ntohs(sa.sin_port);
  return a;
}
bool getsockname(int fd, TCPAddr* a) {
  sockaddr_in sa{};
  socklen_t n = sizeof sa;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &n) != 0 || sa.sin_family != AF_INET) return false;
  *a = sockaddrToTCP(sa);
  return true;
}
bool getpeername(int fd, TCPAddr* a) {
  sockaddr_in sa{};
  socklen_t n = sizeof sa;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &n) != 0 || sa.sin_family != AF_INET) return false;
  *a = sockaddrToTCP(sa);
  return true;
}
}  // namespace

// --- fd_posix.go -------------------------------------------------------------

/// setAddr records the socket's addresses and gives it the finalizer that
/// closes it when it is dropped. \gosrc{net/fd_posix.go,netFD.setAddr}
void netFD::setAddr(const TCPAddr* l, const TCPAddr* r) {
  hasLaddr = l != nullptr;
  hasRaddr = r != nullptr;
  if (l) laddr = *l;
  if (r) raddr = *r;
  runtime::SetFinalizer(this, [](netFD* fd) { fd->Close(); });
}

/// Close closes the socket and drops its finalizer. \gosrc{net/fd_posix.go,netFD.Close}
error netFD::Close() {
  runtime::SetFinalizer(this, nullptr);
  return pfd.Close();
}

/// shutdown: shutdown(2) of one or both directions. \gosrc{net/fd_posix.go,netFD.shutdown}
error netFD::shutdown(int how) { return wrapSyscallError("shutdown", pfd.Shutdown(how)); }

/// \gosrc{net/fd_posix.go,netFD.closeRead}
error netFD::closeRead() { return shutdown(SHUT_RD); }

/// \gosrc{net/fd_posix.go,netFD.closeWrite}
error netFD::closeWrite() { return shutdown(SHUT_WR); }

/// Read: the FD's Read, a system call's errno named "read".
/// \gosrc{net/fd_posix.go,netFD.Read}
std::tuple<int, error> netFD::Read(slice<uint8_t> p) {
  auto [n, err] = pfd.Read(p);
  return {n, wrapSyscallError("read", err)};
}

/// Write: the FD's Write, a system call's errno named "write".
/// \gosrc{net/fd_posix.go,netFD.Write}
std::tuple<int, error> netFD::Write(slice<uint8_t> p) {
  auto [n, err] = pfd.Write(p);
  return {n, wrapSyscallError("write", err)};
}

/// \gosrc{net/fd_posix.go,netFD.SetDeadline}
error netFD::SetDeadline(time::Time t) { return pfd.SetDeadline(t); }
/// \gosrc{net/fd_posix.go,netFD.SetReadDeadline}
error netFD::SetReadDeadline(time::Time t) { return pfd.SetReadDeadline(t); }
/// \gosrc{net/fd_posix.go,netFD.SetWriteDeadline}
error netFD::SetWriteDeadline(time::Time t) { return pfd.SetWriteDeadline(t); }

// --- fd_unix.go --------------------------------------------------------------

/// newFD: a netFD for the socket sysfd (not yet in the poller: init).
/// \gosrc{net/fd_unix.go,newFD}
std::tuple<ptr<netFD>, error> newFD(int sysfd, int family, int sotype, const char* net) {
  ptr<netFD> fd = new_<netFD>();
  fd->pfd.Sysfd = sysfd;
  fd->pfd.IsStream = sotype == SOCK_STREAM;
  fd->pfd.ZeroReadIsEOF = sotype != SOCK_DGRAM && sotype != SOCK_RAW;
  fd->family = family;
  fd->sotype = sotype;
  std::strncpy(fd->net, net, sizeof fd->net - 1);
  return {fd, nullptr};
}

/// init puts the socket in the poller. \gosrc{net/fd_unix.go,netFD.init}
error netFD::init() { return pfd.Init(net, true); }

/// connect starts a non-blocking connect(2) to ra and parks until the
/// socket is writable, then reads the outcome (SO_ERROR). A deadline
/// (non-zero) is the socket's write deadline meanwhile. Departure: Go
/// watches a context; past its deadline Go reports net's own timeout error,
/// here os::ErrDeadlineExceeded (both "i/o timeout", both timeouts).
/// \gosrc{net/fd_unix.go,netFD.connect}
error netFD::connect(const TCPAddr& ra, time::Time deadline) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(ra.Port));
  std::memcpy(&sa.sin_addr.s_addr, ra.IP, 4);
  int e = poll::sysErrno([&] { return ::connect(pfd.Sysfd, reinterpret_cast<sockaddr*>(&sa), sizeof sa); });
  switch (e) {
    case EINPROGRESS:
    case EALREADY:
    case EINTR:
      break;
    case 0:
    case EISCONN:
      // Connected at once (a loopback connect can be).
      return init();
    default:
      return os::NewSyscallError("connect", errors::Errno(e));
  }
  if (error err = init()) return err;
  if (!deadline.IsZero()) pfd.SetWriteDeadline(deadline);
  struct clear {
    netFD* fd;
    bool on;
    ~clear() {
      if (on) fd->pfd.SetWriteDeadline(time::Time{});
    }
  } clearDeadline{this, !deadline.IsZero()};
  for (;;) {
    // Writable means the connect has finished, one way or the other.
    if (error err = pfd.pd.waitWrite(pfd.isFile)) return err;
    int nerr = 0;
    socklen_t n = sizeof nerr;
    if (int e = poll::sysErrno([&] { return getsockopt(pfd.Sysfd, SOL_SOCKET, SO_ERROR, &nerr, &n); })) {
      return os::NewSyscallError("getsockopt", errors::Errno(e));
    }
    switch (nerr) {
      case EINPROGRESS:
      case EALREADY:
      case EINTR:
        continue;
      case EISCONN:
        return nullptr;
      case 0: {
        // Writable and no error; make sure it is connected (Go issue 19289).
        TCPAddr peer;
        if (getpeername(pfd.Sysfd, &peer)) return nullptr;
        continue;
      }
      default:
        return os::NewSyscallError("connect", errors::Errno(nerr));
    }
  }
}

/// accept: the next connection, as a netFD in the poller with its
/// addresses. \gosrc{net/fd_unix.go,netFD.accept}
std::tuple<ptr<netFD>, error> netFD::accept() {
  auto [d, err] = pfd.Accept();
  if (err) return {nullptr, wrapSyscallError("accept4", err)};
  auto [netfd, err2] = newFD(d, family, sotype, net);
  if (err2) return {nullptr, err2};
  if (error e = netfd->init()) {
    netfd->Close();
    return {nullptr, e};
  }
  TCPAddr l{}, r{};
  bool hl = getsockname(netfd->pfd.Sysfd, &l);
  bool hr = getpeername(netfd->pfd.Sysfd, &r);
  netfd->setAddr(hl ? &l : nullptr, hr ? &r : nullptr);
  netfd->isConnected = true;
  return {netfd, nullptr};
}

// --- sock_posix.go: dial and listenStream (socket is in sock_posix.cpp) -----

/// dial binds to laddr if given, connects to raddr and records both
/// addresses. \gosrc{net/sock_posix.go,netFD.dial}
error netFD::dial(const TCPAddr* la, const TCPAddr& ra, time::Time deadline) {
  if (la != nullptr) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(uint16_t(la->Port));
    std::memcpy(&sa.sin_addr.s_addr, la->IP, 4);
    if (int e = poll::sysErrno([&] { return ::bind(pfd.Sysfd, reinterpret_cast<sockaddr*>(&sa), sizeof sa); })) {
      return os::NewSyscallError("bind", errors::Errno(e));
    }
  }
  if (error err = connect(ra, deadline)) return err;
  isConnected = true;
  TCPAddr l{}, r{};
  bool hl = getsockname(pfd.Sysfd, &l);
  if (getpeername(pfd.Sysfd, &r)) {
    setAddr(hl ? &l : nullptr, &r);
  } else {
    setAddr(hl ? &l : nullptr, &ra);
  }
  return nullptr;
}

/// listenStream: SO_REUSEADDR, bind, listen, into the poller.
/// \gosrc{net/sock_posix.go,netFD.listenStream}
error netFD::listenStream(const TCPAddr& la, int backlog) {
  int one = 1;
  // setDefaultListenerSockopts (sockopt_posix.go): reuse a recent port.
  if (int e = poll::sysErrno([&] { return setsockopt(pfd.Sysfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); })) {
    return os::NewSyscallError("setsockopt", errors::Errno(e));
  }
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(la.Port));
  std::memcpy(&sa.sin_addr.s_addr, la.IP, 4);
  if (int e = poll::sysErrno([&] { return ::bind(pfd.Sysfd, reinterpret_cast<sockaddr*>(&sa), sizeof sa); })) {
    return os::NewSyscallError("bind", errors::Errno(e));
  }
  if (int e = poll::sysErrno([&] { return ::listen(pfd.Sysfd, backlog); })) {
    return os::NewSyscallError("listen", errors::Errno(e));
  }
  if (error err = init()) return err;
  TCPAddr l{};
  bool hl = getsockname(pfd.Sysfd, &l);
  setAddr(hl ? &l : &la, nullptr);
  return nullptr;
}

}  // namespace gort::net
