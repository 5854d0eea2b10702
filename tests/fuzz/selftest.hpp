// selftest.hpp: the model's own test (selftest.cpp).
#pragma once

namespace fuzz {

/// selftest runs random programs on gort (from a goroutine) and hand-written
/// runs through the model, checking that it accepts the legal ones and
/// rejects every broken one. Returns the process exit status (0: passed).
int selftest();

}  // namespace fuzz
