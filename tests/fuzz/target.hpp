// target.hpp: one fuzz input, run on gort and judged by the model; shared
// by the libFuzzer binary (fuzz_chan.cpp) and fuzz_chan_run (run.cpp).
#pragma once
#include <cstddef>
#include <cstdint>

#include "program.hpp"

namespace fuzz {

struct Stats {
  uint64_t runs = 0;          // programs run and judged
  uint64_t quiesced = 0;      // runs that ended with goroutines parked for good
  uint64_t inconclusive = 0;  // runs whose linearization search gave up
  size_t maxStates = 0;       // the largest search
};

/// runOne runs p (a fuzzable program) on gort from a goroutine and checks
/// the run against the model. On a violation, or a run that cannot finish,
/// it prints the program, the run and the violation to stderr and returns
/// false. setProcs: apply p.procs (GOMAXPROCS) first.
bool runOne(const Program& p, Stats& st, bool setProcs);

/// printStats: one line on stderr, prefixed with who.
void printStats(const char* who, const Stats& st);

}  // namespace fuzz
