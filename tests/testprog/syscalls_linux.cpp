// testprog/syscalls_linux.cpp: the Linux helpers of go1.22.12
// runtime/testdata/testprog/syscalls_linux.go (gettid, tidExists, getcwd,
// unshareFs, chdir), as direct system calls.
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <string>

#include "testprog.hpp"

namespace testprog {

// syscalls_linux.go gettid at go1.22.12.
int gettid() { return int(::syscall(SYS_gettid)); }

// syscalls_linux.go tidExists at go1.22.12: a thread exists while
// /proc/self/task/TID is there and the thread is not a zombie. Read with
// the system calls, as Go's os.ReadFile does: a thread that exits between
// the open and the read makes the read fail with ESRCH, which means the
// same as the file being gone (a stream would throw on it).
tidExistsResult tidExists(int tid) {
  std::string path = "/proc/self/task/" + std::to_string(tid) + "/stat";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {false, true};
  char buf[1024];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf - 1);
  } while (n < 0 && errno == EINTR);
  int err = errno;
  ::close(fd);
  if (n < 0) {
    if (err == ESRCH || err == ENOENT) return {false, true};
    return {false, false};
  }
  std::string stat(buf, size_t(n));
  // The third whitespace-separated field is the state (Go: bytes.Fields).
  std::istringstream fields(stat);
  std::string pid, comm, state;
  fields >> pid >> comm >> state;
  return {!(state.size() == 1 && state[0] == 'Z'), true};
}

// syscalls_linux.go getcwd at go1.22.12: the system call, not $PWD.
std::string getcwd(std::string* err) {
  char buf[4096];
  long n = ::syscall(SYS_getcwd, buf, sizeof buf);
  if (n < 0) {
    *err = std::strerror(errno);
    return "";
  }
  // The kernel's length counts the terminating NUL.
  return std::string(buf, size_t(n - 1));
}

// syscalls_linux.go unshareFs at go1.22.12. The errors that
// testenv.SyscallIsNotSupported (internal/testenv/testenv_unix.go) takes for
// a refusal by the system or a container policy are reported as
// errNotPermitted.
std::string unshareFs() {
  if (::unshare(CLONE_FS) != 0) {
    int e = errno;
    if (e == EPERM || e == EROFS || e == EINVAL || e == EACCES || e == ENOSYS ||
        e == ENOTSUP || e == EOPNOTSUPP) {
      return errNotPermitted;
    }
    return std::strerror(e);
  }
  return "";
}

// syscalls_linux.go chdir at go1.22.12.
std::string chdir(const std::string& path) {
  if (::chdir(path.c_str()) != 0) {
    return std::strerror(errno);
  }
  return "";
}

}  // namespace testprog
