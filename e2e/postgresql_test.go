package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/headless-k8s/headless/generator"
)

// TestPostgres runs the postgresql preset's generated scripts unchanged on
// PostgreSQL 15, through the real API server, controllers and CoreDNS, in
// what only running them reveals: standbys started before their primary,
// a clone held up far longer than the liveness window, an interrupted
// clone, a standby away while the primary removed the WAL it needed, an
// empty primary while standbys hold data, and scaling 3 → 5 → 3 on a
// cluster without the pod-index label.
func TestPostgres(t *testing.T) {
	t.Parallel()
	if why, ok := skipped["postgresql"]; ok {
		t.Skip(why)
	}
	t.Run("pods", func(t *testing.T) {
		parallel(t)
		testPostgresPods(t)
	})
	t.Run("statefulset-scale", func(t *testing.T) {
		parallel(t)
		testPostgresScale(t)
	})
}

// pgSQL runs one statement on pod's own server as the superuser (local
// socket) and returns its unaligned output.
func (r *dbRun) pgSQL(ctx context.Context, pod, query string) (string, error) {
	out, err := r.exec(ctx, pod, "psql", "--no-psqlrc", "--username=postgres", "--port="+r.port(), "-v", "ON_ERROR_STOP=1", "-Atc", query)
	return strings.TrimSpace(out), err
}

// stepper logs how long each step took.
func stepper(t *testing.T) func(string) {
	begin, last := time.Now(), time.Now()
	return func(name string) {
		t.Logf("%-44s %6.1fs (%.1fs in all)", name, time.Since(last).Seconds(), time.Since(begin).Seconds())
		last = time.Now()
	}
}

// applyDocs applies the documents of man of kind named name.
func applyDocs(ctx context.Context, t *testing.T, man *generator.Manifest, kind string, names ...string) {
	t.Helper()
	a, err := cluster.NewApplier()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range man.Documents {
		for _, name := range names {
			if d.Kind == kind && d.Name == name {
				u, err := ToUnstructured(d.Object)
				if err != nil {
					t.Fatal(err)
				}
				if err := a.Apply(ctx, u, false); err != nil {
					t.Fatalf("%s %s: %v", kind, name, err)
				}
			}
		}
	}
}

// deletePod deletes a pod (and its claim, when claim is not empty) and
// waits until both are gone.
func (r *dbRun) deletePod(ctx context.Context, pod, claim string) {
	t := r.t
	t.Helper()
	if err := cluster.Client.CoreV1().Pods(r.ns).Delete(ctx, pod, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if claim != "" {
		if err := cluster.Client.CoreV1().PersistentVolumeClaims(r.ns).Delete(ctx, claim, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := poll(ctx, 3*time.Minute, func() (bool, error) {
		_, err := cluster.Client.CoreV1().Pods(r.ns).Get(ctx, pod, metav1.GetOptions{})
		if !apierrors.IsNotFound(err) {
			return false, nil
		}
		if claim != "" {
			_, err = cluster.Client.CoreV1().PersistentVolumeClaims(r.ns).Get(ctx, claim, metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		}
		return true, nil
	}); err != nil {
		t.Fatalf("%s (claim %q) not gone: %v", pod, claim, err)
	}
	// The kubelet stand-in removes a deleted claim's directory when it
	// hears of the deletion; a claim created again under the same name
	// must not meet the old one's files (Kubernetes gives it a new volume).
	if claim != "" {
		if err := poll(ctx, time.Minute, func() (bool, error) {
			_, err := os.Stat(kubelet.claimDir(r.ns, claim))
			return os.IsNotExist(err), nil
		}); err != nil {
			t.Fatalf("the volume of claim %s is still there: %v", claim, err)
		}
	}
}

// podStatus returns the pod as the API server has it.
func (r *dbRun) podStatus(ctx context.Context, pod string) (*corev1.Pod, error) {
	return cluster.Client.CoreV1().Pods(r.ns).Get(ctx, pod, metav1.GetOptions{})
}

// signalContainer sends sig to every process of a container (its init
// container when init) — all of them, as a frozen or thawed machine
// would: the processes of the container's PID namespace.
func signalContainer(ns, pod string, init bool, sig syscall.Signal) (int, error) {
	r := kubelet.runner(ns, pod)
	if r == nil {
		return 0, fmt.Errorf("pod %s/%s is not running here", ns, pod)
	}
	c := r.ctrs[0]
	if init {
		c = r.initCtrs[0]
	}
	pid := c.pid()
	if pid == 0 {
		return 0, fmt.Errorf("container %s of %s/%s is not running", c.spec.Name, ns, pod)
	}
	want, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		return 0, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", p)); err == nil && l == want {
			if syscall.Kill(p, sig) == nil {
				n++
			}
		}
	}
	return n, nil
}

// containerLog returns what a container of pod wrote.
func containerLog(ns, pod, container string) string {
	b, _ := os.ReadFile(filepath.Join(kubelet.dir, "logs", fmt.Sprintf("%s_%s_%s.log", ns, pod, container)))
	return string(b)
}

// restarts returns the restart count of the init container (init) or the
// main container of pod.
func restarts(p *corev1.Pod, init bool) int32 {
	cs := p.Status.ContainerStatuses
	if init {
		cs = p.Status.InitContainerStatuses
	}
	if len(cs) == 0 {
		return -1
	}
	return cs[0].RestartCount
}

// walBeyondBound makes the primary write more WAL than its
// max_slot_wal_keep_size (read from the server: the preset's real
// setting), in segment switches, until slot is invalidated (lost).
func (r *dbRun) walBeyondBound(ctx context.Context, primary, slot string) {
	t := r.t
	t.Helper()
	bound, err := r.pgSQL(ctx, primary, "SELECT pg_size_bytes(setting || unit) FROM pg_settings WHERE name = 'max_slot_wal_keep_size'")
	if err != nil {
		t.Fatal(err)
	}
	seg, err := r.pgSQL(ctx, primary, "SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := strconv.ParseInt(bound, 10, 64)
	sz, _ := strconv.ParseInt(seg, 10, 64)
	if b <= 0 || sz <= 0 {
		t.Fatalf("max_slot_wal_keep_size %q bytes, wal_segment_size %q: the preset must bound the WAL kept for slots", bound, seg)
	}
	segments := b/sz + 8
	t.Logf("max_slot_wal_keep_size is %d MB, WAL segments %d MB: switching %d segments", b>>20, sz>>20, segments)
	for done := int64(0); done < segments; done += 8 {
		if _, err := r.pgSQL(ctx, primary, "CREATE TABLE IF NOT EXISTS filler (n int); "+
			"DO $$ BEGIN FOR i IN 1..8 LOOP INSERT INTO filler VALUES (i); PERFORM pg_switch_wal(); END LOOP; END $$"); err != nil {
			t.Fatal(err)
		}
	}
	var status string
	if err := poll(ctx, 2*time.Minute, func() (bool, error) {
		r.pgSQL(ctx, primary, "CHECKPOINT")
		status, _ = r.pgSQL(ctx, primary, fmt.Sprintf("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '%s'", slot))
		return status == "lost", nil
	}); err != nil {
		t.Fatalf("slot %s is %q, not lost, after %d segments", slot, status, segments)
	}
}

// smallWALBound lowers the preset's max_slot_wal_keep_size from 1GB to
// 64MB in the start script: the cases of a standby whose slot was lost
// then write 12 WAL segments, not 72 (1.2 GB of disk and a minute of the
// run each). Only the number changes; what the scripts do about a lost
// slot is the same.
func smallWALBound(t *testing.T, man *generator.Manifest) {
	t.Helper()
	const preset, small = "max_slot_wal_keep_size=1GB", "max_slot_wal_keep_size=64MB"
	for _, d := range man.Documents {
		if cm, ok := d.Object.(*corev1.ConfigMap); ok {
			for k, v := range cm.Data {
				if strings.Contains(v, preset) {
					cm.Data[k] = strings.ReplaceAll(v, preset, small)
					return
				}
			}
		}
	}
	t.Fatalf("no ConfigMap of the postgresql output sets %s", preset)
}

func testPostgresPods(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	step := stepper(t)
	ns := "run-pg-cases"
	held := map[string]generator.Document{}
	r := startRun(ctx, t, "postgresql", generator.ModePods, ns, func(man *generator.Manifest) {
		smallWALBound(t, man)
		// Every pod at once, the primary last: it is held back, and so
		// is postgresql-2 until its volume is prepared.
		docs := man.Documents[:0]
		for _, d := range man.Documents {
			if d.Kind == "Pod" && d.Name != man.Model.Pods[1].Name {
				held[d.Name] = d
				continue
			}
			docs = append(docs, d)
		}
		man.Documents = docs
	})
	applyHeld := func(pod string) {
		applyDocs(ctx, t, &generator.Manifest{Documents: []generator.Document{held[pod]}}, "Pod", pod)
	}
	pods := r.pods()
	primary, s1, s2 := pods[0], pods[1], pods[2]
	claim := func(pod string) string { return "data-" + pod }

	// Postgresql-2's volume holds what an interrupted clone of an earlier
	// version of the preset left (PG_VERSION, no global/pg_control) and an
	// interrupted clone's temporary directory. It must be cloned anew.
	dir := kubelet.claimDir(ns, claim(s2))
	for _, f := range []struct{ path, data string }{
		{"pgdata/PG_VERSION", "15\n"}, {"pgdata/base/1/1259", "partial"}, {"pgdata.partial/PG_VERSION", "15\n"},
	} {
		p := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil {
			err = os.Lchown(p, 999, 999)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	applyHeld(s2)

	// The standbys wait in their init containers for a primary that does
	// not exist yet; then it is created.
	if err := poll(ctx, 2*time.Minute, func() (bool, error) {
		for _, pod := range []string{s1, s2} {
			p, err := r.podStatus(ctx, pod)
			if err != nil || len(p.Status.InitContainerStatuses) == 0 || p.Status.InitContainerStatuses[0].State.Running == nil {
				return false, nil
			}
		}
		return true, nil
	}); err != nil {
		t.Fatalf("the standbys' init containers do not run: %v (%s)", err, r.describePods(ctx))
	}
	step("standbys waiting for their primary")
	applyHeld(primary)
	if err := r.replicated(ctx, primary, "k1", randomString(), 4*time.Minute); err != nil {
		t.Fatalf("the cluster did not form with its primary started last: %v", err)
	}
	if err := r.ready(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	step("primary started last: formed, every pod Ready")
	if _, err := os.Stat(filepath.Join(dir, "pgdata.partial")); !os.IsNotExist(err) {
		t.Fatalf("the interrupted clone's temporary directory is still there (%v)", err)
	}
	if !strings.Contains(containerLog(ns, s2, "prepare"), "cloned ") {
		t.Fatalf("%s's init container did not clone the primary:\n%s", s2, lastLines(containerLog(ns, s2, "prepare"), 10))
	}
	t.Logf("%s, whose volume held an interrupted clone, cloned the primary anew and streams", s2)
	step("interrupted clone recovered")

	// A clone held up far longer than the liveness window (startup 60 ×
	// 10 s aside, liveness 6 × 10 s): the primary is frozen (SIGSTOP, as a
	// stalled machine) while postgresql-2, recreated with an empty volume,
	// waits and clones in its init container.
	before, err := r.podStatus(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	r.deletePod(ctx, s2, claim(s2))
	if n, err := signalContainer(ns, primary, false, syscall.SIGSTOP); err != nil || n == 0 {
		t.Fatalf("freezing %s: %d processes, %v", primary, n, err)
	}
	frozen := time.Now()
	thawed := false
	thaw := func() {
		if !thawed {
			thawed = true
			if n, err := signalContainer(ns, primary, false, syscall.SIGCONT); err != nil || n == 0 {
				t.Errorf("thawing %s: %d processes, %v", primary, n, err)
			}
		}
	}
	defer thaw()
	applyDocs(ctx, t, r.man, "PersistentVolumeClaim", claim(s2))
	applyHeld(s2)
	if err := poll(ctx, 2*time.Minute, func() (bool, error) {
		p, err := r.podStatus(ctx, s2)
		return err == nil && len(p.Status.InitContainerStatuses) > 0 && p.Status.InitContainerStatuses[0].State.Running != nil, nil
	}); err != nil {
		t.Fatalf("%s's init container does not run: %v", s2, err)
	}
	cloneStarted := time.Now()
	// Held up for 100 s, well past the liveness window of 60 s.
	select {
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	case <-time.After(100 * time.Second):
	}
	thaw()
	t.Logf("%s was frozen for %.0fs; %s's init container waited %.0fs of it", primary, time.Since(frozen).Seconds(), s2, time.Since(cloneStarted).Seconds())
	step("primary frozen, new standby waiting")
	if err := r.replicated(ctx, primary, "k2", randomString(), 5*time.Minute); err != nil {
		t.Fatalf("the held-up clone did not complete: %v", err)
	}
	if err := r.ready(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	p, err := r.podStatus(ctx, s2)
	if err != nil {
		t.Fatal(err)
	}
	if n := restarts(p, false); n != 0 {
		t.Fatalf("%s's container restarted %d times; a held-up clone must not be restarted", s2, n)
	}
	t.Logf("%s: init container restarts %d, container restarts 0", s2, restarts(p, true))
	after, err := r.podStatus(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	if restarts(after, false) != restarts(before, false) {
		t.Fatalf("the frozen primary was restarted (%d -> %d): its liveness must count an accepting port as alive", restarts(before, false), restarts(after, false))
	}
	step("held-up clone completed, nothing restarted")

	// A standby away while the primary writes more WAL than
	// max_slot_wal_keep_size: its slot is invalidated; started again it
	// clones anew by itself, and has what was written meanwhile.
	r.deletePod(ctx, s1, "")
	slot := strings.ReplaceAll(s1, "-", "_")
	r.walBeyondBound(ctx, primary, slot)
	t.Logf("slot %s of the departed %s: lost", slot, s1)
	step("standby away, its WAL removed")
	applyDocs(ctx, t, r.man, "Pod", s1)
	if err := r.replicated(ctx, primary, "k3", randomString(), 5*time.Minute); err != nil {
		t.Fatalf("the standby whose WAL was removed did not rejoin: %v", err)
	}
	if err := r.ready(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if log := containerLog(ns, s1, "prepare"); !strings.Contains(log, "cloning it anew") {
		t.Fatalf("%s did not say why it cloned anew:\n%s", s1, lastLines(log, 10))
	}
	status, err := r.pgSQL(ctx, primary, fmt.Sprintf("SELECT wal_status || ' ' || active FROM pg_replication_slots WHERE slot_name = '%s'", slot))
	if err != nil || status != "reserved true" {
		t.Fatalf("slot %s after the new clone: %q, %v; want reserved and active", slot, status, err)
	}
	step("standby cloned anew, streams, has the rows")

	// The primary's volume is lost while the standbys hold the data: it
	// must not create a new, empty database cluster.
	r.deletePod(ctx, primary, claim(primary))
	applyDocs(ctx, t, r.man, "PersistentVolumeClaim", claim(primary))
	applyHeld(primary)
	var refusal string
	if err := poll(ctx, 3*time.Minute, func() (bool, error) {
		for _, l := range strings.Split(containerLog(ns, primary, "prepare"), "\n") {
			if strings.Contains(l, "refusing to initialise") {
				refusal = l
				return true, nil
			}
		}
		return false, nil
	}); err != nil {
		t.Fatalf("%s with an empty volume did not refuse: %v\n%s", primary, err, lastLines(containerLog(ns, primary, "prepare"), 10))
	}
	t.Logf("%s refuses: %s", primary, refusal)
	p, err = r.podStatus(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Status.ContainerStatuses) > 0 && p.Status.ContainerStatuses[0].State.Running != nil {
		t.Fatalf("%s's server runs with an empty volume", primary)
	}
	if _, err := os.Stat(filepath.Join(kubelet.claimDir(ns, claim(primary)), "pgdata", "global", "pg_control")); !os.IsNotExist(err) {
		t.Fatalf("%s created a database cluster (%v)", primary, err)
	}
	for _, pod := range []string{s1, s2} {
		out, err := r.db.read(ctx, r, pod, "k3")
		if err != nil || strings.TrimSpace(out) == "" {
			t.Fatalf("%s lost its data: %q, %v", pod, out, err)
		}
	}
	step("empty primary refuses, standbys keep data")
}

func testPostgresScale(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	step := stepper(t)
	ns := "run-pg-scale"
	// A cluster without the apps.kubernetes.io/pod-index label (before
	// Kubernetes 1.28): POD_INDEX is empty, the scripts fall back to the
	// host name's suffix.
	noPodIndex := func(man *generator.Manifest) {
		for _, d := range man.Documents {
			if ss, ok := d.Object.(*appsv1.StatefulSet); ok {
				spec := &ss.Spec.Template.Spec
				for _, cs := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
					for i := range cs {
						for j := range cs[i].Env {
							if e := &cs[i].Env[j]; e.ValueFrom != nil && e.ValueFrom.FieldRef != nil &&
								strings.Contains(e.ValueFrom.FieldRef.FieldPath, "pod-index") {
								e.ValueFrom.FieldRef.FieldPath = "metadata.labels['example.com/no-pod-index']"
							}
						}
					}
				}
			}
		}
	}
	edit := func(man *generator.Manifest) {
		noPodIndex(man)
		smallWALBound(t, man)
	}
	r := startRun(ctx, t, "postgresql", generator.ModeStatefulSet, ns, edit)
	generate := func(replicas int) *generator.Manifest {
		man, err := generator.Generate(generator.Spec{Preset: "postgresql", Mode: generator.ModeStatefulSet, Namespace: ns, Replicas: &replicas})
		if err != nil {
			t.Fatal(err)
		}
		edit(man)
		return man
	}
	if err := r.replicated(ctx, r.pods()[0], "k1", randomString(), 4*time.Minute); err != nil {
		t.Fatalf("the cluster did not form: %v", err)
	}
	if err := r.ready(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	primary := r.pods()[0]
	step("3 members formed without the pod-index label")
	conninfo, err := r.pgSQL(ctx, r.pods()[1], "SHOW primary_conninfo")
	if err != nil || !strings.Contains(conninfo, "connect_timeout=") || !strings.Contains(conninfo, r.man.Model.Primary().FQDN) {
		t.Fatalf("a standby's primary_conninfo %q (%v) names no connect_timeout or not the primary by name", conninfo, err)
	}
	t.Logf("a standby's primary_conninfo has %s", conninfoField(conninfo, "connect_timeout"))

	// 3 → 5: the new standbys clone, stream, and have the data.
	r.man = generate(5)
	applyManifest(ctx, t, r.man)
	if err := r.replicated(ctx, primary, "k2", randomString(), 5*time.Minute); err != nil {
		t.Fatalf("scaled to 5: %v", err)
	}
	if err := r.ready(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	k1, err := r.db.read(ctx, r, r.pods()[4], "k1")
	if err != nil || strings.TrimSpace(k1) == "" {
		t.Fatalf("%s has not the rows written before it existed: %q, %v", r.pods()[4], k1, err)
	}
	streaming, err := r.pgSQL(ctx, primary, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
	if err != nil || streaming != "4" {
		t.Fatalf("%s streams to %s standbys (%v), want 4", primary, streaming, err)
	}
	step("scaled to 5: 4 standbys stream")

	// 5 → 3: the primary stays healthy; the departed standbys' slots
	// stay, inactive, bounded by max_slot_wal_keep_size.
	r.man = generate(3)
	applyManifest(ctx, t, r.man)
	if err := poll(ctx, 3*time.Minute, func() (bool, error) {
		l, err := cluster.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		return err == nil && len(l.Items) == 3, nil
	}); err != nil {
		t.Fatalf("not scaled down to 3: %v (%s)", err, r.describePods(ctx))
	}
	if err := r.replicated(ctx, primary, "k3", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("scaled to 3: %v", err)
	}
	if err := r.ready(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	// departedSlots checks that the slots of the departed members 3 and
	// 4 are inactive with the WAL status state ("" for any).
	departedSlots := func(when, state, problem string) {
		t.Helper()
		slots, err := r.pgSQL(ctx, primary, "SELECT slot_name || ' ' || active || ' ' || wal_status FROM pg_replication_slots ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("slots on %s %s: %s", primary, when, strings.ReplaceAll(slots, "\n", "; "))
		for _, gone := range []string{"3", "4"} {
			if !strings.Contains(slots, r.man.Model.Name+"_"+gone+" false "+state) {
				t.Fatalf("the slot of departed member %s %s: %s", gone, problem, slots)
			}
		}
	}
	departedSlots("after scaling to 3", "", "is not kept inactive")
	step("scaled to 3: primary healthy")

	// A standby that runs but is cut off from the network while the
	// primary writes more WAL than it keeps: reconnected, it cannot
	// stream; its liveness probe says so, it is restarted and clones anew
	// in its container.
	standby := r.pods()[2]
	slot := strings.ReplaceAll(standby, "-", "_")
	p, err := r.podStatus(ctx, standby)
	if err != nil {
		t.Fatal(err)
	}
	before := restarts(p, false)
	pr := kubelet.runner(ns, standby)
	if pr == nil {
		t.Fatalf("%s is not running", standby)
	}
	if err := ip("link", "set", pr.vethHost, "down"); err != nil {
		t.Fatal(err)
	}
	up := false
	reconnect := func() {
		if !up {
			up = true
			if err := ip("link", "set", pr.vethHost, "up"); err != nil {
				t.Error(err)
			}
		}
	}
	defer reconnect()
	// Once the primary has given up on the stream (wal_sender_timeout):
	// invalidating the slot of a stream that still runs waits for it.
	var active string
	if err := poll(ctx, 3*time.Minute, func() (bool, error) {
		active, _ = r.pgSQL(ctx, primary, fmt.Sprintf("SELECT active FROM pg_replication_slots WHERE slot_name = '%s'", slot))
		return active == "f", nil
	}); err != nil {
		t.Fatalf("slot %s still active (%q) with %s cut off: %v", slot, active, standby, err)
	}
	r.walBeyondBound(ctx, primary, slot)
	reconnect()
	step("running standby cut off, its WAL removed")
	if err := r.replicated(ctx, primary, "k4", randomString(), 8*time.Minute); err != nil {
		t.Fatalf("the standby whose WAL was removed while it ran did not rejoin: %v", err)
	}
	if err := r.ready(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if p, err = r.podStatus(ctx, standby); err != nil {
		t.Fatal(err)
	}
	if log := containerLog(ns, standby, "postgresql"); restarts(p, false) <= before || !strings.Contains(log, "cloning it anew") {
		t.Fatalf("%s rejoined without a restart and a new clone (restarts %d -> %d):\n%s", standby, before, restarts(p, false), lastLines(log, 10))
	}
	departedSlots("now", "lost", "holds WAL beyond max_slot_wal_keep_size")
	step("restarted by liveness, cloned anew, streams")
}

func conninfoField(conninfo, key string) string {
	for _, f := range strings.Fields(conninfo) {
		if strings.HasPrefix(f, key+"=") {
			return f
		}
	}
	return ""
}
