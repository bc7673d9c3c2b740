package kube

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// server is an API server stand-in over TLS that checks the bearer token
// and answers paginated lists of services.
func server(t *testing.T, token string, clientCert bool) (*httptest.Server, string) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/namespaces/data/services", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("method %s: the client only reads", r.Method)
		}
		if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"kind":"Status","reason":"Unauthorized","message":"Unauthorized"}`)
			return
		}
		if clientCert && (r.TLS == nil || len(r.TLS.PeerCertificates) == 0) {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"kind":"Status","reason":"Forbidden","message":"services is forbidden: User \"system:anonymous\" cannot list"}`)
			return
		}
		if r.URL.Query().Get("limit") != "500" {
			t.Errorf("limit = %q", r.URL.Query().Get("limit"))
		}
		switch r.URL.Query().Get("continue") {
		case "":
			fmt.Fprint(w, `{"metadata":{"continue":"page2"},"items":[{"metadata":{"name":"a"}}]}`)
		case "page2":
			fmt.Fprint(w, `{"metadata":{},"items":[{"metadata":{"name":"b"}}]}`)
		default:
			w.WriteHeader(http.StatusGone)
		}
	})
	srv := httptest.NewUnstartedServer(mux)
	if clientCert {
		srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	return srv, string(ca)
}

type item struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

func TestLoadAndList(t *testing.T) {
	srv, ca := server(t, "s3cret", false)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), []byte(ca), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := write("base", fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: c
  cluster: {server: %q, certificate-authority: ca.pem}
- name: insecure
  cluster: {server: %q, insecure-skip-tls-verify: true}
- name: unverified
  cluster: {server: %q}
users:
- name: tok
  user: {tokenFile: token}
- name: wrong
  user: {token: nope}
- name: execuser
  user: {exec: {command: gke-gcloud-auth-plugin, apiVersion: client.authentication.k8s.io/v1}}
- name: provider
  user: {auth-provider: {name: oidc}}
contexts:
- name: prod
  context: {cluster: c, user: tok, namespace: data}
- name: insecure
  context: {cluster: insecure, user: tok}
- name: unverified
  context: {cluster: unverified, user: tok, namespace: data}
- name: wrong
  context: {cluster: c, user: wrong, namespace: data}
- name: exec
  context: {cluster: c, user: execuser}
- name: provider
  context: {cluster: c, user: provider}
- name: nocluster
  context: {cluster: gone, user: tok}
`, srv.URL, srv.URL, srv.URL))
	// A second file: its current-context and its "prod" lose to the first
	// file's, as kubectl merges KUBECONFIG.
	second := write("second", `current-context: other
contexts:
- name: prod
  context: {cluster: gone, user: tok}
- name: other
  context: {cluster: c, user: tok, namespace: other}
`)
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	tests := []struct {
		name    string
		opts    Options
		wantNS  string
		wantErr string // substring of Load's or List's error
	}{
		{name: "explicit file, current context", opts: Options{Kubeconfig: base}, wantNS: "data"},
		{name: "KUBECONFIG merged, first wins", opts: Options{Env: env(map[string]string{"KUBECONFIG": base + string(filepath.ListSeparator) + second})}, wantNS: "data"},
		{name: "KUBECONFIG missing files skipped", opts: Options{Env: env(map[string]string{"KUBECONFIG": filepath.Join(dir, "none") + string(filepath.ListSeparator) + base})}, wantNS: "data"},
		{name: "-n wins over the context", opts: Options{Kubeconfig: base, Namespace: "data"}, wantNS: "data"},
		{name: "default namespace", opts: Options{Kubeconfig: base, Context: "insecure", Namespace: ""}, wantNS: "default", wantErr: "404"},
		{name: "CA not given: the server's certificate is refused", opts: Options{Kubeconfig: base, Context: "unverified"}, wantErr: "certificate"},
		{name: "wrong token", opts: Options{Kubeconfig: base, Context: "wrong"}, wantErr: "401 Unauthorized: the credentials of context \"wrong\""},
		{name: "exec plugin refused", opts: Options{Kubeconfig: base, Context: "exec"}, wantErr: "exec plugin, which headless does not run"},
		{name: "auth-provider refused", opts: Options{Kubeconfig: base, Context: "provider"}, wantErr: "auth-provider plugin"},
		{name: "unknown context", opts: Options{Kubeconfig: base, Context: "nope"}, wantErr: `context "nope" is not in kubeconfig`},
		{name: "missing cluster", opts: Options{Kubeconfig: base, Context: "nocluster"}, wantErr: `names cluster "gone"`},
		{name: "explicit file missing", opts: Options{Kubeconfig: filepath.Join(dir, "none")}, wantErr: "no such file"},
		{name: "no kubeconfig at all", opts: Options{Env: env(map[string]string{"HOME": dir})}, wantErr: "no kubeconfig"},
		{name: "not YAML", opts: Options{Kubeconfig: write("bad", "clusters: [")}, wantErr: "kubeconfig " + filepath.Join(dir, "bad")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opts.Env == nil {
				tt.opts.Env = env(nil)
			}
			cfg, err := Load(tt.opts)
			if err == nil {
				if cfg.Namespace != tt.wantNS && tt.wantNS != "" {
					t.Errorf("namespace = %q, want %q", cfg.Namespace, tt.wantNS)
				}
				var items []item
				err = List(context.Background(), NewClient(cfg), Path("", "v1", cfg.Namespace, "services"), nil, &items)
				if err == nil && (len(items) != 2 || items[0].Metadata.Name != "a" || items[1].Metadata.Name != "b") {
					t.Errorf("items = %+v, want a and b from two pages", items)
				}
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestClientCertificate(t *testing.T) {
	srv, ca := server(t, "", true)
	cert, key := testClientCert(t)
	kc := fmt.Sprintf("current-context: x\nclusters: [{name: c, cluster: {server: %q, certificate-authority-data: %s}}]\n"+
		"users: [{name: u, user: {client-certificate-data: %s, client-key-data: %s}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: data}}]\n",
		srv.URL, b64(ca), b64(cert), b64(key))
	p := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(p, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(Options{Kubeconfig: p, Env: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	var items []item
	if err := List(context.Background(), NewClient(cfg), Path("", "v1", "data", "services"), nil, &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("items = %+v", items)
	}
}

func TestInCluster(t *testing.T) {
	srv, ca := server(t, "s3cret", false)
	dir := t.TempDir()
	for name, text := range map[string]string{"token": "s3cret", "ca.crt": ca, "namespace": "data"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	host, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "https://"), ":")
	vars := map[string]string{"KUBERNETES_SERVICE_HOST": host, "KUBERNETES_SERVICE_PORT": port, "HOME": t.TempDir()}
	cfg, err := Load(Options{InClusterDir: dir, Env: func(k string) string { return vars[k] }})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Namespace != "data" || cfg.Context != "in-cluster" {
		t.Fatalf("config = %+v", cfg)
	}
	var items []item
	if err := List(context.Background(), NewClient(cfg), Path("", "v1", cfg.Namespace, "services"), nil, &items); err != nil {
		t.Fatal(err)
	}
}

func TestPath(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{Path("", "v1", "", "pods"), "/api/v1/pods"},
		{Path("apps", "v1", "data", "statefulsets"), "/apis/apps/v1/namespaces/data/statefulsets"},
		{ObjectPath("", "v1", "kube-system", "configmaps", "coredns"), "/api/v1/namespaces/kube-system/configmaps/coredns"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}
