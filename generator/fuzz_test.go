package generator

import (
	"errors"
	"testing"
)

// FuzzResolve feeds arbitrary strings to every free-text field. Whatever
// Resolve accepts must render and pass the consistency check: a value that
// validation lets through but the templates cannot carry is a bug. Whatever
// it rejects must be a *FieldError.
func FuzzResolve(f *testing.F) {
	f.Add("db", "default", "mongo:8.0.4", "team", "data", "8Gi", "cluster.local", "db-headless", 3, 27017)
	f.Add("a", "b", "registry.example.com:5000/x/y:1@sha256:0123456789abcdef0123456789abcdef", "example.com/k", "", "1", "a.b", "s", 1, 1)
	f.Add("x\ny", "ns: 1", "m:1\n- a", "k=v", "v\"", "-1Gi", "Cluster.Local", "1s", 0, 70000)
	f.Fuzz(func(t *testing.T, name, namespace, image, labelKey, labelValue, storage, domain, service string, replicas, port int) {
		if replicas > 50 {
			replicas %= 50 // keep each run fast; the limit itself is tested elsewhere
		}
		s := Spec{Preset: "mongodb", Name: name, Namespace: namespace, Image: image, Storage: storage,
			ClusterDomain: domain, ServiceName: service, Replicas: &replicas, Port: &port,
			Labels: map[string]string{labelKey: labelValue}}
		m, err := s.Resolve()
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Resolve rejected %+v with %T %v, want *FieldError", s, err, err)
			}
			return
		}
		for _, mode := range Modes {
			m.Mode = mode
			if _, err := Render(m); err != nil {
				t.Fatalf("Resolve accepted %+v but Render failed: %v", s, err)
			}
		}
	})
}
