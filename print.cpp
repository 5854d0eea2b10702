// print.cpp: output for the print builtin, throw and tracebacks, mirroring
// print.go at go1.22.12. All output goes through gwrite, which writes to fd 2
// or, during runtime::Stack, into the caller's buffer.
#include "print.hpp"

#include <unistd.h>

#include "proc.hpp"

namespace runtime {

mutex debuglock;  // serialises whole print sequences between threads

namespace {
printsink stderrsink;
// Departure: Go keeps Stack()'s target buffer on the goroutine
// (gp.writebuf); here it is per thread. Stack() runs its traceback under
// acquirem, so the goroutine cannot move to another thread while the sink
// is set.
thread_local printsink* tls_sink = nullptr;
}  // namespace

printsink* currentsink() { return tls_sink; }

/// printlock/printunlock keep one M's multi-part message together; they nest
/// per M. \gosrc{print.go,printlock}
void printlock() {
  g* gp = getg();
  if (gp == nullptr) return;
  m* mp = gp->m;
  mp->locks++;  // do not reschedule between printlock and printunlock
  mp->printlock++;
  if (mp->printlock == 1) lock(&debuglock);
  mp->locks--;
}

/// \gosrc{print.go,printunlock}
void printunlock() {
  g* gp = getg();
  if (gp == nullptr) return;
  m* mp = gp->m;
  mp->printlock--;
  if (mp->printlock == 0) unlock(&debuglock);
}

/// gwrite: write to the current sink. \gosrc{print.go,gwrite}
void gwrite(const char* s, size_t n) {
  printsink* k = tls_sink;
  if (k != nullptr && k->buf != nullptr) {
    size_t room = k->cap - k->len;
    if (n > room) n = room;
    memcpy(k->buf + k->len, s, n);
    k->len += n;
    return;
  }
  while (n > 0) {
    ssize_t w = write(2, s, n);
    if (w <= 0) return;
    s += w;
    n -= size_t(w);
  }
}

void setsink(printsink* k) { tls_sink = k; }

void printbuf::flush() {
  gwrite(buf, n);
  n = 0;
}
void printbuf::put(const char* s, size_t len) {
  while (len > 0) {
    size_t room = sizeof buf - n;
    if (room == 0) {
      flush();
      room = sizeof buf;
    }
    size_t k = len < room ? len : room;
    memcpy(buf + n, s, k);
    n += k;
    s += k;
    len -= k;
  }
}
void printbuf::putuint(uint64 v) {
  char t[24];
  int i = sizeof t;
  do {
    t[--i] = char('0' + v % 10);
    v /= 10;
  } while (v != 0);
  put(t + i, sizeof t - i);
}
void printbuf::putint(int64 v) {
  if (v < 0) {
    put("-", 1);
    putuint(uint64(0) - uint64(v));
    return;
  }
  putuint(uint64(v));
}
void printbuf::puthex(uint64 v) {
  static const char dig[] = "0123456789abcdef";
  char t[24];
  int i = sizeof t;
  do {
    t[--i] = dig[v % 16];
    v /= 16;
  } while (v != 0);
  t[--i] = 'x';
  t[--i] = '0';
  put(t + i, sizeof t - i);
}

/// putfloat: v as Go's print writes a float64: NaN, +Inf, -Inf, or a sign,
/// seven significant digits and a three-digit exponent (+1.500000e+000),
/// computed by repeated scaling as Go does, so the digits match Go's.
/// \gosrc{print.go,printfloat}
void printbuf::putfloat(double v) {
  if (v != v) {
    put("NaN");
    return;
  }
  if (v + v == v && v > 0) {
    put("+Inf");
    return;
  }
  if (v + v == v && v < 0) {
    put("-Inf");
    return;
  }

  constexpr int n = 7;  // digits printed
  char buf[n + 7];
  buf[0] = '+';
  int e = 0;  // the exponent
  if (v == 0) {
    if (1 / v < 0) buf[0] = '-';
  } else {
    if (v < 0) {
      v = -v;
      buf[0] = '-';
    }
    // Scale into [1, 10).
    while (v >= 10) {
      e++;
      v /= 10;
    }
    while (v < 1) {
      e--;
      v *= 10;
    }
    // Round at the last digit printed.
    double h = 5.0;
    for (int i = 0; i < n; i++) h /= 10;
    v += h;
    if (v >= 10) {
      e++;
      v /= 10;
    }
  }

  // d.dddddd, then e and the exponent's sign and three digits.
  for (int i = 0; i < n; i++) {
    int s = int(v);
    buf[i + 2] = char(s + '0');
    v -= double(s);
    v *= 10;
  }
  buf[1] = buf[2];
  buf[2] = '.';

  buf[n + 2] = 'e';
  buf[n + 3] = '+';
  if (e < 0) {
    e = -e;
    buf[n + 3] = '-';
  }
  buf[n + 4] = char(e / 100 + '0');
  buf[n + 5] = char((e / 10) % 10 + '0');
  buf[n + 6] = char(e % 10 + '0');
  put(buf, sizeof buf);
}

}  // namespace runtime
