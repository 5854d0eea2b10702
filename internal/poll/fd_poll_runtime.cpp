// internal/poll/fd_poll_runtime.cpp: an FD's link to the runtime's poller,
// mirroring src/internal/poll/fd_poll_runtime.go at go1.22.12: register the
// descriptor, wait for it, set its deadlines, and turn the runtime's error
// codes into the package's errors. See fd.hpp.
#include "fd_poll_runtime.hpp"

#include "../../sync/once.hpp"
#include "fd.hpp"

namespace gort::poll {

namespace {
sync::Once serverInit;  // starts the poller on the first FD
}  // namespace

/// init registers fd's descriptor with the poller (starting it first).
/// \gosrc{internal/poll/fd_poll_runtime.go,pollDesc.init}
error pollDesc::init(FD* fd) {
  serverInit.Do([] { runtime_pollServerInit(); });
  auto [ctx, errno_] = runtime_pollOpen(uintptr_t(fd->Sysfd));
  if (errno_ != 0) return errors::Errno(errno_);
  runtimeCtx = ctx;
  return nullptr;
}

/// close forgets the descriptor's poller context (after evict).
/// \gosrc{internal/poll/fd_poll_runtime.go,pollDesc.close}
void pollDesc::close() {
  if (runtimeCtx == 0) return;
  runtime_pollClose(runtimeCtx);
  runtimeCtx = 0;
}

/// evict wakes the goroutines waiting on the descriptor: it is closing.
/// \gosrc{internal/poll/fd_poll_runtime.go,pollDesc.evict}
void pollDesc::evict() {
  if (runtimeCtx == 0) return;
  runtime_pollUnblock(runtimeCtx);
}

/// prepare readies the context for an operation in mode ('r' or 'w').
/// \gosrc{internal/poll/fd_poll_runtime.go,pollDesc.prepare}
error pollDesc::prepare(int mode, bool isFile) {
  if (runtimeCtx == 0) return nullptr;
  int res = runtime_pollReset(runtimeCtx, mode);
  return convertErr(res, isFile);
}

/// \gosrc{internal/poll/fd_poll_runtime.go,pollDesc.prepareRead}
error pollDesc::prepareRead(bool isFile) { return prepare('r', isFile); }

/// \gosrc{internal/poll/fd_poll_runtime.go,pollDesc.prepareWrite}
error pollDesc::prepareWrite(bool isFile) { return prepare('w', isFile); }

/// wait parks the goroutine until the descriptor is ready for mode, its
/// deadline passes or it closes. \gosrc{internal/poll/fd_poll_runtime.go,pollDesc.wait}
error pollDesc::wait(int mode, bool isFile) {
  if (runtimeCtx == 0) return errors::New("waiting for unsupported file type");
  int res = runtime_pollWait(runtimeCtx, mode);
  return convertErr(res, isFile);
}

/// \gosrc{internal/poll/fd_poll_runtime.go,pollDesc.waitRead}
error pollDesc::waitRead(bool isFile) { return wait('r', isFile); }

/// \gosrc{internal/poll/fd_poll_runtime.go,pollDesc.waitWrite}
error pollDesc::waitWrite(bool isFile) { return wait('w', isFile); }

/// pollable: is the descriptor in the poller? \gosrc{internal/poll/fd_poll_runtime.go,pollDesc.pollable}
bool pollDesc::pollable() const { return runtimeCtx != 0; }

/// convertErr: the package's error for a runtime poll error code (the
/// numbers are netpoll.hpp's pollNoError...). \gosrc{internal/poll/fd_poll_runtime.go,convertErr}
error convertErr(int res, bool isFile) {
  switch (res) {
    case 0:  // pollNoError
      return nullptr;
    case 1:  // pollErrClosing
      return errClosing(isFile);
    case 2:  // pollErrTimeout
      return ErrDeadlineExceeded;
    case 3:  // pollErrNotPollable
      return ErrNotPollable;
  }
  panic("unreachable");
}

/// SetDeadline sets the read and write deadlines (a zero Time: none).
/// \gosrc{internal/poll/fd_poll_runtime.go,FD.SetDeadline}
error FD::SetDeadline(time::Time t) { return setDeadlineImpl(this, t, 'r' + 'w'); }

/// \gosrc{internal/poll/fd_poll_runtime.go,FD.SetReadDeadline}
error FD::SetReadDeadline(time::Time t) { return setDeadlineImpl(this, t, 'r'); }

/// \gosrc{internal/poll/fd_poll_runtime.go,FD.SetWriteDeadline}
error FD::SetWriteDeadline(time::Time t) { return setDeadlineImpl(this, t, 'w'); }

/// setDeadlineImpl hands the runtime the time left until t (-1 for a
/// deadline of exactly now, which 0, "none", cannot say).
/// \gosrc{internal/poll/fd_poll_runtime.go,setDeadlineImpl}
error setDeadlineImpl(FD* fd, time::Time t, int mode) {
  int64_t d = 0;
  if (!t.IsZero()) {
    d = int64_t(time::Until(t));
    if (d == 0) d = -1;
  }
  if (error err = fd->incref()) return err;
  struct decref {
    FD* fd;
    ~decref() { fd->decref(); }
  } defer{fd};
  if (fd->pd.runtimeCtx == 0) return ErrNoDeadline;
  runtime_pollSetDeadline(fd->pd.runtimeCtx, d, mode);
  return nullptr;
}

/// IsPollDescriptor: is fd the poller's own descriptor?
/// \gosrc{internal/poll/fd_poll_runtime.go,IsPollDescriptor}
bool IsPollDescriptor(uintptr_t fd) { return runtime_isPollServerDescriptor(fd); }

}  // namespace gort::poll
