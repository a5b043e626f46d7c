// Command kluisprof is kluis with a CPU profile: the same command line as
// cmd/kluis (it calls the same cli.Main), plus a CPU profile written to the
// file named by KLUIS_BENCH_CPUPROFILE when the command ends, and a heap
// profile (memory in use at the end) to KLUIS_BENCH_HEAPPROFILE if that is
// set. kluis has no pprof endpoint; the benchmark harness (go run ./bench
// -profile) builds this instead to see where `kluis serve` spends its time
// and memory under load.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"

	"kluis/internal/cli"
)

func main() {
	path := os.Getenv("KLUIS_BENCH_CPUPROFILE")
	if path == "" {
		fmt.Fprintln(os.Stderr, "kluisprof: set KLUIS_BENCH_CPUPROFILE to the profile's file name")
		os.Exit(2)
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kluisprof:", err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "kluisprof:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "kluisprof:", err)
		code = 1
	}
	if hp := os.Getenv("KLUIS_BENCH_HEAPPROFILE"); hp != "" {
		if err := writeHeap(hp); err != nil {
			fmt.Fprintln(os.Stderr, "kluisprof:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func writeHeap(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
