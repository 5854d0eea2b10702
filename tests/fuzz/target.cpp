// target.cpp: see target.hpp.
#include "target.hpp"

#include <cinttypes>
#include <cstdio>
#include <string>

#include "harness.hpp"
#include "model.hpp"

namespace fuzz {

bool runOne(const Program& p, Stats& st, bool setProcs) {
  static History h;  // large: kept off the goroutine's stack
  std::string why;
  bool finished = execute(p, h, setProcs, why);
  if (!finished) {
    std::fprintf(stderr, "fuzz_chan: the run did not finish: %s\n%s", why.c_str(), describe(p, h).c_str());
    return false;
  }
  Verdict v = check(p, h);
  st.runs++;
  st.quiesced += h.quiesced;
  st.inconclusive += v.inconclusive;
  if (v.states > st.maxStates) st.maxStates = v.states;
  if (!v.ok) {
    std::fprintf(stderr, "fuzz_chan: MODEL VIOLATION\n%s%s", describe(p, h).c_str(), v.report.c_str());
    return false;
  }
  return true;
}

void printStats(const char* who, const Stats& st) {
  std::fprintf(stderr,
               "%s: %" PRIu64 " programs checked, %" PRIu64
               " ended parked for good (legal deadlocks), %" PRIu64
               " searches gave up, largest search %zu states\n",
               who, st.runs, st.quiesced, st.inconclusive, st.maxStates);
}

}  // namespace fuzz
