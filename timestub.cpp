// timestub.cpp: the clocks package time reads, mirroring timestub.go at
// go1.22.12 (time_now in terms of walltime and nanotime).
//
// Departure: on linux/amd64 Go builds time_now in assembly
// (time_linux_amd64.s, both clocks from the vDSO in one call) and has no
// walltime; the port reads both through libc's clock_gettime, which uses
// the vDSO, and takes timestub.go's portable shape. Go's package time pulls
// runtime.nanotime under the name runtimeNano; the port's runtime defines
// time.runtimeNano instead, so that every symbol the package and the
// runtime share is one the runtime defines for the package (linkname.py).
#include <time.h>

#include "proc.hpp"

namespace runtime {

/// walltime: the wall clock, seconds and nanoseconds since 1970.
/// \gosrc{timestub2.go,walltime}
static std::tuple<int64, int32> walltime() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return {int64(ts.tv_sec), int32(ts.tv_nsec)};
}

/// timeNow: time_now's three results (package time's nowResult).
struct timeNow {
  int64 sec;
  int32 nsec;
  int64 mono;
};

/// time_now: time.now, the wall clock and the monotonic clock.
/// \gosrc{timestub.go,time_now}
timeNow time_now() LINKNAME("time.now");
timeNow time_now() {
  auto [sec, nsec] = walltime();
  return {sec, nsec, nanotime()};
}

/// time_runtimeNano: time.runtimeNano, the monotonic clock (see the
/// Departure above).
int64 time_runtimeNano() LINKNAME("time.runtimeNano");
int64 time_runtimeNano() { return nanotime(); }

}  // namespace runtime
