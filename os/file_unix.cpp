// os/file_unix.cpp: Files on Unix, mirroring src/os/file_unix.go at
// go1.22.12: newFile (non-blocking and in the poller when it can be, with a
// finalizer that closes it), file.close and Fd. See file.hpp.
#include <fcntl.h>

#include "../mfinal.hpp"
#include "file.hpp"

namespace gort::os {

/// Fd: the descriptor. Departure: Go's Fd also puts the descriptor back in
/// blocking mode (the caller may use it directly); the port leaves it as it
/// is. \gosrc{os/file_unix.go,File.Fd}
uintptr_t File::Fd() { return uintptr_t(pfd.Sysfd); }

/// newFile wraps fd in a File. A pipe (or a descriptor already
/// non-blocking) goes in the poller, made non-blocking if need be; if that
/// fails it is used blocking, a thread per waiting goroutine.
/// \gosrc{os/file_unix.go,newFile}
ptr<File> newFile(int fd, const char* name, newFileKind kind) {
  ptr<File> f = new_<File>();
  f->pfd.Sysfd = fd;
  f->pfd.IsStream = true;
  f->pfd.ZeroReadIsEOF = true;
  f->name = name;

  bool pollable = kind == kindOpenFile || kind == kindPipe || kind == kindNonBlock;
  bool clearNonBlock = false;
  if (pollable) {
    if (kind == kindNonBlock) {
      // Already non-blocking: the caller's choice, not this package's.
    } else if (int fl = fcntl(fd, F_GETFL); fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0) {
      f->nonblock = true;
      clearNonBlock = true;
    } else {
      pollable = false;
    }
  }

  // A descriptor the poller refuses (epoll_ctl fails) is used blocking;
  // then it must be blocking again if this package made it non-blocking.
  if (error err = f->pfd.Init("file", pollable)) {
    if (clearNonBlock) {
      int fl = fcntl(fd, F_GETFL);
      if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    }
  }

  runtime::SetFinalizer(f, [](File* file) { file->close(); });
  return f;
}

/// close closes the descriptor (through the FD, which waits for the
/// operations in progress) and drops the finalizer. \gosrc{os/file_unix.go,file.close}
error File::close() {
  error err;
  if (error e = pfd.Close()) {
    if (e == poll::ErrFileClosing) e = ErrClosed;
    err = PathError("close", name, e);
  }
  // Closed: nothing left for a finalizer to do.
  runtime::SetFinalizer(this, nullptr);
  return err;
}

}  // namespace gort::os
