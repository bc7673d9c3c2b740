package e2e

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	"github.com/headless-k8s/headless/generator"
)

// TestRedis runs the redis preset as real redis-server processes and checks
// what a manifest cannot show:
//   - every write through the client Service's DNS name reaches the primary
//     (and a client Service that spans the replicas fails that check);
//   - a primary whose volume comes back empty starts from a replica's copy
//     instead of emptying every replica (and without that step they are
//     emptied);
//   - on a cluster that does not set the pod-index label, the ordinal comes
//     from the host name;
//   - scaling the StatefulSet 3 → 5 → 3: the new replicas copy the data, and
//     the client Service still takes writes.
func TestRedis(t *testing.T) {
	t.Parallel()
	if why, ok := skipped["redis"]; ok {
		t.Skip(why)
	}
	for _, mode := range generator.Modes {
		t.Run("client-service-"+string(mode), func(t *testing.T) {
			parallel(t)
			testClientService(t, mode)
		})
	}
	t.Run("client-service-spanning-replicas", func(t *testing.T) {
		parallel(t)
		testClientServiceSpanningReplicas(t)
	})
	t.Run("empty-primary-pods", func(t *testing.T) {
		parallel(t)
		testEmptyPrimary(t, true)
	})
	t.Run("empty-primary-without-recovery-pods", func(t *testing.T) {
		parallel(t)
		testEmptyPrimary(t, false)
	})
	t.Run("no-pod-index-label-statefulset", func(t *testing.T) {
		parallel(t)
		testNoPodIndex(t)
	})
	t.Run("scale-statefulset", func(t *testing.T) {
		parallel(t)
		testRedisScale(t)
	})
}

// clientWrites is how many writes go through the client Service: with a
// Service that spanned three pods, all of them reaching the primary by
// chance would happen once in 3^20.
const clientWrites = 20

func testClientService(t *testing.T, mode generator.Mode) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r := startRun(ctx, t, "redis", mode, "redis-client-"+string(mode), nil)
	if _, err := r.running(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := r.ready(ctx, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	svc := proxyService(ctx, t, r.ns, r.man.Model.ClientServiceName())
	keys, failed := writeThrough(ctx, r, r.pods()[1], svc, clientWrites)
	if len(failed) > 0 {
		t.Fatalf("%d of %d writes through %s failed: %s", len(failed), clientWrites, svc, strings.Join(failed, "; "))
	}
	for key, value := range keys {
		if err := holds(ctx, r, r.pods(), key, value, 2*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d writes through %s succeeded and were read back on %s", clientWrites, svc, strings.Join(r.pods(), ", "))
}

// testClientServiceSpanningReplicas proves that the check can fail: with
// the client Service selecting every pod, writes land on replicas, which
// answer READONLY.
func testClientServiceSpanningReplicas(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r := startRun(ctx, t, "redis", generator.ModeStatefulSet, "redis-client-spanning", func(man *generator.Manifest) {
		for _, d := range man.Documents {
			if s, ok := d.Object.(*corev1.Service); ok && s.Name == man.Model.ClientServiceName() {
				s.Spec.Selector = man.Model.SelectorLabels()
			}
		}
	})
	if _, err := r.running(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := r.ready(ctx, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	svc := proxyService(ctx, t, r.ns, r.man.Model.ClientServiceName())
	_, failed := writeThrough(ctx, r, r.pods()[1], svc, clientWrites)
	readonly := 0
	for _, f := range failed {
		if strings.Contains(f, "READONLY") {
			readonly++
		}
	}
	if readonly == 0 {
		t.Fatalf("every one of %d writes through a client Service that spans the replicas succeeded (failures: %q)", clientWrites, failed)
	}
	t.Logf("the check fails as it must: %d of %d writes through a Service spanning every pod answered READONLY", readonly, clientWrites)
}

// testEmptyPrimary writes data, then deletes the primary's pod and empties
// its volume's directory (a lost volume), and applies the pod again. With
// the preset's recovery, the primary starts from a replica's copy and every
// member keeps the data; without it (recover false: the step is cut out of
// the script), every replica empties itself to match the empty primary.
func testEmptyPrimary(t *testing.T, recover bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ns := "redis-empty-primary"
	var edit func(*generator.Manifest)
	if !recover {
		ns += "-unrecovered"
		edit = func(man *generator.Manifest) {
			for _, d := range man.Documents {
				if cm, ok := d.Object.(*corev1.ConfigMap); ok {
					const step = `if [ -n "$best" ]; then`
					if !strings.Contains(cm.Data["start.sh"], step) {
						t.Fatalf("start.sh has no %q", step)
					}
					cm.Data["start.sh"] = strings.Replace(cm.Data["start.sh"], step, "if false; then", 1)
				}
			}
		}
	}
	r := startRun(ctx, t, "redis", generator.ModePods, ns, edit)
	pods := r.pods()
	primary := pods[0]
	running, err := r.running(ctx, 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	value := randomString()
	if err := r.replicated(ctx, primary, "kept", value, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := r.ready(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}

	// The primary's pod goes, and its volume's data with it.
	if err := cluster.Client.CoreV1().Pods(ns).Delete(ctx, primary, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := poll(ctx, 2*time.Minute, func() (bool, error) {
		_, err := cluster.Client.CoreV1().Pods(ns).Get(ctx, primary, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	}); err != nil {
		t.Fatalf("%s was not deleted: %v", primary, err)
	}
	dir := kubelet.claimDir(ns, r.man.Model.ClaimName(primary))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var removed []string
	for _, e := range entries {
		removed = append(removed, e.Name())
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	if len(removed) == 0 {
		t.Fatalf("the primary's volume %s held nothing", dir)
	}
	t.Logf("emptied the primary's volume %s: removed %s", dir, strings.Join(removed, ", "))
	reapply(ctx, t, r, primary)
	if err := poll(ctx, 3*time.Minute, func() (bool, error) {
		m, err := r.running(ctx, time.Second)
		return err == nil && m[primary].UID != running[primary].UID, nil
	}); err != nil {
		t.Fatalf("%s did not come back: %v (%s)", primary, err, r.describePods(ctx))
	}
	// Every replica has reconnected to the primary and finished its copy.
	if err := r.ready(ctx, 4*time.Minute); err != nil {
		t.Fatal(err)
	}
	if !recover {
		// Without the step, the replicas copy the empty primary.
		if err := poll(ctx, 3*time.Minute, func() (bool, error) {
			for _, pod := range pods {
				out, err := r.db.read(ctx, r, pod, "kept")
				if err != nil || hasLine(out, value) {
					return false, nil
				}
			}
			return true, nil
		}); err != nil {
			t.Fatalf("without the recovery step, some member still holds the data (%v): the check cannot tell the two apart", err)
		}
		t.Logf("the check fails as it must: without the recovery step, the empty primary emptied %s", strings.Join(pods, ", "))
		return
	}
	if err := holds(ctx, r, pods, "kept", value, 3*time.Minute); err != nil {
		t.Fatalf("after the primary came back empty: %v", err)
	}
	// The primary said what it did, once, in its log.
	log, err := os.ReadFile(filepath.Join(kubelet.dir, "logs", ns+"_"+primary+"_redis.log"))
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, line := range strings.Split(string(log), "\n") {
		if strings.HasPrefix(line, "headless: the data directory is empty") {
			said = append(said, line)
		}
	}
	if len(said) != 1 {
		t.Fatalf("the primary's log has %d lines about its empty data directory, want 1: %q", len(said), said)
	}
	t.Logf("%s: %s", primary, said[0])
	// Replication runs on: a new write reaches every member.
	if err := r.replicated(ctx, primary, "after", randomString(), 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	t.Logf("the primary came back from an empty volume; every member still holds the data and takes new writes")
}

// testNoPodIndex runs the StatefulSet without POD_INDEX (a cluster without
// the apps.kubernetes.io/pod-index label gives it no value): the script
// takes the ordinal from the host name, so redis-0 is the primary and the
// others replicate from it.
func testNoPodIndex(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r := startRun(ctx, t, "redis", generator.ModeStatefulSet, "redis-no-pod-index", func(man *generator.Manifest) {
		for _, d := range man.Documents {
			if s, ok := d.Object.(*appsv1.StatefulSet); ok {
				c := &s.Spec.Template.Spec.Containers[0]
				c.Env = slices.DeleteFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "POD_INDEX" })
			}
		}
	})
	if _, err := r.running(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if out, err := r.exec(ctx, r.pods()[1], "sh", "-c", `echo "POD_INDEX=${POD_INDEX-unset}"`); err != nil || !hasLine(out, "POD_INDEX=unset") {
		t.Fatalf("POD_INDEX is still set: %q %v", out, err)
	}
	if err := r.replicated(ctx, r.pods()[0], "k1", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("without POD_INDEX the cluster did not form: %v", err)
	}
	if err := r.ready(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	t.Logf("without POD_INDEX, the ordinals came from the host names and the cluster formed")
}

// testRedisScale scales the StatefulSet 3 → 5 → 3: the new replicas copy
// the data and become Ready, and the client Service takes writes
// throughout.
func testRedisScale(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	ns := "redis-scale"
	r := startRun(ctx, t, "redis", generator.ModeStatefulSet, ns, nil)
	if _, err := r.running(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := r.ready(ctx, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	svc := proxyService(ctx, t, ns, r.man.Model.ClientServiceName())
	client := r.pods()[1]
	check := func(stage string, pods []string) {
		t.Helper()
		keys, failed := writeThrough(ctx, r, client, svc, 5)
		if len(failed) > 0 {
			t.Fatalf("%s: writes through %s failed: %s", stage, svc, strings.Join(failed, "; "))
		}
		for key, value := range keys {
			if err := holds(ctx, r, pods, key, value, 3*time.Minute); err != nil {
				t.Fatalf("%s: %v", stage, err)
			}
		}
	}
	first := r.pods()
	check("3 replicas", first)
	value := randomString()
	if err := r.replicated(ctx, first[0], "before-scaling", value, 2*time.Minute); err != nil {
		t.Fatal(err)
	}

	five := append(slices.Clone(first), r.man.Model.Name+"-3", r.man.Model.Name+"-4")
	scaleTo(ctx, t, ns, r.man.Model.Name, 5)
	if err := readyPods(ctx, ns, five, 5*time.Minute); err != nil {
		t.Fatalf("scaled to 5: %v (%s)", err, r.describePods(ctx))
	}
	if err := holds(ctx, r, five, "before-scaling", value, 3*time.Minute); err != nil {
		t.Fatalf("scaled to 5: %v", err)
	}
	check("5 replicas", five)
	t.Logf("scaled to 5: %s hold the data and take the primary's writes", strings.Join(five[3:], ", "))

	scaleTo(ctx, t, ns, r.man.Model.Name, 3)
	if err := poll(ctx, 3*time.Minute, func() (bool, error) {
		for _, pod := range five[3:] {
			if _, err := cluster.Client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return false, nil
			}
		}
		return true, nil
	}); err != nil {
		t.Fatalf("scaled to 3: %s not removed: %v", strings.Join(five[3:], ", "), err)
	}
	if err := readyPods(ctx, ns, first, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	check("back to 3 replicas", first)
}

// writeThrough writes n keys with redis-cli from pod through host (the
// client Service's name): each one connection, as a client would. It
// returns the keys written and the answers of the writes that failed.
func writeThrough(ctx context.Context, r *dbRun, pod, host string, n int) (map[string]string, []string) {
	keys := map[string]string{}
	var failed []string
	for i := range n {
		key, value := fmt.Sprintf("client-%s-%d", randomString()[:6], i), randomString()
		out, err := r.exec(ctx, pod, "redis-cli", "-h", host, "-p", r.port(), "set", key, value)
		if err != nil || strings.TrimSpace(out) != "OK" {
			failed = append(failed, fmt.Sprintf("SET %s: %q %v", key, strings.TrimSpace(out), err))
			continue
		}
		keys[key] = value
	}
	return keys, failed
}

// scaleTo sets the StatefulSet's replicas, as kubectl scale does.
func scaleTo(ctx context.Context, t *testing.T, ns, name string, replicas int) {
	t.Helper()
	patch := []byte(`{"spec":{"replicas":` + strconv.Itoa(replicas) + `}}`)
	if _, err := cluster.Client.AppsV1().StatefulSets(ns).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("scaled StatefulSet %s to %d", name, replicas)
}

// readyPods waits until each of pods exists and is Ready.
func readyPods(ctx context.Context, ns string, pods []string, timeout time.Duration) error {
	return poll(ctx, timeout, func() (bool, error) {
		for _, name := range pods {
			p, err := cluster.Client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil || p.DeletionTimestamp != nil || !podReady(p) {
				return false, nil
			}
		}
		return true, nil
	})
}

// proxyService stands in for kube-proxy for the Service ns/name, which has
// a cluster IP: the IP is added to this network namespace's loopback, where
// the pods reach it through their default route, and each connection to a
// Service port goes to a ready endpoint of the Service's EndpointSlices
// picked at random, as kube-proxy picks one. It returns the Service's DNS
// name, which CoreDNS answers with the cluster IP.
func proxyService(ctx context.Context, t *testing.T, ns, name string) string {
	t.Helper()
	svc, err := cluster.Client.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vip := svc.Spec.ClusterIP
	if net.ParseIP(vip) == nil {
		t.Fatalf("Service %s/%s has no cluster IP (%q)", ns, name, vip)
	}
	// The EndpointSlice controller follows the pods' Ready conditions a
	// moment later: start once the slices list as ready exactly the Ready
	// pods the Service selects, as kube-proxy would have them by then.
	var want, got []string
	if err := poll(ctx, time.Minute, func() (bool, error) {
		want, got = nil, nil
		pods, err := cluster.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(svc.Spec.Selector).String()})
		if err != nil {
			return false, err
		}
		for _, p := range pods.Items {
			if podReady(&p) && p.DeletionTimestamp == nil {
				want = append(want, p.Status.PodIP)
			}
		}
		addrs, err := readyEndpoints(ctx, ns, name, svc.Spec.Ports[0].Name)
		if err != nil {
			return false, err
		}
		for _, a := range addrs {
			host, _, _ := net.SplitHostPort(a)
			got = append(got, host)
		}
		slices.Sort(want)
		slices.Sort(got)
		return len(want) > 0 && slices.Equal(want, got), nil
	}); err != nil {
		t.Fatalf("the EndpointSlices of Service %s/%s list %v ready, not the Ready pods it selects %v: %v", ns, name, got, want, err)
	}
	if err := ip("addr", "add", vip+"/32", "dev", "lo"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ip("addr", "del", vip+"/32", "dev", "lo") })
	var (
		mu     sync.Mutex
		chosen = map[string]int{}
		closed bool // the test is over: no more logging
	)
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if !closed {
			t.Logf(format, args...)
		}
	}
	for _, sp := range svc.Spec.Ports {
		l, err := net.Listen("tcp", net.JoinHostPort(vip, strconv.Itoa(int(sp.Port))))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				conn, err := l.Accept()
				if err != nil {
					return
				}
				go func() {
					defer conn.Close()
					backend, err := pickEndpoint(ctx, ns, name, sp.Name)
					if err != nil {
						logf("proxy %s/%s: %v", ns, name, err)
						return
					}
					mu.Lock()
					chosen[backend]++
					mu.Unlock()
					up, err := net.DialTimeout("tcp", backend, 5*time.Second)
					if err != nil {
						logf("proxy %s/%s: %v", ns, name, err)
						return
					}
					defer up.Close()
					done := make(chan struct{}, 2)
					go func() { io.Copy(up, conn); up.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
					go func() { io.Copy(conn, up); conn.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
					<-done
					<-done
				}()
			}
		}()
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		t.Logf("connections through Service %s/%s (%s) went to %v", ns, name, vip, chosen)
		closed = true
	})
	return name + "." + ns + ".svc." + generator.DefaultClusterDomain
}

// pickEndpoint returns the address of a ready endpoint of the Service's
// EndpointSlices for its port portName, chosen at random.
func pickEndpoint(ctx context.Context, ns, service, portName string) (string, error) {
	ready, err := readyEndpoints(ctx, ns, service, portName)
	if err != nil {
		return "", err
	}
	if len(ready) == 0 {
		return "", fmt.Errorf("Service %s/%s has no ready endpoint for port %s", ns, service, portName)
	}
	return ready[rand.IntN(len(ready))], nil
}

// readyEndpoints returns the addresses (host:port) of the ready endpoints
// of the Service's EndpointSlices for its port portName.
func readyEndpoints(ctx context.Context, ns, service, portName string) ([]string, error) {
	list, err := cluster.Client.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + service})
	if err != nil {
		return nil, err
	}
	var ready []string
	for _, s := range list.Items {
		var port int32
		for _, p := range s.Ports {
			if p.Name != nil && *p.Name == portName && p.Port != nil {
				port = *p.Port
			}
		}
		if port == 0 {
			continue
		}
		for _, e := range s.Endpoints {
			if e.Conditions.Ready != nil && !*e.Conditions.Ready {
				continue
			}
			for _, a := range e.Addresses {
				ready = append(ready, net.JoinHostPort(a, strconv.Itoa(int(port))))
			}
		}
	}
	return ready, nil
}
