package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/headless-k8s/headless/generator"
)

// TestMariaDBFullStop stops every member of a Galera cluster at once and
// checks that it comes back with its data and no hand-made bootstrap:
// after every pod is deleted (clean shutdowns: the member that left last
// has safe_to_bootstrap: 1), and after every member's process is killed
// (a crash of all: pc.recovery restores the last primary component).
func TestMariaDBFullStop(t *testing.T) {
	if why, ok := skipped["mariadb"]; ok {
		t.Skip(why)
	}
	parallel(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	ns := "run-mariadb-full-stop"
	r := startRun(ctx, t, "mariadb", generator.ModeStatefulSet, ns, nil)
	pods := r.pods()
	if _, err := r.running(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	first := randomString()
	if err := r.replicated(ctx, pods[0], "k1", first, 4*time.Minute); err != nil {
		t.Fatalf("the cluster did not form: %v", err)
	}
	// still checks that the first write is on every member, and that a new
	// one, written on another member, reaches every member.
	still := func(what, writer, key string) {
		t.Helper()
		if err := r.replicated(ctx, writer, key, randomString(), 5*time.Minute); err != nil {
			t.Fatalf("after %s, the cluster did not come back: %v (%s)\n%s", what, err, r.describePods(ctx), r.startLog())
		}
		for _, pod := range pods {
			out, err := r.db.read(ctx, r, pod, "k1")
			if err != nil || !hasLine(out, first) {
				t.Fatalf("after %s, %s lost k1: %q (%v)", what, pod, lastLines(out, 3), err)
			}
		}
		t.Logf("after %s the cluster is back with its data:\n%s", what, r.startLog())
	}

	// Every pod deleted at once; the StatefulSet controller recreates them.
	old := map[string]string{}
	for _, pod := range pods {
		p, err := cluster.Client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		old[pod] = string(p.UID)
	}
	for _, pod := range pods {
		if err := cluster.Client.CoreV1().Pods(ns).Delete(ctx, pod, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := poll(ctx, 3*time.Minute, func() (bool, error) {
		m, err := r.running(ctx, time.Second)
		if err != nil {
			return false, nil
		}
		for _, pod := range pods {
			if string(m[pod].UID) == old[pod] {
				return false, nil
			}
		}
		return true, nil
	}); err != nil {
		t.Fatalf("the pods were not recreated: %v (%s)", err, r.describePods(ctx))
	}
	still("every pod was deleted", pods[1], "k2")

	// Every member's process killed at once; the kubelet restarts them.
	for _, pod := range pods {
		if err := kubelet.Kill(ns, pod, ""); err != nil {
			t.Fatal(err)
		}
	}
	still("every member was killed", pods[2], "k3")
}

// startLog returns, for every pod, the last lines of its log (kept across
// restarts) in which the preset's start script says what it decided.
func (r *dbRun) startLog() string {
	var lines []string
	for _, pod := range r.pods() {
		data, err := os.ReadFile(filepath.Join(kubelet.dir, "logs", fmt.Sprintf("%s_%s_%s.log", r.ns, pod, "mariadb")))
		if err != nil {
			lines = append(lines, fmt.Sprintf("  %s: %v", pod, err))
			continue
		}
		var said []string
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "headless: ") {
				said = append(said, "  "+pod+": "+l)
			}
		}
		if len(said) > 3 {
			said = said[len(said)-3:]
		}
		lines = append(lines, said...)
	}
	return strings.Join(lines, "\n")
}
