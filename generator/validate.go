package generator

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Port limits.
const (
	MinPort = 1
	MaxPort = 65535
)

// intRange is the allowed range of each integer field.
var intRange = map[string][2]int{
	FieldReplicas: {MinReplicas, MaxReplicas},
	FieldPort:     {MinPort, MaxPort},
}

// ParseInt parses the text a user typed for an integer field (FieldReplicas
// or FieldPort). Text that is not an integer is a *FieldError with the same
// reason as an integer out of range; the range itself is checked by Resolve.
func ParseInt(field, text string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		return 0, intErr(field, text)
	}
	return n, nil
}

func intErr(field, value string) *FieldError {
	r := intRange[field]
	return fieldErr(field, value, "must be an integer from %d to %d", r[0], r[1])
}

// validatePort checks a port number from user input.
func validatePort(port int) error {
	if port < MinPort || port > MaxPort {
		return intErr(FieldPort, strconv.Itoa(port))
	}
	return nil
}

// validateName checks the workload name. It is the prefix of every pod's
// name, and a pod's name is its hostname: a DNS-1123 label of at most 63
// characters once "-<ordinal>" is appended. A StatefulSet's name is further
// limited by its controller-revision-hash label.
func validateName(name string, mode Mode, replicas int) error {
	if err := dnsLabel(FieldName, name); err != nil {
		return err
	}
	suffix := len(strconv.Itoa(replicas-1)) + 1
	limit := validation.DNS1123LabelMaxLength - suffix
	why := fmt.Sprintf("so that pod names up to %s-%d stay within 63 characters", "<name>", replicas-1)
	if mode == ModeStatefulSet && MaxStatefulSetName < limit {
		limit = MaxStatefulSetName
		why = "for a StatefulSet, whose controller-revision-hash label adds up to 11 characters"
	}
	if len(name) > limit {
		return fieldErr(FieldName, name, "is %d characters; the limit is %d %s", len(name), limit, why)
	}
	return nil
}

// validateServiceName checks the headless Service's name, a DNS-1035 label.
// When it was derived from the name, the error names the name.
func validateServiceName(m *Model, derived bool) error {
	err := dns1035Label(FieldServiceName, m.ServiceName)
	var fe *FieldError
	if err == nil || !derived || !errors.As(err, &fe) {
		return err
	}
	return fieldErr(FieldName, m.Name, "the default service name %q %s; choose another name or set the service name",
		m.ServiceName, fe.Reason)
}

// objectNameRule returns how the API server checks the name of an object
// of the kind: a Service's name is a DNS-1035 label, and the names of the
// other kinds headless generates are DNS-1123 subdomains. It returns the
// rule's text for messages.
func objectNameRule(kind string) (valid func(string) bool, rule string) {
	if kind == "Service" {
		return func(s string) bool { return len(validation.IsDNS1035Label(s)) == 0 }, dns1035Rule
	}
	return func(s string) bool { return len(content.IsDNS1123Subdomain(s)) == 0 }, dnsSubdomainRule
}

// derivedName is the name of a generated object that headless derives from
// the workload's name, such as <name>-config.
type derivedName struct {
	kind, what, name, hint string
}

// derivedNames lists the names of the objects m generates that are derived
// from its name, each once (for pods and claims, the longest one).
func (m *Model) derivedNames() []derivedName {
	last := fmt.Sprintf("%s-%d", m.Name, m.Replicas-1)
	names := []derivedName{{kind: "Pod", what: "pod", name: last}}
	if m.Mode == ModeStatefulSet {
		names = append(names, derivedName{kind: "StatefulSet", what: "StatefulSet", name: m.Name})
	}
	if m.ClientService {
		names = append(names, derivedName{kind: "Service", what: "client Service", name: m.ClientServiceName(),
			hint: " or disable the client Service (clientService false)"})
	}
	if len(m.Preset.Files) > 0 {
		names = append(names, derivedName{kind: "ConfigMap", what: "ConfigMap", name: m.ConfigMapName()})
	}
	// A Secret named with --secret is checked as given, in resolveSecret.
	if m.Preset.Secret != nil && m.SecretName() == m.Name+SecretNameSuffix {
		names = append(names, derivedName{kind: "Secret", what: "Secret", name: m.SecretName()})
	}
	if m.NetworkPolicy {
		names = append(names, derivedName{kind: "NetworkPolicy", what: "NetworkPolicy", name: m.Name})
	}
	if m.UsesTLS() {
		names = append(names, derivedName{kind: "Certificate", what: "Certificate and its Secret", name: m.TLSSecretName()})
	}
	if m.Storage != "" && m.Storage != StorageNone {
		names = append(names, derivedName{kind: "PersistentVolumeClaim", what: "volume claim", name: m.ClaimName(last)})
	}
	if m.Replicas > 1 {
		names = append(names, derivedName{kind: "PodDisruptionBudget", what: "PodDisruptionBudget", name: m.Name})
	}
	return names
}

// validateDerivedNames checks each derived name by the rule of the object
// it names, and blames the name it is derived from.
func validateDerivedNames(m *Model) error {
	for _, d := range m.derivedNames() {
		if valid, rule := objectNameRule(d.kind); !valid(d.name) {
			return fieldErr(FieldName, m.Name, "the %s's name %s %s; choose another name%s", d.what, QuoteValue(d.name), rule, d.hint)
		}
	}
	return nil
}

const (
	dnsLabelRule     = "must be a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"
	dns1035Rule      = "must be a DNS-1035 label: at most 63 lower-case letters, digits and '-', starting with a letter and ending with a letter or digit"
	dnsSubdomainRule = "must be a DNS-1123 subdomain: at most 253 characters of lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit"
)

func dnsLabel(field, v string) error {
	if len(content.IsDNS1123Label(v)) > 0 {
		return fieldErr(field, v, "%s", dnsLabelRule)
	}
	return nil
}

func dns1035Label(field, v string) error {
	if len(validation.IsDNS1035Label(v)) > 0 {
		return fieldErr(field, v, "%s", dns1035Rule)
	}
	return nil
}

func dnsSubdomain(field, v string) error {
	if len(content.IsDNS1123Subdomain(v)) > 0 {
		return fieldErr(field, v, "%s", dnsSubdomainRule)
	}
	return nil
}

func validateClusterDomain(v string) error {
	if strings.HasSuffix(v, ".") {
		return fieldErr(FieldClusterDomain, v, "must not end with a dot, e.g. cluster.local")
	}
	return dnsSubdomain(FieldClusterDomain, v)
}

// validateQuantity checks a storage size: a positive Kubernetes quantity.
func validateQuantity(field, v string) error {
	const rule = "must be a positive quantity such as 8Gi or 500Mi, or " + StorageNone + " for no volume claims"
	q, err := resource.ParseQuantity(v)
	if err != nil || q.Sign() <= 0 {
		return fieldErr(field, v, "%s", rule)
	}
	return nil
}

// reservedLabelPrefixes are label domains headless or Kubernetes own; user
// labels there would fight with the generated ones.
var reservedLabelPrefixes = []string{"kubernetes.io/", "k8s.io/"}

// MaxLabels is the most labels a user may add. Each is copied onto every
// object and pod, so a thousand Pods multiply them. With 2,000 labels from
// a 48 KB spec file, generating took 1.1 GB, and a 1 MiB file would
// exhaust memory, which Go reports as a fatal error (exit 2). 64 labels of
// the longest kind cost about 350 MB for 1,000 Pods.
const MaxLabels = 64

func validateLabels(labels map[string]string) error {
	if len(labels) > MaxLabels {
		return fieldErr(FieldLabels, fmt.Sprintf("%d labels", len(labels)), "at most %d labels may be added", MaxLabels)
	}
	// In key order, so that the first bad label reported does not depend
	// on map iteration.
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		v := labels[k]
		kv := k + "=" + v
		if errs := content.IsLabelKey(k); len(errs) > 0 {
			return fieldErr(FieldLabels, kv, "the key %s", strings.Join(errs, "; "))
		}
		if errs := content.IsLabelValue(v); len(errs) > 0 {
			return fieldErr(FieldLabels, kv, "the value %s", strings.Join(errs, "; "))
		}
		prefix, _, hasPrefix := strings.Cut(k, "/")
		if hasPrefix {
			for _, r := range reservedLabelPrefixes {
				domain := strings.TrimSuffix(r, "/")
				if prefix == domain || strings.HasSuffix(prefix, "."+domain) {
					return fieldErr(FieldLabels, kv, "keys under %s are reserved for Kubernetes and headless", domain)
				}
			}
		}
	}
	return nil
}

// ParseLabel splits a "key=value" label argument. The key and value are
// validated with the rest of the Spec.
func ParseLabel(arg string) (key, value string, err error) {
	k, v, ok := strings.Cut(arg, "=")
	if !ok || k == "" {
		return "", "", fieldErr(FieldLabels, arg, "must be key=value, e.g. team=data")
	}
	return k, v, nil
}
