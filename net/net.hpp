// net/net.hpp: package net, the part a goroutine needs to talk TCP over the
// poller: Listen, Dial and DialTimeout for "tcp" on IPv4, TCPListener's
// Accept, TCPConn's Read, Write, Close and deadlines, and Go's errors
// ("read tcp 127.0.0.1:40000->127.0.0.1:40001: i/o timeout"). Mirrors, at
// go1.22.12, src/net/net.go, fd_posix.go, fd_unix.go, sock_posix.go,
// tcpsock.go, tcpsock_posix.go, dial.go and ipsock.go.
//
// Every socket is non-blocking and in the runtime's poller (internal/poll's
// FD): Accept with no connection waiting, Read with nothing to read, Write
// with a full buffer and a Dial in progress park the goroutine, and its
// thread runs others. A deadline wakes it with ErrDeadlineExceeded.
//
// A TCPConn or TCPListener is a handle, as Go's *TCPConn is a pointer: a
// copy refers to the same socket. The socket (netFD) lives in the
// collected heap with a finalizer that closes it once nothing refers to it,
// as in Go. Like every GC reference, a handle is seen by the collector on a
// goroutine's stack, in a global or in the collected heap; one kept only in
// the C++ heap (a std::vector without gort::gc_allocator) is not, and its
// socket may be closed under it.
//
// Departures: "tcp" and "tcp4" only, on IPv4 addresses; a host is an IPv4
// literal, "localhost" or empty (no resolver, no IPv6, no UDP or Unix
// sockets); Conn and Listener, Go's interfaces, name TCPConn and
// TCPListener; no contexts (DialTimeout takes a duration).
#pragma once
#include <string>
#include <string_view>
#include <tuple>

#include "../errors/errors.hpp"
#include "../internal/poll/fd.hpp"
#include "../slice.hpp"
#include "../time/time.hpp"

namespace gort::net {

/// ErrClosed: the error of an operation on a closed connection or listener
/// ("use of closed network connection"). \gosrc{net/net.go,ErrClosed}
extern const error ErrClosed;

/// TCPAddr: an IPv4 address and a port. \gosrc{net/tcpsock.go,TCPAddr}
struct TCPAddr {
  uint8_t IP[4];
  int Port;
  /// String: "127.0.0.1:8080". \gosrc{net/tcpsock.go,TCPAddr.String}
  std::string String() const;
  /// Network: "tcp". \gosrc{net/tcpsock.go,TCPAddr.Network}
  const char* Network() const { return "tcp"; }
};

/// OpError: what failed (Op, Net), on which addresses, and why; Timeout is
/// Err's. \gosrc{net/net.go,OpError}
error OpError(const char* op, const char* net, const TCPAddr* source, const TCPAddr* addr, error err);

/// netFD: a network socket. \gosrc{net/fd_posix.go,netFD}
struct netFD {
  poll::FD pfd;
  int family;
  int sotype;
  bool isConnected;  // dialed and connected, or accepted
  char net[8];       // "tcp" or "tcp4"
  bool hasLaddr, hasRaddr;
  TCPAddr laddr;
  TCPAddr raddr;

  void setAddr(const TCPAddr* laddr, const TCPAddr* raddr);
  error Close();
  error shutdown(int how);
  error closeRead();
  error closeWrite();
  std::tuple<int, error> Read(slice<uint8_t> p);
  std::tuple<int, error> Write(slice<uint8_t> p);
  error SetDeadline(time::Time t);
  error SetReadDeadline(time::Time t);
  error SetWriteDeadline(time::Time t);
  error init();
  error connect(const TCPAddr& ra, time::Time deadline);
  std::tuple<ptr<netFD>, error> accept();
  error dial(const TCPAddr* laddr, const TCPAddr& raddr, time::Time deadline);
  error listenStream(const TCPAddr& laddr, int backlog);
};

/// TCPConn: a TCP connection (Go's *TCPConn, which net.Conn holds).
/// \gosrc{net/tcpsock.go,TCPConn}
class TCPConn {
 public:
  TCPConn() = default;
  explicit TCPConn(ptr<netFD> fd) : fd(fd) {}
  explicit operator bool() const { return fd != nullptr; }  // c != nil

  std::tuple<int, error> Read(slice<uint8_t> b) const;
  std::tuple<int, error> Write(slice<uint8_t> b) const;
  error Close() const;
  error CloseRead() const;
  error CloseWrite() const;
  TCPAddr LocalAddr() const;
  TCPAddr RemoteAddr() const;
  error SetDeadline(time::Time t) const;
  error SetReadDeadline(time::Time t) const;
  error SetWriteDeadline(time::Time t) const;
  error SetNoDelay(bool noDelay) const;

 private:
  bool ok() const { return fd != nullptr; }
  ptr<netFD> fd;
};
/// Conn: Go's interface; the port's only connection is TCP's.
using Conn = TCPConn;

/// TCPListener: a listening TCP socket. \gosrc{net/tcpsock.go,TCPListener}
class TCPListener {
 public:
  TCPListener() = default;
  explicit TCPListener(ptr<netFD> fd) : fd(fd) {}
  explicit operator bool() const { return fd != nullptr; }

  std::tuple<TCPConn, error> Accept() const;
  std::tuple<TCPConn, error> AcceptTCP() const;
  error Close() const;
  TCPAddr Addr() const;
  error SetDeadline(time::Time t) const;

 private:
  bool ok() const { return fd != nullptr; }
  ptr<netFD> fd;
};
/// Listener: Go's interface; the port's only listener is TCP's.
using Listener = TCPListener;

/// Listen: a listener on address ("127.0.0.1:0" picks a free port; an
/// empty host listens on every address). \gosrc{net/dial.go,Listen}
std::tuple<TCPListener, error> Listen(std::string_view network, std::string_view address);
/// Dial: a connection to address. \gosrc{net/dial.go,Dial}
std::tuple<TCPConn, error> Dial(std::string_view network, std::string_view address);
/// DialTimeout: Dial that gives up after timeout. \gosrc{net/dial.go,DialTimeout}
std::tuple<TCPConn, error> DialTimeout(std::string_view network, std::string_view address, time::Duration timeout);
/// ResolveTCPAddr: address as a TCPAddr (IPv4 literals and localhost only).
/// \gosrc{net/tcpsock.go,ResolveTCPAddr}
std::tuple<TCPAddr, error> ResolveTCPAddr(std::string_view network, std::string_view address);
/// SplitHostPort: "host:port" into host and port. \gosrc{net/ipsock.go,SplitHostPort}
std::tuple<std::string, std::string, error> SplitHostPort(std::string_view hostport);

// Internal, in Go's files.
std::tuple<ptr<netFD>, error> newFD(int sysfd, int family, int sotype, const char* net);
std::tuple<ptr<netFD>, error> socket(const char* net, int family, int sotype, int proto, const TCPAddr* laddr,
                                      const TCPAddr* raddr, time::Time deadline);
TCPConn newTCPConn(ptr<netFD> fd, time::Duration keepAlive);
error wrapSyscallError(const char* name, error err);
int maxListenerBacklog();

}  // namespace gort::net

/// A netFD holds no GC reference: descriptors, flags and addresses.
template <>
inline constexpr bool gort::pointerFree<gort::net::netFD> = true;
