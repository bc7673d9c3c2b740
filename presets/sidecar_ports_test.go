package presets

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// TestSidecarPortsVolumes: a sidecar's ports and volumes name the preset's,
// a sidecar's probe names only its own ports, the main container's probes
// none of a sidecar's, and clients: true is only for ports other than the
// client port.
func TestSidecarPortsVolumes(t *testing.T) {
	base, err := files.ReadFile("zookeeper.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const good = "\nsidecars:\n  - name: helper\n    image: busybox:1.37\n    command: [sleep, infinity]\n" +
		"    ports: [election]\n    volumes: [run]\n    auth: true\n" +
		"    readiness: {tcpSocket: election}\n    resources: {requests: {cpu: 10m}}\n"
	load := func(preset, sidecar string) (*Preset, error) {
		fsys := fstest.MapFS{"zookeeper.yaml": {Data: []byte(preset + sidecar)}}
		return Load(fsys, "zookeeper.yaml")
	}
	p, err := load(string(base), good)
	if err != nil || len(p.Sidecars) != 1 || p.Sidecars[0].Ports[0] != "election" || p.Sidecars[0].Volumes[0] != "run" {
		t.Fatalf("a good sidecar: %v, %+v", err, p)
	}
	for _, tt := range []struct{ old, new, sidecar, want string }{
		{"", "", strings.Replace(good, "ports: [election]", "ports: [nope]", 1), `sidecars: helper: ports: "nope" names no port`},
		{"", "", strings.Replace(good, "ports: [election]", "ports: [election, election]", 1), `"election" is declared by another sidecar`},
		{"", "", strings.Replace(good, "ports: [election]", "ports: [client]", 1), `"client" is probed by the main container`},
		{"", "", strings.Replace(good, "volumes: [run]", "volumes: [nope]", 1), `sidecars: helper: volumes: "nope" names no volume`},
		{"", "", strings.Replace(good, "    auth: true\n", "", 1), `volumes: "run" exists only with authentication`},
		{"", "", strings.Replace(good, "readiness: {tcpSocket: election}", "readiness: {tcpSocket: follower}", 1), `readiness: port "follower" is not among the sidecar's ports`},
		{"{name: follower, port: 2888, role: peer}", "{name: follower, port: 2888, role: peer, clients: true}", good, ""},
		{"{name: client, port: 2181, role: client}", "{name: client, port: 2181, role: client, clients: true}", good, "ports: client: clients is for ports other than the client port"},
	} {
		_, err := load(strings.Replace(string(base), tt.old, tt.new, 1), tt.sidecar)
		var de *DefinitionError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s -> %s: %v, want it accepted", tt.old, tt.new, err)
		case tt.want != "" && (!errors.As(err, &de) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: %v, want a DefinitionError mentioning %q", tt.want, err, tt.want)
		}
	}
}
