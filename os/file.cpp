// os/file.cpp: File's reads, writes and deadlines, mirroring src/os/file.go
// and file_posix.go at go1.22.12. See file.hpp.
#include "file.hpp"

#include "../io/io.hpp"

namespace gort::os {

/// Read reads up to len(b) bytes; at end of file, 0 and io::EOF_.
/// \gosrc{os/file.go,File.Read}
std::tuple<int, error> File::Read(slice<uint8_t> b) {
  auto [n, e] = pfd.Read(b);
  return {n, wrapErr("read", e)};
}

/// Write writes all of b, or returns the error that stopped it.
/// \gosrc{os/file.go,File.Write}
std::tuple<int, error> File::Write(slice<uint8_t> b) {
  auto [n, e] = pfd.Write(b);
  error err;
  if (n != len(b)) err = io::ErrShortWrite;
  if (e) err = wrapErr("write", e);
  return {n, err};
}

/// SetDeadline sets both deadlines: a Read or Write after t fails with
/// ErrDeadlineExceeded; a zero Time removes them. \gosrc{os/file.go,File.SetDeadline}
error File::SetDeadline(time::Time t) { return wrapErr("SetDeadline", pfd.SetDeadline(t)); }

/// \gosrc{os/file.go,File.SetReadDeadline}
error File::SetReadDeadline(time::Time t) { return wrapErr("SetReadDeadline", pfd.SetReadDeadline(t)); }

/// \gosrc{os/file.go,File.SetWriteDeadline}
error File::SetWriteDeadline(time::Time t) { return wrapErr("SetWriteDeadline", pfd.SetWriteDeadline(t)); }

/// wrapErr: err as a PathError naming op and the file; the closing error
/// becomes ErrClosed; nil and EOF pass unchanged. \gosrc{os/file.go,File.wrapErr}
error File::wrapErr(const char* op, error err) {
  if (!err || err == io::EOF_) return err;
  if (err == poll::ErrFileClosing) err = ErrClosed;
  return PathError(op, name, err);
}

/// Close closes the file; a second Close returns ErrClosed (in a PathError).
/// \gosrc{os/file_posix.go,File.Close}
error File::Close() { return close(); }

/// Name: the name the file was made with. \gosrc{os/file.go,File.Name}
std::string File::Name() const { return name; }

}  // namespace gort::os
