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

}  // namespace runtime
