// model.hpp: Go's channel rules, as a judge of recorded runs and as an
// explorer of every run a program can have. The rules it applies, why they
// accept every legal run, and what they cannot see are set out at the top
// of fuzz_chan.cpp.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "harness.hpp"
#include "program.hpp"

namespace fuzz {

/// Two operations whose timings are this close (ns) are taken to overlap:
/// a margin for clock reads taken a few instructions away from the
/// operation they bracket, on different CPUs (see fuzz_chan.cpp).
inline constexpr int64_t kSlackNs = 10000;

/// States the linearization search may visit before it gives up.
inline constexpr size_t kSearchBudget = 400000;

struct Verdict {
  bool ok = true;             // no violation found
  bool inconclusive = false;  // the search gave up (ok stays true)
  size_t states = 0;          // states the search visited
  std::string report;         // the violations, one per line
};

/// check judges one recorded run of p.
Verdict check(const Program& p, const History& h);

/// How a program's runs can end, over every interleaving the model allows.
enum class Deadlock { Never, Must, May, Unknown };
const char* deadlockName(Deadlock d);

/// classify explores every interleaving of p (without timing) and says
/// whether all, none or some of them end with a goroutine blocked for good.
Deadlock classify(const Program& p, size_t* states = nullptr);

}  // namespace fuzz
