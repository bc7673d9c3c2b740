package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestKubeletProbes checks the kubelet stand-in itself with a pod whose
// probes the test controls through files in the container's /tmp: the
// startup probe holds readiness back, readiness sets the pod's Ready
// condition and so the EndpointSlice of a Service selecting it, and a
// failed liveness probe restarts the container. It also checks what the
// container sees: its user, hostname, /etc/hosts and /etc/resolv.conf.
func TestKubeletProbes(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ns := "kubelet-probes"
	if err := cluster.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	kubelet.Manage(ns)
	t.Cleanup(func() { kubelet.Release(ns) })

	exec := func(cmd string) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"sh", "-c", cmd}}},
			PeriodSeconds: 1, TimeoutSeconds: 5, FailureThreshold: 2}
	}
	uid, grace, no := int64(999), int64(1), false
	labels := map[string]string{"app": "probed"}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "probed", Namespace: ns, Labels: labels},
		Spec: corev1.PodSpec{Hostname: "probed", Subdomain: "probed", TerminationGracePeriodSeconds: &grace, AutomountServiceAccountToken: &no,
			SecurityContext: &corev1.PodSecurityContext{RunAsUser: &uid, RunAsGroup: &uid},
			Containers: []corev1.Container{{Name: "redis", Image: "redis:7.4.2",
				Command:        []string{"redis-server", "--port", "$(PORT)", "--protected-mode", "no"},
				Env:            []corev1.EnvVar{{Name: "PORT", Value: "6379"}},
				Ports:          []corev1.ContainerPort{{Name: "redis", ContainerPort: 6379}},
				StartupProbe:   exec("test -f /tmp/started"),
				ReadinessProbe: exec("test -f /tmp/ready"),
				LivenessProbe:  exec("test ! -f /tmp/die"),
			}}}}
	pod.Spec.Containers[0].StartupProbe.FailureThreshold = 1000
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "probed", Namespace: ns},
		Spec: corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Name: "redis", Port: 6379, TargetPort: intstr.FromString("redis")}}}}
	if _, err := cluster.Client.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.Client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	get := func() *corev1.Pod {
		p, err := cluster.Client.CoreV1().Pods(ns).Get(ctx, "probed", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	waitFor := func(what string, timeout time.Duration, ok func(p *corev1.Pod) bool) *corev1.Pod {
		t.Helper()
		var p *corev1.Pod
		if err := poll(ctx, timeout, func() (bool, error) {
			p = get()
			return ok(p), nil
		}); err != nil {
			t.Fatalf("%s: %v; status %+v", what, err, p.Status)
		}
		return p
	}
	running := func(p *corev1.Pod) bool {
		return len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Running != nil
	}
	run := func(cmd string) string {
		t.Helper()
		out, err := kubelet.Exec(ctx, ns, "probed", "", "sh", "-c", cmd)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(out)
	}
	p := waitFor("running", time.Minute, running)
	ip := p.Status.PodIP

	// What the container sees.
	fqdn := fmt.Sprintf("probed.probed.%s.svc.%s", ns, cluster.Domain)
	for cmd, want := range map[string]string{
		"id -u":                             "999",
		"hostname":                          "probed",
		"grep " + fqdn + " /etc/hosts":      ip + "\t" + fqdn + "\tprobed",
		"grep ^search /etc/resolv.conf":     fmt.Sprintf("search %s.svc.%[2]s svc.%[2]s %[2]s", ns, cluster.Domain),
		"grep ^nameserver /etc/resolv.conf": "nameserver " + BridgeIP,
		"redis-cli -p 6379 ping":            "PONG",
	} {
		if got := run(cmd); got != want {
			t.Errorf("%s: %q, want %q", cmd, got, want)
		}
	}

	ready := func(p *corev1.Pod) bool {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady {
				return c.Status == corev1.ConditionTrue
			}
		}
		return false
	}
	sliceReady := func() (bool, bool) {
		slices, err := cluster.Client.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=probed"})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range slices.Items {
			for _, e := range s.Endpoints {
				if len(e.Addresses) > 0 && e.Addresses[0] == ip {
					return true, e.Conditions.Ready != nil && *e.Conditions.Ready
				}
			}
		}
		return false, false
	}

	// Readiness passes, but the startup probe has not: not Ready.
	run("touch /tmp/ready")
	time.Sleep(3 * time.Second)
	if p := get(); ready(p) || *p.Status.ContainerStatuses[0].Started {
		t.Fatalf("Ready or started before the startup probe passed: %+v", p.Status)
	}
	run("touch /tmp/started")
	waitFor("Ready once started", 30*time.Second, ready)
	if err := poll(ctx, 30*time.Second, func() (bool, error) { found, ok := sliceReady(); return found && ok, nil }); err != nil {
		t.Fatalf("the EndpointSlice never listed %s ready", ip)
	}
	t.Log("startup probe passed: Ready, and ready in the Service's EndpointSlice")

	run("rm /tmp/ready")
	waitFor("not Ready when readiness fails", 30*time.Second, func(p *corev1.Pod) bool { return !ready(p) })
	if err := poll(ctx, 30*time.Second, func() (bool, error) { found, ok := sliceReady(); return found && !ok, nil }); err != nil {
		t.Fatalf("the EndpointSlice still lists %s ready", ip)
	}
	t.Log("readiness failed: not Ready, and not ready in the EndpointSlice")

	run("touch /tmp/die")
	p = waitFor("restarted after liveness fails", 30*time.Second, func(p *corev1.Pod) bool {
		return running(p) && p.Status.ContainerStatuses[0].RestartCount == 1
	})
	if last := p.Status.ContainerStatuses[0].LastTerminationState.Terminated; last == nil {
		t.Errorf("no last termination state after the restart: %+v", p.Status.ContainerStatuses[0])
	}
	// A new container: a fresh /tmp, so not started and not Ready.
	if ready(p) || *p.Status.ContainerStatuses[0].Started {
		t.Errorf("the restarted container is Ready or started before its startup probe: %+v", p.Status)
	}
	if p.Status.PodIP != ip {
		t.Errorf("the pod's IP changed on a container restart: %s -> %s", ip, p.Status.PodIP)
	}
	t.Log("liveness failed: the container was restarted, restartCount 1")
}
