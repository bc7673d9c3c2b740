package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeAPI is an API server stand-in that answers doctor's LISTs and GETs
// from fixed JSON, refuses anything but GET, and requires the token.
func fakeAPI(t *testing.T, objects map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("%s %s: doctor only reads", r.Method, r.URL.Path)
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if r.Header.Get("Authorization") != "Bearer t0ken" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, ok := objects[r.URL.Path]
		if !ok {
			if strings.Contains(r.URL.Path, "/configmaps/") {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprint(w, `{"kind":"Status","reason":"NotFound","message":"not found"}`)
				return
			}
			body = `{"items":[]}` // an empty list
		}
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func kubeconfigFor(t *testing.T, server, token string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config")
	kc := fmt.Sprintf("current-context: c\nclusters: [{name: k, cluster: {server: %q, insecure-skip-tls-verify: true}}]\n"+
		"users: [{name: u, user: {token: %q}}]\ncontexts: [{name: c, context: {cluster: k, user: u, namespace: data}}]\n", server, token)
	if err := os.WriteFile(p, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	fakeService = `{"items":[{"metadata":{"name":"db-h","namespace":"data"},"spec":{"clusterIP":"None","selector":{"app":"db"},"publishNotReadyAddresses":true,"ports":[{"name":"db","port":5432}]}}]}`
	fakeSTS     = `{"items":[{"metadata":{"name":"db","namespace":"data"},"spec":{"serviceName":"db-h","replicas":2,"selector":{"matchLabels":{"app":"db"}},"template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"c","image":"postgres:17.2"}]}}},"status":{"replicas":2}}]}`
	fakePods    = `{"items":[
 {"metadata":{"name":"db-0","namespace":"data","labels":{"app":"db"},"ownerReferences":[{"kind":"StatefulSet","name":"db","controller":true,"apiVersion":"apps/v1","uid":"1"}]},"spec":{"hostname":"db-0","subdomain":"db-h","containers":[{"name":"c","image":"x"}]},"status":{"podIP":"10.0.0.1","phase":"Running"}},
 {"metadata":{"name":"db-1","namespace":"data","labels":{"app":"db"},"ownerReferences":[{"kind":"StatefulSet","name":"db","controller":true,"apiVersion":"apps/v1","uid":"1"}]},"spec":{"hostname":"db-1","subdomain":"db-h","containers":[{"name":"c","image":"x"}]},"status":{"podIP":"10.0.0.2","phase":"Running"}}]}`
	fakeCoreDNS = `{"metadata":{"name":"coredns","namespace":"kube-system"},"data":{"Corefile":".:53 {\n  kubernetes cluster.local in-addr.arpa ip6.arpa\n}\n"}}`
)

// fakeSlices returns the EndpointSlice list carrying the given pods.
func fakeSlices(pods ...string) string {
	var eps []string
	for i, p := range pods {
		eps = append(eps, fmt.Sprintf(`{"addresses":["10.0.0.%d"],"hostname":%q,"conditions":{"ready":true},"targetRef":{"kind":"Pod","name":%q}}`, i+1, p, p))
	}
	return `{"items":[{"metadata":{"name":"db-h-abc","namespace":"data","labels":{"kubernetes.io/service-name":"db-h"}},"addressType":"IPv4","endpoints":[` + strings.Join(eps, ",") + `]}]}`
}

func TestDoctorCommand(t *testing.T) {
	base := map[string]string{
		"/api/v1/namespaces/data/services":                         fakeService,
		"/apis/apps/v1/namespaces/data/statefulsets":               fakeSTS,
		"/api/v1/namespaces/data/pods":                             fakePods,
		"/api/v1/namespaces/kube-system/configmaps/coredns":        fakeCoreDNS,
		"/apis/discovery.k8s.io/v1/namespaces/data/endpointslices": fakeSlices("db-0", "db-1"),
	}
	with := func(path, body string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		m[path] = body
		return m
	}
	tests := []struct {
		name    string
		objects map[string]string
		args    []string
		token   string
		code    int
		stdout  []string // substrings
		stderr  string   // the whole stderr
	}{
		{name: "all present", objects: base, code: 0,
			stdout: []string{"Cluster domain: cluster.local (from CoreDNS's Corefile in ConfigMap kube-system/coredns)", "db-1.db-h.data.svc.cluster.local  10.0.0.2  true   present", "2 of 2 promised names present"}},
		{name: "json", objects: base, args: []string{"-o", "json"}, code: 0, stdout: []string{`"present": 2`, `"missing": 0`}},
		{name: "a name missing", objects: with("/apis/discovery.k8s.io/v1/namespaces/data/endpointslices", fakeSlices("db-0")), code: 1,
			stdout: []string{"db-1.db-h.data.svc.cluster.local: no EndpointSlice of Service db-h lists pod db-1 with hostname db-1 yet", "1 of 2 promised names present, 1 missing"}},
		{name: "Service does not select", objects: with("/api/v1/namespaces/data/services", strings.Replace(fakeService, `{"app":"db"}`, `{"app":"other"}`, 1)), code: 1,
			stdout: []string{"[statefulset-not-selected]", "Service db-h selects app=other; the pods of StatefulSet db are labelled app=db, so none of them gets a DNS record"}},
		{name: "no Corefile: the default domain", objects: with("/api/v1/namespaces/kube-system/configmaps/coredns", ""), code: 0,
			stdout: []string{"Cluster domain: cluster.local (the default; CoreDNS's Corefile was not read: ConfigMap kube-system/coredns does not exist"}},
		{name: "-A reads every namespace", objects: map[string]string{"/api/v1/services": fakeService, "/apis/apps/v1/statefulsets": fakeSTS,
			"/api/v1/pods": fakePods, "/apis/discovery.k8s.io/v1/endpointslices": fakeSlices("db-0")}, args: []string{"-A"}, code: 1,
			stdout: []string{"db-0.db-h.data.svc.cluster.local  10.0.0.1  true   present", "1 of 2 promised names present, 1 missing"}},
		{name: "-n elsewhere", objects: base, args: []string{"-n", "empty"}, code: 0, stdout: []string{"No headless Service, and no StatefulSet or Pod naming a Service for per-pod names, in namespace empty.\n"}},
		{name: "wrong token", objects: base, token: "wrong", code: 2,
			stderr: "error: GET /api/v1/namespaces/data/services: 401 Unauthorized: the credentials of context \"c\" are not accepted\n"},
		{name: "bad output", objects: base, args: []string{"-o", "yaml"}, code: 2, stderr: "error: invalid argument \"yaml\" for \"-o, --output\" flag: must be one of text, json\n"},
		{name: "bad namespace", objects: base, args: []string{"-n", "Data"}, code: 2, stderr: "error: invalid argument \"Data\" for \"--namespace\" flag: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\n"},
		{name: "empty context", objects: base, args: []string{"--context", ""}, code: 2, stderr: "error: invalid argument \"\" for \"--context\" flag: must not be empty; leave it out for the current context\n"},
		{name: "unknown context", objects: base, args: []string{"--context", "prod"}, code: 2, stderr: "error: context \"prod\" is not in kubeconfig KC (contexts: c)\n"},
		{name: "an argument", objects: base, args: []string{"data"}, code: 2, stderr: "error: unknown command \"data\" for \"headless doctor\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects := map[string]string{}
			for k, v := range tt.objects {
				if v != "" {
					objects[k] = v
				}
			}
			srv := fakeAPI(t, objects)
			token := tt.token
			if token == "" {
				token = "t0ken"
			}
			kc := kubeconfigFor(t, srv.URL, token)
			code, stdout, stderr := runCmd(t, "", append([]string{"doctor", "--kubeconfig", kc}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, stderr)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if want := strings.ReplaceAll(tt.stderr, "KC", kc); tt.code == 2 && stderr != want {
				t.Errorf("stderr = %q\nwant     %q", stderr, want)
			}
			if tt.code != 2 && stderr != "" {
				t.Errorf("stderr = %q", stderr)
			}
			if tt.code == 2 && stdout != "" {
				t.Errorf("stdout on error: %q", stdout)
			}
			if len(tt.args) > 1 && tt.args[1] == "json" {
				var v map[string]any
				if err := json.Unmarshal([]byte(stdout), &v); err != nil {
					t.Errorf("-o json: %v", err)
				}
			}
		})
	}
}

// TestDoctorCompletion: --context completes the kubeconfig's contexts, -o
// the formats.
func TestDoctorCompletion(t *testing.T) {
	kc := kubeconfigFor(t, "https://127.0.0.1:1", "t0ken")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "doctor", "--kubeconfig", kc, "--context", ""}, "c\n:4\n"},
		{[]string{"__complete", "doctor", "-o", ""}, "text\njson\n:4\n"},
	} {
		code, stdout, _ := runCmd(t, "", tt.args...)
		if code != 0 || !strings.HasPrefix(stdout, tt.want) {
			t.Errorf("%v: exit %d, stdout %q, want %q", tt.args, code, stdout, tt.want)
		}
	}
}
