#include <gort/go.hpp>

#include <cstdio>

void square(gort::chan<int> out, int n) { out.send(n * n); }  // out <- n*n

void main_main() {  // Go's main.main
  auto results = gort::make_chan<int>();                  // make(chan int)
  for (int i = 1; i <= 10; i++) gort::go(square, results, i);  // go square(results, i)
  int sum = 0;
  for (int i = 0; i < 10; i++) sum += results.recv();     // sum += <-results
  std::printf("10 goroutines, sum of squares %d\n", sum);
}

int main(int argc, char** argv) { runtime::rt0_go(argc, argv, main_main); }
