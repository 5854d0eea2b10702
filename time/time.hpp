// time/time.hpp: package time for C++ users (go1.22.12 src/time): the
// monotonic and wall clocks (Now, Since, Until, Time's arithmetic and
// comparisons), Duration, and, through sleep.hpp and tick.hpp, Sleep,
// timers and tickers on the runtime's timers (time.cpp at the repository
// root). One include gives the whole package:
//
//   time.Sleep(d)                 gort::time::Sleep(d)
//   t := time.NewTimer(d); <-t.C  auto t = gort::time::NewTimer(d); t->C.recv()
//   case <-time.After(d):         gort::recv(gort::time::After(d))
//   time.AfterFunc(d, f)          gort::time::AfterFunc(d, f)
//   time.NewTicker(d)             gort::time::NewTicker(d)
//   time.Since(start)             gort::time::Since(start)
//
// As in Go, the package and the runtime meet only at symbols (the ctest
// linkname_sync checks both ends): Sleep, startTimer, stopTimer,
// resetTimer, modTimer, now and runtimeNano are declared here without a
// body, and the runtime defines them under those symbols (LINKNAME).
//
// Departures: no locations or calendar: a Time is Go's wall and ext words
// (the wall clock since 1885 with the monotonic reading, or seconds since
// year 1), always UTC, without Go's loc; there is no formatting or parsing
// of times (Duration.String is ported). runtimeNano is defined by the
// runtime under "time.runtimeNano" (Go's package time pulls
// runtime.nanotime by name, a direction the port's symbol check does not
// have).
#pragma once
#include <cstdint>
#include <string>

#include "../pragmas.hpp"

namespace gort::time {

/// Duration: nanoseconds between two instants, as an int64 (about 290
/// years either way). \gosrc{time/time.go,Duration}
using Duration = int64_t;

/// The common durations. \gosrc{time/time.go,Nanosecond}
inline constexpr Duration Nanosecond = 1;
inline constexpr Duration Microsecond = 1000 * Nanosecond;
inline constexpr Duration Millisecond = 1000 * Microsecond;
inline constexpr Duration Second = 1000 * Millisecond;
inline constexpr Duration Minute = 60 * Second;
inline constexpr Duration Hour = 60 * Minute;

/// minDuration, maxDuration: what Sub returns when the difference does not
/// fit. \gosrc{time/time.go,minDuration}
inline constexpr Duration minDuration = INT64_MIN;
inline constexpr Duration maxDuration = INT64_MAX;

/// DurationString: d as Go prints it, "1h2m0.5s", "1.5ms", "0s".
/// Departure: Go's method d.String(); Duration is an alias of int64 here.
/// \gosrc{time/time.go,Duration.String}
std::string DurationString(Duration d);

/// Seconds, Milliseconds, Microseconds: d in those units (Go's methods).
/// \gosrc{time/time.go,Seconds}
double Seconds(Duration d);
/// \gosrc{time/time.go,Milliseconds}
inline int64_t Milliseconds(Duration d) { return d / 1000000; }
/// \gosrc{time/time.go,Microseconds}
inline int64_t Microseconds(Duration d) { return d / 1000; }

/// Time: an instant. wall's top bit (hasMonotonic) says which encoding:
/// set, the next 33 bits are seconds since 1885 and ext is the monotonic
/// clock's reading (ns since the process started); clear, ext is seconds
/// since year 1. The low 30 bits of wall are the nanoseconds either way.
/// The zero Time is January 1, year 1. \gosrc{time/time.go,Time}
struct Time {
  uint64_t wall;
  int64_t ext;

  Time Add(Duration d) const;
  Duration Sub(Time u) const;
  bool After(Time u) const;
  bool Before(Time u) const;
  int Compare(Time u) const;
  bool Equal(Time u) const;
  bool IsZero() const;
  int64_t Unix() const;
  int64_t UnixMilli() const;
  int64_t UnixMicro() const;
  int64_t UnixNano() const;
  int Nanosecond() const;

  // Go's unexported helpers, public here so that tests can see them as
  // Go's internal tests do.
  int32_t nsec() const;
  int64_t sec() const;
  int64_t unixSec() const;
  void addSec(int64_t d);
  void stripMono();
};

Time Now();
Duration Since(Time t);
Duration Until(Time t);
Time Unix(int64_t sec, int64_t nsec);

/// now: the wall clock (seconds and nanoseconds since 1970) and the
/// monotonic clock, from the runtime (time_now).
struct nowResult {
  int64_t sec;
  int32_t nsec;
  int64_t mono;
};
nowResult now() GOSYMBOL("time.now");
/// runtimeNano: the runtime's monotonic clock (nanotime).
/// \gosrc{time/time.go,runtimeNano}
int64_t runtimeNano() GOSYMBOL("time.runtimeNano");

}  // namespace gort::time

#include "sleep.hpp"
#include "tick.hpp"
