package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/headless-k8s/headless/dns"
	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/lint"
	"github.com/headless-k8s/headless/presets"
)

// cluster is shared by every test: starting one takes seconds.
var cluster *Cluster

// namesVerified counts the DNS names checked against CoreDNS.
var namesVerified atomic.Int64

// kubelet runs the pods of the namespaces it is told to as real processes.
var kubelet *Kubelet

func TestMain(m *testing.M) {
	if os.Getpid() == 1 {
		os.Exit(runAsInit())
	}
	bin := os.Getenv("HEADLESS_E2E_BIN")
	etcdBin := os.Getenv("HEADLESS_E2E_STANDINS")
	if bin == "" || etcdBin == "" {
		fmt.Fprintln(os.Stderr, "HEADLESS_E2E_BIN or HEADLESS_E2E_STANDINS is not set: run `make e2e`, which builds the Kubernetes binaries with e2e/build.sh, installs the databases with e2e/install.sh and runs the tests in namespaces of their own")
		os.Exit(2)
	}
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "e2e: "+format+"\n", args...) }
	// The pods' network: refused unless this process has a network
	// namespace of its own.
	if err := SetUpBridge(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "headless-e2e-")
	if err != nil {
		panic(err)
	}
	podinit := filepath.Join(dir, "podinit")
	build := exec.Command("go", "build", "-o", podinit, "./podinit")
	build.Env = append(os.Environ(), "GOPROXY=off")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: building podinit: %v\n%s", err, out)
		os.Exit(2)
	}
	ctx, cancel := context.WithCancel(context.Background())
	// An interrupt stops the components before the process exits.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	var interrupted atomic.Bool
	go func() {
		<-sig
		interrupted.Store(true)
		cancel()
		if kubelet != nil {
			kubelet.Stop()
		}
		if cluster != nil {
			cluster.Stop()
		}
		os.RemoveAll(dir)
		os.Exit(130)
	}()
	start := time.Now()
	c, err := Start(ctx, bin, dir, BridgeIP, logf)
	cluster = c
	code := 1
	if err == nil {
		err = c.EnsureNode(ctx)
	}
	if err == nil {
		images := StandIns(etcdBin)
		for _, name := range presets.Names() {
			p, err := presets.Get(name)
			if err != nil {
				panic(err)
			}
			img := images[imageRepository(p.Image)]
			switch {
			case img == nil:
				logf("image %s (preset %s): no stand-in", p.Image, name)
			case img.Skip != "":
				logf("image %s (preset %s): no stand-in: %s", p.Image, name, img.Skip)
			default:
				logf("image %s (preset %s) stands in as %s", p.Image, name, img.Describe)
			}
		}
		kubelet, err = c.StartKubelet(filepath.Join(dir, "kubelet"), podinit, images, logf)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: starting the cluster: %v\n", err)
	} else {
		logf("cluster ready in %s (logs in %s)", time.Since(start).Round(time.Millisecond), dir)
		code = m.Run()
		if interrupted.Load() {
			select {} // the signal handler stops the cluster and exits 130
		}
		logf("verified %d DNS names against CoreDNS", namesVerified.Load())
	}
	if kubelet != nil {
		kubelet.Stop()
		logf("pods by namespace: when they ran and the CPU time they used\n%s", kubelet.Timeline())
	}
	c.Stop()
	cancel()
	if c.PeakMemory != "" {
		logf("peak memory: %s", c.PeakMemory)
		logf("CPU time: %s", c.CPU)
		var self syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &self) == nil {
			logf("CPU time of the test process (the kubelet stand-in, in-process clients and proxies; tools run in pods count to their namespace above): %.0fs", time.Duration(self.Utime.Nano()+self.Stime.Nano()).Seconds())
		}
	}
	switch {
	case os.Getenv("HEADLESS_E2E_KEEP") != "":
		logf("component and pod logs, and the pods' volumes, kept in %s", dir)
	case code == 0:
		os.RemoveAll(dir)
	default:
		// The logs and each pod's files (its container specs, hosts,
		// resolv.conf, ConfigMap and Secret files) tell what failed; the
		// claims' and emptyDir volumes are gigabytes (databases, WAL),
		// and a few failed runs would fill /tmp. HEADLESS_E2E_KEEP=1
		// keeps them.
		os.RemoveAll(filepath.Join(dir, "kubelet", "volumes"))
		podVolumes, _ := filepath.Glob(filepath.Join(dir, "kubelet", "pods", "*", "volumes"))
		for _, d := range podVolumes {
			os.RemoveAll(d)
		}
		logf("component and pod logs kept in %s (the pods' volumes too with HEADLESS_E2E_KEEP=1)", dir)
	}
	os.Exit(code)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestGoldenFilesAccepted applies every golden output of the generator,
// first with dryRun=All and then for real, each file in a namespace of its
// own.
func TestGoldenFilesAccepted(t *testing.T) {
	t.Parallel() // with the database tests, which wait for their turns
	ctx := testContext(t)
	// The Certificates of --tls are checked against cert-manager's schema.
	n, err := ensureCertManagerCRDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("installed %d cert-manager CRDs", n)
	a, err := cluster.NewApplier()
	if err != nil {
		t.Fatal(err)
	}
	// The schema is really enforced: a usage cert-manager does not know is
	// refused, so an accepted Certificate is one cert-manager can read.
	bad := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
		"metadata": map[string]any{"name": "bad", "namespace": "default"},
		"spec":     map[string]any{"secretName": "bad", "issuerRef": map[string]any{"name": "ca"}, "usages": []any{"bogus"}}}}
	if err := a.Apply(ctx, bad, true); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("a Certificate with usage bogus: %v, want the API server to refuse it", err)
	}
	files, _ := filepath.Glob(filepath.Join("..", "golden", "*.yaml"))
	if len(files) < 6 {
		t.Fatalf("found %d golden files", len(files))
	}
	for i, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ns := fmt.Sprintf("golden-%02d", i)
			if err := cluster.EnsureNamespace(ctx, ns); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			docs := strings.Split(string(data), "\n---\n")
			if len(docs) == 0 {
				t.Fatal("no documents")
			}
			for _, dryRun := range []bool{true, false} {
				for _, doc := range docs {
					var u map[string]any
					if err := yaml.Unmarshal([]byte(doc), &u); err != nil || u == nil {
						continue
					}
					obj := &unstructured.Unstructured{Object: u}
					obj.SetNamespace(ns)
					if err := a.Apply(ctx, obj, dryRun); err != nil {
						t.Errorf("dryRun=%v: %s %s rejected: %v", dryRun, obj.GetKind(), obj.GetName(), err)
					}
				}
			}
		})
	}
}

// TestPresetDNS generates every preset in both modes, creates the objects,
// runs the pods as a kubelet would, and resolves through CoreDNS every name
// the DNS model promises (per-pod A, the Service's A with every pod IP, SRV)
// and every host name in the generated replication configuration.
func TestPresetDNS(t *testing.T) {
	t.Parallel() // with the database tests, which wait for their turns
	ctx := testContext(t)
	for _, name := range presets.Names() {
		for _, mode := range generator.Modes {
			t.Run(name+"-"+string(mode), func(t *testing.T) {
				ns := "dns-" + name + "-" + string(mode)
				man, ips := applyPreset(ctx, t, name, mode, ns)
				// The pods the controller created have the names and
				// hostnames the generator promised.
				for _, p := range man.Model.Pods {
					pod, err := cluster.Client.CoreV1().Pods(ns).Get(ctx, p.Name, metav1.GetOptions{})
					if err != nil {
						t.Fatalf("pod %s: %v", p.Name, err)
					}
					if pod.Spec.Hostname != p.Name || pod.Spec.Subdomain != man.Model.ServiceName {
						t.Errorf("pod %s has hostname %q and subdomain %q; want %q and %q", p.Name, pod.Spec.Hostname, pod.Spec.Subdomain, p.Name, man.Model.ServiceName)
					}
				}
				report := dns.FromObjects(man.Model.ClusterDomain, man.Objects())
				var checks []dnsCheck
				for _, s := range report.Services {
					for _, rec := range s.Records {
						checks = append(checks, expect(rec, ips, man.Model.Port))
					}
				}
				// Every host name in the configuration: a pod's own name
				// answers its IP, the headless Service's every pod's, a
				// client Service's its cluster IP.
				for _, h := range man.HostNames() {
					c := dnsCheck{name: h, typ: "A"}
					switch pod := report.PodRecords[h]; {
					case pod != nil:
						c.want = []string{ips[pod.Name]}
					case h == man.Model.ServiceFQDN():
						for _, ip := range ips {
							c.want = append(c.want, ip)
						}
						sort.Strings(c.want)
					default:
						svc, err := cluster.Client.CoreV1().Services(ns).Get(ctx, strings.SplitN(h, ".", 2)[0], metav1.GetOptions{})
						if err != nil {
							t.Fatalf("%s names %s, which is no pod and no Service: %v", name, h, err)
						}
						c.want = []string{svc.Spec.ClusterIP}
					}
					checks = append(checks, c)
				}
				if len(checks) < len(man.Model.Pods)+3 {
					t.Fatalf("only %d names to check", len(checks))
				}
				verify(ctx, t, checks)
			})
		}
	}
}

// dnsCheck is one name and what CoreDNS must answer.
type dnsCheck struct {
	name string
	typ  string   // "A", "SRV" or "NXDOMAIN"
	want []string // sorted IPs, or "target:port"
}

func expect(rec dns.Record, ips map[string]string, port int32) dnsCheck {
	c := dnsCheck{name: rec.Name, typ: rec.Type}
	if rec.Type == "SRV" {
		for _, t := range rec.Targets {
			c.want = append(c.want, fmt.Sprintf("%s:%d", t, rec.Port))
		}
	} else {
		for _, p := range rec.Pods {
			c.want = append(c.want, ips[p.Name])
		}
	}
	sort.Strings(c.want)
	return c
}

// verify polls CoreDNS until every check passes (EndpointSlices and
// CoreDNS's watch take a moment), then counts them.
func verify(ctx context.Context, t *testing.T, checks []dnsCheck) {
	t.Helper()
	r := cluster.Resolver()
	var failures []string
	err := poll(ctx, 60*time.Second, func() (bool, error) {
		failures = failures[:0]
		for _, c := range checks {
			var (
				got []string
				err error
			)
			switch c.typ {
			case "SRV":
				got, err = LookupSRV(ctx, r, c.name)
			default:
				got, err = LookupA(ctx, r, c.name)
			}
			switch {
			case c.typ == "NXDOMAIN":
				if !IsNXDOMAIN(err) {
					failures = append(failures, fmt.Sprintf("%s: want NXDOMAIN, got %v %v", c.name, got, err))
				}
			case err != nil:
				failures = append(failures, fmt.Sprintf("%s %s: %v", c.typ, c.name, err))
			case !equalSets(got, c.want):
				failures = append(failures, fmt.Sprintf("%s %s = %v, want %v", c.typ, c.name, got, c.want))
			}
		}
		return len(failures) == 0, nil
	})
	if err != nil {
		t.Fatalf("CoreDNS answers differ from the DNS model:\n  %s", strings.Join(failures, "\n  "))
	}
	namesVerified.Add(int64(len(checks)))
	t.Logf("%d names resolved as promised", len(checks))
}

// TestLintClaims checks what lint says about Kubernetes: findings that
// quote "the API server answers `…`" are dry-run against the real API
// server, which must reject the object with that message; findings that say
// a pod gets no DNS record are checked against CoreDNS, which must answer
// NXDOMAIN for the name the pod would have had.
func TestLintClaims(t *testing.T) {
	t.Parallel() // with the database tests, which wait for their turns
	ctx := testContext(t)
	a, err := cluster.NewApplier()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("api-server-rejections", func(t *testing.T) {
		ns := "lint-rejections"
		if err := cluster.EnsureNamespace(ctx, ns); err != nil {
			t.Fatal(err)
		}
		claims := 0
		for _, rule := range []string{"cluster-ip-none", "selector-template-labels", "dns-name-syntax", "port-name-syntax"} {
			objs, findings := lintRule(t, rule)
			for _, f := range findings {
				_, quoted, ok := strings.Cut(f.Message, "the API server answers `")
				if !ok {
					continue
				}
				quoted = quoted[:strings.LastIndex(quoted, "`")]
				obj := find(objs, f.Object)
				if obj == nil {
					t.Fatalf("%s: object %v not found", rule, f.Object)
				}
				u, err := ToUnstructured(obj.Typed)
				if err != nil {
					t.Fatal(err)
				}
				u.SetNamespace(ns)
				err = a.Apply(ctx, u, true)
				switch {
				case err == nil:
					t.Errorf("%s: the API server accepted %s %s; lint says it answers %q", rule, f.Object.Kind, f.Object.Name, quoted)
				case !strings.Contains(err.Error(), quoted):
					t.Errorf("%s: the API server answered\n  %v\nlint quotes\n  %s", rule, err, quoted)
				default:
					claims++
				}
			}
		}
		if claims < 5 {
			t.Errorf("checked %d rejection claims, want at least 5", claims)
		}
		t.Logf("%d rejection claims match the API server's answers", claims)
	})
	t.Run("no-dns-record", func(t *testing.T) {
		for _, rule := range []string{"statefulset-not-selected", "subdomain-service"} {
			t.Run(rule, func(t *testing.T) { checkNoRecord(ctx, t, a, rule) })
		}
	})
}

// applyFixture creates a fixture's objects, each namespace prefixed, and in
// each namespace a control pod that does get a DNS record, then reports
// every pod running. It returns the fixture's namespaces, unprefixed.
func applyFixture(ctx context.Context, t *testing.T, a *Applier, objs []*lint.Object, prefix string) []string {
	t.Helper()
	// Pods to run per namespace: Pods, StatefulSet replicas, the control.
	pods := map[string]int{}
	for _, o := range objs {
		pods[o.NS()] += len(dnsPods(o.Typed))
	}
	for ns := range pods {
		if err := cluster.EnsureNamespace(ctx, prefix+ns); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range objs {
		u, err := ToUnstructured(o.Typed)
		if err != nil {
			t.Fatal(err)
		}
		u.SetNamespace(prefix + o.NS())
		if err := a.Apply(ctx, u, false); err != nil {
			t.Fatalf("%s %s: %v", o.Kind, o.Name, err)
		}
	}
	namespaces := make([]string, 0, len(pods))
	for ns, want := range pods {
		if err := createControl(ctx, a, prefix+ns); err != nil {
			t.Fatal(err)
		}
		if _, err := cluster.RunPods(ctx, prefix+ns, want+1); err != nil {
			t.Fatalf("running the pods of %s: %v", prefix+ns, err)
		}
		namespaces = append(namespaces, ns)
	}
	return namespaces
}

// checkNoRecord creates the objects of a rule's fire.yaml (each namespace
// prefixed), runs their pods, and expects NXDOMAIN for the DNS name of
// every pod that lint says gets none; a control pod in the same namespace
// must resolve first, so that the answer is not just slow propagation.
func checkNoRecord(ctx context.Context, t *testing.T, a *Applier, rule string) {
	objs, findings := lintRule(t, rule)
	prefix := "lc-" + rule + "-"
	var checks []dnsCheck
	for _, f := range findings {
		// Every error of these rules means the pod gets no record; of the
		// warnings, those that say so.
		if f.Severity != lint.Error && !strings.Contains(f.Message, "no DNS record") {
			continue
		}
		o := find(objs, f.Object)
		name := noRecordName(o, prefix)
		if name == "" {
			t.Fatalf("cannot tell the DNS name %s %s would have", o.Kind, o.Name)
		}
		checks = append(checks, dnsCheck{name: name, typ: "NXDOMAIN"})
	}
	if len(checks) == 0 {
		t.Fatalf("%s: no finding claims a missing DNS record", rule)
	}
	namespaces := applyFixture(ctx, t, a, objs, prefix)
	r := cluster.Resolver()
	for _, ns := range namespaces {
		name := dns.PodFQDN("control", "control", prefix+ns, cluster.Domain)
		if err := poll(ctx, 60*time.Second, func() (bool, error) {
			_, err := LookupA(ctx, r, name)
			return err == nil, nil
		}); err != nil {
			t.Fatalf("control %s never resolved: %v", name, err)
		}
	}
	verify(ctx, t, checks)
}

// noRecordName is the DNS name an object's (first) pod would have had.
func noRecordName(o *lint.Object, prefix string) string {
	ns := prefix + o.NS()
	switch typed := o.Typed.(type) {
	case *corev1.Pod:
		host := typed.Spec.Hostname
		if host == "" {
			host = typed.Name
		}
		return dns.PodFQDN(host, typed.Spec.Subdomain, ns, cluster.Domain)
	default:
		pods := dnsPods(typed)
		if len(pods) == 0 {
			return ""
		}
		return dns.PodFQDN(pods[0].Hostname, pods[0].Subdomain, ns, cluster.Domain)
	}
}

// dnsPods returns the pods a Pod or StatefulSet object makes.
func dnsPods(typed any) []dns.Pod {
	switch o := typed.(type) {
	case *corev1.Pod:
		return []dns.Pod{dns.FromPod(o)}
	case *appsv1.StatefulSet:
		return dns.FromStatefulSet(o)
	}
	return nil
}

// createControl creates a headless Service and a Pod that gets a record.
func createControl(ctx context.Context, a *Applier, ns string) error {
	labels := map[string]string{"e2e-control": "yes"}
	svc := &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "control", Namespace: ns},
		Spec:       corev1.ServiceSpec{ClusterIP: "None", Selector: labels, Ports: []corev1.ServicePort{{Name: "p", Port: 1}}}}
	pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "control", Namespace: ns, Labels: labels},
		Spec: corev1.PodSpec{Hostname: "control", Subdomain: "control",
			Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}}}
	for _, o := range []any{svc, pod} {
		u, err := ToUnstructured(o)
		if err != nil {
			return err
		}
		if err := a.Apply(ctx, u, false); err != nil {
			return err
		}
	}
	return nil
}

// lintRule lints a rule's fire.yaml with only that rule.
func lintRule(t *testing.T, rule string) ([]*lint.Object, []lint.Finding) {
	t.Helper()
	path := filepath.Join("..", "lint", "testdata", "rules", rule, "fire.yaml")
	inputs, errs := lint.ReadInputs([]string{path}, nil)
	objs, perrs := lint.Parse(inputs)
	if len(errs)+len(perrs) > 0 {
		t.Fatal(errs, perrs)
	}
	disabled := map[string]bool{}
	for _, r := range lint.Rules() {
		disabled[r.ID] = r.ID != rule
	}
	return objs, lint.Lint(inputs, objs, lint.Options{Disabled: disabled})
}

func find(objs []*lint.Object, ref lint.ObjectRef) *lint.Object {
	for _, o := range objs {
		if o.Kind == ref.Kind && o.Name == ref.Name && o.NS() == ref.Namespace {
			return o
		}
	}
	return nil
}

// applyManifest creates every generated object through the API server,
// server-side, in the manifest's order.
// applyPreset generates 3 replicas of preset in mode into ns, creates
// every object, and reports the pods running (no process runs: the
// objects' view of it); it returns the manifest and each pod's IP.
func applyPreset(ctx context.Context, t *testing.T, preset string, mode generator.Mode, ns string) (*generator.Manifest, map[string]string) {
	t.Helper()
	replicas := 3
	man, err := generator.Generate(generator.Spec{Preset: preset, Mode: mode, Namespace: ns, Replicas: &replicas})
	if err != nil {
		t.Fatal(err)
	}
	if err := cluster.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	applyManifest(ctx, t, man)
	ips, err := cluster.RunPods(ctx, ns, replicas)
	if err != nil {
		t.Fatalf("running pods: %v", err)
	}
	return man, ips
}

func applyManifest(ctx context.Context, t *testing.T, man *generator.Manifest) {
	t.Helper()
	a, err := cluster.NewApplier()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range man.Documents {
		u, err := ToUnstructured(d.Object)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Apply(ctx, u, false); err != nil {
			t.Fatalf("%s %s: %v", d.Kind, d.Name, err)
		}
	}
}
