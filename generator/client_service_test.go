package generator

import (
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestClientServiceReachesPrimary: a preset with clientSelects primary gets
// a client Service that selects ordinal 0 only, in both modes, and the
// consistency check rejects one that selects a replica, or misses the
// primary.
func TestClientServiceReachesPrimary(t *testing.T) {
	for _, mode := range Modes {
		man, err := Generate(Spec{Preset: "redis", Mode: mode, Replicas: intp(3)})
		if err != nil {
			t.Fatal(err)
		}
		var client *corev1.Service
		for _, d := range man.Documents {
			if s, ok := d.Object.(*corev1.Service); ok && s.Name == man.Model.ClientServiceName() {
				client = s
			}
		}
		if client == nil {
			t.Fatalf("%s: no client Service", mode)
		}
		var selected []string
		for _, p := range podsOf(man.Objects()) {
			if selects(client.Spec.Selector, p.Labels) {
				selected = append(selected, p.Name)
			}
		}
		if strings.Join(selected, ",") != "redis-0" {
			t.Errorf("%s: the client Service selects %v, want redis-0 only", mode, selected)
		}
	}
	// etcd's members all take writes: its client Service spans them.
	man, err := Generate(Spec{Preset: "etcd", Replicas: intp(3)})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(man.Model.ClientPods()); got != 3 {
		t.Errorf("etcd's client Service reaches %d pods, want 3", got)
	}

	for _, tt := range []struct {
		name      string
		mode      Mode
		file      string
		old, new  string
		wantError string
	}{
		{"client Service spans the replicas", ModeStatefulSet, "client-service.yaml.tmpl",
			`{{- kv .ClientSelector | trim | nindent 4 }}`, `{{- kv .SelectorLabels | trim | nindent 4 }}`,
			`Service redis selects pod redis-1, which its clients must not reach`},
		{"primary pod without its label", ModePods, "pod.yaml.tmpl",
			`{{- kv .PodLabels | nindent 4 }}`, `{{- kv .Labels | nindent 4 }}`,
			`Service redis does not select pod redis-0`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRenderer(brokenTemplates(t, tt.file, tt.old, tt.new))
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Render(mustResolve(t, Spec{Preset: "redis", Mode: tt.mode}))
			var ie *InternalError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.wantError) {
				t.Errorf("got %v, want an InternalError mentioning %q", err, tt.wantError)
			}
		})
	}
}
