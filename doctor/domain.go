package doctor

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// svcName matches a host name under some cluster domain: labels, then
// "svc", then the domain ("db-0.db-h.data.svc.cluster.local",
// "$(POD_NAME).db-h.svc.example.org").
// It is compiled on first use: no command but doctor pays for it.
var svcName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:[A-Za-z0-9$(){}_-]+\.)+svc\.[a-z0-9-]+(?:\.[a-z0-9-]+)*`)
})

// domainProblems finds the host names in the pods' commands, arguments,
// environment and ConfigMaps that are under a cluster domain other than
// domain (or a zone CoreDNS serves): those names cannot resolve.
func domainProblems(s *Snapshot, domain string) []Problem {
	served := append([]string{domain}, s.CoreDNS.Zones...)
	seen := map[string]bool{}
	var out []Problem
	check := func(ns, object, where, text string) {
		for _, host := range svcName().FindAllString(text, -1) {
			i := strings.LastIndex(host, ".svc.")
			d := strings.TrimSuffix(host[i+len(".svc."):], ".")
			if slices.Contains(served, d) || seen[ns+"/"+object+"/"+host] {
				continue
			}
			seen[ns+"/"+object+"/"+host] = true
			msg := fmt.Sprintf("%s names %s, under cluster domain %s, but the cluster domain is %s: that name does not resolve", where, host, d, domain)
			out = append(out, Problem{Namespace: ns, Object: object, Name: host, Message: msg})
		}
	}
	cms := map[string]*corev1.ConfigMap{}
	for i := range s.ConfigMaps {
		cms[s.ConfigMaps[i].Namespace+"/"+s.ConfigMaps[i].Name] = &s.ConfigMaps[i]
	}
	spec := func(ns, object string, ps *corev1.PodSpec) {
		for _, list := range [][]corev1.Container{ps.InitContainers, ps.Containers} {
			for _, c := range list {
				where := fmt.Sprintf("the configuration of container %s", c.Name)
				for _, t := range append(append([]string{}, c.Command...), c.Args...) {
					check(ns, object, where, t)
				}
				for _, e := range c.Env {
					check(ns, object, where, e.Value)
				}
			}
		}
		for _, name := range configMapNames(ps) {
			cm := cms[ns+"/"+name]
			if cm == nil {
				continue
			}
			keys := make([]string, 0, len(cm.Data))
			for k := range cm.Data {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				check(ns, object, fmt.Sprintf("ConfigMap %s (key %s)", name, k), cm.Data[k])
			}
		}
	}
	for i := range s.StatefulSets {
		st := &s.StatefulSets[i]
		spec(st.Namespace, "StatefulSet "+st.Name, &st.Spec.Template.Spec)
	}
	for i := range s.Pods {
		p := &s.Pods[i]
		if owner := metav1.GetControllerOf(p); owner != nil {
			continue // its controller's template is checked, or it is not a workload doctor reads
		}
		spec(p.Namespace, "Pod "+p.Name, &p.Spec)
	}
	return out
}

// configMapNames are the ConfigMaps a pod spec reads: volumes (projected
// too), envFrom and env.
func configMapNames(ps *corev1.PodSpec) []string {
	var out []string
	add := func(n string) {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, v := range ps.Volumes {
		if v.ConfigMap != nil {
			add(v.ConfigMap.Name)
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.ConfigMap != nil {
					add(src.ConfigMap.Name)
				}
			}
		}
	}
	for _, list := range [][]corev1.Container{ps.InitContainers, ps.Containers} {
		for _, c := range list {
			for _, e := range c.EnvFrom {
				if e.ConfigMapRef != nil {
					add(e.ConfigMapRef.Name)
				}
			}
			for _, e := range c.Env {
				if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
					add(e.ValueFrom.ConfigMapKeyRef.Name)
				}
			}
		}
	}
	return out
}
