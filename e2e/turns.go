package e2e

import (
	"slices"
	"sort"
	"sync"
	"testing"
	"time"
)

// runSlots is how many database tests run at once. Go's own limit
// (-test.parallel, set high in the Makefile) would start them in the order
// they happen to queue, which put the two longest, PostgreSQL's, last in
// some runs and made the whole run a minute and a half longer.
const runSlots = 8

// longestFirst names the tests that take the longest, mostly waiting on
// their databases' own timers (a primary frozen past the liveness window,
// a liveness restart, rolling restarts): they start first, in this order,
// and the rest in the order they queued.
var longestFirst = []string{
	"TestPostgres/pods",
	"TestPostgres/statefulset-scale",
	"TestScale/zookeeper-pods",
	"TestScale/zookeeper-statefulset",
	"TestEtcdScale",
	"TestReplication/mariadb-pods",
	"TestReplication/mariadb-statefulset",
	"TestReplication/rabbitmq-statefulset",
	"TestReplication/rabbitmq-pods",
	"TestScale/mariadb-pods",
	"TestScale/mariadb-statefulset",
	"TestScale/rabbitmq-statefulset",
	"TestMariaDBFullStop",
}

var turns = struct {
	mu      sync.Mutex
	free    int
	waiting []*turn
	seq     int
	// open is set a second after the first test queues: the parallel
	// tests are released together, and all of them queue by then.
	gathering, open bool
}{free: runSlots}

type turn struct {
	rank, seq int
	ready     chan struct{}
}

// parallel is t.Parallel for a database test, which then waits for one of
// runSlots turns, given longest first. The turn goes back when the test
// and its cleanups (its pods stopped) are done.
func parallel(t *testing.T) {
	t.Parallel()
	rank := slices.Index(longestFirst, t.Name())
	if rank < 0 {
		rank = len(longestFirst)
	}
	tr := &turn{rank: rank, ready: make(chan struct{})}
	turns.mu.Lock()
	turns.seq++
	tr.seq = turns.seq
	turns.waiting = append(turns.waiting, tr)
	if !turns.gathering {
		turns.gathering = true
		time.AfterFunc(time.Second, func() {
			turns.mu.Lock()
			turns.open = true
			dispatch()
			turns.mu.Unlock()
		})
	}
	dispatch()
	turns.mu.Unlock()
	<-tr.ready
	t.Cleanup(func() {
		turns.mu.Lock()
		turns.free++
		dispatch()
		turns.mu.Unlock()
	})
}

// dispatch gives the free turns to the waiting tests, lowest rank first,
// then in the order they queued. turns.mu is held.
func dispatch() {
	if !turns.open {
		return
	}
	sort.SliceStable(turns.waiting, func(i, j int) bool {
		a, b := turns.waiting[i], turns.waiting[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.seq < b.seq
	})
	for turns.free > 0 && len(turns.waiting) > 0 {
		w := turns.waiting[0]
		turns.waiting = turns.waiting[1:]
		turns.free--
		close(w.ready)
	}
}
