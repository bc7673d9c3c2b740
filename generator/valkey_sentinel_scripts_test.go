package generator

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

// The valkey-sentinel preset's scripts, run with stubs for valkey-cli and
// valkey-server: which primary a starting server follows and a starting
// sentinel monitors, what their configuration files hold, and that no
// program gets the password as an argument (ps would show it): it is only
// in the files, readable by their owner alone.

const vsDomain = ".valkey-sentinel-headless.default.svc.cluster.local"

func vsPod(i string) string { return "valkey-sentinel-" + i + vsDomain }

// vsCLI is a valkey-cli stub. sentinel, when set, is what every other
// pod's sentinel answers to get-master-addr-by-name: a host name (and port
// 6379), or the lines of another answer; info maps a host to its INFO
// replication; keys maps a host to its DBSIZE.
func vsCLI(sentinel string, info, keys map[string]string) string {
	var b strings.Builder
	b.WriteString("host=127.0.0.1; while [ $# -gt 0 ]; do case $1 in -h) host=$2; shift ;; -p) port=$2; shift ;; --no-auth-warning) ;; *) break ;; esac; shift; done\n")
	b.WriteString("case \"$port $*\" in\n")
	if sentinel != "" {
		if !strings.Contains(sentinel, "\n") {
			sentinel += "\n6379" // a host name: the answer of a sentinel that knows it
		}
		b.WriteString("'26379 sentinel get-master-addr-by-name valkey-sentinel') printf '%s\\r\\n' '" + strings.ReplaceAll(sentinel, "\n", "' '") + "' ;;\n")
	}
	b.WriteString("'6379 info replication') case $host in\n")
	for h, v := range info {
		b.WriteString(h + ") printf '%s\\r\\n' '" + strings.ReplaceAll(v, "\n", "' '") + "' ;;\n")
	}
	b.WriteString("esac ;;\n")
	b.WriteString("'6379 dbsize') case $host in\n")
	for h, v := range keys {
		b.WriteString(h + ") echo " + v + " ;;\n")
	}
	b.WriteString("esac ;;\nesac\nexit 0")
	return b.String()
}

// TestValkeySentinelStartScript runs start.sh in the cases that decide the
// primary.
func TestValkeySentinelStartScript(t *testing.T) {
	files := configFiles(t, Spec{Preset: "valkey-sentinel"})
	for _, tt := range []struct {
		name, pod, sentinel string
		info, keys          map[string]string
		lastPrimary         string
		want                string // the primary followed; "" = it is the primary
		promoted            string // a replica made primary with REPLICAOF NO ONE
	}{
		{name: "the sentinels name another pod", pod: "1", sentinel: vsPod("2"), want: vsPod("2")},
		{name: "the sentinels name this pod", pod: "2", sentinel: vsPod("2"), want: ""},
		{name: "a sentinel refuses the password", pod: "2", sentinel: "WRONGPASS invalid username-password pair or user is disabled.\n", want: vsPod("0")},
		{name: "no sentinel, a primary answers", pod: "0", info: map[string]string{vsPod("1"): "role:master"}, want: vsPod("1")},
		{name: "a new cluster, ordinal 0", pod: "0", want: ""},
		{name: "a new cluster, ordinal 2", pod: "2", want: vsPod("0")},
		{name: "no sentinel runs, the primary this pod last followed", pod: "0", lastPrimary: vsPod("2"), want: vsPod("2")},
		{name: "ordinal 0 empty while a replica holds keys", pod: "0",
			info:     map[string]string{vsPod("1"): "role:slave\nmaster_repl_offset:10", vsPod("2"): "role:slave\nmaster_repl_offset:99"},
			keys:     map[string]string{vsPod("1"): "3", vsPod("2"): "5"},
			want:     vsPod("2"),
			promoted: vsPod("2")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stubs := map[string]string{"valkey-cli": vsCLI(tt.sentinel, tt.info, tt.keys), "valkey-server": ""}
			r := newScriptRun(t, files, []string{"/run/headless", "/data"}, stubs, nil)
			if tt.lastPrimary != "" {
				if err := os.WriteFile(r.moved("/data")+"/headless-primary", []byte(tt.lastPrimary+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			log := r.run(t, "sh", "start.sh", "POD_NAME=valkey-sentinel-"+tt.pod, "POD_INDEX="+tt.pod,
				"VALKEY_PASSWORD="+passwordMarker+`"\x`, "REDISCLI_AUTH="+passwordMarker)
			if strings.Contains(log, passwordMarker) {
				t.Errorf("a program got the password as an argument:\n%s", log)
			}
			conf := r.moved("/run/headless/valkey.conf")
			if want := "valkey-server " + conf + "\n"; !strings.HasSuffix(log, want) {
				t.Errorf("the log does not end with %q:\n%s", want, log)
			}
			data, err := os.ReadFile(conf)
			if err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(conf); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("valkey.conf: %v, mode %v, want 0600", err, fi.Mode())
			}
			text := string(data)
			for _, want := range []string{
				"port 6379\n", "dir " + r.moved("/data") + "\n", "appendonly yes\n",
				"replica-announce-ip " + vsPod(tt.pod) + "\n", "replica-announce-port 6379\n",
				`requirepass "` + passwordMarker + `\"\\x"` + "\n", `masterauth "` + passwordMarker + `\"\\x"` + "\n",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("valkey.conf lacks %q:\n%s", want, text)
				}
			}
			replicaof := regexp.MustCompile(`(?m)^replicaof (\S+) 6379$`).FindStringSubmatch(text)
			switch {
			case tt.want == "" && replicaof != nil:
				t.Errorf("replicaof %s, want the primary:\n%s", replicaof[1], text)
			case tt.want != "" && (replicaof == nil || replicaof[1] != tt.want):
				t.Errorf("replicaof %v, want %s:\n%s", replicaof, tt.want, text)
			}
			if promote := "valkey-cli --no-auth-warning -h " + tt.promoted + " -p 6379 replicaof no one\n"; tt.promoted != "" && !strings.Contains(log, promote) {
				t.Errorf("the log lacks %q:\n%s", promote, log)
			} else if tt.promoted == "" && strings.Contains(log, "replicaof no one") {
				t.Errorf("a replica was promoted:\n%s", log)
			}
		})
	}
}

// TestValkeySentinelSentinelScript runs sentinel.sh: the primary comes from
// another sentinel, else from the servers; the configuration has the
// settings Sentinel needs for DNS names, in the order it reads them, the
// quorum, and the passwords.
func TestValkeySentinelSentinelScript(t *testing.T) {
	files := configFiles(t, Spec{Preset: "valkey-sentinel", Replicas: ptr(5)})
	for _, tt := range []struct {
		name, sentinel string
		info           map[string]string
		want           string
	}{
		{name: "another sentinel answers", sentinel: vsPod("3"), want: vsPod("3")},
		{name: "a replica names its primary", info: map[string]string{vsPod("0"): "role:slave\nmaster_host:" + vsPod("4")}, want: vsPod("4")},
		{name: "a server is the primary", info: map[string]string{vsPod("2"): "role:master"}, want: vsPod("2")},
		{name: "a sentinel refuses the password", sentinel: "NOAUTH Authentication required.\n", info: map[string]string{vsPod("2"): "role:master"}, want: vsPod("2")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stubs := map[string]string{"valkey-cli": vsCLI(tt.sentinel, tt.info, nil), "valkey-server": ""}
			r := newScriptRun(t, files, []string{"/run/sentinel"}, stubs, nil)
			log := r.run(t, "sh", "sentinel.sh", "POD_NAME=valkey-sentinel-1", "POD_INDEX=1",
				"VALKEY_PASSWORD="+passwordMarker, "REDISCLI_AUTH="+passwordMarker)
			if strings.Contains(log, passwordMarker) {
				t.Errorf("a program got the password as an argument:\n%s", log)
			}
			conf := r.moved("/run/sentinel/sentinel.conf")
			if want := "valkey-server " + conf + " --sentinel\n"; !strings.HasSuffix(log, want) {
				t.Errorf("the log does not end with %q:\n%s", want, log)
			}
			data, err := os.ReadFile(conf)
			if err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(conf); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("sentinel.conf: %v, mode %v, want 0600", err, fi.Mode())
			}
			text := string(data)
			want := []string{
				"port 26379\n",
				"sentinel resolve-hostnames yes\n",
				"sentinel announce-hostnames yes\n",
				"sentinel announce-ip " + vsPod("1") + "\n",
				"sentinel announce-port 26379\n",
				"sentinel monitor valkey-sentinel " + tt.want + " 6379 3\n",
				`sentinel auth-pass valkey-sentinel "` + passwordMarker + `"` + "\n",
				`requirepass "` + passwordMarker + `"` + "\n",
			}
			at := 0
			for _, w := range want {
				i := strings.Index(text[at:], w)
				if i < 0 {
					t.Errorf("sentinel.conf lacks %q after byte %d:\n%s", w, at, text)
					continue
				}
				at += i + len(w)
			}
			if !regexp.MustCompile(`(?m)^sentinel myid [0-9a-f]{40}$`).MatchString(text) {
				t.Errorf("sentinel.conf has no myid of 40 hex digits:\n%s", text)
			}
		})
	}
}

// TestValkeySentinelPasswordNotOnArgv scans what the valkey-sentinel pods
// run: no container's command, arguments or probe names a variable holding
// the password ($(VAR), which Kubernetes would expand onto the command
// line), and in the scripts the password, and the value quoted from it,
// are only read by printf, the shell's builtin, or in an assignment.
func TestValkeySentinelPasswordNotOnArgv(t *testing.T) {
	secretVars := []string{"VALKEY_PASSWORD", "REDISCLI_AUTH", "quoted"}
	man, err := Generate(Spec{Preset: "valkey-sentinel"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range man.Documents {
		for _, v := range secretVars[:2] {
			if strings.Contains(string(d.Text), "$("+v+")") {
				t.Errorf("%s expands $(%s) into a command line", d.Name, v)
			}
		}
	}
	use := regexp.MustCompile(`\$\{?(` + strings.Join(secretVars, "|") + `)\b`)
	for name, text := range configFiles(t, Spec{Preset: "valkey-sentinel"}) {
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(line)
			if !use.MatchString(line) {
				continue
			}
			// printf '…' "$quoted" …, or quoted=$(printf '%s' "$VALKEY_PASSWORD" | sed …).
			if !strings.HasPrefix(line, "printf ") && !strings.HasPrefix(line, `quoted=$(printf '%s' "$VALKEY_PASSWORD" | `) {
				t.Errorf("%s: the password is used by something other than printf: %s", name, line)
			}
		}
	}
}

// TestClientsPortAdmitted: with Sentinel, clients reach the servers' port
// (ports[].clients) as well as the sentinels'; a NetworkPolicy that admits
// them to the client port only is caught by the consistency check, and the
// sentinel port is declared on the sentinel's container, not the server's.
func TestClientsPortAdmitted(t *testing.T) {
	r, err := NewRenderer(brokenTemplates(t, "networkpolicy.yaml.tmpl",
		`{{- include "policyPorts" .ClientAccessPorts | trim | nindent 8 }}`, `{{- include "policyPorts" .ClientPorts | trim | nindent 8 }}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Render(mustResolve(t, Spec{Preset: "valkey-sentinel"}))
	var ie *InternalError
	if want := "does not let clients pods: reach port valkey (6379)"; !errors.As(err, &ie) || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v\nwant an InternalError mentioning %q", err, want)
	}

	man, err := Generate(Spec{Preset: "valkey-sentinel"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range man.Documents {
		s, ok := d.Object.(*appsv1.StatefulSet)
		if !ok {
			continue
		}
		ports := map[string][]string{}
		for _, c := range s.Spec.Template.Spec.Containers {
			for _, p := range c.Ports {
				ports[c.Name] = append(ports[c.Name], fmt.Sprintf("%s/%d", p.Name, p.ContainerPort))
			}
		}
		if want := map[string][]string{"valkey-sentinel": {"valkey/6379"}, "sentinel": {"sentinel/26379"}}; !reflect.DeepEqual(ports, want) {
			t.Errorf("container ports %v, want %v", ports, want)
		}
	}
}
