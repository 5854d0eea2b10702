// os/file.hpp: package os, the part that puts pipes in the poller: Pipe and
// File's Read, Write, Close and deadlines, with the package's errors.
// Mirrors, at go1.22.12, src/os/file.go, file_posix.go, file_unix.go,
// pipe2_unix.go and error.go.
//
// A *File is a gort::ptr<File>: a File lives in the collected heap, and a
// finalizer closes its descriptor if the program drops it without Close, as
// Go's newFile arranges. A pipe's ends are non-blocking and in the poller:
// a goroutine reading an empty pipe parks, its thread runs others.
//
// Departure: only Pipe makes Files (no Open, Create, NewFile or Stdin yet),
// so a File's name is one of the two static names "|0" and "|1".
#pragma once
#include <string>
#include <tuple>

#include "../errors/errors.hpp"
#include "../internal/poll/fd.hpp"
#include "../slice.hpp"
#include "../time/time.hpp"

namespace gort::os {

/// ErrClosed: "file already closed". \gosrc{os/error.go,ErrClosed}
extern const error ErrClosed;
/// ErrInvalid: "invalid argument" (a nil *File). \gosrc{os/error.go,ErrInvalid}
extern const error ErrInvalid;
/// ErrNoDeadline: the file is not pollable. \gosrc{os/error.go,ErrNoDeadline}
extern const error ErrNoDeadline;
/// ErrDeadlineExceeded: "i/o timeout". \gosrc{os/error.go,ErrDeadlineExceeded}
extern const error ErrDeadlineExceeded;

/// PathError: an operation, the file it was on, and what went wrong:
/// "read |0: i/o timeout". \gosrc{io/fs/fs.go,PathError}
error PathError(const char* op, const char* path, error err);
/// SyscallError: a system call's name and its error: "pipe2: too many open
/// files". \gosrc{os/error.go,SyscallError}
error NewSyscallError(const char* syscall, error err);
/// IsTimeout: does err (or what it wraps) say it is a timeout?
/// \gosrc{os/error.go,IsTimeout}
bool IsTimeout(const error& err);

/// File: an open file (here, one end of a pipe). \gosrc{os/types.go,File}
struct File {
  // The fields of Go's *file (file_unix.go).
  poll::FD pfd;
  const char* name;  // static: see the Departure above
  bool nonblock;     // this package made the descriptor non-blocking

  std::tuple<int, error> Read(slice<uint8_t> b);
  std::tuple<int, error> Write(slice<uint8_t> b);
  error Close();
  error SetDeadline(time::Time t);
  error SetReadDeadline(time::Time t);
  error SetWriteDeadline(time::Time t);
  uintptr_t Fd();
  std::string Name() const;

  error wrapErr(const char* op, error err);
  error close();
};

/// Pipe: a connected pair of Files; what is written to w is read from r.
/// \gosrc{os/pipe2_unix.go,Pipe}
std::tuple<ptr<File>, ptr<File>, error> Pipe();

/// newFileKind: how newFile treats the descriptor. \gosrc{os/file_unix.go,newFileKind}
enum newFileKind { kindNewFile, kindOpenFile, kindPipe, kindNonBlock };
ptr<File> newFile(int fd, const char* name, newFileKind kind);

}  // namespace gort::os

/// A File holds no GC reference: its name is static, the rest integers.
template <>
inline constexpr bool gort::pointerFree<gort::os::File> = true;
