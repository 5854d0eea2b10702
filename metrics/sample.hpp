// metrics/sample.hpp: reading metrics, mirroring
// src/runtime/metrics/sample.go at go1.22.12. #include
// <gort/metrics/sample.hpp>; namespace gort::metrics.
//
//   samples := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
//   metrics.Read(samples)
//   goal := samples[0].Value.Uint64()
//
// becomes
//
//   std::array<gort::metrics::Sample, 1> samples{{{"/gc/heap/goal:bytes"}}};
//   gort::metrics::Read(samples);
//   uint64_t goal = samples[0].Value.Uint64();
//
// Departure: Read takes a std::span, so the samples may be any contiguous
// array. A histogram value is a GC reference, and the collector sees it only
// where it looks: in a goroutine's stack, a global, or the collected heap
// (std::vector<Sample, gort::gc_allocator<Sample>>), not in a plain
// std::vector's buffer in the C++ heap. Sample's Name is a std::string_view
// (the port has no Go string); the runtime only compares it.
#pragma once
#include <span>
#include <string_view>

#include "../pragmas.hpp"
#include "value.hpp"

namespace gort::metrics {

/// Sample: a metric's name, and the place Read puts its value.
/// \gosrc{metrics/sample.go,Sample}
struct Sample {
  std::string_view Name;          // one of the names All describes
  metrics::Value Value;           // Read's result
};

static_assert(sizeof(Sample) == 40, "Sample: layout of runtime::metricSample");

/// Read fills in each sample's Value with the named metric's current
/// value; a name All does not list gets a Value of KindBad. A sample that
/// held a histogram from an earlier Read has it overwritten in place. Safe
/// to call from several goroutines, but a slice of samples must not be read
/// into by two at once. \gosrc{metrics/sample.go,Read}
void Read(std::span<Sample> m);

/// runtime_readMetrics: the runtime's readMetrics (metrics.cpp).
/// \gosrc{metrics/sample.go,runtime_readMetrics}
void runtime_readMetrics(void* samplesp, int len, int cap) GOSYMBOL("runtime..z2fmetrics.runtime_readMetrics");

}  // namespace gort::metrics
