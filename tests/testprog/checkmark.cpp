// testprog/checkmark.cpp: port only, no Go counterpart. The sub-program
// that shows the collector's check mode (GODEBUG=gccheckmark=1,
// mcheckmark.cpp) reporting a lost mark. A lost mark cannot be provoked
// reliably from outside (it needs a store without its barrier at the
// right moment of a concurrent mark), so the program asks
// the check itself about an object no cycle has marked, as the check's
// walk would on meeting an object the mark missed: the report and the
// fatal error must be Go's.
#include <cstdint>

#include "debug/garbage.hpp"
#include "go.hpp"
#include "lockrank_off.hpp"
#include "mgc.hpp"
#include "mheap.hpp"
#include "proc.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

/// CheckmarkUnmarked: with the world stopped and the checkmarks ready,
/// present a live object whose mark bit is clear (collections are off).
void CheckmarkUnmarked() {
  // No cycle may be marking when obj is allocated (it would be allocated
  // black) or after: collections off, which also waits for a mark in
  // progress (the tests run this program with GOGC=1 too).
  gort::debug::SetGCPercent(-1);
  gort::ptr<int64_t> obj = gort::new_<int64_t>(42);
  auto addr = uintptr_t(obj.get());
  runtime::stopTheWorld(runtime::stwUnknown);
  runtime::startCheckmarks();
  runtime::mspan* s = runtime::spanOf(addr);
  runtime::setCheckmark(addr, 0, 0, s->markBitsForIndex(s->objIndex(addr)));
  println("checkmark did not report the unmarked object");
}

[[maybe_unused]] bool registered = register_("CheckmarkUnmarked", CheckmarkUnmarked);

}  // namespace
}  // namespace testprog
