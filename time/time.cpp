// time/time.cpp: Time and Duration, mirroring the clock half of
// src/time/time.go at go1.22.12 (see time.hpp for what is left out).
#include "time.hpp"

#include <tuple>
#include <utility>

namespace gort::time {

namespace {
// The encoding of Time.wall (time.go's constants).
constexpr uint64_t hasMonotonic = uint64_t(1) << 63;
constexpr uint64_t nsecMask = (uint64_t(1) << 30) - 1;
constexpr unsigned nsecShift = 30;

constexpr int64_t secondsPerMinute = 60;
constexpr int64_t secondsPerHour = 60 * secondsPerMinute;
constexpr int64_t secondsPerDay = 24 * secondsPerHour;
// Seconds from year 1 (the internal epoch) to 1970, and to 1885, the wall
// encoding's epoch.
constexpr int64_t unixToInternal = (1969 * 365 + 1969 / 4 - 1969 / 100 + 1969 / 400) * secondsPerDay;
constexpr int64_t internalToUnix = -unixToInternal;
constexpr int64_t wallToInternal = (1884 * 365 + 1884 / 4 - 1884 / 100 + 1884 / 400) * secondsPerDay;
constexpr int64_t minWall = wallToInternal;

/// startNano: the monotonic clock at start-up, minus one, so that a Time
/// read at any later moment has a nonzero mono. \gosrc{time/time.go,startNano}
const int64_t startNano = runtimeNano() - 1;
}  // namespace

/// nsec: the nanoseconds within the second. \gosrc{time/time.go,nsec}
int32_t Time::nsec() const { return int32_t(wall & nsecMask); }

/// sec: seconds since year 1. \gosrc{time/time.go,sec}
int64_t Time::sec() const {
  if (wall & hasMonotonic) return wallToInternal + int64_t(wall << 1 >> (nsecShift + 1));
  return ext;
}

/// unixSec: seconds since 1970. \gosrc{time/time.go,unixSec}
int64_t Time::unixSec() const { return sec() + internalToUnix; }

/// addSec adds d seconds, keeping the monotonic encoding while the wall
/// seconds fit in it. \gosrc{time/time.go,addSec}
void Time::addSec(int64_t d) {
  if (wall & hasMonotonic) {
    int64_t s = int64_t(wall << 1 >> (nsecShift + 1));
    int64_t dsec = s + d;
    if (0 <= dsec && dsec <= (int64_t(1) << 33) - 1) {
      wall = (wall & nsecMask) | uint64_t(dsec) << nsecShift | hasMonotonic;
      return;
    }
    // Out of the wall encoding's range: drop the monotonic reading.
    stripMono();
  }
  int64_t sum;
  bool overflow = __builtin_add_overflow(ext, d, &sum);
  if (!overflow) {
    ext = sum;
  } else if (d > 0) {
    ext = INT64_MAX;
  } else {
    ext = -INT64_MAX;
  }
}

/// stripMono drops the monotonic reading. \gosrc{time/time.go,stripMono}
void Time::stripMono() {
  if (wall & hasMonotonic) {
    ext = sec();
    wall &= nsecMask;
  }
}

/// After: is t after u? By the monotonic clock when both have it.
/// \gosrc{time/time.go,After}
bool Time::After(Time u) const {
  if (wall & u.wall & hasMonotonic) return ext > u.ext;
  int64_t ts = sec(), us = u.sec();
  return ts > us || (ts == us && nsec() > u.nsec());
}

/// Before: is t before u? \gosrc{time/time.go,Before}
bool Time::Before(Time u) const {
  if (wall & u.wall & hasMonotonic) return ext < u.ext;
  int64_t ts = sec(), us = u.sec();
  return ts < us || (ts == us && nsec() < u.nsec());
}

/// Compare: -1, 0 or +1 as t is before, equal to or after u.
/// \gosrc{time/time.go,Compare}
int Time::Compare(Time u) const {
  int64_t tc, uc;
  if (wall & u.wall & hasMonotonic) {
    tc = ext;
    uc = u.ext;
  } else {
    tc = sec();
    uc = u.sec();
    if (tc == uc) {
      tc = nsec();
      uc = u.nsec();
    }
  }
  if (tc < uc) return -1;
  if (tc > uc) return +1;
  return 0;
}

/// Equal: the same instant. \gosrc{time/time.go,Equal}
bool Time::Equal(Time u) const {
  if (wall & u.wall & hasMonotonic) return ext == u.ext;
  return sec() == u.sec() && nsec() == u.nsec();
}

/// IsZero: January 1, year 1, 00:00:00 UTC. \gosrc{time/time.go,IsZero}
bool Time::IsZero() const { return sec() == 0 && nsec() == 0; }

/// Unix, UnixMilli, UnixMicro, UnixNano: t since 1970 in those units.
/// \gosrc{time/time.go,Unix}
int64_t Time::Unix() const { return unixSec(); }
/// \gosrc{time/time.go,UnixMilli}
int64_t Time::UnixMilli() const { return unixSec() * 1000 + int64_t(nsec()) / 1000000; }
/// \gosrc{time/time.go,UnixMicro}
int64_t Time::UnixMicro() const { return unixSec() * 1000000 + int64_t(nsec()) / 1000; }
/// \gosrc{time/time.go,UnixNano}
int64_t Time::UnixNano() const { return unixSec() * 1000000000 + int64_t(nsec()); }
/// \gosrc{time/time.go,Nanosecond}
int Time::Nanosecond() const { return int(nsec()); }

/// DurationString: Go's Duration.String. Whole units down to the largest
/// that fits, then a fraction without trailing zeros. \gosrc{time/time.go,Duration.String}
std::string DurationString(Duration d) {
  // Largest: "-2562047h47m16.854775808s".
  char buf[32];
  int w = sizeof buf;
  uint64_t u = uint64_t(d);
  bool neg = d < 0;
  if (neg) u = -u;
  // fmtFrac: v/10^prec with the fraction's trailing zeros dropped, written
  // backwards ending at w.
  auto fmtFrac = [&buf](int w, uint64_t v, int prec) -> std::pair<int, uint64_t> {
    bool print = false;
    for (int i = 0; i < prec; i++) {
      int digit = int(v % 10);
      print = print || digit != 0;
      if (print) buf[--w] = char(digit + '0');
      v /= 10;
    }
    if (print) buf[--w] = '.';
    return {w, v};
  };
  // fmtInt: v in decimal, backwards ending at w.
  auto fmtInt = [&buf](int w, uint64_t v) -> int {
    if (v == 0) {
      buf[--w] = '0';
    } else {
      while (v > 0) {
        buf[--w] = char(v % 10 + '0');
        v /= 10;
      }
    }
    return w;
  };
  if (u < uint64_t(Second)) {
    // Below a second: one unit, "1.2ms"; zero is "0s".
    int prec = 0;
    w--;
    buf[w] = 's';
    w--;
    if (u == 0) {
      return "0s";
    } else if (u < uint64_t(Microsecond)) {
      prec = 0;
      buf[w] = 'n';
    } else if (u < uint64_t(Millisecond)) {
      prec = 3;
      // U+00B5 'µ' micro sign, two bytes in UTF-8.
      w--;
      buf[w] = char(0xC2);
      buf[w + 1] = char(0xB5);
    } else {
      prec = 6;
      buf[w] = 'm';
    }
    std::tie(w, u) = fmtFrac(w, u, prec);
    w = fmtInt(w, u);
  } else {
    w--;
    buf[w] = 's';
    std::tie(w, u) = fmtFrac(w, u, 9);
    // u is now whole seconds.
    w = fmtInt(w, u % 60);
    u /= 60;
    if (u > 0) {
      w--;
      buf[w] = 'm';
      w = fmtInt(w, u % 60);
      u /= 60;
      if (u > 0) {
        w--;
        buf[w] = 'h';
        w = fmtInt(w, u);
      }
    }
  }
  if (neg) buf[--w] = '-';
  return std::string(buf + w, sizeof buf - w);
}

/// Seconds: d as a floating-point number of seconds.
/// \gosrc{time/time.go,Seconds}
double Seconds(Duration d) {
  Duration sec = d / Second;
  Duration nsec = d % Second;
  return double(sec) + double(nsec) / 1e9;
}

/// Add: t+d. \gosrc{time/time.go,Add}
Time Time::Add(Duration d) const {
  Time t = *this;
  int64_t dsec = d / 1000000000;
  int32_t ns = t.nsec() + int32_t(d % 1000000000);
  if (ns >= 1000000000) {
    dsec++;
    ns -= 1000000000;
  } else if (ns < 0) {
    dsec--;
    ns += 1000000000;
  }
  t.wall = (t.wall & ~nsecMask) | uint64_t(ns);
  t.addSec(dsec);
  if (t.wall & hasMonotonic) {
    int64_t te;
    if (__builtin_add_overflow(t.ext, d, &te)) {
      t.stripMono();  // the monotonic reading would overflow
    } else {
      t.ext = te;
    }
  }
  return t;
}

/// subMono: t-u of two monotonic readings, clamped. \gosrc{time/time.go,subMono}
static Duration subMono(int64_t t, int64_t u) {
  Duration d = Duration(uint64_t(t) - uint64_t(u));
  if (d < 0 && t > u) return maxDuration;  // t - u is positive out of range
  if (d > 0 && t < u) return minDuration;  // t - u is negative out of range
  return d;
}

/// Sub: t-u, clamped to the Duration range; by the monotonic clock when
/// both have it. \gosrc{time/time.go,Sub}
Duration Time::Sub(Time u) const {
  if (wall & u.wall & hasMonotonic) return subMono(ext, u.ext);
  // Go's arithmetic wraps; the port's does so in uint64 (signed overflow
  // is undefined in C++), and the check below catches a wrapped d.
  Duration d = Duration((uint64_t(sec()) - uint64_t(u.sec())) * uint64_t(Second) + uint64_t(int64_t(nsec() - u.nsec())));
  if (u.Add(d).Equal(*this)) return d;  // d is right
  if (Before(u)) return minDuration;
  return maxDuration;
}

/// Since: Now().Sub(t), from the monotonic clock alone when t has it.
/// \gosrc{time/time.go,Since}
Duration Since(Time t) {
  if (t.wall & hasMonotonic) return subMono(runtimeNano() - startNano, t.ext);
  return Now().Sub(t);
}

/// Until: t.Sub(Now()). \gosrc{time/time.go,Until}
Duration Until(Time t) {
  if (t.wall & hasMonotonic) return subMono(t.ext, runtimeNano() - startNano);
  return t.Sub(Now());
}

/// Now: the current time, with the monotonic reading.
/// \gosrc{time/time.go,Now}
Time Now() {
  auto [sec, nsec, mono] = now();
  mono -= startNano;
  sec += unixToInternal - minWall;
  if (uint64_t(sec) >> 33 != 0) {
    // Past 2157: no room in wall for the seconds; no monotonic reading.
    return Time{uint64_t(nsec), sec + minWall};
  }
  return Time{hasMonotonic | uint64_t(sec) << nsecShift | uint64_t(nsec), mono};
}

/// Unix: the Time sec seconds and nsec nanoseconds after 1970 (nsec may be
/// outside [0, 1e9)). \gosrc{time/time.go,Unix}
Time Unix(int64_t sec, int64_t nsec) {
  if (nsec < 0 || nsec >= 1000000000) {
    int64_t n = nsec / 1000000000;
    sec += n;
    nsec -= n * 1000000000;
    if (nsec < 0) {
      nsec += 1000000000;
      sec--;
    }
  }
  // unixTime
  return Time{uint64_t(nsec), sec + unixToInternal};
}

}  // namespace gort::time
