// export_mgcscavenge_test.cpp: export_test.go's Scavenger (go1.22.12,
// export_test.go:1696 to :1798), declared in export_mpagealloc_test.hpp: a
// background scavenger driven by the test's functions, for TestScavenger.
//
// Departure: Go's Scavenger embeds its scavengerState and installs the
// test's closures as the state's hooks. The port's hooks are plain function
// pointers (mgcscavenge.hpp), so they are trampolines that call the running
// Scavenger's std::functions through `running`; and the state is a global
// here, where the collector scans the goroutine and timer it points to.
#include <cstdint>

#include "export_mpagealloc_test.hpp"
#include "go.hpp"
#include "select.hpp"

namespace runtime {

namespace {
scavengerState testScavenger;        // the running Scavenger's state
Scavenger* running = nullptr;         // the Scavenger whose functions the hooks call
}  // namespace

// export_test.go:1708 at go1.22.12
void Scavenger::Start() {
  if (!Sleep || !Scavenge || !ShouldStop || !GoMaxProcs) gopanic("must populate all stubs");
  if (running != nullptr) gopanic("a Scavenger is already running");
  running = this;
  // A fresh state, then the hooks.
  testScavenger.~scavengerState();
  new (&testScavenger) scavengerState();
  scavenger = &testScavenger;
  scavenger->sleepStub = [](int64 n) -> int64 { return running->Sleep(n); };
  scavenger->scavenge = [](uintptr n) -> std::tuple<uintptr, int64> {
    auto [r, t] = running->Scavenge(n);
    running->released.fetch_add(r);
    return {r, t};
  };
  scavenger->shouldStop = [] { return running->ShouldStop(); };
  scavenger->gomaxprocs = [] { return running->GoMaxProcs(); };

  // Start the scavenger goroutine and wait for it to be ready.
  stop = gort::make_chan<gort::struct_>();
  done = gort::make_chan<gort::struct_>();
  gort::go([st = scavenger, stop = stop, done = done] {
    // As bgscavenge, loosely.
    st->init();
    st->park();
    for (;;) {
      if (gort::select({gort::recv(stop)}, gort::default_) == 0) {
        gort::close(done);
        return;
      }
      auto [released, workTime] = st->run();
      if (released == 0) {
        st->park();
        continue;
      }
      st->sleep(workTime);
    }
  });
  if (!BlockUntilParked(1000000000)) gopanic("timed out waiting for scavenger to get ready");
}

// export_test.go:1755 at go1.22.12: spin (yielding) until the scavenger
// has parked, or timeout ns have passed. In the test a parked scavenger
// has run out of work: its sleeps are the test's Sleep, not parks.
bool Scavenger::BlockUntilParked(int64_t timeout) {
  int64 start = nanotime();
  while (nanotime() - start < timeout) {
    lock(&scavenger->lock);
    bool parked = scavenger->parked;
    unlock(&scavenger->lock);
    if (parked) return true;
    Gosched();
  }
  return false;
}

// export_test.go:1775 at go1.22.12
uintptr Scavenger::Released() { return uintptr(released.load()); }

// export_test.go:1780 at go1.22.12
void Scavenger::Wake() { scavenger->wake(); }

// export_test.go:1786 at go1.22.12: the scavenger must be parked.
void Scavenger::Stop() {
  lock(&scavenger->lock);
  bool parked = scavenger->parked;
  unlock(&scavenger->lock);
  if (!parked) gopanic("tried to clean up scavenger that is not parked");
  gort::close(stop);
  Wake();
  (void)done.recv();
  running = nullptr;
}

}  // namespace runtime
