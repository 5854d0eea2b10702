// time/retry.hpp: how the timing tests of package time report the failed
// attempts they retried (Go's logErrs closures in TestAfterStop and
// TestTicker): a test that passed in the end notes them; one that never
// passed fails with all of them.
#pragma once
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <vector>

namespace gort_test {

/// passedAfterRetries: the test passed; log the attempts that did not.
inline void passedAfterRetries(const std::vector<std::string>& errs) {
  if (errs.empty()) return;
  WARN("saw " << errs.size() << " errors, ignoring to avoid flakiness");
  for (auto& e : errs) WARN(e);
}

/// failAfterRetries: no attempt passed.
inline void failAfterRetries(const std::vector<std::string>& errs) {
  for (auto& e : errs) UNSCOPED_INFO(e);
  FAIL("saw " << errs.size() << " errors");
}

}  // namespace gort_test
