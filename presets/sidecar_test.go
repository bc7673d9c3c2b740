package presets

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// TestSidecarCheck adds a sidecar to an embedded preset: a good one loads,
// and each defect is a *DefinitionError that names it.
func TestSidecarCheck(t *testing.T) {
	base, err := files.ReadFile("zookeeper.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const good = "\nsidecars:\n  - name: helper\n    image: busybox:1.37\n    command: [sleep, infinity]\n" +
		"    readiness: {exec: [true]}\n    resources: {requests: {cpu: 10m}}\n"
	load := func(sidecar string) (*Preset, error) {
		fsys := fstest.MapFS{"zookeeper.yaml": {Data: append(append([]byte{}, base...), sidecar...)}}
		return Load(fsys, "zookeeper.yaml")
	}
	p, err := load(good)
	if err != nil || len(p.Sidecars) != 1 || p.Sidecars[0].Image != "busybox:1.37" {
		t.Fatalf("a good sidecar: %v, %+v", err, p)
	}
	for _, tt := range []struct{ old, new, want string }{
		{"name: helper", "name: zookeeper", `sidecars: name "zookeeper" is taken`},
		{"name: helper", "name: myid", `sidecars: name "myid" is taken`},
		{"name: helper", "name: Helper", `sidecars: name "Helper"`},
		{"busybox:1.37", "busybox", `image "busybox" must be pinned`},
		{"busybox:1.37", "busybox:latest", `image "busybox:latest" must be pinned`},
		{"busybox:1.37", "busybox@sha256:" + strings.Repeat("ab", 32), ""},
		{"command: [sleep, infinity]", "command: []", "sidecars: helper: command is empty"},
		{"requests: {cpu: 10m}", "requests: {}", "sidecars: helper: resources.requests is empty"},
		{"readiness: {exec: [true]}", "readiness: {tcpSocket: nope}", `sidecars: helper: readiness: tcpSocket "nope" names no port`},
	} {
		_, err := load(strings.Replace(good, tt.old, tt.new, 1))
		var de *DefinitionError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s -> %s: %v, want it accepted", tt.old, tt.new, err)
		case tt.want != "" && (!errors.As(err, &de) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s -> %s: %v, want a DefinitionError mentioning %q", tt.old, tt.new, err, tt.want)
		}
	}
}
