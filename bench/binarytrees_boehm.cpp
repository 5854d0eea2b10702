// bench/binarytrees_boehm.cpp: bench/binarytrees.cpp's program in C++ on
// the Boehm-Demers-Weiser collector (Debian's libgc-dev), the reference
// point for a collector that C++ programs can use today.
//
//   binarytrees_boehm [DEPTH]      (default 21)
//
// The same trees, the same output on stdout, the same figures line on
// stderr ("boehm" in place of "gort"). Each depth runs on a thread of its
// own (gc.h's pthread_create registers it with the collector), where the
// gort and Go programs start a goroutine. Boehm stops the world for its
// whole mark (with a marker thread per CPU by default); a pause here is
// the time from GC_EVENT_PRE_STOP_WORLD to GC_EVENT_POST_START_WORLD.
// "GOMAXPROCS" in the figures line is the number of marker threads.
#define GC_THREADS
#include <gc/gc.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "binarytrees.hpp"

namespace {

constexpr int minDepth = gort_bench::binarytreesMinDepth;
int maxDepth;

/// Node: a tree node; a leaf has no children.
struct Node {
  Node* left;
  Node* right;
};

/// bottomUpTree: a perfect tree of the given depth, children first, in
/// memory the collector scans (GC_MALLOC clears it).
Node* bottomUpTree(int depth) {
  Node* n = static_cast<Node*>(GC_MALLOC(sizeof(Node)));
  if (depth > 0) {
    n->left = bottomUpTree(depth - 1);
    n->right = bottomUpTree(depth - 1);
  }
  return n;
}

/// itemCheck: the number of nodes of the tree at n.
int64_t itemCheck(const Node* n) {
  if (n->left == nullptr) return 1;
  return 1 + itemCheck(n->left) + itemCheck(n->right);
}

// The pauses: set from the collector's event callback, which runs on the
// thread that collects.
using clock = std::chrono::steady_clock;
clock::time_point stopped;
std::atomic<int64_t> longestNs{0};

void onEvent(GC_EventType e) {
  if (e == GC_EVENT_PRE_STOP_WORLD) {
    stopped = clock::now();
  } else if (e == GC_EVENT_POST_START_WORLD) {
    int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - stopped).count();
    if (ns > longestNs.load(std::memory_order_relaxed)) longestNs.store(ns, std::memory_order_relaxed);
  }
}

struct Work {
  int depth;
  char line[128];
};

void* worker(void* arg) {
  Work* w = static_cast<Work*>(arg);
  const int64_t iterations = int64_t(1) << (maxDepth - w->depth + minDepth);
  int64_t check = 0;
  for (int64_t i = 0; i < iterations; i++) check += itemCheck(bottomUpTree(w->depth));
  std::snprintf(w->line, sizeof w->line, "%lld\t trees of depth %d\t check: %lld\n", (long long)iterations,
                w->depth, (long long)check);
  return nullptr;
}

/// stretch: the stretch tree, in a frame of its own (see binarytrees.cpp's
/// stretch: Boehm scans stacks conservatively too).
__attribute__((noinline)) void stretch() {
  const int stretchDepth = maxDepth + 1;
  std::printf("stretch tree of depth %d\t check: %lld\n", stretchDepth,
              (long long)itemCheck(bottomUpTree(stretchDepth)));
}

}  // namespace

int main(int argc, char** argv) {
  maxDepth = gort_bench::binarytreesDepth(argc, argv, "binarytrees_boehm");
  GC_INIT();
  GC_set_on_collection_event(onEvent);

  const auto t0 = clock::now();
  stretch();

  Node* longLived = bottomUpTree(maxDepth);

  Work work[32];
  pthread_t threads[32];
  int n = 0;
  for (int d = minDepth; d <= maxDepth; d += 2, n++) {
    work[n].depth = d;
    if (pthread_create(&threads[n], nullptr, worker, &work[n]) != 0) {
      std::fprintf(stderr, "binarytrees_boehm: pthread_create failed\n");
      return 1;
    }
  }
  for (int i = 0; i < n; i++) pthread_join(threads[i], nullptr);
  for (int i = 0; i < n; i++) std::fputs(work[i].line, stdout);
  std::printf("long lived tree of depth %d\t check: %lld\n", maxDepth, (long long)itemCheck(longLived));
  const auto t1 = clock::now();
  std::fflush(stdout);

  gort_bench::printBinarytreesFigures(maxDepth, "boehm", GC_get_parallel() + 1,
                                      std::chrono::duration<double, std::milli>(t1 - t0).count(), GC_get_gc_no(),
                                      double(longestNs.load()) / 1e6);
}
