// tests/metrics_samples.hpp: metrics_test.go's prepareAllMetricsSamples
// (go1.22.12), for tests/metrics_test.cpp and bench/metrics_bench.cpp, as
// Go's package runtime_test shares it between its tests and benchmarks.
#pragma once
#include <cstddef>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "go.hpp"
#include "metrics/metrics.hpp"

namespace metrics_test {

// A []metrics.Sample: its histograms are GC references, so the array is in
// the collected heap, as Go's is.
using samples_t = std::vector<gort::metrics::Sample, gort::gc_allocator<gort::metrics::Sample>>;

// metrics_test.go:30 at go1.22.12: a Sample for each metric All lists, and
// the descriptions by name.
inline std::pair<std::map<std::string_view, gort::metrics::Description>, samples_t> prepareAllMetricsSamples() {
  auto all = gort::metrics::All();
  samples_t samples(all.size());
  std::map<std::string_view, gort::metrics::Description> descs;
  for (size_t i = 0; i < all.size(); i++) {
    samples[i].Name = all[i].Name;
    descs[all[i].Name] = all[i];
  }
  return {descs, std::move(samples)};
}

}  // namespace metrics_test
