// lfstack_test.cpp: the tests of go1.22.12 runtime/lfstack_test.go,
// translated test by test (each cites the line of Go's func). The nodes
// live outside the heap (persistentalloc), as lfstack requires
// ([lf-offheap], lfstack.hpp).
#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <memory>
#include <random>

#include "chan.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "malloc.hpp"
#include "runtime.hpp"

using runtime::LFNode;
using runtime::LFStackPop;
using runtime::LFStackPush;

namespace {

// lfstack_test.go:14 at go1.22.12
struct MyNode {
  LFNode node;  // Go embeds LFNode
  int data;
};

// lfstack_test.go:23 at go1.22.12: allocMyNode, outside the Go heap.
MyNode* allocMyNode(int data) {
  auto* n = static_cast<MyNode*>(runtime::PersistentAlloc(sizeof(MyNode)));
  runtime::LFNodeValidate(&n->node);
  n->data = data;
  return n;
}

LFNode* fromMyNode(MyNode* node) { return &node->node; }

MyNode* toMyNode(LFNode* node) { return reinterpret_cast<MyNode*>(node); }

}  // namespace

// lfstack_test.go:39 at go1.22.12
TEST_CASE("TestLFStack", "[lfstack_test.go]") {
  // (Go makes the head escape to the heap; here it is heap memory too.)
  auto* stack = runtime::newobject<uint64_t>();

  // Check the stack is initially empty.
  REQUIRE(LFStackPop(stack) == nullptr);

  // Push one element.
  MyNode* node = allocMyNode(42);
  LFStackPush(stack, fromMyNode(node));

  // Push another.
  node = allocMyNode(43);
  LFStackPush(stack, fromMyNode(node));

  // Pop one element.
  node = toMyNode(LFStackPop(stack));
  REQUIRE(node != nullptr);
  REQUIRE(node->data == 43);  // LIFO

  // Pop another.
  node = toMyNode(LFStackPop(stack));
  REQUIRE(node != nullptr);
  REQUIRE(node->data == 42);  // LIFO

  // Check the stack is empty again.
  REQUIRE(LFStackPop(stack) == nullptr);
  REQUIRE(*stack == 0);
}

// lfstack_test.go:84 at go1.22.12
TEST_CASE("TestLFStackStress", "[lfstack_test.go]") {
  constexpr int K = 100;
  int P = 4 * runtime::GOMAXPROCS(-1);
  int N = 100000;
  if (gort_test::testingShort) N /= 10;
  // Two stacks.
  uint64_t* stacks[2] = {runtime::newobject<uint64_t>(), runtime::newobject<uint64_t>()};
  // K elements, spread over the two.
  int sum = 0;
  for (int i = 0; i < K; i++) {
    sum += i;
    MyNode* node = allocMyNode(i);
    LFStackPush(stacks[i % 2], fromMyNode(node));
  }
  auto c = gort::make_chan<bool>(P);
  std::random_device seed;
  for (int p = 0; p < P; p++) {
    gort::go([c, N, &stacks, s = seed()]() mutable {
      std::mt19937_64 r(s);
      // Pop from a random stack, push onto a random stack.
      for (int i = 0; i < N; i++) {
        MyNode* node = toMyNode(LFStackPop(stacks[r() % 2]));
        if (node != nullptr) LFStackPush(stacks[r() % 2], fromMyNode(node));
      }
      c.send(true);
    });
  }
  for (int i = 0; i < P; i++) c.recv();
  // Pop everything; nothing may be lost.
  int sum2 = 0;
  int cnt = 0;
  for (int i = 0; i < 2; i++) {
    for (;;) {
      MyNode* node = toMyNode(LFStackPop(stacks[i]));
      if (node == nullptr) break;
      cnt++;
      sum2 += node->data;
      node->node.Next = 0;
    }
  }
  REQUIRE(cnt == K);
  REQUIRE(sum2 == sum);
}
