#!/usr/bin/python3
"""perf: the performance chapter's figures and tables, from a committed
bench/compare result file (bench/results/*.json), written at book build time.

  generated/perf-facts.inc         substitutions for the numbers the prose
                                   quotes (date, commit, machine, geometric
                                   mean, rows above Go, ...)
  generated/perf-table.inc         every row: both sides' medians, the median
                                   ratio and its spread
  generated/perf-<group>.svg       one figure per Go test file group: each
                                   row's median ratio gort/Go and its spread
  generated/perf-above.inc         the rows above Go, worst first: those whose
                                   every pair is above Go with what the
                                   profiles show (bench/results/above-go.tsv),
                                   then the rest
  generated/perf-capacity.svg      ns/op against channel capacity (the
                                   ChanProdCons rows), both sides
  generated/perf-scaling.svg       ns/op against GOMAXPROCS 1, 2, 4 for a few
                                   rows, from a second file (scaling.json)
  generated/perf-million.svg       the million-goroutine program, both sides
  generated/perf-binarytrees.svg   binary-trees: gort, Go and Boehm

Figures are drawn with Debian's python3-matplotlib (Agg, SVG output), 7.5
inches wide, so they read at a laptop's width. The build fails if the file
is missing, is not a paired run, or lacks a figure the chapter shows.

Metric rows: a row with a "metric" field (bench/compare writes one for each
unit a benchmark reports with b.ReportMetric, such as p50-ns) holds that
unit's values in go_ns, gort_ns and the medians. It is shown in the table
and in its group's figure as "Name [unit]", and left out of everything said
of ns/op: the geometric means, the counts above and below Go, the rows
above Go and their findings, the capacity and scaling figures. A file
without such rows (every file before them) reads as before.
"""

import json
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import write_if_changed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_RESULTS = os.path.join(REPO, "bench", "results", "gomaxprocs2.json")
DEFAULT_SCALING = os.path.join(REPO, "bench", "results", "scaling.json")
# What the profiles show for each row of DEFAULT_RESULTS whose every pair is
# above Go: one line per row, name<TAB>finding (the file says how they were
# taken). Checked against the result file below.
FINDINGS = os.path.join(REPO, "bench", "results", "above-go.tsv")

# The rows of the scaling figure (bench/compare --gomaxprocs 1,2,4 --filter
# SCALING_FILTER writes that file; the chapter says so).
SCALING_ROWS = ["BenchmarkChanSync", "BenchmarkChanContended", "BenchmarkChanProdCons10",
                "BenchmarkCreateGoroutinesParallel", "BenchmarkMutex", "BenchmarkSemaSyntBlock"]
SCALING_FILTER = "^(" + "|".join(SCALING_ROWS) + ")$"

# How the rows are grouped into figures: by the Go test file the benchmark
# comes from (bench/compare's PORTED lists name it in a comment above each
# run of names), in this order, several small files together.
GROUPS = [
    ("sched", "Goroutines and the scheduler", ["proc_test.go", "norace_test.go"]),
    ("chan", "Channels and select", ["chan_test.go"]),
    ("sync", "Semaphores and package sync",
     ["sema_test.go", "runtime_sema_test.go", "mutex_test.go", "rwmutex_test.go", "waitgroup_test.go",
      "cond_test.go", "once_test.go"]),
    ("heap", "The heap and the collector", ["malloc_test.go", "gc_test.go", "mfinal_test.go", "metrics_test.go"]),
    ("slices", "Slices: growslice and append", ["slice_test.go"]),
    ("stacks", "Goroutine stacks (segments)", ["stack_test.go"]),
    ("pallocbits", "The page allocator's bitmaps", ["mpallocbits_test.go"]),
    ("time", "Timers (package time)", ["sleep_test.go", "tick_test.go"]),
    ("net", "The network poller (package net)", ["tcpsock_test.go"]),
]


def ported_files(compare_path):
    """{benchmark name: Go test file}, read from bench/compare's PORTED
    lists (a '# file_test.go ...' comment starts each file's names)."""
    files = {}
    cur = None
    with open(compare_path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r'\s*#\s*(\w+_test\.go)\b', line)
            if m:
                cur = m.group(1)
                continue
            m = re.match(r'\s*"(Benchmark\w+)",', line)
            if m and cur:
                files[m.group(1)] = cur
    return files


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def fmt_ns(v):
    if v >= 1e6:
        return "{:,.0f}".format(v)
    if v >= 100:
        return "%.1f" % v
    return "%.2f" % v


def short(name):
    return name[len("Benchmark"):] if name.startswith("Benchmark") else name


def label(r):
    """A row's name as shown: Go's name, then a metric row's unit."""
    return "%s [%s]" % (r["name"], r["metric"]) if r.get("metric") else r["name"]


def ns_rows(rows):
    """The rows of ns/op (those without a metric)."""
    return [r for r in rows if not r.get("metric")]


def load(path):
    if not os.path.exists(path):
        raise SystemExit("perf: the performance chapter needs %s (a bench/compare --json result)" % path)
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if not doc.get("pairs") or "rows" not in doc:
        raise SystemExit("perf: %s is not a paired bench/compare run" % path)
    return doc


def load_findings(path, every):
    """{row name: finding} from path, checked against every, the rows above
    Go in every pair: each must have a finding, and each finding must name
    one of them (a stale one fails too)."""
    found = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, sep, text = line.partition("\t")
            if not sep or not text.strip() or name in found:
                raise SystemExit("perf: %s:%d: want one line per row, name<TAB>finding" % (path, n))
            found[name] = text.strip()
    names = {r["name"] for r in every}
    problems = ["%s is above Go in every pair and has no finding" % n for n in sorted(names - set(found))]
    problems += ["%s has a finding but is not above Go in every pair" % n for n in sorted(set(found) - names)]
    if problems:
        raise SystemExit("perf: %s:\n  %s" % (path, "\n  ".join(problems)))
    return found


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    # A fixed hash salt and no date: the same figures give the same SVG,
    # so write_if_changed leaves an unchanged file alone.
    plt.rcParams.update({"font.size": 9, "svg.fonttype": "none", "svg.hashsalt": "gort",
                         "font.family": "DejaVu Sans"})
    return plt


def _svg(plt, fig):
    import io
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


def ratio_figure(plt, rows, title):
    """One row per benchmark: a dot at the median ratio gort/Go, a line
    over the pairs' spread, on a log axis with Go's time at 1."""
    n = len(rows)
    fig, ax = plt.subplots(figsize=(7.5, 0.6 + 0.24 * n))
    ys = list(range(n))[::-1]
    lo = min(min(r["ratio_min"] for r in rows), 0.5)
    hi = max(max(r["ratio_max"] for r in rows), 2.0)
    for y, r in zip(ys, rows):
        color = "#1a7f37" if r["ratio_median"] <= 1.0 else "#cf222e"
        ax.plot([r["ratio_min"], r["ratio_max"]], [y, y], color=color, linewidth=1.6, alpha=0.55)
        ax.plot([r["ratio_median"]], [y], "o", color=color, markersize=4.5)
    ax.axvline(1.0, color="#444", linewidth=0.9)
    ax.set_xscale("log")
    ax.set_xlim(lo / 1.15, hi * 1.15)
    ticks = [t for t in (0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 10) if lo / 1.15 <= t <= hi * 1.15]
    ax.set_xticks(ticks)
    ax.set_xticklabels(["%g" % t for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(ys)
    ax.set_yticklabels([short(label(r)) for r in rows])
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(axis="x", color="#ddd", linewidth=0.6)
    if any(r.get("metric") for r in rows):
        ax.set_xlabel("gort ÷ Go, of ns/op or of the [unit] a row names (log scale): left of 1 gort is lower")
    else:
        ax.set_xlabel("gort ns/op ÷ Go ns/op (log scale): left of 1 gort is faster")
    ax.set_title(title, loc="left", fontsize=10)
    return _svg(plt, fig)


def _side_lines(ax, xs, go, gort):
    ax.plot(xs, go, "o-", color="#6e7781", label="Go", markersize=4)
    ax.plot(xs, gort, "s-", color="#0969da", label="gort", markersize=4)
    ax.set_ylim(0, max(go + gort) * 1.15)
    ax.grid(color="#ddd", linewidth=0.6)


def capacity_figure(plt, rows):
    """ns/op of a producer-consumer pair against the channel's capacity,
    without and with work between the operations (the ChanProdCons rows)."""
    by = {r["name"]: r for r in ns_rows(rows)}
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 2.5))
    caps = [0, 10, 100]
    for ax, stem, label in ((axes[0], "BenchmarkChanProdCons", "ChanProdCons<N>: no work"),
                            (axes[1], "BenchmarkChanProdConsWork", "ChanProdConsWork<N>: 100 steps of work")):
        names = ["%s%d" % (stem, c) for c in caps]
        missing = [n for n in names if n not in by]
        if missing:
            raise SystemExit("perf: the capacity figure needs %s" % ", ".join(missing))
        _side_lines(ax, [0, 1, 2], [by[n]["go_median"] for n in names], [by[n]["gort_median"] for n in names])
        ax.set_xticks([0, 1, 2])
        ax.set_xticklabels(["cap 0", "cap 10", "cap 100"])
        ax.set_ylabel("ns/op")
        ax.set_title(label, loc="left", fontsize=9)
    axes[0].legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return _svg(plt, fig)


def scaling_figure(plt, doc):
    """ns/op at GOMAXPROCS 1, 2 and 4 for SCALING_ROWS, both sides."""
    by = {(r["name"], r["gomaxprocs"]): r for r in ns_rows(doc["rows"]) if r.get("pairs")}
    procs = [1, 2, 4]
    fig, axes = plt.subplots(2, 3, figsize=(7.5, 4.4))
    for ax, name in zip([a for row in axes for a in row], SCALING_ROWS):
        missing = [p for p in procs if (name, p) not in by]
        if missing:
            raise SystemExit("perf: the scaling file has no %s at GOMAXPROCS %s" % (name, missing))
        _side_lines(ax, procs, [by[(name, p)]["go_median"] for p in procs],
                    [by[(name, p)]["gort_median"] for p in procs])
        ax.set_xticks(procs)
        ax.set_title(short(name), loc="left", fontsize=9)
    axes[0][0].legend(loc="best", fontsize=8)
    for ax in axes[1]:
        ax.set_xlabel("GOMAXPROCS")
    for row in axes:
        row[0].set_ylabel("ns/op")
    fig.tight_layout()
    return _svg(plt, fig)


def million_figure(plt, mil):
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 2.4))
    for ax, key, label in ((axes[0], "create_ns_per_goroutine", "create: ns per goroutine"),
                           (axes[1], "bytes_per_goroutine", "peak RSS: bytes per goroutine")):
        vals = [mil["go"][key], mil["gort"][key]]
        bars = ax.barh(["Go", "gort"], vals, color=["#6e7781", "#0969da"])
        for b, v in zip(bars, vals):
            ax.text(b.get_width(), b.get_y() + b.get_height() / 2, " %.0f" % v, va="center", fontsize=8)
        ax.set_xlim(0, max(vals) * 1.25)
        ax.set_title(label, loc="left", fontsize=9)
        ax.invert_yaxis()
    fig.suptitle("A million goroutines, each parked on a channel (N=%d)" % mil["n"], x=0.01, ha="left",
                 fontsize=10)
    fig.tight_layout()
    return _svg(plt, fig)


def bt_ratio(bt, key):
    """gort/Go for one binary-trees figure: the median of the rounds'
    ratios, or the ratio of the two runs in a file without rounds."""
    r = (bt.get("ratios") or {}).get(key)
    return r["median"] if r else bt["gort"][key] / bt["go"][key]


def binarytrees_figure(plt, bt):
    names = [n for n in ("go", "gort", "boehm") if n in bt]
    labels = {"go": "Go", "gort": "gort", "boehm": "Boehm GC"}
    colors = {"go": "#6e7781", "gort": "#0969da", "boehm": "#bf8700"}
    fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.4))
    for ax, key, label, fmt in ((axes[0], "time_ms", "time, ms", "%.0f"),
                                (axes[1], "peak_rss_mib", "peak RSS, MiB", "%.0f"),
                                (axes[2], "longest_pause_ms", "longest pause, ms", "%.2f")):
        vals = [bt[n][key] for n in names]
        bars = ax.barh([labels[n] for n in names], vals, color=[colors[n] for n in names])
        for b, v in zip(bars, vals):
            ax.text(b.get_width(), b.get_y() + b.get_height() / 2, " " + fmt % v, va="center", fontsize=8)
        ax.set_xlim(0, max(vals) * 1.4 if max(vals) > 0 else 1)
        ax.set_title(label, loc="left", fontsize=9)
        ax.invert_yaxis()
    fig.suptitle("binary-trees, depth %d, GOMAXPROCS %d" % (bt["depth"], bt["gomaxprocs"]), x=0.01,
                 ha="left", fontsize=10)
    fig.tight_layout()
    return _svg(plt, fig)


def generate(srcdir, results=DEFAULT_RESULTS, scaling=DEFAULT_SCALING,
             compare=os.path.join(REPO, "bench", "compare")):
    """Writes the chapter's includes and figures into srcdir/generated;
    returns the number of files that changed."""
    doc = load(results)
    files = ported_files(compare)
    rows = [r for r in doc["rows"] if r.get("pairs")]
    if not ns_rows(rows):
        raise SystemExit("perf: %s has no ns/op row measured on both sides" % results)
    gen = os.path.join(srcdir, "generated")
    plt = _pyplot()
    changed = 0
    placed = set()
    figures = []
    for key, title, gofiles in GROUPS:
        grp = [r for r in rows if files.get(r["name"].split("/")[0]) in gofiles]
        if not grp:
            continue
        placed.update(id(r) for r in grp)
        changed += write_if_changed(os.path.join(gen, "perf-%s.svg" % key), ratio_figure(plt, grp, title))
        figures.append((key, title, grp))
    rest = [r for r in rows if id(r) not in placed]
    if rest:
        raise SystemExit("perf: rows with no figure group (add their Go file to GROUPS): %s"
                         % ", ".join(label(r) for r in rest))
    mil = doc.get("million") or {}
    if "go" not in mil or "gort" not in mil:
        raise SystemExit("perf: %s has no million-goroutine figures for both sides" % results)
    changed += write_if_changed(os.path.join(gen, "perf-million.svg"), million_figure(plt, mil))
    bt = doc.get("binarytrees") or {}
    if "go" not in bt or "gort" not in bt:
        raise SystemExit("perf: %s has no binary-trees figures for both sides" % results)
    changed += write_if_changed(os.path.join(gen, "perf-binarytrees.svg"), binarytrees_figure(plt, bt))

    changed += write_if_changed(os.path.join(gen, "perf-capacity.svg"), capacity_figure(plt, rows))
    sdoc = load(scaling)
    changed += write_if_changed(os.path.join(gen, "perf-scaling.svg"), scaling_figure(plt, sdoc))

    # What the chapter's prose says of these figures, checked: a result
    # file that contradicts it fails the build instead of printing it.
    problems = []
    if not mil["gort"]["bytes_per_goroutine"] > mil["go"]["bytes_per_goroutine"]:
        problems.append("the chapter says a goroutine costs gort more memory than Go (fixed stacks); "
                        "this run says %.0f against %.0f bytes" % (mil["gort"]["bytes_per_goroutine"],
                                                                  mil["go"]["bytes_per_goroutine"]))
    if sdoc["machine"]["cpus"] >= 4:
        problems.append("the chapter says GOMAXPROCS=4 oversubscribes the machine; the scaling run had "
                        "%d CPUs" % sdoc["machine"]["cpus"])
    if problems:
        raise SystemExit("perf: %s:\n  %s" % (results, "\n  ".join(problems)))

    # What the prose says of the rows is said of ns/op: metric rows are in
    # the table and the figures only.
    timed = ns_rows(rows)
    ratios = [r["ratio_median"] for r in timed]
    above = sorted((r for r in timed if r["ratio_median"] > 1.0), key=lambda r: -r["ratio_median"])
    m = doc["machine"]
    facts = {
        "perf-date": doc["date"][:10],
        "perf-commit": (doc["gort_commit"] or "?")[:7],
        "perf-go": (doc["go"] or "?").replace("go version ", ""),
        "perf-machine": "%d CPUs (%s), %s GiB, Linux %s" % (m["cpus"], m["model"], m.get("memory_gib", "?"),
                                                          m["kernel"]),
        "perf-pairs": str(doc["pairs"]),
        "perf-benchtime": doc["benchtime"],
        "perf-procs": ",".join(map(str, doc["gomaxprocs"])),
        "perf-rows": str(len(timed)),
        "perf-metric-rows": str(len(rows) - len(timed)),
        "perf-geomean": "%.2f" % geomean(ratios),
        "perf-above": str(len(above)),
        "perf-below": str(len(timed) - len(above)),
        "perf-worst": "%s (%.2f)" % (short(above[0]["name"]), above[0]["ratio_median"]) if above else "none",
        "perf-mil-n": "{:,}".format(mil["n"]),
        "perf-mil-create-go": "%.0f" % mil["go"]["create_ns_per_goroutine"],
        "perf-mil-create-gort": "%.0f" % mil["gort"]["create_ns_per_goroutine"],
        "perf-mil-bytes-go": "%.0f" % mil["go"]["bytes_per_goroutine"],
        "perf-mil-bytes-gort": "%.0f" % mil["gort"]["bytes_per_goroutine"],
        # The median of the rounds' ratios where the file has rounds (a
        # result file from before them has one run of each).
        "perf-bt-time-ratio": "%.2f" % bt_ratio(bt, "time_ms"),
        "perf-bt-rss-ratio": "%.2f" % bt_ratio(bt, "peak_rss_mib"),
        "perf-bt-depth": str(bt["depth"]),
        "perf-scaling-date": sdoc["date"][:10],
        "perf-scaling-commit": (sdoc["gort_commit"] or "?")[:7],
        "perf-scaling-pairs": str(sdoc["pairs"]),
        "perf-scaling-cpus": str(sdoc["machine"]["cpus"]),
    }
    out = [".. Generated by book/tools/perf.py from %s; do not edit.\n" % os.path.relpath(results, REPO)]
    for k, v in facts.items():
        out.append(".. |%s| replace:: %s" % (k, v))
    changed += write_if_changed(os.path.join(gen, "perf-facts.inc"), "\n".join(out) + "\n")

    if sdoc.get("filter") != SCALING_FILTER or sorted(sdoc["gomaxprocs"]) != [1, 2, 4]:
        raise SystemExit("perf: %s was not made with --gomaxprocs 1,2,4 --filter '%s'" % (scaling, SCALING_FILTER))
    out = [".. Generated by book/tools/perf.py; do not edit.\n", ".. code-block:: console", "",
           "   $ bench/compare --gomaxprocs %s --pairs %d --benchtime %s --million %d --binarytrees %d \\" % (
               ",".join(map(str, doc["gomaxprocs"])), doc["pairs"], doc["benchtime"], mil["n"], bt["depth"]),
           "       --json bench/results/gomaxprocs2.json",
           "   $ bench/compare --gomaxprocs 1,2,4 --pairs %d --benchtime %s --million 0 --binarytrees 0 \\" % (
               sdoc["pairs"], sdoc["benchtime"]),
           "       --filter '%s' \\" % SCALING_FILTER,
           "       --json bench/results/scaling.json", ""]
    changed += write_if_changed(os.path.join(gen, "perf-reproduce.inc"), "\n".join(out) + "\n")

    every = [r for r in above if r["ratio_min"] > 1.0]
    some = [r for r in above if r["ratio_min"] <= 1.0]
    findings = load_findings(FINDINGS, every) if os.path.abspath(results) == os.path.abspath(DEFAULT_RESULTS) else {}
    out = [".. Generated by book/tools/perf.py from %s; do not edit.\n" % os.path.relpath(FINDINGS, REPO)]
    if every:
        out.append("Above Go in every pair, with what the profiles show:\n")
    for r in every:
        out.append(("- ``%s``: %.2f (pairs from %.2f to %.2f; Go %s ns/op, gort %s). %s" % (
            short(r["name"]), r["ratio_median"], r["ratio_min"], r["ratio_max"], fmt_ns(r["go_median"]),
            fmt_ns(r["gort_median"]), findings.get(r["name"], ""))).rstrip())
    if some:
        out.append("")
        out.append("Above Go in the median, with at least one pair at or below Go's time: " + ", ".join(
            "``%s`` %.2f (%.2f-%.2f)" % (short(r["name"]), r["ratio_median"], r["ratio_min"], r["ratio_max"])
            for r in some) + ".")
    if not above:
        out.append("(none: every row is at or below Go's time)")
    changed += write_if_changed(os.path.join(gen, "perf-above.inc"), "\n".join(out) + "\n")

    out = [".. Generated by book/tools/perf.py; do not edit.\n"]
    for key, title, grp in figures:
        timed_grp = ns_rows(grp)
        caption = title + ": "
        if timed_grp:
            caption += "%d row(s), geometric mean %.2f" % (len(timed_grp),
                                                          geomean([r["ratio_median"] for r in timed_grp]))
        if len(grp) > len(timed_grp):
            caption += "%s%d row(s) of a measure the benchmark reports itself%s" % (
                "; and " if timed_grp else "", len(grp) - len(timed_grp), ", not in the mean" if timed_grp else "")
        out += [".. figure:: /generated/perf-%s.svg" % key, "   :width: 100%", "   :alt: %s: the ratio gort/Go of each "
                "benchmark, its median and spread" % title, "", "   %s." % caption, ""]
    changed += write_if_changed(os.path.join(gen, "perf-figures.inc"), "\n".join(out) + "\n")

    out = [".. Generated by book/tools/perf.py; do not edit.\n",
           ".. list-table::", "   :header-rows: 1", "   :widths: 40 8 14 14 10 14", "",
           "   * - benchmark", "     - procs", "     - Go ns/op", "     - gort ns/op", "     - gort/Go",
           "     - spread"]
    for r in rows:
        out += ["   * - ``%s``" % label(r), "     - %d" % r["gomaxprocs"], "     - %s" % fmt_ns(r["go_median"]),
                "     - %s" % fmt_ns(r["gort_median"]), "     - %s%.2f%s" % (
                    "**" if r["ratio_median"] > 1.0 else "", r["ratio_median"],
                    "**" if r["ratio_median"] > 1.0 else ""),
                "     - %.2f–%.2f" % (r["ratio_min"], r["ratio_max"])]
    changed += write_if_changed(os.path.join(gen, "perf-table.inc"), "\n".join(out) + "\n")
    return changed


if __name__ == "__main__":
    print(generate(sys.argv[1], *sys.argv[2:4]), "file(s) changed")
