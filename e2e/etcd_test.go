package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/headless-k8s/headless/generator"
)

// etcdOutsider is the image of the pod that tries etcd without
// credentials: curl's, which the etcd preset's auth sidecar uses too.
const etcdOutsider = "curlimages/curl:8.17.0"

// etcdUnauthenticated writes to the etcd member at host through its JSON
// API, without credentials, from a pod of r's namespace that is no member
// (no label of the workload, not behind its Services), and returns what
// etcd answered. pod, the member the harness names, is not used: a member
// holds the credentials in its environment.
func etcdUnauthenticated(ctx context.Context, r *dbRun, pod, host string) (string, error) {
	name := "outsider"
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: r.ns, Labels: map[string]string{"app": "outsider"}},
		// No service account token: the kubelet stand-in mounts none.
		Spec: corev1.PodSpec{AutomountServiceAccountToken: new(false), Containers: []corev1.Container{{
			Name: "client", Image: etcdOutsider,
			Command: []string{"/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done"},
		}}},
	}
	if _, err := cluster.Client.CoreV1().Pods(r.ns).Create(ctx, p, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", err
	}
	err := poll(ctx, 2*time.Minute, func() (bool, error) {
		got, err := cluster.Client.CoreV1().Pods(r.ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return len(got.Status.ContainerStatuses) > 0 && got.Status.ContainerStatuses[0].State.Running != nil, nil
	})
	if err != nil {
		return "", fmt.Errorf("the outsider pod does not run: %w", err)
	}
	// put intruder=1 (keys and values are base64 in the JSON API).
	return r.exec(ctx, name, "curl", "-sS", "--max-time", "10", "-X", "POST",
		"--data-binary", `{"key":"aW50cnVkZXI=","value":"MQ=="}`, "http://"+host+":"+r.port()+"/v3/kv/put")
}

// TestEtcdScale follows the etcd preset's scaling procedure (its scale
// text, docs/presets/etcd.md) with authentication on: etcdctl member add,
// the output for one more replica with --initial-cluster-state=existing,
// the new member serving every write; then etcdctl member remove and one
// replica fewer, the others going on without it.
func TestEtcdScale(t *testing.T) {
	if why, ok := skipped["etcd"]; ok {
		t.Skip(why)
	}
	parallel(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	ns := "run-etcd-scale"
	r := startRun(ctx, t, "etcd", generator.ModeStatefulSet, ns, nil)
	first := r.pods()[0]
	if err := r.ready(ctx, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := r.replicated(ctx, first, "k1", randomString(), 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	// The generate command with another --replicas, piped through the
	// procedure's sed.
	regenerate := func(replicas int) *generator.Manifest {
		man, err := generator.Generate(generator.Spec{Preset: "etcd", Mode: generator.ModeStatefulSet, Namespace: ns, Replicas: &replicas})
		if err != nil {
			t.Fatal(err)
		}
		edited := 0
		for _, d := range man.Documents {
			if ss, ok := d.Object.(*appsv1.StatefulSet); ok {
				args := ss.Spec.Template.Spec.Containers[0].Args
				for i, a := range args {
					if a == "--initial-cluster-state=new" {
						args[i] = "--initial-cluster-state=existing"
						edited++
					}
				}
			}
		}
		if edited != 1 {
			t.Fatalf("--initial-cluster-state=new found %d times in the StatefulSet, want once", edited)
		}
		return man
	}
	etcdctl := func(args ...string) string {
		t.Helper()
		out, err := r.exec(ctx, first, append([]string{"etcdctl"}, args...)...)
		if err != nil {
			t.Fatalf("etcdctl %s: %v: %s", strings.Join(args, " "), err, lastLines(out, 3))
		}
		return out
	}
	// rolledOut waits until the StatefulSet's pods are all of its current
	// template and Ready.
	rolledOut := func(replicas int32) {
		t.Helper()
		err := poll(ctx, 10*time.Minute, func() (bool, error) {
			ss, err := cluster.Client.AppsV1().StatefulSets(ns).Get(ctx, r.man.Model.Name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			s := ss.Status
			return s.ObservedGeneration == ss.Generation && s.Replicas == replicas && s.ReadyReplicas == replicas &&
				s.UpdatedReplicas == replicas && s.CurrentRevision == s.UpdateRevision, nil
		})
		if err != nil {
			t.Fatalf("the StatefulSet did not roll out %d replicas: %v (%s)", replicas, err, r.describePods(ctx))
		}
	}

	grown := regenerate(4)
	added := grown.Model.Pods[3]
	// etcd refuses a member add with "unhealthy cluster" until every
	// member has been connected to the leader for 5 s (strict reconfig
	// check): right after the cluster formed, as a user would, try again.
	var out string
	err := poll(ctx, time.Minute, func() (bool, error) {
		var err error
		out, err = r.exec(ctx, first, "etcdctl", "member", "add", added.Name, "--peer-urls=http://"+added.FQDN+":2380")
		if err != nil && strings.Contains(out, "unhealthy cluster") {
			time.Sleep(time.Second)
			return false, nil
		}
		return true, err
	})
	if err != nil {
		t.Fatalf("etcdctl member add: %v: %s", err, lastLines(out, 3))
	}
	t.Logf("member add: %s", lastLines(out, 1))
	applyManifest(ctx, t, grown)
	r.man = grown
	rolledOut(4)
	if err := r.replicated(ctx, first, "k2", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("after member add: %v", err)
	}
	if err := r.replicated(ctx, added.Name, "k3", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("a write on the new member: %v", err)
	}
	t.Logf("%s joined: a write on it and one on %s are read on all 4 members", added.Name, first)

	var id string
	for _, line := range strings.Split(etcdctl("member", "list"), "\n") {
		if f := strings.Split(line, ", "); len(f) > 2 && f[2] == added.Name {
			id = f[0]
		}
	}
	if id == "" {
		t.Fatalf("member list does not show %s", added.Name)
	}
	etcdctl("member", "remove", id)
	shrunk := regenerate(3)
	applyManifest(ctx, t, shrunk)
	r.man = shrunk
	rolledOut(3)
	if n := strings.Count(strings.TrimSpace(etcdctl("member", "list")), "\n") + 1; n != 3 {
		t.Fatalf("member list shows %d members after the removal, want 3", n)
	}
	if err := r.replicated(ctx, first, "k4", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("after member remove: %v", err)
	}
	t.Logf("%s removed: 3 members, a write read on each", added.Name)
}
