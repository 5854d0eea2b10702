// scavfacts: free memory given back to the OS, for the "Things to try" of
// the book's memory chapter (book/chapters/13-memory.rst). It does what Go's
// TestPhysicalMemoryUtilization does (testprog GCPhys): fill 32 MiB with
// 64 KiB arrays, keep every other one, collect the rest, and ask for one
// 16 MiB array, as large as all the holes together and so too large for any
// of them. After each step it prints the heap's address space and what is
// backed by physical memory, in MemStats' terms and in the kernel's (VmRSS).
// Last, with all of it dropped, runtime/debug's FreeOSMemory collects and
// gives every free page back. The book's build runs it with
// GODEBUG=gctrace=1,scavtrace=1, standard error joined to standard output,
// so that the runtime's own lines appear where the collections and the
// scavenger's work happen.
//
//   GODEBUG=gctrace=1,scavtrace=1 build/book/programs/scavfacts
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <unistd.h>

#include "debug/garbage.hpp"
#include "go.hpp"
#include "mfinal.hpp"
#include "osthreads.hpp"
#include "runtime.hpp"

namespace {

constexpr int allocChunk = 64 << 10;
constexpr int allocTotal = 32 << 20;
constexpr int allocs = allocTotal / allocChunk;

// The heap's view and the kernel's, in MiB.
void show(const char* step) {
  runtime::MemStats st;
  runtime::ReadMemStats(&st);
  long rssKiB = procStatus("VmRSS:");
  auto mib = [](uint64_t b) { return double(b) / (1 << 20); };
  std::printf("%-24s HeapSys %5.1f  HeapAlloc %5.1f  HeapIdle %5.1f  HeapReleased %5.1f  backed %5.1f  VmRSS %5.1f\n",
              step, mib(st.HeapSys), mib(st.HeapAlloc), mib(st.HeapIdle), mib(st.HeapReleased),
              mib(st.HeapSys - st.HeapReleased), double(rssKiB) / 1024);
  std::fflush(stdout);
}

// The holes. In its own function, so that condemned dies when it returns
// (the collector reads stacks conservatively, from the stack pointer up):
// the same moment Go's liveness analysis lets it die in GCPhys.
[[gnu::noinline]] gort::slice<gort::slice<uint8_t>> holes() {
  gort::slice<gort::slice<uint8_t>> saved, condemned;
  for (int i = 0; i < allocs; i++) {
    auto b = gort::make<uint8_t>(allocChunk);
    std::memset(&b[0], 1, allocChunk);  // touch every page: backed for real
    if (i % 2 == 0) {
      saved = gort::append(saved, b);
    } else {
      condemned = gort::append(condemned, b);
    }
  }
  return saved;
}

// The burst: the holes, the collections, the large array. Its own
// function too, so that nothing it kept is on the stack once it returns.
[[gnu::noinline]] void burst() {
  gort::slice<gort::slice<uint8_t>> saved = holes();
  show("512 x 64 KiB, half kept");

  runtime::GC();
  runtime::GC();
  show("after two collections");

  saved = gort::append(saved, gort::make<uint8_t>(allocTotal / 2));
  show("after 16 MiB more");

  // Go's test: memory backed by physical pages, less what one P's page
  // cache may hide (64 pages of 8 KiB), beyond the heap in use.
  runtime::MemStats st;
  runtime::ReadMemStats(&st);
  double backed = double(st.HeapSys - st.HeapReleased - (8 << 10) * 64);
  double overuse = (backed - double(st.HeapAlloc)) / double(st.HeapAlloc);
  std::printf("overuse %.2f%% (TestPhysicalMemoryUtilization allows %.2f%%)\n", overuse * 100,
              (0.1 + double(::getpagesize()) / allocChunk) * 100);
  std::fflush(stdout);
  runtime::KeepAlive(saved);
}

void main_main() {
  gort::debug::SetGCPercent(100);
  runtime::GOMAXPROCS(1);
  show("at start");
  burst();
  gort::debug::FreeOSMemory();
  show("burst over, FreeOSMemory");
}

}  // namespace

int main(int argc, char** argv) { runtime::rt0_go(argc, argv, main_main); }
