package generator

import (
	"bytes"
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// newObject returns an empty typed object for each apiVersion/kind the
// templates produce. Anything else is a template defect.
var newObject = map[string]func() any{
	"v1/ConfigMap":                       func() any { return new(corev1.ConfigMap) },
	"v1/Secret":                          func() any { return new(corev1.Secret) },
	"v1/Service":                         func() any { return new(corev1.Service) },
	"v1/Pod":                             func() any { return new(corev1.Pod) },
	"v1/PersistentVolumeClaim":           func() any { return new(corev1.PersistentVolumeClaim) },
	"apps/v1/StatefulSet":                func() any { return new(appsv1.StatefulSet) },
	"policy/v1/PodDisruptionBudget":      func() any { return new(policyv1.PodDisruptionBudget) },
	"cert-manager.io/v1/Certificate":     func() any { return new(Certificate) },
	"networking.k8s.io/v1/NetworkPolicy": func() any { return new(networkingv1.NetworkPolicy) },
}

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

// decode strictly decodes one rendered document: duplicate keys, unknown
// fields, and values of the wrong type are errors. This is what
// yaml.UnmarshalStrict does, with the YAML parsed once instead of three
// times (header, duplicate check, conversion): parsing dominates the cost of
// generating a thousand pods.
func decode(text []byte) (Document, error) {
	j, err := yaml.YAMLToJSONStrict(text)
	if err != nil {
		return Document{}, err
	}
	var h header
	if err := json.Unmarshal(j, &h); err != nil {
		return Document{}, err
	}
	mk, ok := newObject[h.APIVersion+"/"+h.Kind]
	if !ok {
		return Document{}, fmt.Errorf("unexpected apiVersion %q and kind %q", h.APIVersion, h.Kind)
	}
	obj := mk()
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		return Document{}, fmt.Errorf("%s %q: %v", h.Kind, h.Metadata.Name, err)
	}
	return Document{Kind: h.Kind, Name: h.Metadata.Name, JSON: j, Text: text, Object: obj}, nil
}
