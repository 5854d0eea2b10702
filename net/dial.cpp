// net/dial.cpp: Listen, Dial and DialTimeout, and the address parsing they
// need, mirroring src/net/dial.go, ipsock.go (SplitHostPort) and
// tcpsock.go (ResolveTCPAddr, ListenTCP, DialTCP) at go1.22.12, for TCP on
// IPv4 only (see net.hpp's Departures).
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

#include "../os/file.hpp"
#include "net.hpp"

namespace gort::net {

namespace {
/// AddrError: "address addr: err". \gosrc{net/net.go,AddrError.Error}
error AddrError(std::string err, std::string_view addr) {
  if (addr.empty()) return errors::New(err);
  return errors::New("address " + std::string(addr) + ": " + err);
}

/// The networks the port dials and listens on.
bool tcp(std::string_view network) { return network == "tcp" || network == "tcp4"; }

/// UnknownNetworkError: "unknown network name". \gosrc{net/net.go,UnknownNetworkError}
error UnknownNetworkError(std::string_view network) {
  return errors::New("unknown network " + std::string(network));
}

/// resolve: address as a TCPAddr; forDial reads an empty host as the local
/// system (127.0.0.1), as Go's Dial does; Listen leaves it 0.0.0.0.
std::tuple<TCPAddr, error> resolve(std::string_view network, std::string_view address, bool forDial) {
  TCPAddr a{};
  if (!tcp(network)) return {a, UnknownNetworkError(network)};
  auto [host, port, err] = SplitHostPort(address);
  if (err) return {a, err};
  int p = 0;
  if (port.empty() || port.size() > 5) return {a, AddrError("invalid port", address)};
  for (char c : port) {
    if (c < '0' || c > '9') return {a, AddrError("invalid port", address)};
    p = p * 10 + (c - '0');
  }
  if (p > 65535) return {a, AddrError("invalid port", address)};
  a.Port = p;
  if (host.empty()) {
    if (forDial) a.IP[0] = 127, a.IP[3] = 1;
    return {a, nullptr};
  }
  if (host == "localhost") {
    a.IP[0] = 127, a.IP[3] = 1;
    return {a, nullptr};
  }
  in_addr in{};
  if (inet_pton(AF_INET, host.c_str(), &in) != 1) {
    return {a, errors::New("lookup " + host + ": the port resolves only IPv4 literals and localhost")};
  }
  std::memcpy(a.IP, &in.s_addr, 4);
  return {a, nullptr};
}

/// dialTCP: socket, connect, a TCPConn; errors as Go's dialSingle wraps
/// them. A deadline already past fails before the socket is made, as in
/// Go's dialSerial (partialDeadline); Departure: with os's
/// ErrDeadlineExceeded for net's errTimeout (see netFD::connect).
/// \gosrc{net/tcpsock_posix.go,sysDialer.doDialTCPProto}
std::tuple<TCPConn, error> dialTCP(std::string_view network, std::string_view address, time::Time deadline) {
  auto [ra, err] = resolve(network, address, true);
  std::string net(network);
  if (err) return {TCPConn(), OpError("dial", net.c_str(), nullptr, nullptr, err)};
  if (!deadline.IsZero() && deadline.Sub(time::Now()) <= 0) {
    return {TCPConn(), OpError("dial", net.c_str(), nullptr, &ra, os::ErrDeadlineExceeded)};
  }
  auto [fd, err2] = socket(net.c_str(), AF_INET, SOCK_STREAM, 0, nullptr, &ra, deadline);
  if (err2) return {TCPConn(), OpError("dial", net.c_str(), nullptr, &ra, err2)};
  return {newTCPConn(fd, 0), nullptr};
}
}  // namespace

/// SplitHostPort splits "host:port", "[host]:port" or ":port".
/// \gosrc{net/ipsock.go,SplitHostPort}
std::tuple<std::string, std::string, error> SplitHostPort(std::string_view hostport) {
  size_t i = hostport.rfind(':');
  if (i == std::string_view::npos) return {"", "", AddrError("missing port in address", hostport)};
  std::string_view host = hostport.substr(0, i);
  if (!host.empty() && host.front() == '[') {
    if (host.back() != ']') return {"", "", AddrError("missing ']' in address", hostport)};
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return {"", "", AddrError("too many colons in address", hostport)};
  }
  return {std::string(host), std::string(hostport.substr(i + 1)), nullptr};
}

/// ResolveTCPAddr: see net.hpp. \gosrc{net/tcpsock.go,ResolveTCPAddr}
std::tuple<TCPAddr, error> ResolveTCPAddr(std::string_view network, std::string_view address) {
  return resolve(network, address, false);
}

/// Listen listens for TCP connections on address. \gosrc{net/dial.go,Listen}
std::tuple<TCPListener, error> Listen(std::string_view network, std::string_view address) {
  auto [la, err] = resolve(network, address, false);
  std::string net(network);
  if (err) return {TCPListener(), OpError("listen", net.c_str(), nullptr, nullptr, err)};
  auto [fd, err2] = socket(net.c_str(), AF_INET, SOCK_STREAM, 0, &la, nullptr, time::Time{});
  if (err2) return {TCPListener(), OpError("listen", net.c_str(), nullptr, &la, err2)};
  return {TCPListener(fd), nullptr};
}

/// Dial connects to address, parking until the connection is made.
/// \gosrc{net/dial.go,Dial}
std::tuple<TCPConn, error> Dial(std::string_view network, std::string_view address) {
  return dialTCP(network, address, time::Time{});
}

/// DialTimeout: Dial that fails with a timeout after timeout. A timeout of
/// 0 is none; a negative one has already passed, as Go's Dialer.deadline
/// has it. \gosrc{net/dial.go,DialTimeout}
std::tuple<TCPConn, error> DialTimeout(std::string_view network, std::string_view address, time::Duration timeout) {
  time::Time deadline{};
  if (timeout != 0) deadline = time::Now().Add(timeout);
  return dialTCP(network, address, deadline);
}

}  // namespace gort::net
