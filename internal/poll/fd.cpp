// internal/poll/fd.cpp: the package's errors, mirroring
// src/internal/poll/fd.go at go1.22.12. See fd.hpp.
#include "fd.hpp"

namespace gort::poll {

namespace {
// The sentinels' objects (globals: they exist before the runtime starts).
// errNetClosing and DeadlineExceededError are types of their own in Go (the
// second with Timeout true); here text objects with the same text and flag.
// \gosrc{internal/poll/fd.go,errNetClosing} \gosrc{internal/poll/fd.go,DeadlineExceededError}
constinit errorObject errNetClosingObject = errors::Static("use of closed network connection");
constinit errorObject errFileClosingObject = errors::Static("use of closed file");
constinit errorObject errNotPollableObject = errors::Static("not pollable");
}  // namespace
constinit errorObject errDeadlineExceededObject = errors::Static("i/o timeout", true);
constinit errorObject errNoDeadlineObject = errors::Static("file type does not support deadline");

const error ErrNetClosing{&errNetClosingObject};
const error ErrFileClosing{&errFileClosingObject};
const error ErrNoDeadline{&errNoDeadlineObject};
const error ErrDeadlineExceeded{&errDeadlineExceededObject};
const error ErrNotPollable{&errNotPollableObject};

/// errClosing: the closing error for a file or for a network connection.
/// \gosrc{internal/poll/fd.go,errClosing}
error errClosing(bool isFile) {
  if (isFile) return ErrFileClosing;
  return ErrNetClosing;
}

}  // namespace gort::poll
