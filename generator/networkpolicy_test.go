package generator

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

func TestParsePeers(t *testing.T) {
	tests := []struct {
		in   string
		want Peer
		err  string
	}{
		{in: "pods:app=api", want: Peer{Pods: map[string]string{"app": "api"}}},
		{in: "namespaces:team=data", want: Peer{Namespaces: map[string]string{"team": "data"}}},
		{in: "namespaces:kubernetes.io/metadata.name=apps/pods:app=api,tier=web",
			want: Peer{Namespaces: map[string]string{"kubernetes.io/metadata.name": "apps"}, Pods: map[string]string{"app": "api", "tier": "web"}}},
		{in: "app=api", err: "must be pods:<labels>"},
		{in: "pods:", err: "must be pods:<labels>"},
		{in: "pods:app=api/pods:x=y", err: "must be pods:<labels>"},
		{in: "services:app=api", err: "must be pods:<labels>"},
		{in: "pods:App_=x", err: `the label key "App_"`},
		{in: "pods:app=a b", err: `the label value "a b"`},
	}
	for _, tt := range tests {
		peers, err := parsePeers([]string{tt.in})
		if tt.err != "" {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != FieldAllowFrom || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want a FieldError about allowFrom mentioning %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || len(peers) != 1 || !reflect.DeepEqual(peers[0], tt.want) {
			t.Errorf("%q: %+v, %v; want %+v", tt.in, peers, err, tt.want)
		}
		if got, _ := parsePeers([]string{peers[0].String()}); !reflect.DeepEqual(got, peers) {
			t.Errorf("%q: String() %q does not parse back", tt.in, peers[0].String())
		}
	}
}

// TestNetworkPolicy checks what the policy lets in for every preset: the
// members on every port, the clients on the client port only.
func TestNetworkPolicy(t *testing.T) {
	for _, mode := range Modes {
		man, err := Generate(Spec{Preset: "etcd", Mode: mode, AllowFrom: []string{"pods:app=api"}})
		if err != nil {
			t.Fatal(err)
		}
		var np *networkingv1.NetworkPolicy
		for _, d := range man.Documents {
			if o, ok := d.Object.(*networkingv1.NetworkPolicy); ok {
				np = o
			}
		}
		if np == nil {
			t.Fatalf("%s: no NetworkPolicy", mode)
		}
		if len(np.Spec.Ingress) != 2 || len(np.Spec.Ingress[0].Ports) != 3 || len(np.Spec.Ingress[1].Ports) != 1 ||
			np.Spec.Ingress[1].Ports[0].Port.IntVal != 2379 || np.Spec.Ingress[1].From[0].PodSelector.MatchLabels["app"] != "api" {
			t.Errorf("%s: ingress %+v", mode, np.Spec.Ingress)
		}
	}
	off := false
	man, err := Generate(Spec{Preset: "redis", NetworkPolicy: &off})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range man.Documents {
		if d.Kind == "NetworkPolicy" {
			t.Error("--network-policy=false generated a NetworkPolicy")
		}
	}
	if _, err := (Spec{Preset: "redis", NetworkPolicy: &off, AllowFrom: []string{"pods:a=b"}}).Resolve(); err == nil ||
		!strings.Contains(err.Error(), "needs the NetworkPolicy") {
		t.Errorf("allowFrom without a policy: %v", err)
	}
}

// TestNetworkPolicyCheck breaks the policy template one way at a time; the
// consistency check must catch each.
func TestNetworkPolicyCheck(t *testing.T) {
	tests := []struct{ name, old, new, want string }{
		{"members shut out of a port", `      ports:
        {{- include "policyPorts" .Ports | trim | nindent 8 }}
    - from:`, `      ports:
        {{- include "policyPorts" .ClientPorts | trim | nindent 8 }}
    - from:`, "does not let members reach each other on port peer (2380)"},
		{"clients on every port", `{{- include "policyPorts" .ClientAccessPorts | trim | nindent 8 }}`, `{{- include "policyPorts" .Ports | trim | nindent 8 }}`,
			"admits non-members on a port that is not a client port"},
		{"no DNS", "        - port: 53\n          protocol: UDP\n", "", "does not let the pods query DNS"},
		{"ingress only", `policyTypes: ["Ingress", "Egress"]`, `policyTypes: ["Ingress"]`, "does not restrict both ingress and egress"},
		{"declared clients missing", `        - {{ include "policyPeer" . | trim | nindent 10 | trim }}`, `        - podSelector: {}`,
			"does not let clients pods:app=api reach port client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRenderer(brokenTemplates(t, "networkpolicy.yaml.tmpl", tt.old, tt.new))
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Render(mustResolve(t, Spec{Preset: "etcd", AllowFrom: []string{"pods:app=api"}}))
			var ie *InternalError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v\nwant an InternalError mentioning %q", err, tt.want)
			}
		})
	}
}

func TestPVCRetention(t *testing.T) {
	for _, tt := range []struct{ in, want string }{{"", "Retain"}, {"retain", "Retain"}, {"Delete", "Delete"}} {
		man, err := Generate(Spec{Preset: "redis", PVCRetention: tt.in})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range man.Documents {
			if s, ok := d.Object.(*appsv1.StatefulSet); ok {
				p := s.Spec.PersistentVolumeClaimRetentionPolicy
				if string(p.WhenDeleted) != tt.want || string(p.WhenScaled) != tt.want {
					t.Errorf("%q: retention %+v, want %s", tt.in, p, tt.want)
				}
			}
		}
	}
	for _, s := range []Spec{{Preset: "redis", PVCRetention: "keep"}, {Preset: "redis", PVCRetention: "delete", Mode: ModePods}} {
		var fe *FieldError
		if _, err := s.Resolve(); !errors.As(err, &fe) || fe.Field != FieldPVCRetention {
			t.Errorf("%+v: %v, want a FieldError about pvcRetention", s, err)
		}
	}
}
