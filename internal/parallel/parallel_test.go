package parallel

import (
	"strings"
	"sync/atomic"
	"testing"

	_ "github.com/headless-k8s/headless/internal/testutil" // accepts -update
)

func TestDoCallsEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 1000} {
		calls := make([]atomic.Int32, n)
		Do(n, func(i int) { calls[i].Add(1) })
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Errorf("n=%d: fn(%d) called %d times", n, i, c)
			}
		}
	}
}

// TestDoPanic: a panic in fn reaches the caller of Do as a *Panic, which
// Run recovers (exit 3); it must not crash the process from a worker.
func TestDoPanic(t *testing.T) {
	for _, n := range []int{1, 2, 1000} {
		var got any
		func() {
			defer func() { got = recover() }()
			Do(n, func(i int) {
				if i == n/2 {
					panic("boom")
				}
			})
		}()
		p, ok := got.(*Panic)
		if !ok {
			t.Fatalf("n=%d: Do panicked with %T %v, want *Panic", n, got, got)
		}
		if p.Value != "boom" || !strings.Contains(p.Error(), "boom") || !strings.Contains(string(p.Stack), "parallel_test.go") {
			t.Errorf("n=%d: %v, want the value and the worker's stack", n, p)
		}
	}
}
