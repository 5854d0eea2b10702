// mgcpacer_test.cpp: the pacer tests of go1.22.12 runtime/mgcpacer_test.go,
// translated test by test, every table entry kept: TestGcPacer's nineteen
// simulations (one DYNAMIC_SECTION per Go subtest, same names, same checks
// at every cycle) and TestIdleMarkWorkerCount. They drive test copies of
// the pacer through export_mgcpacer_test.hpp (GCController).
//
// Translation rules:
//   - t.Errorf is CHECK (the test goes on), t.Fatal(f) is REQUIRE or FAIL;
//     t.Log's line for a cycle is an INFO, shown when a check fails.
//   - Go's float64Stream is a func value whose closure state every copy
//     shares; here a float64Stream holds its function through a shared_ptr,
//     so copies share state the same way (a std::function copied by value
//     would copy a ramp's counter and freeze it).
//   - math/rand streams use Go's generator itself (go_math_rand.hpp), so
//     the random cases see Go's very numbers; math.Max, math.Min keep Go's
//     special cases.
//   - Go's constant arithmetic is kept exact: the few untyped constant
//     expressions are written out with their values (rateConv is 512).
#include <catch2/catch_test_macros.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "export_mgcpacer_test.hpp"
#include "export_test.hpp"
#include "go_math_rand.hpp"

namespace {

using runtime::DefaultHeapMinimum;
using runtime::GCBackgroundUtilization;
using runtime::GCController;
using runtime::GCControllerReviseDelta;
using runtime::GCGoalUtilization;
using runtime::MemoryLimitHeapGoalHeadroomPercent;
using runtime::MemoryLimitMinHeapGoalHeadroom;
using runtime::NewGCController;

using gort_test::Microsecond;
using gort_test::Millisecond;

constexpr int64_t MaxInt64 = std::numeric_limits<int64_t>::max();

// Go's math.Max and math.Min (math/dim.go): an infinity wins, then NaN,
// and +0 beats -0.
namespace math {
double Max(double x, double y) {
  if (std::isinf(x) && x > 0) return x;
  if (std::isinf(y) && y > 0) return y;
  if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}
double Min(double x, double y) {
  if (std::isinf(x) && x < 0) return x;
  if (std::isinf(y) && y < 0) return y;
  if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}
}  // namespace math

// mgcpacer_test.go:878 at go1.22.12: an infinite stream of values, one per
// call; copies share the stream's state.
struct float64Stream {
  std::shared_ptr<std::function<double()>> f;

  template <class F>
  static float64Stream of(F fn) {
    return float64Stream{std::make_shared<std::function<double()>>(std::move(fn))};
  }
  double operator()() const { return (*f)(); }

  float64Stream delay(int cycles) const;
  float64Stream scale(double amt) const;
  float64Stream offset(double amt) const;
  template <class... S>
  float64Stream sum(S... fs) const;
  float64Stream quantize(double mult) const;
  float64Stream min(double min) const;
  float64Stream max(double max) const;
  float64Stream limit(double min, double max) const;
};

// mgcpacer_test.go:881 at go1.22.12: c, always.
float64Stream constant(double c) {
  return float64Stream::of([c] { return c; });
}

// mgcpacer_test.go:891 at go1.22.12: amp once, then zeroes (a Kronecker
// delta).
float64Stream unit(double amp) {
  return float64Stream::of([amp, dropped = false]() mutable {
    if (dropped) return 0.0;
    dropped = true;
    return amp;
  });
}

// mgcpacer_test.go:904 at go1.22.12: a sine of amplitude amp and the given
// phase, period steps long.
float64Stream oscillate(double amp, double phase, int period) {
  return float64Stream::of([amp, phase, period, cycle = 0]() mutable {
    double p = double(cycle) / double(period) * 2 * M_PI + phase;
    cycle++;
    if (cycle == period) cycle = 0;
    return std::sin(p) * amp;
  });
}

// mgcpacer_test.go:918 at go1.22.12: from 0 up to height over length steps,
// then height.
float64Stream ramp(double height, int length) {
  return float64Stream::of([height, length, cycle = 0]() mutable {
    double h = height * double(cycle) / double(length);
    if (cycle < length) cycle++;
    return h;
  });
}

// mgcpacer_test.go:931 at go1.22.12: uniform in [-amp, amp), from Go's
// math/rand seeded with seed.
float64Stream random(double amp, int64_t seed) {
  auto r = std::make_shared<gort_test::gomathrand::Rand>(seed);
  return float64Stream::of([amp, r] { return ((r->Float64() - 0.5) * 2) * amp; });
}

// mgcpacer_test.go:940 at go1.22.12: cycles zeroes, then f.
float64Stream float64Stream::delay(int cycles) const {
  return of([f = *this, cycles, zeroes = 0]() mutable {
    if (zeroes < cycles) {
      zeroes++;
      return 0.0;
    }
    return f();
  });
}

// mgcpacer_test.go:953 at go1.22.12: f times amt.
float64Stream float64Stream::scale(double amt) const {
  return of([f = *this, amt] { return f() * amt; });
}

// mgcpacer_test.go:961 at go1.22.12: f plus amt.
float64Stream float64Stream::offset(double amt) const {
  return of([f = *this, amt] {
    double old = f();
    return old + amt;
  });
}

// mgcpacer_test.go:970 at go1.22.12: f plus every stream of fs, in order.
template <class... S>
float64Stream float64Stream::sum(S... fs) const {
  std::vector<float64Stream> v{fs...};
  return of([f = *this, v] {
    double sum = f();
    for (const float64Stream& s : v) sum += s();
    return sum;
  });
}

// mgcpacer_test.go:982 at go1.22.12: f rounded toward zero to a multiple of
// mult.
float64Stream float64Stream::quantize(double mult) const {
  return of([f = *this, mult] {
    double r = f() / mult;
    if (r < 0) return std::ceil(r) * mult;
    return std::floor(r) * mult;
  });
}

// mgcpacer_test.go:994 at go1.22.12: f, no lower than min.
float64Stream float64Stream::min(double min) const {
  return of([f = *this, min] { return math::Max(min, f()); });
}

// mgcpacer_test.go:1002 at go1.22.12: f, no higher than max.
float64Stream float64Stream::max(double max) const {
  return of([f = *this, max] { return math::Min(max, f()); });
}

// mgcpacer_test.go:1010 at go1.22.12: f, clamped to [min, max].
float64Stream float64Stream::limit(double min, double max) const {
  return of([f = *this, min, max] {
    double v = f();
    if (v < min) {
      v = min;
    } else if (v > max) {
      v = max;
    }
    return v;
  });
}

// mgcpacer_test.go:824 at go1.22.12: one cycle's parameters.
struct gcCycle {
  double allocRate;
  double scanRate;
  double growthRate;
  double scannableFrac;
  uint64_t stackBytes;
};

// mgcpacer_test.go:832 at go1.22.12: one cycle's outcome.
struct gcCycleResult {
  int cycle;

  // From the pacer.
  uint64_t heapLive;
  uint64_t heapTrigger;
  uint64_t heapGoal;
  uint64_t heapPeak;

  // From the simulation (signed, to catch bad states).
  int64_t heapScannable;
  double gcUtilization;

  // mgcpacer_test.go:848 at go1.22.12
  double goalRatio() const { return double(heapPeak) / double(heapGoal); }
  // mgcpacer_test.go:852 at go1.22.12
  double runway() const { return double(heapGoal - heapTrigger); }
  // mgcpacer_test.go:856 at go1.22.12
  double triggerRatio() const { return double(heapTrigger - heapLive) / double(heapGoal - heapLive); }
  // mgcpacer_test.go:860 at go1.22.12
  std::string String() const {
    char buf[160];
    snprintf(buf, sizeof buf, "%d %2.1f%% %llu->%llu->%llu (goal: %llu)", cycle, gcUtilization * 100,
             (unsigned long long)heapLive, (unsigned long long)heapTrigger, (unsigned long long)heapPeak,
             (unsigned long long)heapGoal);
    return buf;
  }
};

// mgcpacer_test.go:869 at go1.22.12 (Go's test, a < min || a > max, lets
// NaN through; so does this).
void assertInRange(const char* name, double a, double min, double max) {
  INFO(name << " not in range (" << min << ", " << max << "): " << a);
  CHECK_FALSE((a < min || a > max));
}

// mgcpacer_test.go:864 at go1.22.12
void assertInEpsilon(const char* name, double a, double b, double epsilon) {
  assertInRange(name, a, b - epsilon, b + epsilon);
}

// mgcpacer_test.go:780 at go1.22.12: the least allocRate, scanRate and
// growthRate (none may be zero).
constexpr double minRate = 0.0001;

// mgcpacer_test.go:760 at go1.22.12
struct gcExecTest {
  std::string name;

  int gcPercent;
  int64_t memoryLimit;
  uint64_t globalsBytes;
  int nCores;

  float64Stream allocRate;      // KiB per CPU-ms; next() raises it to minRate
  float64Stream scanRate;       // KiB per CPU-ms; next() raises it to minRate
  float64Stream growthRate;     // next() raises it to minRate
  float64Stream scannableFrac;  // next() clamps it into [0, 1]
  float64Stream stackBytes;     // next() truncates it to a multiple of 2048, at least 0
  int length;

  std::function<void(const std::vector<gcCycleResult>&)> checker;

  // mgcpacer_test.go:782 at go1.22.12
  gcCycle next() {
    return gcCycle{
        allocRate.min(minRate)(),
        scanRate.min(minRate)(),
        growthRate.min(minRate)(),
        scannableFrac.limit(0, 1)(),
        uint64_t(stackBytes.quantize(2048).min(0)()),
    };
  }

  // mgcpacer_test.go:792 at go1.22.12
  void check(const std::vector<gcCycleResult>& r) {
    // The general checks first.
    size_t n = r.size();
    if (n == 0) FAIL("no results passed to check");
    if (n == 1) {
      INFO("first cycle has incorrect number");
      CHECK(r[0].cycle == 1);
    } else {
      INFO("cycle numbers out of order");
      CHECK(r[n - 1].cycle == r[n - 2].cycle + 1);
    }
    if (double u = r[n - 1].gcUtilization; u < 0 || u > 1) FAIL("GC utilization not within acceptable bounds");
    if (int64_t s = r[n - 1].heapScannable; s < 0) FAIL("heapScannable is negative");
    if (!checker) FAIL("test-specific checker is missing");

    // Then the test's own.
    checker(r);
  }
};

// mgcpacer_test.go:1022 at go1.22.12
uint64_t applyMemoryLimitHeapGoalHeadroom(uint64_t goal) {
  uint64_t headroom = goal / 100 * MemoryLimitHeapGoalHeadroomPercent;
  if (headroom < MemoryLimitMinHeapGoalHeadroom) headroom = MemoryLimitMinHeapGoalHeadroom;
  if (goal < headroom || goal - headroom < headroom) {
    goal = headroom;
  } else {
    goal -= headroom;
  }
  return goal;
}

std::vector<gcExecTest> gcPacerTests() {
  return {
      // mgcpacer_test.go:21 at go1.22.12
      {
          // A steady-state heap: growth to a few MiB, then constant heap
          // size and alloc/scan rates.
          "Steady", 100, MaxInt64, 32 << 10, 8,
          constant(33.0),                           // allocRate
          constant(1024.0),                         // scanRate
          constant(2.0).sum(ramp(-1.0, 12)),        // growthRate
          constant(1.0),                            // scannableFrac
          constant(8192),                           // stackBytes
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (n >= 25) {
              // Very close to the goal utilization at these rates.
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, GCGoalUtilization, 0.005);

              // Settled within 25 cycles.
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.005);
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);
            }
          },
      },
      // mgcpacer_test.go:47 at go1.22.12
      {
          // Steady, with a lot of stack to scan relative to the heap.
          "SteadyBigStacks", 100, MaxInt64, 32 << 10, 8,
          constant(132.0),
          constant(1024.0),
          constant(2.0).sum(ramp(-1.0, 12)),
          constant(1.0),
          constant(2048).sum(ramp(128 << 20, 8)),
          50,
          [](const std::vector<gcCycleResult>& c) {
            // As Steady (the old pacer could not meet the goal ratio here;
            // the redesigned one must also be close to the goal).
            size_t n = c.size();
            if (n >= 25) {
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, GCGoalUtilization, 0.005);
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);

              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.005);
            }
          },
      },
      // mgcpacer_test.go:75 at go1.22.12
      {
          // Steady, with a lot of globals to scan relative to the heap.
          "SteadyBigGlobals", 100, MaxInt64, 128 << 20, 8,
          constant(132.0),
          constant(1024.0),
          constant(2.0).sum(ramp(-1.0, 12)),
          constant(1.0),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (n >= 25) {
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, GCGoalUtilization, 0.005);
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);

              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.005);
            }
          },
      },
      // mgcpacer_test.go:103 at go1.22.12
      {
          // A small step in the allocation rate.
          "StepAlloc", 100, MaxInt64, 32 << 10, 8,
          constant(33.0).sum(ramp(66.0, 1).delay(50)),
          constant(1024.0),
          constant(2.0).sum(ramp(-1.0, 12)),
          constant(1.0),
          constant(8192),
          100,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if ((n >= 25 && n < 50) || n >= 75) {
              // Settled within 25 cycles, and again 25 after the step.
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.005);
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);
            }
          },
      },
      // mgcpacer_test.go:126 at go1.22.12
      {
          // A large step in the allocation rate.
          "HeavyStepAlloc", 100, MaxInt64, 32 << 10, 8,
          constant(33).sum(ramp(330, 1).delay(50)),
          constant(1024.0),
          constant(2.0).sum(ramp(-1.0, 12)),
          constant(1.0),
          constant(8192),
          100,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if ((n >= 25 && n < 50) || n >= 75) {
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.005);
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);
            }
          },
      },
      // mgcpacer_test.go:149 at go1.22.12
      {
          // A step in the scannable share of the heap.
          "StepScannableFrac", 100, MaxInt64, 32 << 10, 8,
          constant(128.0),
          constant(1024.0),
          constant(2.0).sum(ramp(-1.0, 12)),
          constant(0.2).sum(unit(0.5).delay(50)),
          constant(8192),
          100,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if ((n >= 25 && n < 50) || n >= 75) {
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.005);
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);
            }
          },
      },
      // mgcpacer_test.go:172 at go1.22.12
      {
          // A high GOGC with a large heap growth at cycle 26: utilization
          // must not be thrown by it.
          "HighGOGC", 1500, MaxInt64, 32 << 10, 8,
          random(7, 0x53).offset(165),
          constant(1024.0),
          constant(2.0).sum(ramp(-1.0, 12), random(0.01, 0x1), unit(14).delay(25)),
          constant(1.0),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (n > 12) {
              if (n == 26) {
                // The growth: overshoot keeps utilization stable, but never
                // by more than the next cycle's GOGC.
                assertInRange("goal ratio", c[n - 1].goalRatio(), 0.90, 15);
              } else {
                // Wider: with GOGC this high the pacer must undershoot.
                assertInRange("goal ratio", c[n - 1].goalRatio(), 0.90, 1.05);
              }

              // Utilization stays stable through the growth at cycle 25
              // (which the old pacer failed), and near the goal.
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, GCGoalUtilization, GCGoalUtilization + 0.03);
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.03);
            }
          },
      },
      // mgcpacer_test.go:214 at go1.22.12
      {
          // An oscillating allocation rate: the pacer keeps up.
          "OscAlloc", 100, MaxInt64, 32 << 10, 8,
          oscillate(13, 0, 8).offset(67),
          constant(1024.0),
          constant(2.0).sum(ramp(-1.0, 12)),
          constant(1.0),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (n > 12) {
              // Past the heap's growth: utilization varies little and the
              // pacer mostly meets the goal.
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);
              assertInRange("GC utilization", c[n - 1].gcUtilization, 0.25, 0.3);
            }
          },
      },
      // mgcpacer_test.go:239 at go1.22.12
      {
          // As OscAlloc, with a jittery allocation rate.
          "JitterAlloc", 100, MaxInt64, 32 << 10, 8,
          random(13, 0xf).offset(132),
          constant(1024.0),
          constant(2.0).sum(ramp(-1.0, 12), random(0.01, 0xe)),
          constant(1.0),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (n > 12) {
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.025);
              assertInRange("GC utilization", c[n - 1].gcUtilization, 0.25, 0.275);
            }
          },
      },
      // mgcpacer_test.go:263 at go1.22.12
      {
          // As JitterAlloc, at a much higher allocation rate, with the same
          // relative jitter.
          "HeavyJitterAlloc", 100, MaxInt64, 32 << 10, 8,
          random(33.0, 0x0).offset(330),
          constant(1024.0),
          constant(2.0).sum(ramp(-1.0, 12), random(0.01, 0x152)),
          constant(1.0),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (n > 13) {
              // From the 13th on, the 12th is the reference. Utilization
              // varies more here and runs higher: only not wildly.
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.05);
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[11].gcUtilization, 0.05);
            }
          },
      },
      // mgcpacer_test.go:292 at go1.22.12
      {
          // A slow allocation rate and a heap near the minimum: trigger and
          // goal as close as they get.
          "SmallHeapSlowAlloc", 100, MaxInt64, 32 << 10, 8,
          constant(1.0),
          constant(2048.0),
          constant(2.0).sum(ramp(-1.0, 3)),
          constant(0.01),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (n > 4) {
              // Past the growth: finishing near the goal (with room for an
              // early trigger), and some distance between trigger and
              // goal, in proportion to the runway.
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.925, 1.025);
              assertInRange("trigger ratio", c[n - 1].triggerRatio(), 0.925, 0.975);
            }
            if (n > 25) {
              // Utilization near the goal, and level.
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, GCGoalUtilization, 0.005);
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.05);
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[11].gcUtilization, 0.05);
            }
          },
      },
      // mgcpacer_test.go:329 at go1.22.12
      {
          // As SmallHeapSlowAlloc, with a heap about ten times the minimum.
          "MediumHeapSlowAlloc", 100, MaxInt64, 32 << 10, 8,
          constant(1.0),
          constant(2048.0),
          constant(2.0).sum(ramp(-1.0, 8)),
          constant(0.01),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (n > 9) {
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.925, 1.025);
              assertInRange("trigger ratio", c[n - 1].triggerRatio(), 0.925, 0.975);
            }
            if (n > 25) {
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, GCGoalUtilization, 0.005);
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.05);
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[11].gcUtilization, 0.05);
            }
          },
      },
      // mgcpacer_test.go:366 at go1.22.12
      {
          // A slow allocation rate and a large heap: the runway should be
          // about the default minimum heap.
          "LargeHeapSlowAlloc", 100, MaxInt64, 32 << 10, 8,
          constant(1.0),
          constant(2048.0),
          constant(4.0).sum(ramp(-3.0, 12)),
          constant(0.01),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (n > 13) {
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);
              // (Go: DefaultHeapMinimum-64<<10, where << binds first.)
              assertInRange("runway", c[n - 1].runway(), double(DefaultHeapMinimum - (64 << 10)),
                            double(DefaultHeapMinimum + (64 << 10)));
            }
            if (n > 25) {
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, GCGoalUtilization, 0.005);
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.05);
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[11].gcUtilization, 0.05);
            }
          },
      },
      // mgcpacer_test.go:401 at go1.22.12
      {
          // Steady under a memory limit with plenty of room: it should act
          // as Steady (no non-heap overheads are simulated, so the memory
          // limit is the heap limit).
          "SteadyMemoryLimit", 100, 512 << 20, 32 << 10, 8,
          constant(33.0),
          constant(1024.0),
          constant(2.0).sum(ramp(-1.0, 12)),
          constant(1.0),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (uint64_t peak = c[n - 1].heapPeak; peak >= applyMemoryLimitHeapGoalHeadroom(512 << 20)) {
              FAIL_CHECK("peak heap size reaches heap limit: " << peak);
            }
            if (n >= 25) {
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, GCGoalUtilization, 0.005);

              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.005);
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);
            }
          },
      },
      // mgcpacer_test.go:433 at go1.22.12
      {
          // As SteadyMemoryLimit with GOGC=off: the heap should grow all
          // the way to the limit's goal.
          "SteadyMemoryLimitNoGCPercent", -1, 512 << 20, 32 << 10, 8,
          constant(33.0),
          constant(1024.0),
          constant(2.0).sum(ramp(-1.0, 12)),
          constant(1.0),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            {
              uint64_t goal = c[n - 1].heapGoal;
              INFO("heap goal is not the heap limit: " << goal);
              CHECK(goal == applyMemoryLimitHeapGoalHeadroom(512 << 20));
            }
            if (n >= 25) {
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, GCGoalUtilization, 0.005);

              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.005);
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);
            }
          },
      },
      // mgcpacer_test.go:462 at go1.22.12
      {
          // A live heap beyond the memory limit: the pacer holds up, and
          // utilization rises to push back.
          "ExceedMemoryLimit", 100, 512 << 20, 32 << 10, 8,
          constant(33.0),
          constant(1024.0),
          constant(3.5).sum(ramp(-2.5, 12)),
          constant(1.0),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (n > 12) {
              // Far over the limit: the goal as low as it can be.
              uint64_t goal = c[n - 1].heapGoal, live = c[n - 1].heapLive;
              INFO("heap goal is not equal to live heap: " << goal << " != " << live);
              CHECK(goal == live);
            }
            if (n >= 25) {
              // Under that pressure, 100% GC CPU (the CPU limiter would
              // step in in practice; pacing is not its job).
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, 1.0, 0.005);

              // Settled: not wavering.
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.005);
            }
          },
      },
      // mgcpacer_test.go:497 at go1.22.12
      {
          // As ExceedMemoryLimit, with GOGC=off.
          "ExceedMemoryLimitNoGCPercent", -1, 512 << 20, 32 << 10, 8,
          constant(33.0),
          constant(1024.0),
          constant(3.5).sum(ramp(-2.5, 12)),
          constant(1.0),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (n < 10) {
              uint64_t goal = c[n - 1].heapGoal;
              INFO("heap goal is not the heap limit: " << goal);
              CHECK(goal == applyMemoryLimitHeapGoalHeadroom(512 << 20));
            }
            if (n > 12) {
              uint64_t goal = c[n - 1].heapGoal, live = c[n - 1].heapLive;
              INFO("heap goal is not equal to live heap: " << goal << " != " << live);
              CHECK(goal == live);
            }
            if (n >= 25) {
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, 1.0, 0.005);

              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.005);
            }
          },
      },
      // mgcpacer_test.go:536 at go1.22.12
      {
          // The pacer keeps to the memory limit as the heap grows.
          "MaintainMemoryLimit", 100, 512 << 20, 32 << 10, 8,
          constant(33.0),
          constant(1024.0),
          constant(3.0).sum(ramp(-2.0, 12)),
          constant(1.0),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            if (n > 12) {
              // Saturating the limit.
              uint64_t goal = c[n - 1].heapGoal;
              INFO("heap goal is not the heap limit: " << goal);
              CHECK(goal == applyMemoryLimitHeapGoalHeadroom(512 << 20));
            }
            if (n >= 25) {
              // Near the goal utilization even under memory pressure.
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, GCGoalUtilization, 0.005);

              // Settled, and meeting the goal.
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.005);
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);
            }
          },
      },
      // mgcpacer_test.go:569 at go1.22.12
      {
          // As MaintainMemoryLimit, with GOGC=off.
          "MaintainMemoryLimitNoGCPercent", -1, 512 << 20, 32 << 10, 8,
          constant(33.0),
          constant(1024.0),
          constant(3.0).sum(ramp(-2.0, 12)),
          constant(1.0),
          constant(8192),
          50,
          [](const std::vector<gcCycleResult>& c) {
            size_t n = c.size();
            {
              uint64_t goal = c[n - 1].heapGoal;
              INFO("heap goal is not the heap limit: " << goal);
              CHECK(goal == applyMemoryLimitHeapGoalHeadroom(512 << 20));
            }
            if (n >= 25) {
              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, GCGoalUtilization, 0.005);

              assertInEpsilon("GC utilization", c[n - 1].gcUtilization, c[n - 2].gcUtilization, 0.005);
              assertInRange("goal ratio", c[n - 1].goalRatio(), 0.95, 1.05);
            }
          },
      },
      // No case exercises the pacer's hard goal, as Go notes at
      // mgcpacer_test.go:599 (go1.22.12): in this simulation the overshoot
      // stays proportional to the runway, and only an event injected
      // between two Revise calls could reach the hard goal, which the
      // framework cannot inject. Go's table ends here too.
  };
}

// mgcpacer_test.go:16 at go1.22.12
TEST_CASE("TestGcPacer", "[mgcpacer_test.go]") {
  constexpr int64_t initialHeapBytes = 256 << 10;
  for (gcExecTest& e : gcPacerTests()) {
    DYNAMIC_SECTION(e.name) {
      // mgcpacer_test.go:607 at go1.22.12
      std::unique_ptr<GCController> c = NewGCController(e.gcPercent, e.memoryLimit);
      int64_t bytesAllocatedBlackLast = 0;
      std::vector<gcCycleResult> results;
      results.reserve(size_t(e.length));
      for (int i = 0; i < e.length; i++) {
        gcCycle cycle = e.next();
        c->StartCycle(cycle.stackBytes, e.globalsBytes, cycle.scannableFrac, e.nCores);

        // Revise the pacer every revisePeriod of scan work.
        constexpr int64_t revisePeriod = 500 * Microsecond;
        // 1024 * float64(revisePeriod) / float64(time.Millisecond), a Go
        // constant expression: exactly 512.
        constexpr double rateConv = 1024 * double(revisePeriod) / double(Millisecond);
        static_assert(rateConv == 512);
        int64_t nextHeapMarked;
        if (i == 0) {
          nextHeapMarked = initialHeapBytes;
        } else {
          nextHeapMarked = int64_t(double(int64_t(c->HeapMarked()) - bytesAllocatedBlackLast) * cycle.growthRate);
        }
        int64_t globalsScanWorkLeft = int64_t(e.globalsBytes);
        int64_t stackScanWorkLeft = int64_t(cycle.stackBytes);
        int64_t heapScanWorkLeft = int64_t(double(nextHeapMarked) * cycle.scannableFrac);
        auto doWork = [&](int64_t work) -> std::tuple<int64_t, int64_t, int64_t> {
          int64_t deltas[3] = {0, 0, 0};

          // Globals first, then stacks, then heap.
          int64_t* left[3] = {&globalsScanWorkLeft, &stackScanWorkLeft, &heapScanWorkLeft};
          for (int i = 0; i < 3; i++) {
            int64_t* workLeft = left[i];
            if (*workLeft == 0) continue;
            if (*workLeft > work) {
              deltas[i] += work;
              *workLeft -= work;
              work = 0;
              break;
            } else {
              deltas[i] += *workLeft;
              work -= *workLeft;
              *workLeft = 0;
            }
          }
          return {deltas[0], deltas[1], deltas[2]};
        };
        int64_t gcDuration = 0;
        int64_t assistTime = 0;
        int64_t bytesAllocatedBlack = 0;
        while (heapScanWorkLeft + stackScanWorkLeft + globalsScanWorkLeft > 0) {
          // An idealised model of assist pacing. Over a revisePeriod at GC
          // utilization u, scanRate*rateConv*nCores*u bytes are scanned and
          // allocRate*rateConv*nCores*(1-u) allocated, and assists hold
          // their ratio to the assist ratio. Solving for u:
          //   u = (assistRatio*allocRate) / (assistRatio*allocRate + scanRate)
          // A u below the background share means assists did not run: the
          // dedicated workers give the background share regardless.
          double assistRatio = c->AssistWorkPerByte();
          double utilization = assistRatio * cycle.allocRate / (assistRatio * cycle.allocRate + cycle.scanRate);
          if (utilization < GCBackgroundUtilization) {
            utilization = GCBackgroundUtilization;
          }

          // The bytes scanned and allocated at that utilization.
          int64_t bytesScanned = int64_t(cycle.scanRate * rateConv * double(e.nCores) * utilization);
          int64_t bytesAllocated = int64_t(cycle.allocRate * rateConv * double(e.nCores) * (1 - utilization));

          // Take the scan work from the model.
          auto [globalsScanned, stackScanned, heapScanned] = doWork(bytesScanned);

          // If doWork used less than bytesScanned, the cycle ended inside
          // this period: find when, and scale the allocation to match.
          int64_t actualElapsed = revisePeriod;
          int64_t actualAllocated = bytesAllocated;
          if (int64_t actualScanned = globalsScanned + stackScanned + heapScanned; actualScanned < bytesScanned) {
            // The scan rate holds over the period, so the time taken is
            // the period's share that actualScanned is of bytesScanned.
            actualElapsed = int64_t(double(actualScanned) * double(revisePeriod) /
                                    (cycle.scanRate * rateConv * double(e.nCores) * utilization));
            actualAllocated = int64_t(cycle.allocRate * rateConv * double(actualElapsed) / double(revisePeriod) *
                                      double(e.nCores) * (1 - utilization));
          }

          // Have the pacer revise.
          c->Revise(GCControllerReviseDelta{
              actualAllocated,
              int64_t(double(actualAllocated) * cycle.scannableFrac),
              heapScanned,
              stackScanned,
              globalsScanned,
          });

          // Totals.
          assistTime += int64_t(double(actualElapsed) * double(e.nCores) * (utilization - GCBackgroundUtilization));
          gcDuration += actualElapsed;
          bytesAllocatedBlack += actualAllocated;
        }

        // The cycle's result.
        gcCycleResult result{
            i + 1,
            c->HeapMarked(),
            c->Triggered(),
            c->HeapGoal(),
            c->HeapLive(),
            int64_t(double(int64_t(c->HeapMarked()) - bytesAllocatedBlackLast) * cycle.scannableFrac),
            double(assistTime) / (double(gcDuration) * double(e.nCores)) + GCBackgroundUtilization,
        };
        INFO("GC " << result.String());
        results.push_back(result);

        // The test's checks, after every cycle.
        e.check(results);

        c->EndCycle(uint64_t(nextHeapMarked + bytesAllocatedBlack), assistTime, gcDuration, e.nCores);

        bytesAllocatedBlackLast = bytesAllocatedBlack;
      }
    }
  }
}

// mgcpacer_test.go:1035 at go1.22.12
TEST_CASE("TestIdleMarkWorkerCount", "[mgcpacer_test.go]") {
  constexpr int workers = 10;
  std::unique_ptr<GCController> c = NewGCController(100, MaxInt64);
  c->SetMaxIdleMarkWorkers(workers);
  for (int i = 0; i < workers; i++) {
    if (!c->NeedIdleMarkWorker()) FAIL("expected to need idle mark workers: i=" << i);
    if (!c->AddIdleMarkWorker()) FAIL("expected to be able to add an idle mark worker: i=" << i);
  }
  if (c->NeedIdleMarkWorker()) FAIL("expected to not need idle mark workers");
  if (c->AddIdleMarkWorker()) FAIL("expected to not be able to add an idle mark worker");
  for (int i = 0; i < workers; i++) {
    c->RemoveIdleMarkWorker();
    if (!c->NeedIdleMarkWorker()) FAIL("expected to need idle mark workers after removal: i=" << i);
  }
  for (int i = 0; i < workers - 1; i++) {
    if (!c->AddIdleMarkWorker()) FAIL("expected to be able to add idle mark workers after adding again: i=" << i);
  }
  for (int i = 0; i < 10; i++) {
    if (!c->AddIdleMarkWorker()) FAIL("expected to be able to add idle mark workers interleaved: i=" << i);
    if (c->AddIdleMarkWorker()) FAIL("expected to not be able to add idle mark workers interleaved: i=" << i);
    c->RemoveIdleMarkWorker();
  }
  // The maximum may be below the count.
  c->SetMaxIdleMarkWorkers(0);
  if (c->NeedIdleMarkWorker()) FAIL("expected to not need idle mark workers after capacity set to 0");
  if (c->AddIdleMarkWorker()) FAIL("expected to not be able to add idle mark workers after capacity set to 0");
  for (int i = 0; i < workers - 1; i++) {
    c->RemoveIdleMarkWorker();
  }
  if (c->NeedIdleMarkWorker()) FAIL("expected to not need idle mark workers after capacity set to 0");
  if (c->AddIdleMarkWorker()) FAIL("expected to not be able to add idle mark workers after capacity set to 0");
  c->SetMaxIdleMarkWorkers(1);
  if (!c->NeedIdleMarkWorker()) FAIL("expected to need idle mark workers after capacity set to 1");
  if (!c->AddIdleMarkWorker()) FAIL("expected to be able to add idle mark workers after capacity set to 1");
}

// gort only: the random streams above must draw Go's numbers, or the
// random cases of TestGcPacer (HighGOGC, JitterAlloc, HeavyJitterAlloc)
// would simulate other inputs than Go's. Values printed by go1.22.12's
// math/rand for rand.New(rand.NewSource(seed)).
TEST_CASE("gort: go_math_rand draws Go's math/rand numbers", "[gort]") {
  struct {
    int64_t seed;
    uint64_t int63[3];
    double float64[2];
  } const tests[] = {
      {0x53, {0x1ef1d382201122cd, 0x28d710b963f99537, 0x5c27df9332d5fe35}, {0.54169208992604523, 0.1668251438669123}},
      {0x0, {0x78fc2ffac2fd9401, 0x1f5b0412ffd341c0, 0x53f65ff94f6ec873}, {0.054343839599700391, 0.36758720663245853}},
      {0x152, {0x3abe972afdeb3376, 0x7718860ed5517d8e, 0x4dc85fced4e54b53}, {0.31562855111084226, 0.44869663492271888}},
  };
  for (const auto& test : tests) {
    INFO("seed " << test.seed);
    gort_test::gomathrand::Rand r(test.seed);
    for (uint64_t want : test.int63) CHECK(uint64_t(r.Int63()) == want);
    for (double want : test.float64) CHECK(r.Float64() == want);
  }
}

}  // namespace
