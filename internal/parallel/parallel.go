// Package parallel runs independent pieces of work on every core.
package parallel

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Do calls fn(0) … fn(n-1), each once, on up to GOMAXPROCS goroutines, and
// returns when all have returned. fn must be safe to call concurrently;
// results go into slots indexed by i, so their order does not depend on
// scheduling.
//
// A panic in fn does not crash the process from a worker goroutine, where
// no recover of the caller could catch it and Go would exit with status 2.
// The workers stop taking new indexes, and once every running call has
// returned, Do panics in the caller's goroutine with a *Panic that holds the
// first panic's value and the stack of the worker it happened on.
func Do(n int, fn func(i int)) {
	var (
		wg       sync.WaitGroup
		next     atomic.Int64
		stop     atomic.Bool
		once     sync.Once
		panicked *Panic
	)
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					stop.Store(true)
					once.Do(func() { panicked = &Panic{Value: r, Stack: debug.Stack()} })
				}
			}()
			for i := int(next.Add(1) - 1); i < n && !stop.Load(); i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}

// Panic is what Do panics with when fn panicked in a worker.
type Panic struct {
	// Value is what fn panicked with.
	Value any
	// Stack is the worker goroutine's stack when it panicked.
	Stack []byte
}

// Error says what fn panicked with and where.
func (p *Panic) Error() string {
	return fmt.Sprintf("%v\n\nin a worker goroutine:\n%s", p.Value, p.Stack)
}
