package doctor

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/headless-k8s/headless/internal/kube"
)

// CoreDNSConfigMap is where kubeadm, kind, k3s and most distributions keep
// CoreDNS's Corefile: ConfigMap coredns in kube-system, key Corefile.
const (
	CoreDNSNamespace = "kube-system"
	CoreDNSConfigMap = "coredns"
)

// Read lists the Services, StatefulSets, Pods and EndpointSlices of
// namespace ns ("" for all namespaces), the ConfigMaps the pods read, and
// CoreDNS's Corefile. It only sends GET requests. An error means the
// cluster could not be read; a Corefile that cannot be read is recorded in
// the snapshot's CoreDNS.Problem instead.
func Read(ctx context.Context, c *kube.Client, ns string) (*Snapshot, error) {
	s := &Snapshot{Namespace: ns}
	if err := kube.List(ctx, c, kube.Path("", "v1", ns, "services"), nil, &s.Services); err != nil {
		return nil, err
	}
	if err := kube.List(ctx, c, kube.Path("apps", "v1", ns, "statefulsets"), nil, &s.StatefulSets); err != nil {
		return nil, err
	}
	if err := kube.List(ctx, c, kube.Path("", "v1", ns, "pods"), nil, &s.Pods); err != nil {
		return nil, err
	}
	if err := kube.List(ctx, c, kube.Path("discovery.k8s.io", "v1", ns, "endpointslices"), nil, &s.EndpointSlices); err != nil {
		return nil, err
	}
	// The ConfigMaps the pods read, for the host names in them.
	seen := map[string]bool{}
	var specs []struct {
		ns   string
		spec *corev1.PodSpec
	}
	for i := range s.StatefulSets {
		specs = append(specs, struct {
			ns   string
			spec *corev1.PodSpec
		}{s.StatefulSets[i].Namespace, &s.StatefulSets[i].Spec.Template.Spec})
	}
	for i := range s.Pods {
		if metav1.GetControllerOf(&s.Pods[i]) == nil {
			specs = append(specs, struct {
				ns   string
				spec *corev1.PodSpec
			}{s.Pods[i].Namespace, &s.Pods[i].Spec})
		}
	}
	for _, sp := range specs {
		for _, name := range configMapNames(sp.spec) {
			key := sp.ns + "/" + name
			if seen[key] || name == "kube-root-ca.crt" { // every namespace's CA bundle: no host names
				continue
			}
			seen[key] = true
			var cm corev1.ConfigMap
			if err := c.Get(ctx, kube.ObjectPath("", "v1", sp.ns, "configmaps", name), nil, &cm); err == nil {
				s.ConfigMaps = append(s.ConfigMaps, cm)
			}
		}
	}
	// Services in other namespaces named by a serviceName or subdomain
	// that has none in its own: lint then says "in another namespace".
	if ns != "" {
		have := map[string]bool{}
		for _, svc := range s.Services {
			have[svc.Name] = true
		}
		var wanted []string
		for _, st := range s.StatefulSets {
			if n := st.Spec.ServiceName; n != "" && !have[n] && !slices.Contains(wanted, n) {
				wanted = append(wanted, n)
			}
		}
		for _, p := range s.Pods {
			if n := p.Spec.Subdomain; n != "" && !have[n] && !slices.Contains(wanted, n) {
				wanted = append(wanted, n)
			}
		}
		for _, name := range wanted {
			var found []corev1.Service
			q := url.Values{"fieldSelector": {"metadata.name=" + name}}
			if err := kube.List(ctx, c, kube.Path("", "v1", "", "services"), q, &found); err != nil {
				break // listing every namespace may be forbidden: lint then says the Service is missing
			}
			s.Elsewhere = append(s.Elsewhere, found...)
		}
	}
	s.CoreDNS = readCoreDNS(ctx, c)
	return s, nil
}

func readCoreDNS(ctx context.Context, c *kube.Client) CoreDNS {
	source := fmt.Sprintf("ConfigMap %s/%s", CoreDNSNamespace, CoreDNSConfigMap)
	var cm corev1.ConfigMap
	err := c.Get(ctx, kube.ObjectPath("", "v1", CoreDNSNamespace, "configmaps", CoreDNSConfigMap), nil, &cm)
	switch {
	case kube.IsNotFound(err):
		return CoreDNS{Problem: source + " does not exist (not CoreDNS, or configured elsewhere)"}
	case kube.IsForbidden(err):
		return CoreDNS{Problem: "reading " + source + " is forbidden"}
	case err != nil:
		return CoreDNS{Problem: "reading " + source + ": " + err.Error()}
	}
	text, ok := cm.Data["Corefile"]
	if !ok {
		return CoreDNS{Problem: source + " has no key Corefile"}
	}
	out := ParseCorefile(text)
	out.Source = source
	return out
}
