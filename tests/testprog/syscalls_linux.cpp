// testprog/syscalls_linux.cpp: the Linux helpers of go1.22.12
// runtime/testdata/testprog/syscalls_linux.go (gettid, tidExists, getcwd,
// unshareFs, chdir), as direct system calls.
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "testprog.hpp"

namespace testprog {

// syscalls_linux.go gettid at go1.22.12.
int gettid() { return int(::syscall(SYS_gettid)); }

// syscalls_linux.go tidExists at go1.22.12: a thread exists while
// /proc/self/task/TID is there and the thread is not a zombie.
tidExistsResult tidExists(int tid) {
  std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/stat");
  if (!f) {
    return {false, true};
  }
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
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
