// lockfacts: goroutines locked to their threads, for the "Things to try" of
// the book's chapter on LockOSThread (book/chapters/21-lockosthread.rst).
// The book's build runs it (book/tools/gen.py) and checks that its output
// still shows what the chapter says. Thread ids differ from run to run, so it
// prints none: it counts threads instead.
//
//   1. main locks itself to the main thread (m0) first thing, and
//      LockOSThread starts the template thread: one more M, one more OS
//      thread, one more system M (sched.nmsys).
//   2. a locked goroutine and an unlocked one pass a value back and forth
//      1000 times, each yielding (Gosched) between rounds: the locked one is
//      always on the same thread, and the other is never on that thread.
//   3. with one P, a goroutine locks its thread and renames it (per-thread
//      state, as unshare or setns would be), then starts 16 goroutines that
//      lock threads of their own. Every thread the runtime starts meanwhile
//      is started by the template thread, so none inherits the name; a thread
//      the goroutine starts itself with pthread_create does. The goroutine
//      then returns still locked, and its thread exits with it; the 16 others
//      unlock before they return, and their threads stay.
//
//   GOMAXPROCS=2 build/book/programs/lockfacts
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "go.hpp"
#include "proc.hpp"
#include "runtime.hpp"
#include "runtime2.hpp"
#include "time/time.hpp"

#include "osthreads.hpp"

namespace {

// The number of distinct values in v.
int distinct(std::vector<long> v) {
  std::sort(v.begin(), v.end());
  return int(std::unique(v.begin(), v.end()) - v.begin());
}

// Whether thread tid of this process still exists.
bool threadExists(long tid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%ld", tid);
  return access(path, F_OK) == 0;
}

// The name (comm) of thread tid, or "" if it is gone.
std::string threadName(long tid) {
  char path[64], buf[32] = {};
  std::snprintf(path, sizeof path, "/proc/self/task/%ld/comm", tid);
  std::FILE* f = std::fopen(path, "r");
  if (f == nullptr) return "";
  if (std::fgets(buf, sizeof buf, f) == nullptr) buf[0] = 0;
  std::fclose(f);
  buf[std::strcspn(buf, "\n")] = 0;
  return buf;
}

// The threads of the process and their names.
std::vector<std::pair<long, std::string>> threadNames() {
  std::vector<std::pair<long, std::string>> v;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return v;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') v.emplace_back(std::atol(e->d_name), "");
  closedir(d);
  for (auto& [tid, name] : v) name = threadName(tid);
  return v;
}

// How many times thread tid has gone to sleep in the kernel (it blocked:
// voluntary_ctxt_switches in its status file).
long sleeps(long tid) {
  char path[64], line[128];
  std::snprintf(path, sizeof path, "/proc/self/task/%ld/status", tid);
  std::FILE* f = std::fopen(path, "r");
  if (f == nullptr) return -1;
  long n = -1;
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::strncmp(line, "voluntary_ctxt_switches:", 24) == 0) n = std::atol(line + 24);
  std::fclose(f);
  return n;
}

// Wait (up to 10 s) until done() holds; whether it did.
template <class F>
bool await(F done) {
  for (int i = 0; i < 10000 && !done(); i++) gort::time::Sleep(gort::time::Millisecond);
  return done();
}

// ---- 1. the template thread ----

long templateTid = 0;

void templateThread() {
  // sysmon counts itself in sched.nmsys once its thread runs. Wait for that
  // without parking: main is on the main thread now and should stay there.
  while (__atomic_load_n(&runtime::sched.nmsys, __ATOMIC_ACQUIRE) < 1) sched_yield();
  // Wait, the same way, until no other M is at work: every other P idle and
  // no M spinning (one could be starting an M of its own meanwhile, as the
  // runtime's goroutines wake at start-up). Give up after a few seconds.
  for (int i = 0; i < 1000000; i++) {
    if (runtime::sched.nmspinning.Load() == 0 && runtime::sched.npidle.Load() == runtime::gomaxprocs - 1) break;
    sched_yield();
  }
  std::vector<runtime::m*> before;
  for (runtime::m* mp = runtime::allm; mp != nullptr; mp = mp->alllink) before.push_back(mp);
  int ms0 = int(runtime::mcount()), t0 = osThreads(), sys0 = runtime::sched.nmsys;
  bool onMain = gettid() == getpid();
  runtime::LockOSThread();  // main stays on the main thread (m0) from here on
  int ms1 = int(runtime::mcount()), t1 = osThreads();
  std::vector<runtime::m*> fresh;  // Ms that appeared during the call
  for (runtime::m* mp = runtime::allm; mp != nullptr; mp = mp->alllink)
    if (std::find(before.begin(), before.end(), mp) == before.end()) fresh.push_back(mp);
  // The new M runs templateThread, which counts itself in sched.nmsys; its
  // thread id is known once minit has run there.
  while (__atomic_load_n(&runtime::sched.nmsys, __ATOMIC_ACQUIRE) < sys0 + 1) sched_yield();
  int sys1 = runtime::sched.nmsys;
  // The template thread's M is started with no P to take (nextp).
  for (runtime::m* mp : fresh)
    if (!mp->nextp && !mp->p) {
      while (__atomic_load_n(&mp->procid, __ATOMIC_ACQUIRE) == 0) sched_yield();
      templateTid = long(mp->procid);
    }
  std::printf("== 1. main calls LockOSThread (on the main thread: %s)\n", onMain ? "yes" : "no");
  std::printf("before: %d Ms, %d OS threads, %d system M (sysmon)\n", ms0, t0, sys0);
  std::printf("after:  %d Ms, %d OS threads, %d system Ms (sysmon, the template thread)\n", ms1, t1, sys1);
  std::printf("new Ms: %d, with a P: %s\n", int(fresh.size()), templateTid == 0 ? "yes" : "no");
}

// ---- 2. one thread for a locked goroutine ----

void oneThread() {
  constexpr int rounds = 1000;
  auto ping = gort::make_chan<int>(), pong = gort::make_chan<int>();
  auto done = gort::make_chan<bool>(2);
  std::vector<long> locked, unlocked;
  long lockedM = 0;
  gort::go([&, ping, pong, done] {
    runtime::LockOSThread();
    lockedM = long(runtime::getg()->m->procid);
    int v = 0;
    for (int i = 0; i < rounds; i++) {
      ping.send(v);
      v = pong.recv();
      locked.push_back(gettid());
      runtime::Gosched();
    }
    runtime::UnlockOSThread();
    done.send(true);
  });
  // Every round of this one is between the other's first send and its last
  // receive, so all while the other is locked.
  gort::go([&, ping, pong, done] {
    for (int i = 0; i < rounds; i++) {
      int v = ping.recv();
      unlocked.push_back(gettid());
      pong.send(v + 1);
      runtime::Gosched();
    }
    done.send(true);
  });
  done.recv();
  done.recv();
  int onLocked = int(std::count(unlocked.begin(), unlocked.end(), locked[0]));
  std::printf("== 2. a locked and an unlocked goroutine, %d rounds of ping-pong and Gosched\n", rounds);
  std::printf("locked:   on %d thread (its M's, procid: %s)\n", distinct(locked),
              locked[0] == lockedM ? "yes" : "no");
  std::printf("unlocked: on %d threads, on the locked one %d times\n", distinct(unlocked), onLocked);
}

// ---- 3. state that must not spread, and a locked exit ----

// More than the Ms a run has made by part 3 (about 13 at GOMAXPROCS=4), so
// that the lockers need new threads.
constexpr int lockers = 16;

// A thread that is not an M: it reports its own name. No split-stack
// prologue: the runtime has not set this thread's stack guard.
void* plainThread(void* out) __attribute__((no_split_stack));
void* plainThread(void* out) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%ld/comm", long(gettid()));
  if (std::FILE* f = std::fopen(path, "r")) {
    if (std::fgets(static_cast<char*>(out), 32, f) == nullptr) static_cast<char*>(out)[0] = 0;
    std::fclose(f);
  }
  static_cast<char*>(out)[std::strcspn(static_cast<char*>(out), "\n")] = 0;
  return nullptr;
}

// Start plainThread with pthread_create from the calling thread, wait for
// it, and return the name it saw. (Looked up at run time, as newosproc does:
// the link wraps pthread_create for split stacks.)
std::string plainThreadName() {
  using createfn = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
  static createfn create = reinterpret_cast<createfn>(dlsym(RTLD_DEFAULT, "pthread_create"));
  char name[32] = {};
  pthread_t t;
  if (create == nullptr || create(&t, nullptr, plainThread, name) != 0) return "(pthread_create failed)";
  pthread_join(t, nullptr);
  return name;
}

void tainted() {
  // One P: then every goroutine that could start a thread meanwhile is
  // locked (main, the tainted one, the lockers), so every new M is handed
  // to the template thread. (With more Ps, an idle M that is not locked may
  // start some of them itself.)
  int procs = runtime::GOMAXPROCS(1);
  auto ready = gort::make_chan<long>(lockers);
  auto release = gort::make_chan<bool>();
  auto reported = gort::make_chan<bool>();
  auto finish = gort::make_chan<bool>();
  long taintedTid = 0;
  std::string plainName;
  std::vector<long> lockerTids;
  int ms0 = int(runtime::mcount()), t0 = osThreads();
  long woke0 = sleeps(templateTid);
  int64_t freed0 = runtime::sched.nmfreed;

  gort::go([&, ready, release, reported, finish] {
    runtime::LockOSThread();
    taintedTid = gettid();
    prctl(PR_SET_NAME, "tainted", 0, 0, 0);
    for (int i = 0; i < lockers; i++)
      gort::go([ready, release] {
        runtime::LockOSThread();
        ready.send(gettid());
        release.recv();  // parks, its thread kept for it
        runtime::UnlockOSThread();
      });
    for (int i = 0; i < lockers; i++) lockerTids.push_back(ready.recv());
    plainName = plainThreadName();
    reported.send(true);
    finish.recv();
    // Returns still locked: the thread exits with it.
  });
  reported.recv();
  int ms1 = int(runtime::mcount()), t1 = osThreads();
  long woke1 = sleeps(templateTid);
  int named = 0, namedOther = 0;
  for (auto& [tid, name] : threadNames())
    if (name == "tainted") (tid == taintedTid ? named : namedOther)++;
  int lockerThreads = distinct(lockerTids);
  for (int i = 0; i < lockers; i++) release.send(true);
  finish.send(true);
  bool gone = await([&] { return !threadExists(taintedTid); });
  await([&] { return runtime::sched.nmfreed == freed0 + 1; });
  int64_t freed1 = runtime::sched.nmfreed;
  int kept = 0;
  for (long tid : lockerTids) kept += threadExists(tid);
  int taintedLeft = 0;
  for (auto& [tid, name] : threadNames()) taintedLeft += name == "tainted";

  runtime::GOMAXPROCS(procs);
  std::printf("== 3. GOMAXPROCS(1); a goroutine renames its locked thread \"tainted\", %d others lock theirs\n",
              lockers);
  std::printf("before: %d Ms, %d OS threads\n", ms0, t0);
  std::printf("with the %d lockers parked: %d Ms, %d OS threads, the lockers on %d threads\n", lockers, ms1, t1,
              lockerThreads);
  std::printf("the template thread woke %ld times\n", woke1 - woke0);
  std::printf("threads named \"tainted\": the goroutine's own %d, others %d\n", named, namedOther);
  std::printf("a thread it starts itself with pthread_create is named \"%s\"\n", plainName.c_str());
  std::printf("it returns locked: its thread gone %s, Ms freed (sched.nmfreed) %lld -> %lld\n", gone ? "yes" : "no",
              (long long)freed0, (long long)freed1);
  std::printf("the lockers unlocked before returning: threads still there %d of %d\n", kept, lockerThreads);
  std::printf("threads named \"tainted\" now: %d\n", taintedLeft);
}

void main_main() {
  templateThread();
  oneThread();
  tainted();
  runtime::UnlockOSThread();
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  runtime::rt0_go(argc, argv, main_main);
}
