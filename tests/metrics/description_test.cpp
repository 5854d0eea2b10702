// metrics/description_test.cpp: the test of go1.22.12
// runtime/metrics/description_test.go that the port runs: that All lists
// exactly the metrics the runtime reports, sorted, with the kinds they read
// as. TestDocs (All against doc.go, kept in step by go generate) has no
// counterpart: the port has no doc.go.
#include <algorithm>
#include <catch2/catch_test_macros.hpp>
#include <regex>
#include <string>
#include <vector>

#include "go.hpp"
#include "metrics/metrics.hpp"

using gort::metrics::Sample;

// description_test.go:32 at go1.22.12
TEST_CASE("TestNames", "[description_test.go]") {
  // The name's form that package metrics' documentation promises.
  std::regex r("^(/[^:]+):([^:*/]+(?:[*/][^:*/]+)*)$");
  auto all = gort::metrics::All();
  for (size_t i = 0; i < all.size(); i++) {
    INFO("name " << all[i].Name);
    CHECK(std::regex_match(std::string(all[i].Name), r));
    if (i > 0) {
      INFO("allDesc not sorted: " << all[i - 1].Name << " >= " << all[i].Name);
      REQUIRE(all[i - 1].Name < all[i].Name);
    }
  }

  int n = gort::metrics::runtime_readMetricNames(nullptr, 0);
  std::vector<std::string_view> names(n);
  REQUIRE(gort::metrics::runtime_readMetricNames(names.data(), n) == n);
  std::sort(names.begin(), names.end());
  // Histogram values are GC references: the samples are in the collected heap.
  std::vector<Sample, gort::gc_allocator<Sample>> samples(names.size());
  for (size_t i = 0; i < names.size(); i++) samples[i].Name = names[i];
  gort::metrics::Read(samples);

  size_t s = 0;
  for (const auto& d : all) {
    for (; s < samples.size() && samples[s].Name < d.Name; s++) {
      FAIL_CHECK(samples[s].Name << ": reported by runtime but not listed in All");
    }
    if (s == samples.size() || d.Name < samples[s].Name) {
      FAIL_CHECK(d.Name << ": listed in All but not reported by runtime");
      continue;
    }
    INFO(d.Name << ": runtime reports " << samples[s].Value.Kind() << " but All reports " << d.Kind);
    CHECK(samples[s].Value.Kind() == d.Kind);
    s++;
  }
}
