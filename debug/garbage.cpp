// debug/garbage.cpp: package runtime/debug's collector controls, mirroring
// src/runtime/debug/garbage.go at go1.22.12. See garbage.hpp.
#include "garbage.hpp"

#include <algorithm>

#include "stubs.hpp"

namespace gort::debug {

namespace {

// The runtime's pause history has this many entries (MemStats.PauseNs).
constexpr int maxPause = 256;

}  // namespace

/// \gosrc{debug/garbage.go,ReadGCStats}
void ReadGCStats(GCStats* stats) {
  using std::chrono::nanoseconds;
  using std::chrono::system_clock;
  // Room for two copies of the history plus three words: the runtime fills
  // pauses, end times and the three totals; the second half then serves as
  // the scratch copy that the quantiles sort. (Go lends stats.Pause itself;
  // here the buffer is a frame local, as the runtime's words are not
  // durations yet.)
  int64_t buf[2 * maxPause + 3];
  pauseBuffer pauses{buf, 0, 2 * maxPause + 3};
  readGCStats(&pauses);
  int n = pauses.len - 3;
  stats->LastGC = system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(nanoseconds(buf[n])));
  stats->NumGC = buf[n + 1];
  stats->PauseTotal = nanoseconds(buf[n + 2]);
  n /= 2;  // pauses, then their end times

  stats->Pause.resize(n);
  for (int i = 0; i < n; i++) stats->Pause[i] = nanoseconds(buf[i]);
  stats->PauseEnd.clear();
  stats->PauseEnd.reserve(maxPause);
  for (int i = n; i < n + n; i++)
    stats->PauseEnd.push_back(system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(nanoseconds(buf[i]))));

  if (!stats->PauseQuantiles.empty()) {
    auto& q = stats->PauseQuantiles;
    if (n == 0) {
      std::fill(q.begin(), q.end(), nanoseconds(0));
    } else {
      // Sort a copy of the pauses in the buffer's second half.
      int64_t* sorted = buf + n;
      std::copy(buf, buf + n, sorted);
      std::sort(sorted, sorted + n);
      int nq = int(q.size()) - 1;
      for (int i = 0; i < nq; i++) q[i] = nanoseconds(sorted[n * i / nq]);
      q[nq] = nanoseconds(sorted[n - 1]);
    }
  }
}

/// \gosrc{debug/garbage.go,SetGCPercent}
int SetGCPercent(int percent) { return int(setGCPercent(int32_t(percent))); }

/// \gosrc{debug/garbage.go,FreeOSMemory}
void FreeOSMemory() { freeOSMemory(); }

/// \gosrc{debug/garbage.go,SetMemoryLimit}
int64_t SetMemoryLimit(int64_t limit) { return setMemoryLimit(limit); }

/// \gosrc{debug/garbage.go,SetMaxStack}
int64_t SetMaxStack(int64_t bytes) { return setMaxStack(bytes); }

/// \gosrc{debug/garbage.go,SetMaxThreads}
int64_t SetMaxThreads(int64_t threads) { return setMaxThreads(threads); }

}  // namespace gort::debug
