package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
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
	// Running means the process started, not that redis-server listens yet:
	// under load the first ping can come before it binds its port.
	if err := poll(ctx, 30*time.Second, func() (bool, error) {
		out, err := kubelet.Exec(ctx, ns, "probed", "", "redis-cli", "-p", "6379", "ping")
		return err == nil && strings.TrimSpace(out) == "PONG", nil
	}); err != nil {
		t.Fatalf("redis-server in the pod never answered PING: %v", err)
	}

	// What the container sees.
	fqdn := fmt.Sprintf("probed.probed.%s.svc.%s", ns, cluster.Domain)
	for cmd, want := range map[string]string{
		"id -u":                             "999",
		"hostname":                          "probed",
		"grep " + fqdn + " /etc/hosts":      ip + "\t" + fqdn + "\tprobed",
		"grep ^search /etc/resolv.conf":     fmt.Sprintf("search %s.svc.%[2]s svc.%[2]s %[2]s", ns, cluster.Domain),
		"grep ^nameserver /etc/resolv.conf": "nameserver " + BridgeIP,
	} {
		if got := run(cmd); got != want {
			t.Errorf("%s: %q, want %q", cmd, got, want)
		}
	}

	ready := podReady
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

// TestKubeletVolumes checks the volumes and the environment the kubelet
// stand-in gives a container: a claim's directory outlives the pod and goes
// with the claim, an emptyDir goes with the pod, ConfigMap and Secret files
// have their modes (group-readable by the fsGroup), the claim is
// group-writable by the fsGroup, and env takes values from a ConfigMap, a
// Secret and the downward API.
func TestKubeletVolumes(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ns := "kubelet-volumes"
	if err := cluster.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	kubelet.Manage(ns)
	t.Cleanup(func() { kubelet.Release(ns) })
	core := cluster.Client.CoreV1()
	claim := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: ns},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
	if _, err := core.PersistentVolumeClaims(ns).Create(ctx, claim, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: ns},
		Data: map[string]string{"greeting": "hello", "other": "x"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "sec", Namespace: ns},
		Data: map[string][]byte{"password": []byte("s3cret")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	uid, grace, no, m0400 := int64(999), int64(1), false, int32(0o400)
	pod := func() *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "vol", Namespace: ns, Labels: map[string]string{"tier": "db"}},
			Spec: corev1.PodSpec{TerminationGracePeriodSeconds: &grace, AutomountServiceAccountToken: &no,
				SecurityContext: &corev1.PodSecurityContext{RunAsUser: &uid, RunAsGroup: &uid, FSGroup: &uid},
				Volumes: []corev1.Volume{
					{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}},
					{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
					{Name: "cm", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
						LocalObjectReference: corev1.LocalObjectReference{Name: "cm"},
						Items:                []corev1.KeyToPath{{Key: "greeting", Path: "sub/greeting.txt", Mode: &m0400}}}}},
					{Name: "sec", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "sec", DefaultMode: &m0400}}},
				},
				Containers: []corev1.Container{{Name: "c", Image: "redis:7.4.2", Command: []string{"sleep", "600"},
					Env: []corev1.EnvVar{
						{Name: "CM", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}, Key: "greeting"}}},
						{Name: "SEC", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "sec"}, Key: "password"}}},
						{Name: "TIER", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels['tier']"}}},
						{Name: "IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
						{Name: "BOTH", Value: "$(CM)-$(TIER)-$$(CM)-$(NOPE)"},
					},
					VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data"}, {Name: "scratch", MountPath: "/scratch"},
						{Name: "cm", MountPath: "/etc/cm", ReadOnly: true}, {Name: "sec", MountPath: "/etc/sec", ReadOnly: true}},
				}}}}
	}
	start := func() *corev1.Pod {
		t.Helper()
		if _, err := core.Pods(ns).Create(ctx, pod(), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		var p *corev1.Pod
		if err := poll(ctx, time.Minute, func() (bool, error) {
			var err error
			p, err = core.Pods(ns).Get(ctx, "vol", metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			return len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].State.Running != nil, nil
		}); err != nil {
			t.Fatalf("pod vol not running: %v", err)
		}
		return p
	}
	remove := func() {
		t.Helper()
		if err := core.Pods(ns).Delete(ctx, "vol", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := poll(ctx, time.Minute, func() (bool, error) {
			_, err := core.Pods(ns).Get(ctx, "vol", metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		}); err != nil {
			t.Fatalf("pod vol not deleted: %v", err)
		}
	}
	run := func(cmd string) string {
		t.Helper()
		out, err := kubelet.Exec(ctx, ns, "vol", "", "sh", "-c", cmd)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(out)
	}

	p := start()
	for cmd, want := range map[string]string{
		"echo $CM $SEC $TIER $IP":                    "hello s3cret db " + p.Status.PodIP,
		"echo $BOTH":                                 "hello-db-$(CM)-$(NOPE)",
		"cat /etc/cm/sub/greeting.txt":               "hello",
		"ls /etc/cm":                                 "sub",
		"stat -c %a:%g /etc/cm/sub/greeting.txt":     "440:999",
		"stat -c %a:%g /etc/sec/password":            "440:999",
		"cat /etc/sec/password":                      "s3cret",
		"stat -c %a:%g /data":                        "2775:999",
		"id -G":                                      "999",
		"echo x > /data/kept && echo y > /scratch/f": "",
	} {
		if got := run(cmd); got != want {
			t.Errorf("%s: %q, want %q", cmd, got, want)
		}
	}
	remove()
	start()
	if got := run("cat /data/kept; ls /scratch"); got != "x" {
		t.Errorf("after the pod was recreated: %q; want the claim's file and an empty emptyDir", got)
	}
	remove()
	dir := kubelet.claimDir(ns, "data")
	if _, err := os.Stat(filepath.Join(dir, "kept")); err != nil {
		t.Fatalf("the claim's directory went with the pod: %v", err)
	}
	if err := core.PersistentVolumeClaims(ns).Delete(ctx, "data", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := poll(ctx, time.Minute, func() (bool, error) {
		_, err := os.Stat(dir)
		return os.IsNotExist(err), nil
	}); err != nil {
		t.Fatalf("the claim's directory %s outlived the claim: %v", dir, err)
	}
}
