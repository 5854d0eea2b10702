// mgclimit_test.cpp: the GC CPU limiter test of go1.22.12
// runtime/mgclimit_test.go, translated line by line. It drives a test copy
// of the limiter (export_mgcpacer_test.hpp: GCCPULimiter) with a mock
// clock, so every fill and overflow it checks is exact.
//
// Translation rules: t.Fatal(f) is REQUIRE; t.Errorf is CHECK, with the
// failure also remembered so that Go's `if t.Failed() { t.FailNow() }`
// becomes REQUIRE_FALSE(failed). time.Duration arithmetic is int64 ns, and
// Go's untyped constant expressions are evaluated exactly (they are whole
// numbers here).
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <memory>

#include "export_mgcpacer_test.hpp"
#include "export_test.hpp"

namespace {

using runtime::CapacityPerProc;
using runtime::GCBackgroundUtilization;
using runtime::GCCPULimiter;
using runtime::GCCPULimiterUpdatePeriod;
using runtime::NewGCCPULimiter;

using gort_test::Hour;
using gort_test::Microsecond;
using gort_test::Millisecond;
using gort_test::Second;

// t.Errorf: a CHECK that also marks the test failed for a later FailNow.
#define ERRORF(cond, msg)   \
  do {                      \
    bool ok_ = (cond);      \
    if (!ok_) failed = true; \
    INFO(msg);              \
    CHECK(ok_);             \
  } while (0)

// mgclimit_test.go:13 at go1.22.12
TEST_CASE("TestGCCPULimiter", "[mgclimit_test.go]") {
  constexpr int64_t procs = 14;

  // A mock clock.
  int64_t ticks = 0;
  auto advance = [&](int64_t d) {
    ticks += d;
    return ticks;
  };

  // Assist CPU time: frac of GOMAXPROCS over wall-clock time d.
  auto assistTime = [](int64_t d, double frac) { return int64_t(frac * double(d) * procs); };

  std::unique_ptr<GCCPULimiter> l = NewGCCPULimiter(ticks, procs);

  // Twice over, to show that no state leaks from one round to the next.
  uint64_t baseOverflow = 0;  // overflow summed over the rounds
  for (int i = 0; i < 2; i++) {
    INFO("Iteration " << i + 1);
    bool failed = false;

    {
      INFO("unexpected capacity: " << l->Capacity());
      REQUIRE(l->Capacity() == uint64_t(procs * CapacityPerProc));
    }
    {
      INFO("expected empty bucket to start");
      REQUIRE(l->Fill() == 0);
    }

    // Mutator time alone leaves the bucket empty.

    l->Update(advance(10 * Millisecond));
    l->Update(advance(1 * Second));
    l->Update(advance(1 * Hour));
    {
      INFO("expected empty bucket from only accumulating mutator time, got fill of " << l->Fill() << " cpu-ns");
      REQUIRE(l->Fill() == 0);
    }

    // needUpdate.

    {
      INFO("need update even though updated half a period ago");
      REQUIRE_FALSE(l->NeedUpdate(advance(GCCPULimiterUpdatePeriod / 2)));
    }
    {
      INFO("doesn't need update even though updated 1.5 periods ago");
      REQUIRE(l->NeedUpdate(advance(GCCPULimiterUpdatePeriod)));
    }
    l->Update(advance(0));
    {
      INFO("need update even though just updated");
      REQUIRE_FALSE(l->NeedUpdate(advance(0)));
    }

    // A transition that enables the GC.

    l->StartGCTransition(true, advance(109 * Millisecond));
    l->FinishGCTransition(advance(2 * Millisecond + 1 * Microsecond));

    {
      uint64_t expect = uint64_t((2 * Millisecond + 1 * Microsecond) * procs);
      INFO("expected fill of " << expect << ", got " << l->Fill() << " cpu-ns");
      REQUIRE(l->Fill() == expect);
    }

    // Time passing during a GC without assists, just enough to drain the
    // bucket to exactly procs CPU-ns (easier to hit exactly than 0). Each
    // ns of window adds procs*gcBackgroundUtilization of GC time and takes
    // procs*(1-gcBackgroundUtilization) of mutator time, so draining from
    // fill to n takes (fill-n) / (procs*(1-2*gcBackgroundUtilization)).
    constexpr double factor = (1 / (1 - 2 * GCBackgroundUtilization));
    constexpr int64_t fill = (2 * Millisecond + 1 * Microsecond) * procs;
    l->Update(advance(int64_t(factor * double(fill - procs) / procs)));
    {
      INFO("expected fill " << procs << " cpu-ns from draining after a GC started, got fill of " << l->Fill()
                            << " cpu-ns");
      REQUIRE(l->Fill() == uint64_t(procs));
    }

    // Empty the bucket: the checks below start from a fill of 0.
    l->Update(advance(2 * procs * CapacityPerProc));
    {
      INFO("expected empty bucket from draining, got fill of " << l->Fill() << " cpu-ns");
      REQUIRE(l->Fill() == 0);
    }

    // 50% GC work in all: the bucket does not move.
    l->AddAssistTime(assistTime(10 * Millisecond, 0.5 - GCBackgroundUtilization));
    l->Update(advance(10 * Millisecond));
    {
      INFO("expected empty bucket from 50% GC work, got fill of " << l->Fill() << " cpu-ns");
      REQUIRE(l->Fill() == 0);
    }

    // 100% GC work: the bucket fills by the whole window.
    l->AddAssistTime(assistTime(Millisecond, 1.0 - GCBackgroundUtilization));
    l->Update(advance(Millisecond));
    {
      uint64_t expect = uint64_t(procs * Millisecond);
      ERRORF(l->Fill() == expect, "expected " << expect << " fill from 100% GC CPU, got fill of " << l->Fill()
                                              << " cpu-ns");
    }
    ERRORF(!l->Limiting(), "limiter is enabled after filling bucket but shouldn't be");
    REQUIRE_FALSE(failed);

    // Fill the bucket exactly.
    l->AddAssistTime(assistTime(CapacityPerProc - Millisecond, 1.0 - GCBackgroundUtilization));
    l->Update(advance(CapacityPerProc - Millisecond));
    ERRORF(l->Fill() == l->Capacity(),
           "expected bucket filled to capacity " << l->Capacity() << ", got " << l->Fill());
    ERRORF(l->Limiting(), "limiter is not enabled after filling bucket but should be");
    ERRORF(l->Overflow() == 0 + baseOverflow,
           "bucket filled exactly should not have overflow, found " << l->Overflow());
    REQUIRE_FALSE(failed);

    // A change of exactly zero (GC work exactly 50% of everything): still
    // limiting, and no overflow.
    l->AddAssistTime(assistTime(1 * Second, 0.5 - GCBackgroundUtilization));
    l->Update(advance(1 * Second));
    ERRORF(l->Fill() == l->Capacity(),
           "expected bucket filled to capacity " << l->Capacity() << ", got " << l->Fill());
    ERRORF(l->Limiting(), "limiter is not enabled after filling bucket but should be");
    ERRORF(l->Overflow() == 0 + baseOverflow,
           "bucket filled exactly should not have overflow, found " << l->Overflow());
    REQUIRE_FALSE(failed);

    // Drain by half.
    l->AddAssistTime(assistTime(CapacityPerProc, 0));
    l->Update(advance(CapacityPerProc));
    {
      uint64_t expect = l->Capacity() / 2;
      ERRORF(l->Fill() == expect, "failed to drain to " << expect << ", got fill " << l->Fill());
    }
    ERRORF(!l->Limiting(), "limiter is enabled after draining bucket but shouldn't be");
    REQUIRE_FALSE(failed);

    // Overfill.
    l->AddAssistTime(assistTime(CapacityPerProc, 1.0 - GCBackgroundUtilization));
    l->Update(advance(CapacityPerProc));
    ERRORF(l->Fill() == l->Capacity(), "failed to fill to capacity " << l->Capacity() << ", got fill " << l->Fill());
    ERRORF(l->Limiting(), "limiter is not enabled after overfill but should be");
    {
      uint64_t expect = uint64_t(CapacityPerProc * procs / 2);
      ERRORF(l->Overflow() == expect + baseOverflow,
             "bucket overfilled should have overflow " << expect << ", found " << l->Overflow());
    }
    REQUIRE_FALSE(failed);

    // End the cycle with assists still pooled.
    l->AddAssistTime(assistTime(1 * Millisecond, 1.0 - GCBackgroundUtilization));
    l->StartGCTransition(false, advance(1 * Millisecond));
    ERRORF(l->Fill() == l->Capacity(),
           "failed to maintain fill to capacity " << l->Capacity() << ", got fill " << l->Fill());
    ERRORF(l->Limiting(), "limiter is not enabled after overfill but should be");
    {
      uint64_t expect = uint64_t((CapacityPerProc / 2 + Millisecond) * procs);
      ERRORF(l->Overflow() == expect + baseOverflow,
             "bucket overfilled should have overflow " << expect << ", found " << l->Overflow());
    }
    REQUIRE_FALSE(failed);

    // The stop-the-world adds to the bucket.
    l->FinishGCTransition(advance(5 * Millisecond));
    ERRORF(l->Fill() == l->Capacity(),
           "failed to maintain fill to capacity " << l->Capacity() << ", got fill " << l->Fill());
    ERRORF(l->Limiting(), "limiter is not enabled after overfill but should be");
    {
      uint64_t expect = uint64_t((CapacityPerProc / 2 + 6 * Millisecond) * procs);
      ERRORF(l->Overflow() == expect + baseOverflow,
             "bucket overfilled should have overflow " << expect << ", found " << l->Overflow());
    }
    REQUIRE_FALSE(failed);

    // More procs: limiting stops.
    uint64_t expectFill = l->Capacity();
    l->ResetCapacity(advance(0), procs + 10);
    ERRORF(l->Fill() == expectFill, "failed to maintain fill at old capacity " << expectFill << ", got fill "
                                                                               << l->Fill());
    ERRORF(!l->Limiting(), "limiter is enabled after resetting capacity higher");
    {
      uint64_t expect = uint64_t((CapacityPerProc / 2 + 6 * Millisecond) * procs);
      ERRORF(l->Overflow() == expect + baseOverflow,
             "bucket overflow " << expect << " should have remained constant, found " << l->Overflow());
    }
    REQUIRE_FALSE(failed);

    // Fewer procs: limiting again, and overflow untouched (no extra GC
    // work was done; there is just less CPU).
    l->ResetCapacity(advance(0), procs - 10);
    ERRORF(l->Fill() == l->Capacity(),
           "failed lower fill to new capacity " << l->Capacity() << ", got fill " << l->Fill());
    ERRORF(l->Limiting(), "limiter is disabled after resetting capacity lower");
    {
      uint64_t expect = uint64_t((CapacityPerProc / 2 + 6 * Millisecond) * procs);
      ERRORF(l->Overflow() == expect + baseOverflow,
             "bucket overflow " << expect << " should have remained constant, found " << l->Overflow());
    }
    REQUIRE_FALSE(failed);

    // Back to a zero state; the loop's top checks it.
    l->ResetCapacity(advance(CapacityPerProc * procs), procs);

    // The overflow this round added, for the next.
    baseOverflow += uint64_t((CapacityPerProc / 2 + 6 * Millisecond) * procs);
  }
}

}  // namespace
