// bench/binarytrees.go: bench/binarytrees.cpp's program in Go, built and
// run by bench/compare with Go 1.22 (go build, GOPATH mode, offline).
//
//	binarytrees [DEPTH]      (default 21)
//
// The same trees, the same output on stdout and the same figures line on
// stderr ("go" in place of "gort"): a pause is MemStats.PauseNs, the
// stop-the-world time of a cycle, as gort reports its own.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const minDepth = 4

var maxDepth = 21

// Node is a tree node; a leaf has no children.
type Node struct{ left, right *Node }

// bottomUpTree builds a perfect tree of the given depth, children first.
func bottomUpTree(depth int) *Node {
	if depth <= 0 {
		return &Node{}
	}
	return &Node{bottomUpTree(depth - 1), bottomUpTree(depth - 1)}
}

// itemCheck counts the nodes of the tree at n.
func itemCheck(n *Node) int64 {
	if n.left == nil {
		return 1
	}
	return 1 + itemCheck(n.left) + itemCheck(n.right)
}

// peakRSSKiB reads VmHWM, as bench/peakrss.hpp does.
// stretch builds, checks and drops the stretch tree. Its own function only
// to keep the gort and Boehm programs' shape, where it keeps a dead root out
// of main's frame for their conservative stack scans (binarytrees.cpp).
//
//go:noinline
func stretch() {
	stretchDepth := maxDepth + 1
	fmt.Printf("stretch tree of depth %d\t check: %d\n", stretchDepth, itemCheck(bottomUpTree(stretchDepth)))
}

func peakRSSKiB() int64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
				if v, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					return v
				}
			}
		}
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss
}

func main() {
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 0 || v > 30 {
			fmt.Fprintf(os.Stderr, "usage: binarytrees [DEPTH 0..30]\n")
			os.Exit(2)
		}
		maxDepth = v
	}
	if maxDepth < minDepth+2 {
		maxDepth = minDepth + 2
	}
	t0 := time.Now()
	stretch()

	longLived := bottomUpTree(maxDepth)

	outputs := make([]string, maxDepth+1)
	var wg sync.WaitGroup
	for d := minDepth; d <= maxDepth; d += 2 {
		wg.Add(1)
		go func(d int) {
			iterations := int64(1) << (maxDepth - d + minDepth)
			var check int64
			for i := int64(0); i < iterations; i++ {
				check += itemCheck(bottomUpTree(d))
			}
			outputs[d] = fmt.Sprintf("%d\t trees of depth %d\t check: %d\n", iterations, d, check)
			wg.Done()
		}(d)
	}
	wg.Wait()
	for d := minDepth; d <= maxDepth; d += 2 {
		fmt.Print(outputs[d])
	}
	fmt.Printf("long lived tree of depth %d\t check: %d\n", maxDepth, itemCheck(longLived))
	elapsed := time.Since(t0)

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var longest uint64
	for i := uint32(0); i < ms.NumGC && i < 256; i++ {
		if ms.PauseNs[i] > longest {
			longest = ms.PauseNs[i]
		}
	}
	fmt.Fprintf(os.Stderr, "binarytrees: depth %d, go, GOMAXPROCS %d: %.1f ms, %d GC cycles, longest pause %.3f ms, peak RSS %.1f MiB\n",
		maxDepth, runtime.GOMAXPROCS(0), float64(elapsed.Nanoseconds())/1e6, ms.NumGC, float64(longest)/1e6,
		float64(peakRSSKiB())/1024)
}
