// net/net.cpp: a connection's methods and the package's errors, mirroring
// src/net/net.go (conn, OpError, ErrClosed) and error_posix.go
// (wrapSyscallError) at go1.22.12. See net.hpp.
#include <errno.h>

#include "../io/io.hpp"
#include "../os/file.hpp"
#include "net.hpp"

namespace gort::net {

const error ErrClosed = poll::ErrNetClosing;

namespace {
error einval() { return errors::Errno(EINVAL); }
}  // namespace

/// OpError: "op net source->addr: err", the parts that are there, as
/// OpError.Error spells it; its Timeout and Unwrap are err's (a wrapper,
/// errors.hpp). \gosrc{net/net.go,OpError.Error}
error OpError(const char* op, const char* net, const TCPAddr* source, const TCPAddr* addr, error err) {
  std::string s = op;
  if (net[0] != 0) s += std::string(" ") + net;
  if (source) s += " " + source->String();
  if (addr) {
    s += source ? "->" : " ";
    s += addr->String();
  }
  return errors::Wrap(s, err);
}

/// wrapSyscallError: a system call's errno as an os.SyscallError naming
/// it; other errors unchanged. \gosrc{net/error_posix.go,wrapSyscallError}
error wrapSyscallError(const char* name, error err) {
  if (err && err->Errno() != 0) return os::NewSyscallError(name, err);
  return err;
}

/// Read reads from the connection; errors other than EOF come as an
/// OpError. \gosrc{net/net.go,conn.Read}
std::tuple<int, error> TCPConn::Read(slice<uint8_t> b) const {
  if (!ok()) return {0, einval()};
  auto [n, err] = fd->Read(b);
  if (err && err != io::EOF_) {
    err = OpError("read", fd->net, fd->hasLaddr ? &fd->laddr : nullptr, fd->hasRaddr ? &fd->raddr : nullptr, err);
  }
  return {n, err};
}

/// Write writes all of b to the connection. \gosrc{net/net.go,conn.Write}
std::tuple<int, error> TCPConn::Write(slice<uint8_t> b) const {
  if (!ok()) return {0, einval()};
  auto [n, err] = fd->Write(b);
  if (err) {
    err = OpError("write", fd->net, fd->hasLaddr ? &fd->laddr : nullptr, fd->hasRaddr ? &fd->raddr : nullptr, err);
  }
  return {n, err};
}

/// Close closes the connection; blocked Reads and Writes return ErrClosed.
/// \gosrc{net/net.go,conn.Close}
error TCPConn::Close() const {
  if (!ok()) return einval();
  error err = fd->Close();
  if (err) {
    err = OpError("close", fd->net, fd->hasLaddr ? &fd->laddr : nullptr, fd->hasRaddr ? &fd->raddr : nullptr, err);
  }
  return err;
}

/// LocalAddr: this end's address. \gosrc{net/net.go,conn.LocalAddr}
TCPAddr TCPConn::LocalAddr() const { return ok() ? fd->laddr : TCPAddr{}; }

/// RemoteAddr: the peer's address. \gosrc{net/net.go,conn.RemoteAddr}
TCPAddr TCPConn::RemoteAddr() const { return ok() ? fd->raddr : TCPAddr{}; }

/// SetDeadline: Reads and Writes after t fail with os::ErrDeadlineExceeded
/// (a timeout); the zero Time removes the deadline. \gosrc{net/net.go,conn.SetDeadline}
error TCPConn::SetDeadline(time::Time t) const {
  if (!ok()) return einval();
  if (error err = fd->SetDeadline(t)) return OpError("set", fd->net, nullptr, &fd->laddr, err);
  return nullptr;
}

/// \gosrc{net/net.go,conn.SetReadDeadline}
error TCPConn::SetReadDeadline(time::Time t) const {
  if (!ok()) return einval();
  if (error err = fd->SetReadDeadline(t)) return OpError("set", fd->net, nullptr, &fd->laddr, err);
  return nullptr;
}

/// \gosrc{net/net.go,conn.SetWriteDeadline}
error TCPConn::SetWriteDeadline(time::Time t) const {
  if (!ok()) return einval();
  if (error err = fd->SetWriteDeadline(t)) return OpError("set", fd->net, nullptr, &fd->laddr, err);
  return nullptr;
}

}  // namespace gort::net
