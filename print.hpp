// print.hpp: the runtime's print builtin (print.go at go1.22.12). It writes
// straight to fd 2 with no allocation, so it is usable in a fatal error, in a
// signal handler and on g0. Arguments print as Go's print does: integers in
// decimal, pointers and hex() in hex, bools as true/false, floats as Go's
// printfloat does (+d.dddddde+ddd).
#pragma once
#include <cstring>
#include <type_traits>

#include "runtime2.hpp"

namespace runtime {

/// debuglock serialises whole print sequences between threads (print.go).
extern mutex debuglock;

/// hex(v) prints as 0x... (Go's hex type).
struct hex {
  uint64 v;
  template <class T>
  explicit hex(T x) : v(uint64(uintptr(x))) {}
};

/// A small growable-on-stack output buffer; flushed with one write(2).
struct printbuf {
  char buf[512];
  size_t n = 0;
  void flush();
  void put(const char* s, size_t len);
  void put(const char* s) { put(s, strlen(s)); }
  void putint(int64 v);
  void putuint(uint64 v);
  void puthex(uint64 v);
  void putfloat(double v);
};

/// The sink for print; Stack() redirects it into a caller buffer (Go's
/// gp.writebuf).
struct printsink {
  char* buf = nullptr;  // nullptr: write to fd 2
  size_t cap = 0;
  size_t len = 0;
};
printsink* currentsink();
void gwrite(const char* s, size_t n);

inline void printarg(printbuf& b, const char* s) { b.put(s ? s : "<nil>"); }
inline void printarg(printbuf& b, char* s) { b.put(s ? s : "<nil>"); }
inline void printarg(printbuf& b, bool v) { b.put(v ? "true" : "false"); }
inline void printarg(printbuf& b, hex h) { b.puthex(h.v); }
inline void printarg(printbuf& b, char c) { b.put(&c, 1); }
inline void printarg(printbuf& b, double v) { b.putfloat(v); }
template <class T>
inline void printarg(printbuf& b, T v)
  requires std::is_integral_v<T> || std::is_enum_v<T>
{
  if constexpr (std::is_enum_v<T>)
    b.putint(int64(v));
  else if constexpr (std::is_signed_v<T>)
    b.putint(int64(v));
  else
    b.putuint(uint64(v));
}
template <class T>
inline void printarg(printbuf& b, T* v) {
  b.puthex(uint64(uintptr(v)));
}

/// A racy field prints as its value.
template <class T>
inline void printarg(printbuf& b, const atomic::Racy<T>& v) {
  printarg(b, v.load());
}

/// print(args...): Go's print builtin.
template <class... A>
void print(const A&... a) {
  printbuf b;
  (printarg(b, a), ...);
  b.flush();
}

}  // namespace runtime
