// os/error.cpp: package os's errors, mirroring src/os/error.go (and
// io/fs's PathError, which os.PathError is) at go1.22.12.
#include "../internal/poll/fd.hpp"
#include "file.hpp"

namespace gort::os {

namespace {
constinit errorObject errClosedObject = errors::Static("file already closed");
constinit errorObject errInvalidObject = errors::Static("invalid argument");
}  // namespace

const error ErrClosed{&errClosedObject};
const error ErrInvalid{&errInvalidObject};
// Go: errNoDeadline() and errDeadlineExceeded() return poll's: the same
// objects (named directly, not copied from poll's handles, whose
// initialisation in another file may come later).
const error ErrNoDeadline{&poll::errNoDeadlineObject};
const error ErrDeadlineExceeded{&poll::errDeadlineExceededObject};

/// PathError: "op path: err", unwrapping to err. \gosrc{io/fs/fs.go,PathError.Error}
error PathError(const char* op, const char* path, error err) {
  return errors::Wrap(std::string(op) + " " + path, err);
}

/// NewSyscallError wraps err with the name of the call that failed (nil
/// stays nil). \gosrc{os/error.go,NewSyscallError}
error NewSyscallError(const char* syscall, error err) {
  if (!err) return nullptr;
  return errors::Wrap(syscall, err);
}

/// IsTimeout: Go unwraps a PathError or SyscallError and asks the error
/// inside; a wrapper's Timeout is already the wrapped error's.
/// \gosrc{os/error.go,IsTimeout}
bool IsTimeout(const error& err) { return err && err->Timeout(); }

}  // namespace gort::os
