// bench/peakrss.hpp: the peak resident set of this process, for the
// whole-program benchmarks (million, binarytrees, binarytrees_boehm).
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <cstdio>

namespace gort_bench {

/// peakRssKiB: the process's peak resident set so far, KiB. It reads VmHWM
/// from /proc/self/status, the high-water mark of this program's own address
/// space. getrusage's ru_maxrss is the fallback only: Linux carries it over
/// from the process image before execve, so under a parent that is larger
/// than this program (a Python driver, say) it reports the parent's peak.
inline int64_t peakRssKiB() {
  if (FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    long long kib = -1;
    while (std::fgets(line, sizeof line, f)) {
      if (std::sscanf(line, "VmHWM: %lld kB", &kib) == 1) break;
    }
    std::fclose(f);
    if (kib >= 0) return kib;
  }
  struct rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace gort_bench
