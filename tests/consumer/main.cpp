#include <gort/go.hpp>

#include <atomic>
#include <cstdio>

std::atomic<int> sum{0}, done{0};

void worker(int i) {
  sum += i;
  done++;
}

void main_main() {  // Go's main.main
  for (int i = 1; i <= 10; i++) gort::go(worker, i);  // go worker(i)
  while (done < 10) runtime::Gosched();               // let them run
  std::printf("10 goroutines, sum %d\n", sum.load());
}

int main(int argc, char** argv) { runtime::rt0_go(argc, argv, main_main); }
