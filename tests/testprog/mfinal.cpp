// testprog/mfinal.cpp: the port's own sub-programs for SetFinalizer's
// misuse, each a fatal error in Go with a message of mfinal.go's, which
// tests/mfinal_test.cpp checks (Go's tests do not run these cases).
#include <cstdint>

#include "go.hpp"
#include "runtime.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

struct finObj {
  int64_t a;
  gort::ptr<int64_t> p;
};

// A second finalizer on the same object.
void SetFinalizerTwice() {
  auto x = gort::new_<finObj>();
  runtime::SetFinalizer(x, [](finObj*) {});
  runtime::SetFinalizer(x, [](finObj*) {});
  println("not reached");
}

// An object on the goroutine's stack: not a heap block, not a global.
void SetFinalizerStack() {
  finObj local{};
  runtime::SetFinalizer(&local, [](finObj*) {});
  runtime::KeepAlive(local);
  println("not reached");
}

// A pointer into the middle of a pointerful heap object.
void SetFinalizerInterior() {
  auto x = gort::new_<finObj>();
  runtime::SetFinalizer(reinterpret_cast<gort::ptr<int64_t>*>(&x->p), [](gort::ptr<int64_t>*) {});
  println("not reached");
}

// Go's untyped nil as the object.
void SetFinalizerNil() {
  runtime::SetFinalizer(nullptr, [](finObj*) {});
  println("not reached");
}

[[maybe_unused]] bool r1 = register_("SetFinalizerTwice", SetFinalizerTwice);
[[maybe_unused]] bool r2 = register_("SetFinalizerStack", SetFinalizerStack);
[[maybe_unused]] bool r3 = register_("SetFinalizerInterior", SetFinalizerInterior);
[[maybe_unused]] bool r4 = register_("SetFinalizerNil", SetFinalizerNil);

}  // namespace
}  // namespace testprog
