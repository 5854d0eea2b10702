// testprog/lockosthread.cpp: sub-programs of go1.22.12
// runtime/testdata/testprog/lockosthread.go: a goroutine that exits while
// locked to its thread takes the thread with it; LockOSThread racing a
// stop-the-world must not hang (golang.org/issue/38931).
#include <cstdlib>
#include <memory>
#include <string>

#include "chan.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "sync/sync.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

int mainTID;

// lockosthread.go:37 at go1.22.12
void LockOSThreadMain() {
  // The goroutine below can only be sure to start on the main thread if
  // there is one P from the start.
  if (runtime::GOMAXPROCS(-1) != 1) {
    println("requires GOMAXPROCS=1");
    osExit(1);
  }

  auto ready = gort::make_chan<bool>(1);
  gort::go([=]() {
    // With one P this runs on the main thread; it stays there.
    runtime::LockOSThread();
    if (mainTID != 0 && gettid() != mainTID) {
      println("failed to start goroutine on main thread");
      osExit(1);
    }
    // Return while locked: the main thread must go with this goroutine.
    ready.send(true);
  });
  ready.recv();
  gort::time::Sleep(1 * Millisecond);
  // This goroutine must now be running on some other thread.
  if (mainTID != 0 && gettid() == mainTID) {
    println("goroutine migrated to locked thread");
    osExit(1);
  }
  println("OK");
}

// lockosthread.go:72 at go1.22.12
void LockOSThreadAlt() {
  // Main is locked to the main thread here (see the init below).

  // The goroutine writes subTID before it sends on ready and never touches
  // it after, so it may refer to main's variable.
  int subTID = 0;
  auto ready = gort::make_chan<bool>(1);
  gort::go([&subTID, ready]() {
    // Main holds the main thread, so this runs on another one.
    runtime::LockOSThread();
    subTID = gettid();
    ready.send(true);
    // Return while locked.
  });
  ready.recv();
  runtime::UnlockOSThread();
  for (int i = 0; i < 100; i++) {
    gort::time::Sleep(1 * Millisecond);
    // The locked thread must not have been handed to this goroutine.
    if (subTID != 0 && gettid() == subTID) {
      println("locked thread reused");
      osExit(1);
    }
    auto [exists, supported] = tidExists(subTID);
    if (!supported || !exists) {
      println("OK");
      return;
    }
  }
  println("sub thread " + std::to_string(subTID) + " still running");
}

// lockosthread.go:104 at go1.22.12
//
// Like LockOSThreadAlt, but the dead thread is detected through state that
// only it had: it unshares its file-system context and changes directory. A
// thread cloned from it, or the thread itself reused, would show the other
// directory.
void LockOSThreadAvoidsStatePropagation() {
  // Main is locked to the main thread here (see the init below). One P makes
  // reuse of a tainted thread much more likely to show.
  if (runtime::GOMAXPROCS(-1) != 1) {
    println("requires GOMAXPROCS=1");
    osExit(1);
  }

  if (std::string err = chdir("/"); !err.empty()) {
    println("failed to chdir: " + err);
    osExit(1);
  }
  std::string err;
  std::string cwd = getcwd(&err);
  if (!err.empty()) {
    println("failed to get cwd: " + err);
    osExit(1);
  }
  if (cwd != "" && cwd != "/") {
    println("unexpected cwd " + cwd + "  wanted /");
    osExit(1);
  }

  auto ready = gort::make_chan<bool>(1);
  gort::go([=]() {
    // A new thread, since main holds the main one.
    runtime::LockOSThread();

    // Give this thread its own file-system context, then move it elsewhere.
    if (std::string e = unshareFs(); !e.empty()) {
      if (e == errNotPermitted) {
        println("unshare not permitted");
        osExit(0);
      }
      println("failed to unshare fs: " + e);
      osExit(1);
    }
    // Go: os.TempDir(), which is $TMPDIR or /tmp.
    const char* tmp = std::getenv("TMPDIR");
    if (std::string e = chdir(tmp && *tmp ? tmp : "/tmp"); !e.empty()) {
      println("failed to chdir: " + e);
      osExit(1);
    }

    // This thread is now tainted; nothing of it may be seen elsewhere.
    ready.send(true);
    // Return while locked.
  });
  ready.recv();

  // With one P, a new locked goroutine would very likely land on the tainted
  // thread or on a clone of it, if either existed.
  auto done = gort::make_chan<bool>();
  gort::go([=]() {
    runtime::LockOSThread();

    // Every thread shares the main thread's working directory.
    std::string e;
    std::string wd = getcwd(&e);
    if (!e.empty()) {
      println("failed to get cwd: " + e);
      osExit(1);
    }
    if (wd != cwd) {
      println("bad state from old thread propagated after it should have died");
      osExit(1);
    }
    done.recv();

    runtime::UnlockOSThread();
  });
  done.send(true);
  runtime::UnlockOSThread();
  println("OK");
}

// lockosthread.go:201 at go1.22.12. A stop-the-world (ReadMemStats, over
// and over) races two LockOSThread calls, lined up 10 ms from now; with
// the race of golang.org/issue/38931 the program hangs about 2% of runs.
void LockOSThreadTemplateThreadRace() {
  // Enough Ps to run everything at once (on fewer cores the kernel decides).
  runtime::GOMAXPROCS(4);

  gort::go([] {
    // Stop the world, again and again.
    runtime::MemStats m;
    for (;;) runtime::ReadMemStats(&m);
  });

  // Both LockOSThreads at about the same time.
  auto start = gort::time::Now().Add(10 * gort::time::Millisecond);

  // (Shared through the C++ heap: a WaitGroup holds no GC reference.)
  auto wg = std::make_shared<gort::sync::WaitGroup>();
  wg->Add(2);

  for (int i = 0; i < 2; i++) {
    gort::go([start, wg] {
      while (gort::time::Now().Before(start)) {
      }

      // Work on the local run queue, so that handoffp starts an M early.
      gort::go([] {});

      runtime::LockOSThread();
      runtime::Gosched();  // a preemption point
      wg->Done();
    });
  }

  wg->Wait();
  // Both LockOSThreads returned: the race did not hang the program.
  println("OK");
}

// lockosthread.go:16 at go1.22.12 (the init that registers them)
[[maybe_unused]] bool registered = [] {
  // Inits run on the main thread, so this records its thread id.
  registerInit("LockOSThreadMain", []() { mainTID = gettid(); });
  register_("LockOSThreadMain", LockOSThreadMain);

  // Lock now, so that the program's main runs on the main thread.
  registerInit("LockOSThreadAlt", []() { runtime::LockOSThread(); });
  register_("LockOSThreadAlt", LockOSThreadAlt);

  registerInit("LockOSThreadAvoidsStatePropagation", []() { runtime::LockOSThread(); });
  register_("LockOSThreadAvoidsStatePropagation", LockOSThreadAvoidsStatePropagation);
  register_("LockOSThreadTemplateThreadRace", LockOSThreadTemplateThreadRace);
  return true;
}();

}  // namespace
}  // namespace testprog
