package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// runAsInit is what the test binary does when it is process 1 of the PID
// namespace `make e2e` creates: it runs the tests in a child of its own and
// reaps every process orphaned in the namespace, as an init does.
//
// Without it, a probe or an exec whose nsenter was killed (a timeout)
// leaves its child, inside a pod's PID namespace, to this process 1, which
// would never wait for it; the zombie keeps that pod's own process 1 from
// finishing its exit, and the pod can never be reaped. Go's os/exec waits
// for its own children by PID, so the tests cannot reap orphans in the same
// process without stealing those children's exit statuses.
func runAsInit() int {
	cmd := exec.Command("/proc/self/exe", os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// A signal for the tests (Ctrl-C, SIGQUIT for a stack dump) goes on.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGHUP)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: starting the tests under an init: %v\n", err)
		return 1
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "e2e: waiting as init: %v\n", err)
			return 1
		}
		if pid != cmd.Process.Pid {
			continue // an orphan, reaped
		}
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
}
