package generator

import (
	"testing"

	"github.com/headless-k8s/headless/dns"
	"github.com/headless-k8s/headless/presets"
)

// TestEveryPodHasARecord computes, with the DNS model shared with lint and
// `headless dns`, the records cluster DNS will publish for every preset in
// both modes, and checks the promise: each pod gets exactly the name the
// Model says, and every cluster host name written into the configuration is
// one of the published records.
func TestEveryPodHasARecord(t *testing.T) {
	for _, name := range presets.Names() {
		for _, mode := range Modes {
			for _, variant := range []Spec{
				{},
				{Name: "x", Namespace: "data", ClusterDomain: "corp.example", Replicas: ptr(1)},
				{Replicas: ptr(7), ServiceName: "peers"},
			} {
				variant.Preset, variant.Mode = name, mode
				man, err := Generate(variant)
				if err != nil {
					t.Fatalf("%s %s: %v", name, mode, err)
				}
				m := man.Model
				report := dns.FromObjects(m.ClusterDomain, man.Objects())
				for _, nr := range report.NoRecord {
					t.Errorf("%s %s: pod %s gets no DNS record: %s", name, mode, nr.Pod.Ref(), nr.Reason)
				}
				if len(report.PodRecords) != len(m.Pods) {
					t.Errorf("%s %s: %d per-pod records for %d pods", name, mode, len(report.PodRecords), len(m.Pods))
				}
				for _, p := range m.Pods {
					if got := report.PodRecords[p.FQDN]; got == nil || got.Name != p.Name {
						t.Errorf("%s %s: %s is not pod %s's record", name, mode, p.FQDN, p.Name)
					}
				}
				for _, h := range man.HostNames() {
					if report.PodRecords[h] == nil && h != m.ServiceFQDN() {
						t.Errorf("%s %s: the configuration names %s, which cluster DNS will not publish", name, mode, h)
					}
				}
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestHostNames(t *testing.T) {
	man, err := Generate(Spec{Preset: "postgresql", Replicas: ptr(2)})
	if err != nil {
		t.Fatal(err)
	}
	// The primary's name (the standbys clone and follow it) and the
	// standby's (the primary asks it before it creates a database cluster).
	got := man.HostNames()
	if len(got) != 2 || got[0] != "postgresql-0.postgresql-headless.default.svc.cluster.local" ||
		got[1] != "postgresql-1.postgresql-headless.default.svc.cluster.local" {
		t.Errorf("HostNames = %q, want the primary's and the standby's DNS names", got)
	}
}
