package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/headless-k8s/headless/doctor"
	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/cli"
	"github.com/headless-k8s/headless/presets"
)

// corefileOnce publishes the harness's Corefile where doctor reads it, as
// kubeadm does: ConfigMap coredns in kube-system, key Corefile.
var corefileOnce sync.Once

func publishCorefile(ctx context.Context, t *testing.T) {
	t.Helper()
	var err error
	corefileOnce.Do(func() {
		var text []byte
		if text, err = os.ReadFile(filepath.Join(cluster.Dir, "Corefile")); err != nil {
			return
		}
		if err = cluster.EnsureNamespace(ctx, "kube-system"); err != nil {
			return
		}
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "coredns", Namespace: "kube-system"}, Data: map[string]string{"Corefile": string(text)}}
		if _, err = cluster.Client.CoreV1().ConfigMaps("kube-system").Create(ctx, cm, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
			err = nil
		}
	})
	if err != nil {
		t.Fatalf("publishing the Corefile: %v", err)
	}
}

// runDoctor runs `headless doctor` with the harness's kubeconfig and
// returns its exit code and output.
func runDoctor(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	args = append([]string{"doctor", "--kubeconfig", filepath.Join(cluster.Dir, "kubeconfig")}, args...)
	code = cli.Run(args, &cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

// doctorJSON runs doctor -o json on namespace ns.
func doctorJSON(t *testing.T, ns string) (int, *doctor.Report) {
	t.Helper()
	code, out, errOut := runDoctor("-n", ns, "-o", "json")
	if code != 0 && code != 1 {
		t.Fatalf("doctor -n %s exited %d: %s", ns, code, errOut)
	}
	var r doctor.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("doctor -n %s: %v\n%s", ns, err, out)
	}
	return code, &r
}

// TestDoctor checks `headless doctor` against the real API server and
// CoreDNS: for lint's broken fixtures, every name doctor reports missing
// carries the rule lint reports for its object, and CoreDNS answers
// NXDOMAIN for it; for every preset in both modes, doctor reports every
// promised name present, with the pods' IPs.
func TestDoctor(t *testing.T) {
	t.Parallel() // with the database tests, which wait for their turns
	ctx := testContext(t)
	a, err := cluster.NewApplier()
	if err != nil {
		t.Fatal(err)
	}
	publishCorefile(ctx, t)

	t.Run("kubeconfig-errors", func(t *testing.T) {
		code, out, errOut := runDoctor("--context", "nope")
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `context "nope" is not in kubeconfig`) {
			t.Errorf("exit %d, stdout %q, stderr %q; want 2 and one line naming the context", code, out, errOut)
		}
	})

	t.Run("broken", func(t *testing.T) {
		for _, rule := range []string{"statefulset-not-selected", "subdomain-service", "no-pod-dns-name"} {
			t.Run(rule, func(t *testing.T) { checkDoctorBroken(ctx, t, a, rule) })
		}
	})

	t.Run("wrong-cluster-domain", func(t *testing.T) { checkDoctorDomain(ctx, t) })

	t.Run("presets", func(t *testing.T) {
		for _, name := range presets.Names() {
			for _, mode := range generator.Modes {
				t.Run(name+"-"+string(mode), func(t *testing.T) {
					t.Parallel()
					checkDoctorPreset(t, name, mode)
				})
			}
		}
	})
}

// checkDoctorBroken creates a rule's fire.yaml (namespaces prefixed), runs
// its pods, and compares doctor's missing names with lint's findings and
// CoreDNS's answers.
func checkDoctorBroken(ctx context.Context, t *testing.T, a *Applier, rule string) {
	objs, findings := lintRule(t, rule)
	prefix := "dr-" + rule + "-"
	namespaces := applyFixture(ctx, t, a, objs, prefix)
	// Until the control's name is present, the EndpointSlices may lag.
	reports := map[string]*doctor.Report{}
	for _, ns := range namespaces {
		if err := poll(ctx, 60*time.Second, func() (bool, error) {
			code, r := doctorJSON(t, prefix+ns)
			reports[ns] = r
			if code != 0 && r.Missing == 0 || code != 1 && r.Missing > 0 {
				return false, fmt.Errorf("doctor -n %s exited %d with %d names missing", prefix+ns, code, r.Missing)
			}
			return controlPresent(r), nil
		}); err != nil {
			t.Fatalf("doctor -n %s: %v: %+v", prefix+ns, err, reports[ns])
		}
	}
	var checks []dnsCheck
	matched := 0
	for _, f := range findings {
		var names []doctor.Name
		for _, s := range reports[f.Object.Namespace].Services {
			for _, n := range s.Names {
				if (f.Object.Kind == "Pod" && n.Pod == f.Object.Name && n.Owner == "") || (f.Object.Kind == "StatefulSet" && n.Owner == "StatefulSet "+f.Object.Name) {
					names = append(names, n)
				}
			}
		}
		if len(names) == 0 && f.Object.Kind == "StatefulSet" && rule == "no-pod-dns-name" {
			continue // a StatefulSet without serviceName promises no name
		}
		if len(names) == 0 {
			t.Errorf("lint's %s finding on %s %s: doctor reports no name of it", rule, f.Object.Kind, f.Object.Name)
		}
		for _, n := range names {
			if n.Present || n.Rule != rule {
				t.Errorf("%s: doctor says present=%v rule=%q (%s); lint says %s: %s", n.Name, n.Present, n.Rule, n.Reason, rule, f.Message)
				continue
			}
			matched++
			checks = append(checks, dnsCheck{name: n.Name, typ: "NXDOMAIN"})
		}
	}
	if matched == 0 {
		t.Fatalf("%s: no missing name matched", rule)
	}
	// The text output names each missing name with its rule.
	for _, ns := range namespaces {
		if reports[ns].Missing == 0 {
			continue
		}
		code, out, _ := runDoctor("-n", prefix+ns)
		if code != 1 || !strings.Contains(out, "["+rule+"]") {
			t.Errorf("doctor -n %s: exit %d, want 1 and [%s] in:\n%s", prefix+ns, code, rule, out)
		}
	}
	verify(ctx, t, checks)
	t.Logf("%d missing names: doctor's rule is lint's, CoreDNS answers NXDOMAIN", matched)
}

func controlPresent(r *doctor.Report) bool {
	for _, s := range r.Services {
		for _, n := range s.Names {
			if n.Pod == "control" {
				return n.Present
			}
		}
	}
	return false
}

// checkDoctorPreset applies a preset's manifests, reports its pods running,
// and expects doctor to find every promised name present, with their IPs.
func checkDoctorPreset(t *testing.T, name string, mode generator.Mode) {
	ctx := testContext(t)
	ns := "dr-" + name + "-" + string(mode)
	man, ips := applyPreset(ctx, t, name, mode, ns)
	var r *doctor.Report
	if err := poll(ctx, 60*time.Second, func() (bool, error) {
		var code int
		code, r = doctorJSON(t, ns)
		return code == 0, nil
	}); err != nil {
		out, _ := json.MarshalIndent(r, "", "  ")
		t.Fatalf("doctor -n %s never exited 0:\n%s", ns, out)
	}
	var got, want []string
	for _, s := range r.Services {
		for _, n := range s.Names {
			got = append(got, n.Name+" "+strings.Join(n.Addresses, ","))
		}
	}
	for _, p := range man.Model.Pods {
		want = append(want, p.FQDN+" "+ips[p.Name])
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("doctor reports\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if r.Domain != cluster.Domain || !strings.Contains(r.DomainSource, "kube-system/coredns") {
		t.Errorf("cluster domain %q from %q; want %s from the Corefile", r.Domain, r.DomainSource, cluster.Domain)
	}
	// Present means CoreDNS answers the name with the address doctor shows.
	var checks []dnsCheck
	for _, s := range r.Services {
		for _, n := range s.Names {
			checks = append(checks, dnsCheck{name: n.Name, typ: "A", want: n.Addresses})
		}
	}
	verify(ctx, t, checks)

	if name != "redis" || mode != generator.ModeStatefulSet {
		return
	}
	// A pod that is not ready, under a Service that no longer publishes
	// not-ready addresses, loses its name: doctor says why, with lint's
	// rule, and CoreDNS answers NXDOMAIN.
	svc, err := cluster.Client.CoreV1().Services(ns).Get(ctx, man.Model.ServiceName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc.Spec.PublishNotReadyAddresses = false
	if _, err := cluster.Client.CoreV1().Services(ns).Update(ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	victim := man.Model.Pods[1]
	pod, err := cluster.Client.CoreV1().Pods(ns).Get(ctx, victim.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady || c.Type == corev1.ContainersReady {
			pod.Status.Conditions[i].Status = corev1.ConditionFalse
		}
	}
	if _, err := cluster.Client.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	var missing doctor.Name
	if err := poll(ctx, 60*time.Second, func() (bool, error) {
		code, r := doctorJSON(t, ns)
		for _, s := range r.Services {
			for _, n := range s.Names {
				if n.Pod == victim.Name {
					missing = n
				}
			}
		}
		return code == 1 && !missing.Present && missing.Ready != nil && !*missing.Ready, nil
	}); err != nil {
		t.Fatalf("doctor never reported %s missing as not ready: %+v", victim.FQDN, missing)
	}
	if missing.Rule != "peer-names-before-ready" && missing.Rule != "publish-not-ready" {
		t.Errorf("%s: rule %q (%s); want lint's rule about names before readiness", missing.Name, missing.Rule, missing.Reason)
	}
	verify(ctx, t, []dnsCheck{{name: victim.FQDN, typ: "NXDOMAIN"}})
	t.Logf("%s: %s [%s]", missing.Name, missing.Reason, missing.Rule)
}

// checkDoctorDomain generates etcd for cluster domain example.org in a
// cluster whose CoreDNS serves cluster.local: the pods' own names (under
// cluster.local) are present, and doctor reports every host name of the
// configuration under example.org, which CoreDNS does not answer.
func checkDoctorDomain(ctx context.Context, t *testing.T) {
	ns := "dr-wrong-domain"
	replicas := 3
	man, err := generator.Generate(generator.Spec{Preset: "etcd", Namespace: ns, Replicas: &replicas, ClusterDomain: "example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if err := cluster.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	applyManifest(ctx, t, man)
	if _, err := cluster.RunPods(ctx, ns, replicas); err != nil {
		t.Fatalf("running pods: %v", err)
	}
	var r *doctor.Report
	if err := poll(ctx, 60*time.Second, func() (bool, error) {
		var code int
		code, r = doctorJSON(t, ns)
		return code == 1 && r.Missing == 0 && r.Present == replicas, nil
	}); err != nil {
		out, _ := json.MarshalIndent(r, "", "  ")
		t.Fatalf("doctor -n %s: want exit 1 with every name present and the domain reported:\n%s", ns, out)
	}
	// CoreDNS serves only cluster.local and forwards nothing here: it
	// refuses names under example.org (elsewhere it would forward them and
	// get NXDOMAIN). Either way, they do not resolve.
	res := cluster.Resolver()
	for _, p := range r.Problems {
		if !strings.Contains(p.Name, ".svc.example.org") || !strings.Contains(p.Message, "the cluster domain is cluster.local") {
			t.Errorf("problem %+v", p)
		}
		name := strings.NewReplacer("$(POD_NAME)", "etcd-0").Replace(p.Name)
		if ips, err := LookupA(ctx, res, name); err == nil {
			t.Errorf("%s resolves to %v; doctor says it does not", name, ips)
		}
	}
	if len(r.Problems) == 0 {
		t.Fatal("doctor reports no host name under example.org")
	}
	t.Logf("%d host names under example.org reported; none resolves through CoreDNS", len(r.Problems))
}
