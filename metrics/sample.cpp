// metrics/sample.cpp: Read, mirroring src/runtime/metrics/sample.go at
// go1.22.12. See sample.hpp.
#include "sample.hpp"

namespace gort::metrics {

/// \gosrc{metrics/sample.go,Read}
void Read(std::span<Sample> m) {
  // Go passes &m[0]: an empty slice panics there, with Go's message.
  if (m.empty()) runtime::goPanicIndex(0, 0);
  runtime_readMetrics(m.data(), int(m.size()), int(m.size()));
}

}  // namespace gort::metrics
