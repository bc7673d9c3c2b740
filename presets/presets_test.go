package presets

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	_ "github.com/headless-k8s/headless/internal/testutil" // accepts -update
)

func TestAllMatchesNames(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range all {
		names = append(names, p.Name)
		got, err := Get(p.Name)
		if err != nil || got != p {
			t.Errorf("Get(%q) = %p, %v; want the preset All returned", p.Name, got, err)
		}
		if _, err := p.ConnectionString(ConnectionData{Name: "db", Hosts: []string{"db-0.x:1", "db-1.x:1"}, Primary: "db-0.x:1"}); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
	}
	if want := Names(); !slices.Equal(names, want) || len(want) < 3 {
		t.Errorf("All() names %v, Names() %v", names, want)
	}
}

func TestGetUnknown(t *testing.T) {
	if _, err := Get("no-such-db"); err == nil || !strings.Contains(err.Error(), "must be one of "+strings.Join(Names(), ", ")) {
		t.Errorf("Get(mysql) error = %v", err)
	}
}

// TestCheckRejects breaks an embedded preset one field at a time: each
// defect is a *DefinitionError that names it.
func TestCheckRejects(t *testing.T) {
	base, err := files.ReadFile("zookeeper.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ old, new, want string }{
		{"name: zookeeper", "name: zk", `name "zk" does not match its file name`},
		{"uid: 1000", "uid: 0", "uid and gid must be non-root"},
		{"{name: client, port: 2181, role: client}", "{name: client, port: 2181, role: peer}", "want exactly one port with role client, got 0"},
		{"{name: follower, port: 2888, role: peer}", "{name: follower, port: 2181, role: peer}", "is declared twice"},
		{"{name: election, port: 3888, role: peer}", "{name: Election, port: 3888, role: peer}", `name "Election"`},
		{"{name: election, port: 3888, role: peer}", "{name: election, port: 3888, role: gossip}", `role "gossip"`},
		{"{name: POD_INDEX, ordinal: true}", "{name: POD_INDEX, ordinal: true, value: x}", "set exactly one of value, secretKey, fieldPath and ordinal"},
		{"{name: POD_INDEX, ordinal: true}", "{name: POD_INDEX, fieldPath: spec.nodeName}", `fieldPath "spec.nodeName"`},
		{"{name: POD_INDEX, ordinal: true}", "{name: POD_INDEX, secretKey: nope}", `secretKey "nope" is not among secret.keys`},
		{"  - name: myid\n", "  - name: zookeeper\n", `name "zookeeper" is used twice`},
		{"startup: {tcpSocket: client,", "startup: {tcpSocket: nope,", `tcpSocket "nope" names no port`},
		{"  readiness: {exec:", "  readyness: {exec:", `unknown field "readyness"`},
		{"liveness: {tcpSocket: client,", "liveness: {httpGet: {path: x, port: client},", `httpGet path "x" must start with /`},
		{"podManagementPolicy: Parallel", "podManagementPolicy: parallel", `podManagementPolicy "parallel"`},
		{"command: [\"zkServer.sh\"", "command: []\nx: [\"zkServer.sh\"", `unknown field "x"`},
		{"volumes:\n", "volumes:\n  - {name: data, mountPath: /x, emptyDir: true}\n", `name "data" is taken`},
		{"volumes:\n", "volumes:\n  - {name: keys, mountPath: /data, emptyDir: true}\n", `mountPath "/data" must be absolute and unlike`},
		{"volumes:\n", "volumes:\n  - {name: keys, mountPath: /k, secretKeys: [{key: k, path: k, mode: 256}]}\n", `key "k" is not among secret.keys`},
		{"generate: {length: 32, alphabet: alnum}", "generate: {length: 8, alphabet: alnum}", "a length from 16 to 1024"},
		{"connection: ", "connectionPassword: nope\nconnection: ", `connectionPassword "nope" is not among secret.keys`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if !strings.Contains(string(base), tt.old) {
				t.Fatalf("zookeeper.yaml does not contain %q", tt.old)
			}
			text := strings.Replace(string(base), tt.old, tt.new, 1)
			_, err := Load(fstest.MapFS{"zookeeper.yaml": {Data: []byte(text)}}, "zookeeper.yaml")
			var de *DefinitionError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want a DefinitionError mentioning %q", err, tt.want)
			}
		})
	}
}
