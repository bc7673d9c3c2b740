package lint

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// kindInfo is what lint knows of a built-in kind: the apiVersion the API
// server serves it as, and the Go type to decode it into (nil for kinds
// that are read and skipped).
type kindInfo struct {
	apiVersion string
	typ        reflect.Type
}

// kinds are the built-in kinds lint recognises. Kinds with a type have
// rules; the others are recognised so that a typo is reported and the rest
// skipped.
var kinds = map[string]kindInfo{
	"Service":               {"v1", reflect.TypeFor[corev1.Service]()},
	"Pod":                   {"v1", reflect.TypeFor[corev1.Pod]()},
	"ReplicationController": {"v1", reflect.TypeFor[corev1.ReplicationController]()},
	"StatefulSet":           {"apps/v1", reflect.TypeFor[appsv1.StatefulSet]()},
	"Deployment":            {"apps/v1", reflect.TypeFor[appsv1.Deployment]()},
	"ReplicaSet":            {"apps/v1", reflect.TypeFor[appsv1.ReplicaSet]()},
	"DaemonSet":             {"apps/v1", reflect.TypeFor[appsv1.DaemonSet]()},
	"Job":                   {"batch/v1", reflect.TypeFor[batchv1.Job]()},
	"CronJob":               {"batch/v1", reflect.TypeFor[batchv1.CronJob]()},

	"ConfigMap":                      {"v1", reflect.TypeFor[corev1.ConfigMap]()},
	"Secret":                         {apiVersion: "v1"},
	"ServiceAccount":                 {apiVersion: "v1"},
	"Namespace":                      {apiVersion: "v1"},
	"PersistentVolumeClaim":          {apiVersion: "v1"},
	"PersistentVolume":               {apiVersion: "v1"},
	"Endpoints":                      {"v1", reflect.TypeFor[corev1.Endpoints]()},
	"LimitRange":                     {apiVersion: "v1"},
	"ResourceQuota":                  {apiVersion: "v1"},
	"PodTemplate":                    {apiVersion: "v1"},
	"Event":                          {apiVersion: "v1"},
	"EndpointSlice":                  {"discovery.k8s.io/v1", reflect.TypeFor[discoveryv1.EndpointSlice]()},
	"Ingress":                        {apiVersion: "networking.k8s.io/v1"},
	"IngressClass":                   {apiVersion: "networking.k8s.io/v1"},
	"NetworkPolicy":                  {apiVersion: "networking.k8s.io/v1"},
	"PodDisruptionBudget":            {apiVersion: "policy/v1"},
	"Role":                           {apiVersion: "rbac.authorization.k8s.io/v1"},
	"ClusterRole":                    {apiVersion: "rbac.authorization.k8s.io/v1"},
	"RoleBinding":                    {apiVersion: "rbac.authorization.k8s.io/v1"},
	"ClusterRoleBinding":             {apiVersion: "rbac.authorization.k8s.io/v1"},
	"HorizontalPodAutoscaler":        {apiVersion: "autoscaling/v2"},
	"StorageClass":                   {apiVersion: "storage.k8s.io/v1"},
	"CSIDriver":                      {apiVersion: "storage.k8s.io/v1"},
	"PriorityClass":                  {apiVersion: "scheduling.k8s.io/v1"},
	"CustomResourceDefinition":       {apiVersion: "apiextensions.k8s.io/v1"},
	"MutatingWebhookConfiguration":   {apiVersion: "admissionregistration.k8s.io/v1"},
	"ValidatingWebhookConfiguration": {apiVersion: "admissionregistration.k8s.io/v1"},
	"Lease":                          {apiVersion: "coordination.k8s.io/v1"},
	"RuntimeClass":                   {apiVersion: "node.k8s.io/v1"},
	"APIService":                     {apiVersion: "apiregistration.k8s.io/v1"},
	"Kustomization":                  {apiVersion: "kustomize.config.k8s.io/v1beta1"},
	"List":                           {apiVersion: "v1"},
}

// kindNames lists the known kinds, sorted, for suggestions.
var kindNames = func() []string {
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}()

// removedAPIs are apiVersions of workloads the API server no longer serves.
var removedAPIs = map[string]string{
	"extensions/v1beta1": "1.16", "apps/v1beta1": "1.16", "apps/v1beta2": "1.16",
	"batch/v1beta1": "1.25", "policy/v1beta1": "1.25",
}

// builtinGroup reports whether an apiVersion belongs to Kubernetes itself
// (the core group, a group without a dot, or a *.k8s.io group); anything
// else is a custom resource that lint skips.
func builtinGroup(apiVersion string) bool {
	group, _, found := strings.Cut(apiVersion, "/")
	if !found {
		return true // "v1": the core group
	}
	return !strings.Contains(group, ".") || strings.HasSuffix(group, ".k8s.io")
}

// suggestKind returns the known kind closest to k (another case, or a
// misspelling of at most two letters), or "".
func suggestKind(k string) string {
	best, bestDist := "", 3
	for _, n := range kindNames {
		if strings.EqualFold(n, k) {
			return n
		}
		if d := editDistance(strings.ToLower(n), strings.ToLower(k)); d < bestDist && len(k) > 3 {
			best, bestDist = n, d
		}
	}
	return best
}

// looksLikeAPIVersion reports whether v has the shape of an apiVersion.
func looksLikeAPIVersion(v string) bool {
	_, version, found := strings.Cut(v, "/")
	if !found {
		version = v
	}
	return len(version) >= 2 && version[0] == 'v' && version[1] >= '0' && version[1] <= '9'
}

func wrongAPIVersion(kind, got string) string {
	want := kinds[kind].apiVersion
	if since, ok := removedAPIs[got]; ok {
		return fmt.Sprintf("apiVersion %q no longer serves %s (removed in Kubernetes %s); use %q", got, kind, since, want)
	}
	return fmt.Sprintf("%s is served as apiVersion %q, not %q", kind, want, got)
}
