// internal/poll/fd_posix.cpp: what FD shares on every POSIX system,
// mirroring src/internal/poll/fd_posix.go at go1.22.12 (the part the port
// uses: end of file, Shutdown, retrying on EINTR). See fd.hpp.
#include <sys/socket.h>

#include "../../io/io.hpp"
#include "fd.hpp"

namespace gort::poll {

/// eofError: a read of 0 bytes without an error is end of file on a
/// descriptor where that means it (a stream). \gosrc{internal/poll/fd_posix.go,FD.eofError}
error FD::eofError(int n, error err) {
  if (n == 0 && !err && ZeroReadIsEOF) return io::EOF_;
  return err;
}

/// Shutdown shuts down one or both halves of a socket (shutdown(2)).
/// \gosrc{internal/poll/fd_posix.go,FD.Shutdown}
error FD::Shutdown(int how) {
  if (error err = incref()) return err;
  error res;
  if (int e = sysErrno([&] { return ::shutdown(Sysfd, how); })) res = errors::Errno(e);
  decref();
  return res;
}

}  // namespace gort::poll
