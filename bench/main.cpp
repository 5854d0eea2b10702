// bench/main.cpp: the entry of gort_bench, the binary that holds gort's ports
// of Go's runtime benchmarks (bench/*_bench.cpp).
//
// It plays the part of the main that `go test -bench` links into a test
// binary (testing.MainStart, then (*M).Run): the runtime boots first, and
// Google Benchmark runs on the main goroutine, so every benchmark body runs on
// a goroutine and may start goroutines, block on channels and so on.
//
// Names: Go prints a benchmark as its function name (BenchmarkChanSync) and a
// sub-benchmark as parent/child (BenchmarkMakeChan/Byte). The benchmarks here
// are registered under those names, but Google Benchmark appends the fixed
// iteration count and the timer in use to an instance's name
// ("/iterations:1/manual_time"), and matches --benchmark_filter against
// that longer name. So that a user sees and types only Go's names:
//   - GoNames wraps the reporters and drops those parts from every run's
//     name (console, JSON and CSV reports);
//   - --benchmark_list_tests output is captured and printed without them;
//   - in --benchmark_filter, each end-of-name anchor `$` also accepts those
//     parts (kTimerSuffix), so `BenchmarkChanSync$` selects BenchmarkChanSync and not
//     BenchmarkChanSyncWork, as go test -bench would.
//
// The context of every report records GOMAXPROCS (custom context
// "GOMAXPROCS"), so a reader of the JSON can tell which P count the numbers
// belong to.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "runtime.hpp"
#include "testing.hpp"

namespace {

int g_argc;
char** g_argv;

/// GoNames<R>: reporter R, with the timer kind removed from every run's name.
template <class R>
class GoNames : public R {
 public:
  using R::R;
  void ReportRuns(const std::vector<benchmark::BenchmarkReporter::Run>& reports) override {
    std::vector<benchmark::BenchmarkReporter::Run> renamed(reports);
    for (auto& r : renamed) {
      r.run_name.iterations.clear();
      r.run_name.time_type.clear();
    }
    R::ReportRuns(renamed);
    // One line per finished benchmark, even into a pipe: if a later benchmark
    // crashes the runtime, the results so far are already out.
    R::GetOutputStream().flush();
  }
};

/// makeReporter returns the reporter that --benchmark_format (or
/// --benchmark_out_format) names, wrapped in GoNames.
std::unique_ptr<benchmark::BenchmarkReporter> makeReporter(const std::string& format,
                                                           bool console_color) {
  if (format == "json") return std::make_unique<GoNames<benchmark::JSONReporter>>();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  if (format == "csv") return std::make_unique<GoNames<benchmark::CSVReporter>>();
#pragma GCC diagnostic pop
  auto opts = console_color ? benchmark::ConsoleReporter::OO_ColorTabular
                            : benchmark::ConsoleReporter::OO_Tabular;
  return std::make_unique<GoNames<benchmark::ConsoleReporter>>(opts);
}

/// flagValue finds --name=value among the arguments (before Initialize
/// consumes them); def when absent.
std::string flagValue(int argc, char** argv, const char* name, const char* def) {
  std::string prefix = std::string("--") + name + "=";
  std::string v = def;
  for (int i = 1; i < argc; i++) {
    if (std::strncmp(argv[i], prefix.c_str(), prefix.size()) == 0) v = argv[i] + prefix.size();
  }
  return v;
}

/// The part of an instance name that Google Benchmark appends: the fixed
/// iteration count (testing.hpp's registerGo) and the timers.
const char kTimerSuffix[] = "(/iterations:[0-9]+)?(/[a-z]+_time)*";

/// goFilter rewrites a --benchmark_filter pattern written against Go's names
/// so that it matches the same instances: every `$` outside a bracket
/// expression becomes kTimerSuffix followed by `$`.
std::string goFilter(const std::string& re) {
  std::string out;
  bool inBracket = false;
  for (size_t i = 0; i < re.size(); i++) {
    char c = re[i];
    if (c == '\\' && i + 1 < re.size()) {
      out += c;
      out += re[++i];
      continue;
    }
    if (inBracket) {
      if (c == ']') inBracket = false;
    } else if (c == '[') {
      inBracket = true;
      if (i + 1 < re.size() && re[i + 1] == ']') out += re[++i];  // []...] holds a ]
    } else if (c == '$') {
      out += kTimerSuffix;
    }
    out += c;
  }
  return out;
}

/// rewriteFilterArgs applies goFilter to each --benchmark_filter= argument.
/// The rewritten strings live until exit (argv keeps pointing at them).
void rewriteFilterArgs(int argc, char** argv) {
  static std::vector<std::string> keep;
  keep.reserve(argc);
  const std::string prefix = "--benchmark_filter=";
  for (int i = 1; i < argc; i++) {
    if (std::strncmp(argv[i], prefix.c_str(), prefix.size()) != 0) continue;
    keep.push_back(prefix + goFilter(argv[i] + prefix.size()));
    argv[i] = keep.back().data();
  }
}

/// benchMain is the program's main goroutine: Google Benchmark's usual main,
/// with the reporters replaced by their GoNames versions.
void benchMain() {
  std::string format = flagValue(g_argc, g_argv, "benchmark_format", "console");
  std::string list = flagValue(g_argc, g_argv, "benchmark_list_tests", "false");
  bool listing = list == "true" || list == "yes" || list == "1";
  for (int i = 1; i < g_argc; i++) {
    if (std::strcmp(g_argv[i], "--benchmark_list_tests") == 0) listing = true;
  }
  std::string out = flagValue(g_argc, g_argv, "benchmark_out", "");
  std::string outFormat = flagValue(g_argc, g_argv, "benchmark_out_format", "json");
  std::string color = flagValue(g_argc, g_argv, "benchmark_color", "auto");
  bool useColor = color == "true" || color == "yes" || color == "1" ||
                  (color == "auto" && isatty(STDOUT_FILENO));

  // The bench time of every run (testing.hpp's goBench picks each b.N by
  // Go's rule from it; Google Benchmark sees one iteration per benchmark).
  gort_bench::benchTime = std::strtod(flagValue(g_argc, g_argv, "benchmark_min_time", "0.5").c_str(), nullptr);
  rewriteFilterArgs(g_argc, g_argv);
  benchmark::Initialize(&g_argc, g_argv);
  if (benchmark::ReportUnrecognizedArguments(g_argc, g_argv)) std::exit(1);
  benchmark::AddCustomContext("GOMAXPROCS", std::to_string(runtime::GOMAXPROCS(0)));

  auto display = makeReporter(format, useColor);
  std::unique_ptr<benchmark::BenchmarkReporter> file;
  if (!out.empty()) file = makeReporter(outFormat, false);
  std::ostringstream names;
  if (listing) display->SetOutputStream(&names);
  benchmark::RunSpecifiedBenchmarks(display.get(), file.get());
  if (listing) {
    // The listing goes to the display reporter's stream; print it with Go's names.
    std::cout << std::regex_replace(names.str(), std::regex(std::string(kTimerSuffix) + "\n"),
                                    "\n");
  }
  benchmark::Shutdown();
  std::fflush(stdout);
  std::cout.flush();
}

}  // namespace

int main(int argc, char** argv) {
  g_argc = argc;
  g_argv = argv;
  runtime::rt0_go(argc, argv, benchMain);
}
