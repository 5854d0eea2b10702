// osthreads.hpp: what the kernel says about this process, for the book's
// programs that count threads (timerfacts, pollfacts).
#pragma once
#include <cstdio>
#include <cstdlib>
#include <cstring>

/// osThreads: the OS threads of the process, from the Threads: line of
/// /proc/self/status (-1 if it cannot be read).
inline int osThreads() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  int n = -1;
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::strncmp(line, "Threads:", 8) == 0) n = std::atoi(line + 8);
  std::fclose(f);
  return n;
}
