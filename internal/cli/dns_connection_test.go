package cli

import (
	"strings"
	"testing"
)

// TestDNSConnectionUsesClientPort checks that the connection string names
// the preset's client port, whichever position the Service lists it at.
func TestDNSConnectionUsesClientPort(t *testing.T) {
	code, manifests, stderr := runCmd(t, "", "generate", "--preset", "etcd", "--replicas", "2")
	if code != ExitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	client := "    - name: \"client\"\n      port: 2379\n      targetPort: \"client\"\n      protocol: TCP\n"
	if strings.Count(manifests, client) != 2 {
		t.Fatalf("the etcd manifests do not list the client port as expected:\n%s", manifests)
	}
	// In the headless Service, move the client port after the others.
	i := strings.Index(manifests, client)
	rest := strings.Replace(manifests[i+len(client):], "      protocol: TCP\n---", "      protocol: TCP\n"+client+"---", 1)
	reordered := manifests[:i] + rest
	code, out, stderr := runCmd(t, reordered, "dns", "-")
	if code != ExitOK {
		t.Fatalf("dns: exit %d: %s", code, stderr)
	}
	want := "http://etcd-0.etcd-headless.default.svc.cluster.local:2379,http://etcd-1.etcd-headless.default.svc.cluster.local:2379"
	if !strings.Contains(out, want) {
		t.Errorf("dns output does not contain %s:\n%s", want, out)
	}
}
