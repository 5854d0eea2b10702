// net/tcpsock.cpp: TCP connections and listeners, mirroring
// src/net/tcpsock.go and tcpsock_posix.go at go1.22.12. See net.hpp.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdio>

#include "../os/file.hpp"
#include "net.hpp"

namespace gort::net {

namespace {
error einval() { return errors::Errno(EINVAL); }

/// defaultTCPKeepAlive: the keep-alive period of a new connection.
/// \gosrc{net/dial.go,defaultTCPKeepAlive}
constexpr time::Duration defaultTCPKeepAlive = 15 * time::Second;

error setsockoptInt(netFD* fd, int level, int name, int v, const char* what) {
  if (int e = poll::sysErrno([&] { return setsockopt(fd->pfd.Sysfd, level, name, &v, sizeof v); })) {
    return wrapSyscallError(what, errors::Errno(e));
  }
  return nullptr;
}
}  // namespace

std::string TCPAddr::String() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u:%d", IP[0], IP[1], IP[2], IP[3], Port);
  return buf;
}

/// CloseRead shuts down the reading side. \gosrc{net/tcpsock.go,TCPConn.CloseRead}
error TCPConn::CloseRead() const {
  if (!ok()) return einval();
  if (error err = fd->closeRead()) return OpError("close", fd->net, &fd->laddr, &fd->raddr, err);
  return nullptr;
}

/// CloseWrite shuts down the writing side: the peer reads EOF.
/// \gosrc{net/tcpsock.go,TCPConn.CloseWrite}
error TCPConn::CloseWrite() const {
  if (!ok()) return einval();
  if (error err = fd->closeWrite()) return OpError("close", fd->net, &fd->laddr, &fd->raddr, err);
  return nullptr;
}

/// SetNoDelay: TCP_NODELAY (on for every new connection, as in Go).
/// \gosrc{net/tcpsock.go,TCPConn.SetNoDelay}
error TCPConn::SetNoDelay(bool noDelay) const {
  if (!ok()) return einval();
  if (error err = setsockoptInt(fd.get(), IPPROTO_TCP, TCP_NODELAY, noDelay ? 1 : 0, "setsockopt")) {
    return OpError("set", fd->net, &fd->laddr, &fd->raddr, err);
  }
  return nullptr;
}

/// newTCPConn: a connection with Nagle's algorithm off and keep-alives on
/// (every keepAlive, 15 s by default; negative: off).
/// \gosrc{net/tcpsock.go,newTCPConn}
TCPConn newTCPConn(ptr<netFD> fd, time::Duration keepAlive) {
  setsockoptInt(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1, "setsockopt");
  if (keepAlive == 0) keepAlive = defaultTCPKeepAlive;
  if (keepAlive > 0) {
    // setKeepAlive and setKeepAlivePeriod (sockopt_posix.go, tcpsockopt_unix.go).
    int secs = int((keepAlive + time::Second - 1) / time::Second);
    setsockoptInt(fd.get(), SOL_SOCKET, SO_KEEPALIVE, 1, "setsockopt");
    setsockoptInt(fd.get(), IPPROTO_TCP, TCP_KEEPINTVL, secs, "setsockopt");
    setsockoptInt(fd.get(), IPPROTO_TCP, TCP_KEEPIDLE, secs, "setsockopt");
  }
  return TCPConn(fd);
}

/// AcceptTCP waits for the next connection. \gosrc{net/tcpsock.go,TCPListener.AcceptTCP}
std::tuple<TCPConn, error> TCPListener::AcceptTCP() const {
  if (!ok()) return {TCPConn(), einval()};
  auto [nfd, err] = fd->accept();
  if (err) return {TCPConn(), OpError("accept", fd->net, nullptr, &fd->laddr, err)};
  return {newTCPConn(nfd, 0), nullptr};
}

/// Accept: AcceptTCP (Go's returns the Conn interface).
/// \gosrc{net/tcpsock.go,TCPListener.Accept}
std::tuple<TCPConn, error> TCPListener::Accept() const { return AcceptTCP(); }

/// Close stops listening; a blocked Accept returns ErrClosed.
/// \gosrc{net/tcpsock.go,TCPListener.Close}
error TCPListener::Close() const {
  if (!ok()) return einval();
  if (error err = fd->Close()) return OpError("close", fd->net, nullptr, &fd->laddr, err);
  return nullptr;
}

/// Addr: the address it listens on. \gosrc{net/tcpsock.go,TCPListener.Addr}
TCPAddr TCPListener::Addr() const { return ok() ? fd->laddr : TCPAddr{}; }

/// SetDeadline: an Accept after t fails with a timeout.
/// \gosrc{net/tcpsock.go,TCPListener.SetDeadline}
error TCPListener::SetDeadline(time::Time t) const {
  if (!ok()) return einval();
  if (error err = fd->pfd.SetDeadline(t)) return OpError("set", fd->net, nullptr, &fd->laddr, err);
  return nullptr;
}

}  // namespace gort::net
