// net/sock_posix.cpp: making a socket, mirroring src/net/sock_posix.go
// (socket), sys_cloexec.go's sysSocket and sock_linux.go's
// maxListenerBacklog at go1.22.12. See net.hpp.
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../os/file.hpp"
#include "net.hpp"

namespace gort::net {

/// maxListenerBacklog: the kernel's limit on a listener's queue
/// (/proc/sys/net/core/somaxconn, else SOMAXCONN), at most 65535.
/// \gosrc{net/sock_linux.go,maxListenerBacklog}
int maxListenerBacklog() {
  FILE* f = fopen("/proc/sys/net/core/somaxconn", "re");
  if (f == nullptr) return SOMAXCONN;
  int n = 0;
  bool got = fscanf(f, "%d", &n) == 1;
  fclose(f);
  if (!got || n == 0) return SOMAXCONN;
  if (n > (1 << 16) - 1) n = (1 << 16) - 1;
  return n;
}

/// socket makes a non-blocking, close-on-exec socket; with only laddr it
/// listens there, with raddr it dials (waiting until deadline, if set).
/// \gosrc{net/sock_posix.go,socket}
std::tuple<ptr<netFD>, error> socket(const char* net, int family, int sotype, int proto, const TCPAddr* laddr,
                                      const TCPAddr* raddr, time::Time deadline) {
  // sysSocket (sys_cloexec.go): SOCK_NONBLOCK | SOCK_CLOEXEC in one call.
  int s = ::socket(family, sotype | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (s < 0) return {nullptr, os::NewSyscallError("socket", errors::Errno(errno))};
  auto [fd, err] = newFD(s, family, sotype, net);
  if (err) {
    poll::sysErrno([&] { return ::close(s); });  // poll.CloseFunc
    return {nullptr, err};
  }
  if (laddr != nullptr && raddr == nullptr) {
    if (error e = fd->listenStream(*laddr, maxListenerBacklog())) {
      fd->Close();
      return {nullptr, e};
    }
    return {fd, nullptr};
  }
  if (error e = fd->dial(laddr, *raddr, deadline)) {
    fd->Close();
    return {nullptr, e};
  }
  return {fd, nullptr};
}

}  // namespace gort::net
