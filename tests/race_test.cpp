// race_test.cpp: the ThreadSanitizer build's own tests (GORT_SANITIZE=thread;
// race.hpp explains the model). Go's race detector has runtime/race's tests
// for what it must and must not report; these are the port's counterparts
// for the runtime's part: the happens-before edges that channels, package
// sync and the go statement carry. Each runs a testprog program
// (testprog/race.cpp) as a child and reads what the detector printed.
//
// In any other build there is no detector to ask, so the tests skip, as Go's
// race tests do without -race.
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "export_test.hpp"
#include "race.hpp"

namespace gort_test {
namespace {
bool contains(const std::string& s, const std::string& sub) { return s.find(sub) != std::string::npos; }
}  // namespace

TEST_CASE("gort: race detector: memory a channel orders is not reported", "[race]") {
  if (!runtime::raceenabled) SKIP("not a ThreadSanitizer build (GORT_SANITIZE=thread)");
  for (const char* procs : {"GOMAXPROCS=1", "GOMAXPROCS=2", "GOMAXPROCS=4"}) {
    // runTestProg fails the test on any sanitizer report in the output.
    auto res = runTestProg("RaceChanOrdered", {procs});
    INFO(procs << " (" << describe(res) << "), output:\n" << res.output);
    CHECK(res.output == "ordered by channels: no race\n");
    CHECK(res.exitStatus == 0);
  }
}

TEST_CASE("gort: race detector: memory package sync orders is not reported", "[race]") {
  if (!runtime::raceenabled) SKIP("not a ThreadSanitizer build (GORT_SANITIZE=thread)");
  for (const char* procs : {"GOMAXPROCS=1", "GOMAXPROCS=2", "GOMAXPROCS=4"}) {
    auto res = runTestProg("RaceSyncOrdered", {procs});
    INFO(procs << " (" << describe(res) << "), output:\n" << res.output);
    CHECK(res.output == "ordered by package sync: no race\n");
    CHECK(res.exitStatus == 0);
  }
}

TEST_CASE("gort: race detector: unordered writes by two goroutines are reported", "[race]") {
  if (!runtime::raceenabled) SKIP("not a ThreadSanitizer build (GORT_SANITIZE=thread)");
  auto res = runTestProgReporting("RaceUnordered", {"GOMAXPROCS=2"});
  INFO("(" << describe(res) << "), output:\n" << res.output);
  CHECK(contains(res.output, "WARNING: ThreadSanitizer: data race"));
  CHECK(contains(res.output, "testprog::(anonymous namespace)::shared"));
  CHECK(contains(res.output, "unordered writes done\n"));
  CHECK(res.exitStatus == 66);  // ThreadSanitizer's exit code after a report
}

}  // namespace gort_test
