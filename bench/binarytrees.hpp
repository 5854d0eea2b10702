// bench/binarytrees.hpp: what the gort and Boehm binary-trees programs
// share (bench/binarytrees.cpp, bench/binarytrees_boehm.cpp): the depth
// argument and the figures line.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "peakrss.hpp"

namespace gort_bench {

/// binarytreesMinDepth: the shallowest trees the program builds.
constexpr int binarytreesMinDepth = 4;

/// binarytreesDepth: the depth from the command line (default 21, at
/// least binarytreesMinDepth+2); a bad argument prints the usage and exits 2.
inline int binarytreesDepth(int argc, char** argv, const char* prog) {
  int depth = 21;
  if (argc > 1) {
    char* end = nullptr;
    long v = std::strtol(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || v < 0 || v > 30) {
      std::fprintf(stderr, "usage: %s [DEPTH 0..30]\n", prog);
      std::exit(2);
    }
    depth = int(v);
  }
  return depth < binarytreesMinDepth + 2 ? binarytreesMinDepth + 2 : depth;
}

/// printBinarytreesFigures: the figures line on stderr, the same format for
/// gort, Go and Boehm (bench/compare reads it).
inline void printBinarytreesFigures(int depth, const char* who, int procs, double ms, uint64_t cycles,
                                    double longestPauseMs) {
  std::fprintf(stderr,
               "binarytrees: depth %d, %s, GOMAXPROCS %d: %.1f ms, %llu GC cycles, longest pause %.3f ms, "
               "peak RSS %.1f MiB\n",
               depth, who, procs, ms, (unsigned long long)cycles, longestPauseMs, double(peakRssKiB()) / 1024);
}

}  // namespace gort_bench
