package generator

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"

	"github.com/headless-k8s/headless/dns"
)

// check proves on the typed objects what the tool promises, computing with
// the dns package — the model `headless dns` and `headless lint` use — the
// records cluster DNS will publish for them:
//
//   - every object's name is valid for its kind;
//   - exactly one headless Service, named as the Model says, publishing
//     not-ready addresses;
//   - the per-pod records are exactly the promised names, one for each pod,
//     and no pod goes without one;
//   - the headless Service's own name answers every pod, and each of its
//     ports has an SRV record naming every pod;
//   - the headless Service selects every pod, the client Service exactly
//     the pods the preset sends clients to (all, or the primary), and every
//     targetPort resolves on them,
//     every PodDisruptionBudget selects every pod, every referenced
//     ConfigMap and claim is generated, every Secret reference is the
//     preset's Secret and key;
//   - every cluster host name written into the configuration — commands,
//     arguments, environment, mounted ConfigMaps; short forms such as
//     <pod>.<service> included, variables such as $(POD_NAME) expanded for
//     each pod — is a name cluster DNS publishes.
//
// A failure is a defect in headless.
func check(man *Manifest) error {
	m := man.Model
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	var (
		services   []*corev1.Service
		configMaps = map[string]*corev1.ConfigMap{}
		claims     = map[string]bool{}
		budgets    []*policyv1.PodDisruptionBudget
		policies   []*networkingv1.NetworkPolicy
		secrets    []*corev1.Secret
		certs      []*Certificate
		seen       = map[string]bool{}
	)
	for _, d := range man.Documents {
		key := d.Kind + "/" + d.Name
		if seen[key] {
			fail("%s %s is generated twice", d.Kind, d.Name)
		}
		seen[key] = true
		if valid, rule := objectNameRule(d.Kind); !valid(d.Name) {
			fail("%s name %q %s", d.Kind, d.Name, rule)
		}
		var ns string
		switch o := d.Object.(type) {
		case *corev1.Service:
			services, ns = append(services, o), o.Namespace
		case *appsv1.StatefulSet:
			ns = o.Namespace
			if o.Spec.Replicas == nil || o.Spec.Selector == nil {
				fail("StatefulSet %s has no replicas or no selector", o.Name)
				return &InternalError{Problems: problems}
			}
			if !selects(o.Spec.Selector.MatchLabels, o.Spec.Template.Labels) {
				fail("StatefulSet %s: selector %v does not match its template labels %v", o.Name, o.Spec.Selector.MatchLabels, o.Spec.Template.Labels)
			}
		case *corev1.Pod:
			ns = o.Namespace
		case *corev1.ConfigMap:
			configMaps[o.Name], ns = o, o.Namespace
		case *corev1.PersistentVolumeClaim:
			claims[o.Name], ns = true, o.Namespace
		case *policyv1.PodDisruptionBudget:
			budgets, ns = append(budgets, o), o.Namespace
		case *networkingv1.NetworkPolicy:
			policies, ns = append(policies, o), o.Namespace
		case *corev1.Secret:
			secrets, ns = append(secrets, o), o.Namespace
		case *Certificate:
			certs, ns = append(certs, o), o.Namespace
		default:
			fail("unexpected object %T", d.Object)
		}
		if ns != m.Namespace {
			fail("%s %s is in namespace %q, want %q", d.Kind, d.Name, ns, m.Namespace)
		}
	}

	var headless []*corev1.Service
	for _, s := range services {
		if dns.IsHeadless(s) {
			headless = append(headless, s)
		}
	}
	if len(headless) != 1 {
		fail("want exactly one headless Service (clusterIP: None), got %d", len(headless))
		return &InternalError{Problems: problems}
	}
	svc := headless[0]
	if svc.Name != m.ServiceName {
		fail("headless Service is named %s, want %s", svc.Name, m.ServiceName)
	}
	if !svc.Spec.PublishNotReadyAddresses {
		fail("headless Service %s does not publish not-ready addresses", svc.Name)
	}

	pods := podsOf(man.Objects())
	report := dns.Compute(m.ClusterDomain, services, pods)
	checkRecords(m, svc, pods, report, fail)

	clientPods := map[string]bool{}
	for _, p := range m.ClientPods() {
		clientPods[p.Name] = true
	}
	for _, p := range pods {
		for _, s := range services {
			// The headless Service selects every pod; the client Service
			// the pods the preset sends clients to (clientSelects).
			want := s == svc || clientPods[p.Name]
			if got := selects(s.Spec.Selector, p.Labels); got != want {
				if want {
					fail("Service %s does not select pod %s (selector %v, pod labels %v)", s.Name, p.Name, s.Spec.Selector, p.Labels)
				} else {
					fail("Service %s selects pod %s, which its clients must not reach (selector %v)", s.Name, p.Name, s.Spec.Selector)
				}
			}
			if !want {
				continue
			}
			for _, sp := range s.Spec.Ports {
				if _, ok := dns.TargetPort(sp, p.Spec); !ok {
					fail("Service %s port %s: targetPort %s is not a container port of pod %s", s.Name, sp.Name, sp.TargetPort.String(), p.Name)
				}
			}
		}
		for _, b := range budgets {
			if b.Spec.Selector == nil || !selects(b.Spec.Selector.MatchLabels, p.Labels) {
				fail("PodDisruptionBudget %s does not select pod %s", b.Name, p.Name)
			}
		}
		checkVolumes(m, p, configMaps, claims, fail)
	}

	if want := btoi(m.NetworkPolicy); len(policies) != want {
		fail("%d NetworkPolicies generated, want %d", len(policies), want)
	}
	for _, np := range policies {
		checkNetworkPolicy(m, np, pods, fail)
	}

	checkSecret(man, secrets, fail)
	checkCertificate(m, certs, fail)

	published := map[string]bool{}
	for name := range report.PodRecords {
		published[name] = true
	}
	var serviceNames []string
	for _, s := range services {
		published[dns.ServiceFQDN(s.Name, dns.Namespace(s.Namespace), m.ClusterDomain)] = true
		serviceNames = append(serviceNames, s.Name)
	}
	reported := map[string]bool{}
	for _, u := range hostUses(pods, configMaps, m.ClusterDomain, serviceNames) {
		var msg string
		switch {
		case u.problem != "":
			msg = fmt.Sprintf("%s names host %s, but %s", u.where, u.written, u.problem)
		case !published[u.name]:
			msg = fmt.Sprintf("%s names host %s, which is not one of the pods' DNS names", u.where, u.name)
			if u.name != u.written {
				msg += fmt.Sprintf(" (written %s, for pod %s)", u.written, u.pod.Name)
			}
		default:
			continue
		}
		if !reported[msg] {
			reported[msg] = true
			fail("%s", msg)
		}
	}

	if len(problems) > 0 {
		return &InternalError{Problems: problems}
	}
	return nil
}

// checkRecords compares the records cluster DNS will publish with the
// Model's promise.
func checkRecords(m *Model, svc *corev1.Service, pods []*dns.Pod, report *dns.Report, fail func(string, ...any)) {
	if len(pods) != len(m.Pods) {
		fail("%d pods would run, want %d", len(pods), len(m.Pods))
	}
	for _, nr := range report.NoRecord {
		fail("pod %s gets no DNS record: %s", nr.Pod.Ref(), nr.Reason)
	}
	promised := map[string]string{}
	for _, p := range m.Pods {
		promised[p.FQDN] = p.Name
		got := report.PodRecords[p.FQDN]
		switch {
		case got == nil:
			fail("the promised DNS name %s is not published", p.FQDN)
		case got.Name != p.Name:
			fail("%s is pod %s's name, not pod %s's", p.FQDN, got.Name, p.Name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(report.PodRecords)) {
		if _, ok := promised[name]; !ok {
			fail("pod %s would be %s, which is not one of the promised DNS names", report.PodRecords[name].Name, name)
		}
	}
	for _, s := range report.Services {
		if s.Service != svc {
			continue
		}
		srv := map[string]dns.Record{}
		for _, rec := range s.Records {
			if rec.Type == "SRV" {
				srv[rec.Name] = rec
			} else if rec.Name == m.ServiceFQDN() && len(rec.Pods) != len(pods) {
				fail("%s answers %d pods, want %d", rec.Name, len(rec.Pods), len(pods))
			}
		}
		for _, port := range m.Ports {
			name := "_" + port.Name + "._" + strings.ToLower(string(dns.Protocol(corev1.Protocol(port.Protocol)))) + "." + m.ServiceFQDN()
			if rec, ok := srv[name]; !ok || len(rec.Targets) != len(m.Pods) {
				fail("SRV record %s does not name every pod", name)
			}
		}
	}
}

// checkVolumes checks that what pod p mounts or reads is generated (the
// ConfigMap, the claims) or is the preset's Secret.
func checkVolumes(m *Model, p *dns.Pod, configMaps map[string]*corev1.ConfigMap, claims map[string]bool, fail func(string, ...any)) {
	for _, v := range p.Spec.Volumes {
		switch {
		case v.ConfigMap != nil && configMaps[v.ConfigMap.Name] == nil:
			fail("pod %s mounts ConfigMap %s, which is not generated", p.Name, v.ConfigMap.Name)
		case v.PersistentVolumeClaim != nil && !claims[v.PersistentVolumeClaim.ClaimName]:
			fail("pod %s mounts claim %s, which is not generated", p.Name, v.PersistentVolumeClaim.ClaimName)
		case v.Secret != nil && v.Secret.SecretName != m.SecretName() && (!m.UsesTLS() || v.Secret.SecretName != m.TLSSecretName()):
			fail("pod %s mounts Secret %s, neither the preset's %s nor the certificate's", p.Name, v.Secret.SecretName, m.SecretName())
		}
	}
	for _, c := range append(slices.Clone(p.Spec.InitContainers), p.Spec.Containers...) {
		for _, e := range c.Env {
			if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
				continue
			}
			ref := e.ValueFrom.SecretKeyRef
			if ref.Name != m.SecretName() || m.Preset.Secret == nil || !slices.Contains(m.Preset.Secret.KeyNames(), ref.Key) {
				fail("pod %s container %s env %s reads Secret %s key %s, not a key of the preset's Secret %s", p.Name, c.Name, e.Name, ref.Name, ref.Key, m.SecretName())
			}
		}
	}
}

// selects reports whether a non-empty equality selector matches labels.
func selects(selector, labels map[string]string) bool {
	return len(selector) > 0 && dns.Matches(selector, labels)
}

// checkSecret proves that the Secret is generated only with
// --create-secret, under the name the pods read, with exactly the keys they
// read, and that none of its values appears anywhere else in the output.
func checkSecret(man *Manifest, secrets []*corev1.Secret, fail func(string, ...any)) {
	m := man.Model
	if want := btoi(m.CreateSecret); len(secrets) != want {
		fail("%d Secrets generated, want %d", len(secrets), want)
		return
	}
	if len(secrets) == 0 {
		return
	}
	s := secrets[0]
	if s.Name != m.SecretName() {
		fail("Secret %s is not the one the pods read, %s", s.Name, m.SecretName())
	}
	var keys []string
	for _, k := range m.SecretKeys() {
		keys = append(keys, k.Name)
		if s.StringData[k.Name] == "" {
			fail("Secret %s has no value for %s", s.Name, k.Name)
		}
	}
	if len(s.StringData) != len(keys) || len(s.Data) != 0 {
		fail("Secret %s holds %d keys, want %v", s.Name, len(s.StringData)+len(s.Data), keys)
	}
	for _, d := range man.Documents {
		if d.Object == s {
			continue
		}
		for k, v := range s.StringData {
			if strings.Contains(string(d.Text), v) {
				fail("the value of %s appears in %s %s", k, d.Kind, d.Name)
			}
		}
	}
}
