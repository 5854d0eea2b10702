// metrics/metrics.hpp: package runtime/metrics (src/runtime/metrics at
// go1.22.12): the runtime's statistics by name. #include
// <gort/metrics/metrics.hpp>; namespace gort::metrics.
//
//   All()      the supported metrics: name, description, kind, cumulative
//   Read(s)    fill in each Sample's Value
//
// The runtime's half, which computes the values, is metrics.cpp.
#pragma once
#include "description.hpp"
#include "sample.hpp"
#include "value.hpp"
