// errors/errors.hpp: Go's built-in error type as the port spells it, and
// the parts of package errors (src/errors/errors.go and wrap.go at
// go1.22.12) that packages io, os, net and internal/poll need: New, Is,
// Unwrap.
//
// An error is a gort::ptr<errorObject>: nil, or a reference to an
// immutable error object, as a Go error is a nil interface or an interface
// holding a pointer to an error value. So errors are compared the way Go
// compares the pointers its errors hold: a sentinel (io::EOF_,
// os::ErrDeadlineExceeded) is one object, made once, and err == io::EOF_
// asks whether err is that object. Errors are GC references: they travel in
// channels and sit in heap objects like any other, and the collector frees
// the ones made at run time (wrappers, errors::New) when they are dropped.
//
// Departure: Go's error is an interface any type may implement, with
// optional methods (Timeout, Unwrap) found by type assertion. The port's
// error objects are of three kinds, which cover what the ported packages
// return: a text (errors.New, and package sentinels such as
// DeadlineExceededError, whose Timeout is true), a system call's errno
// (syscall.Errno: one object per number, so that equal numbers are the same
// error), and a wrapper ("prefix: wrapped", for os.PathError,
// os.SyscallError, net.OpError, net.AddrError), whose Timeout and Unwrap are
// the wrapped error's. err->Error() on a nil err faults, as calling Error on
// a nil interface does in Go.
#pragma once
#include <string>
#include <string_view>

#include "../slice.hpp"
#include "../type.hpp"

namespace gort {

/// The kinds of error object.
enum errorKind : uint8_t {
  errorKindText,   // text; timeout says whether Timeout() is true
  errorKindErrno,  // the errno errnum; its text is the C library's
  errorKindWrap,   // text + ": " + wrapped->Error()
};

/// errorObject: what a non-nil error refers to. Immutable once made.
struct errorObject {
  errorKind kind;
  bool timeout;               // errorKindText: Timeout()
  int errnum;                 // errorKindErrno: the number
  slice<char> text;           // the text, or the wrapper's prefix
  ptr<errorObject> wrapped;   // errorKindWrap: Unwrap()

  /// Error: the error's text. \gosrc{builtin/builtin.go,error}
  std::string Error() const;
  /// Timeout: is this a timeout (Go's optional Timeout method)?
  bool Timeout() const;
  /// Errno: the errno behind a system call's error, else 0.
  int Errno() const { return kind == errorKindErrno ? errnum : 0; }
};

/// error: Go's error. nil is nullptr.
using error = ptr<errorObject>;

namespace errors {

/// New: an error whose text is text; each call makes a distinct error.
/// Made in the collected heap, so not before the runtime has started: a
/// package's sentinel is a static errorObject (errors::Static).
/// \gosrc{errors/errors.go,New}
error New(std::string_view text);

/// Static: the object of a sentinel error with a fixed text, for a global
/// (Go: a package-level errors.New). Use as
///   constinit errorObject errFooObject = errors::Static("foo");
///   const error ErrFoo{&errFooObject};
constexpr errorObject Static(const char* text, bool timeout = false) {
  int n = 0;
  while (text[n] != 0) n++;
  return errorObject{errorKindText, timeout, 0, slice<char>{const_cast<char*>(text), n, n}, nullptr};
}

/// Wrap: an error that reads "prefix: err", unwraps to err and is a
/// timeout when err is (see the Departure at the top).
error Wrap(std::string_view prefix, error err);

/// Unwrap: the error err wraps, or nil. \gosrc{errors/wrap.go,Unwrap}
error Unwrap(const error& err);

/// Is: is err, or an error it wraps, target? \gosrc{errors/wrap.go,Is}
bool Is(error err, const error& target);

/// Errno: the error of a failed system call, errno e (Go's
/// syscall.Errno); the same object for the same number. Its text is the C
/// library's with the first letter lowered, as Go's table has it.
/// Departure: a function, since gort::syscall already names the
/// system-call bracket (go.hpp).
error Errno(int e);

}  // namespace errors
}  // namespace gort
