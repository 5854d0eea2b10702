// testprog/misc.cpp: go1.22.12 runtime/testdata/testprog/misc.go.
#include <string>

#include "runtime.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

// misc.go:13 at go1.22.12: at the start of main only the main goroutine
// counts; the runtime's own goroutines do not.
void NumGoroutine() { println(std::to_string(runtime::NumGoroutine())); }

// misc.go:9 at go1.22.12
[[maybe_unused]] bool registered = register_("NumGoroutine", NumGoroutine);

}  // namespace
}  // namespace testprog
