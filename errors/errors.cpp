// errors/errors.cpp: errors.New, Is and Unwrap (src/errors/errors.go and
// wrap.go at go1.22.12), and the error objects' methods. See errors.hpp.
#include "errors.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>

#include "../go.hpp"

namespace gort {

namespace {
/// A run-time string as a slice<char> in the collected heap.
slice<char> textOf(std::string_view s) {
  slice<char> t = make<char>(int64_t(s.size()));
  if (!s.empty()) std::memcpy(&t[0], s.data(), s.size());
  return t;
}

/// errnoObjects: one object per errno (Linux's numbers are under 134), so
/// that two errors of the same number are the same error. A global: the
/// objects exist before the runtime starts, and cost no allocation.
constexpr int maxErrno = 134;
errorObject errnoObjects[maxErrno];
bool errnoInit = [] {
  for (int e = 0; e < maxErrno; e++) errnoObjects[e] = errorObject{errorKindErrno, false, e, {}, nullptr};
  return true;
}();
}  // namespace

std::string errorObject::Error() const {
  switch (kind) {
    case errorKindErrno: {
      char buf[128];
      std::string t = strerror_r(errnum, buf, sizeof buf);
      if (!t.empty()) t[0] = char(std::tolower(static_cast<unsigned char>(t[0])));
      return t;
    }
    case errorKindWrap:
      return std::string(text.begin(), text.end()) + ": " + wrapped->Error();
    case errorKindText:
      break;
  }
  return std::string(text.begin(), text.end());
}

bool errorObject::Timeout() const {
  switch (kind) {
    case errorKindErrno:
      // Go's Errno.Timeout: EAGAIN (EWOULDBLOCK) and ETIMEDOUT.
      return errnum == EAGAIN || errnum == ETIMEDOUT;
    case errorKindWrap:
      return wrapped->Timeout();
    case errorKindText:
      break;
  }
  return timeout;
}

namespace errors {

error New(std::string_view text) { return new_<errorObject>(errorKindText, false, 0, textOf(text), nullptr); }

error Wrap(std::string_view prefix, error err) {
  return new_<errorObject>(errorKindWrap, false, 0, textOf(prefix), err);
}

error Unwrap(const error& err) {
  if (err && err->kind == errorKindWrap) return err->wrapped;
  return nullptr;
}

bool Is(error err, const error& target) {
  if (!target) return !err;
  for (; err; err = Unwrap(err)) {
    if (err == target) return true;
  }
  return false;
}

error Errno(int e) {
  if (e >= 0 && e < maxErrno) return error(&errnoObjects[e]);
  return new_<errorObject>(errorKindErrno, false, e, slice<char>{}, nullptr);
}

}  // namespace errors
}  // namespace gort
