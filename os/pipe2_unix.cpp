// os/pipe2_unix.cpp: Pipe, mirroring src/os/pipe2_unix.go at go1.22.12.
#include <fcntl.h>
#include <unistd.h>

#include "file.hpp"

namespace gort::os {

/// Pipe makes a pipe with pipe2(2), close-on-exec, and wraps its ends:
/// r ("|0") reads what w ("|1") writes. \gosrc{os/pipe2_unix.go,Pipe}
std::tuple<ptr<File>, ptr<File>, error> Pipe() {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return {nullptr, nullptr, NewSyscallError("pipe2", errors::Errno(errno))};
  return {newFile(p[0], "|0", kindPipe), newFile(p[1], "|1", kindPipe), nullptr};
}

}  // namespace gort::os
