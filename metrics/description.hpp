// metrics/description.hpp: what each supported metric is, mirroring
// src/runtime/metrics/description.go at go1.22.12. #include
// <gort/metrics/description.hpp>; namespace gort::metrics.
//
// Departure: All lists the metrics the port supports, a subset of Go's
// (metrics.cpp's opening comment names the ones left out and why); the
// descriptions of those it lists are Go's, word for word. Go's package
// documentation of each metric, generated from them, is doc.go
// (src/runtime/metrics/doc.go at go1.22.12); the port has no copy of it.
#pragma once
#include <span>
#include <string_view>

#include "../pragmas.hpp"
#include "value.hpp"

namespace gort::metrics {

/// Description: a supported metric. Name is a path and a unit joined by a
/// colon ("/memory/classes/heap/free:bytes"); a histogram's unit is that of
/// its buckets. Cumulative: the value only grows (a histogram: each
/// count), so a rate of it means something.
/// \gosrc{metrics/description.go,Description}
struct Description {
  std::string_view Name;
  std::string_view Description;
  ValueKind Kind;
  bool Cumulative;
};

/// All: the descriptions of every supported metric, sorted by name.
/// \gosrc{metrics/description.go,All}
std::span<const Description> All();

/// runtime_readMetricNames: the runtime's list of the metrics it supports
/// (readMetricNames, metrics.cpp), for the test that All matches it.
/// Departure: Go declares it in description_test.go and gets a new
/// []string; here it fills list with up to cap names and returns how many
/// there are. \gosrc{metrics/description_test.go,runtime_readMetricNames}
int runtime_readMetricNames(std::string_view* list, int cap) GOSYMBOL("runtime..z2fmetrics.runtime_readMetricNames");

}  // namespace gort::metrics
