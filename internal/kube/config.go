// Package kube is a small, read-only Kubernetes REST client: it reads a
// kubeconfig as kubectl does (--kubeconfig, else $KUBECONFIG, a list of
// files merged, else ~/.kube/config, else the in-cluster service account)
// and GETs JSON from the API server with net/http and crypto/tls.
//
// It exists instead of client-go because `headless generate` must start
// fast: client-go's package initialisation (its scheme registrations and
// the generated clients of every API group) would run on every command.
// This package adds no init work.
//
// Supported in a kubeconfig: clusters (server, certificate-authority,
// certificate-authority-data, insecure-skip-tls-verify, tls-server-name,
// proxy-url), users (client-certificate(-data), client-key(-data), token,
// tokenFile, username/password), contexts (cluster, user, namespace) and
// current-context. Not supported: exec credential plugins and
// auth-provider plugins (cloud logins such as gke-gcloud-auth-plugin,
// kubelogin, aws eks get-token), and impersonation; a user that needs one
// is refused with a message saying so.
package kube

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Options select the kubeconfig, context and namespace, as kubectl's
// flags of the same names.
type Options struct {
	// Kubeconfig is --kubeconfig: one file, which must exist.
	Kubeconfig string
	// Context is --context; "" for the current context.
	Context string
	// Namespace is -n; "" for the context's namespace (or "default").
	Namespace string
	// Env returns an environment variable; os.Getenv when nil.
	Env func(string) string
	// InClusterDir is the service account directory; the standard one
	// when "".
	InClusterDir string
}

// Config is what a client needs to reach the API server.
type Config struct {
	// Server is the API server's URL.
	Server string
	// Namespace is the namespace to use: -n, else the context's, else
	// "default".
	Namespace string
	// Context names the context used ("in-cluster" for the service
	// account), and Source where it came from, for messages.
	Context, Source string
	TLS             *tls.Config
	// Token is a bearer token; Username and Password basic auth.
	Token              string
	Username, Password string
	// ProxyURL is the cluster's proxy-url, if any.
	ProxyURL *url.URL
}

// ConfigError is a kubeconfig that cannot be used; its message names the
// file and the field.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

func configErrorf(format string, args ...any) error {
	return &ConfigError{Msg: fmt.Sprintf(format, args...)}
}

// The kubeconfig format (k8s.io/client-go/tools/clientcmd/api/v1), the
// fields this package reads.
type kubeconfig struct {
	CurrentContext string         `json:"current-context"`
	Clusters       []namedCluster `json:"clusters"`
	Users          []namedUser    `json:"users"`
	Contexts       []namedContext `json:"contexts"`
}

type namedCluster struct {
	Name    string  `json:"name"`
	Cluster cluster `json:"cluster"`
}

type cluster struct {
	Server        string `json:"server"`
	CA            string `json:"certificate-authority"`
	CAData        []byte `json:"certificate-authority-data"`
	Insecure      bool   `json:"insecure-skip-tls-verify"`
	TLSServerName string `json:"tls-server-name"`
	ProxyURL      string `json:"proxy-url"`
	// dir is the directory of the file that defined it: relative paths
	// are relative to it.
	dir string
}

type namedUser struct {
	Name string `json:"name"`
	User user   `json:"user"`
}

type user struct {
	ClientCert     string          `json:"client-certificate"`
	ClientCertData []byte          `json:"client-certificate-data"`
	ClientKey      string          `json:"client-key"`
	ClientKeyData  []byte          `json:"client-key-data"`
	Token          string          `json:"token"`
	TokenFile      string          `json:"tokenFile"`
	Username       string          `json:"username"`
	Password       string          `json:"password"`
	Exec           json.RawMessage `json:"exec"`
	AuthProvider   json.RawMessage `json:"auth-provider"`
	As             string          `json:"as"`
	dir            string
}

type namedContext struct {
	Name    string   `json:"name"`
	Context ctxEntry `json:"context"`
}

type ctxEntry struct {
	Cluster   string `json:"cluster"`
	User      string `json:"user"`
	Namespace string `json:"namespace"`
}

// DefaultInClusterDir holds a pod's service account token, CA and
// namespace.
const DefaultInClusterDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// Load finds the kubeconfig as kubectl does and returns the Config of the
// selected context.
func Load(opts Options) (*Config, error) {
	env := opts.Env
	if env == nil {
		env = os.Getenv
	}
	merged, read, err := readKubeconfigs(opts)
	if err != nil {
		return nil, err
	}
	source := strings.Join(read, string(filepath.ListSeparator))
	if merged == nil {
		if opts.Context == "" && env("KUBERNETES_SERVICE_HOST") != "" && env("KUBERNETES_SERVICE_PORT") != "" {
			return inCluster(opts, env)
		}
		if len(read) == 0 {
			return nil, configErrorf("no kubeconfig: give --kubeconfig, or set KUBECONFIG or HOME")
		}
		return nil, configErrorf("no kubeconfig: %s does not exist (give --kubeconfig or set KUBECONFIG)", source)
	}
	name := opts.Context
	if name == "" {
		name = merged.CurrentContext
		if name == "" {
			return nil, configErrorf("kubeconfig %s has no current-context; give --context (one of %s)", source, contextNames(merged))
		}
	}
	var ctx *ctxEntry
	for i := range merged.Contexts {
		if merged.Contexts[i].Name == name {
			ctx = &merged.Contexts[i].Context
			break
		}
	}
	if ctx == nil {
		return nil, configErrorf("context %q is not in kubeconfig %s (contexts: %s)", name, source, contextNames(merged))
	}
	var cl *cluster
	for i := range merged.Clusters {
		if merged.Clusters[i].Name == ctx.Cluster {
			cl = &merged.Clusters[i].Cluster
			break
		}
	}
	if cl == nil {
		return nil, configErrorf("context %q names cluster %q, which is not in kubeconfig %s", name, ctx.Cluster, source)
	}
	var u user
	if ctx.User != "" {
		found := false
		for i := range merged.Users {
			if merged.Users[i].Name == ctx.User {
				u, found = merged.Users[i].User, true
				break
			}
		}
		if !found {
			return nil, configErrorf("context %q names user %q, which is not in kubeconfig %s", name, ctx.User, source)
		}
	}
	c := &Config{Server: strings.TrimSuffix(cl.Server, "/"), Context: name, Source: source, Namespace: ctx.Namespace}
	if opts.Namespace != "" {
		c.Namespace = opts.Namespace
	}
	if c.Namespace == "" {
		c.Namespace = "default"
	}
	if err := c.setServer(cl, name); err != nil {
		return nil, err
	}
	if err := c.setUser(&u, ctx.User, name); err != nil {
		return nil, err
	}
	return c, nil
}

// Contexts lists the context names of the kubeconfig that Load would read
// (for shell completion); nil when there is none.
func Contexts(opts Options) []string {
	merged, _, err := readKubeconfigs(opts)
	if err != nil || merged == nil {
		return nil
	}
	names := make([]string, len(merged.Contexts))
	for i, c := range merged.Contexts {
		names[i] = c.Name
	}
	return names
}

// readKubeconfigs reads and merges the kubeconfig files as kubectl finds
// them. It returns a nil kubeconfig when no file exists, with the files
// looked for in place of those read.
func readKubeconfigs(opts Options) (merged *kubeconfig, read []string, err error) {
	env := opts.Env
	if env == nil {
		env = os.Getenv
	}
	var files []string
	explicit := opts.Kubeconfig != ""
	switch {
	case explicit:
		files = []string{opts.Kubeconfig}
	case env("KUBECONFIG") != "":
		for _, f := range filepath.SplitList(env("KUBECONFIG")) {
			if f != "" && !slices.Contains(files, f) {
				files = append(files, f)
			}
		}
	default:
		if home := homeDir(env); home != "" {
			files = []string{filepath.Join(home, ".kube", "config")}
		}
	}
	merged = &kubeconfig{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) && !explicit {
			continue // kubectl skips files of KUBECONFIG that do not exist
		}
		if err != nil {
			return nil, nil, configErrorf("kubeconfig %s: %v", f, unwrapPath(err))
		}
		var kc kubeconfig
		if err := yaml.Unmarshal(data, &kc); err != nil {
			return nil, nil, configErrorf("kubeconfig %s: %v", f, err)
		}
		merge(merged, &kc, filepath.Dir(f))
		read = append(read, f)
	}
	if len(read) == 0 {
		return nil, files, nil
	}
	return merged, read, nil
}

// merge adds the entries of kc to m: as kubectl merges KUBECONFIG, the
// first file to define a name (or current-context) wins.
func merge(m, kc *kubeconfig, dir string) {
	if m.CurrentContext == "" {
		m.CurrentContext = kc.CurrentContext
	}
	for _, c := range kc.Clusters {
		if !slices.ContainsFunc(m.Clusters, func(o namedCluster) bool { return o.Name == c.Name }) {
			c.Cluster.dir = dir
			m.Clusters = append(m.Clusters, c)
		}
	}
	for _, u := range kc.Users {
		if !slices.ContainsFunc(m.Users, func(o namedUser) bool { return o.Name == u.Name }) {
			u.User.dir = dir
			m.Users = append(m.Users, u)
		}
	}
	for _, c := range kc.Contexts {
		if !slices.ContainsFunc(m.Contexts, func(o namedContext) bool { return o.Name == c.Name }) {
			m.Contexts = append(m.Contexts, c)
		}
	}
}

func contextNames(kc *kubeconfig) string {
	if len(kc.Contexts) == 0 {
		return "none defined"
	}
	names := make([]string, len(kc.Contexts))
	for i, c := range kc.Contexts {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

func (c *Config) setServer(cl *cluster, ctxName string) error {
	if cl.Server == "" {
		return configErrorf("the cluster of context %q has no server", ctxName)
	}
	u, err := url.Parse(cl.Server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return configErrorf("the cluster of context %q has server %q; want https://host[:port]", ctxName, cl.Server)
	}
	if cl.ProxyURL != "" {
		if c.ProxyURL, err = url.Parse(cl.ProxyURL); err != nil {
			return configErrorf("the cluster of context %q has proxy-url %q: %v", ctxName, cl.ProxyURL, err)
		}
	}
	// An empty ServerName is the server's host name, as in the URL.
	c.TLS = &tls.Config{ServerName: cl.TLSServerName, InsecureSkipVerify: cl.Insecure} //nolint:gosec // as the kubeconfig asks
	ca := cl.CAData
	if len(ca) == 0 && cl.CA != "" {
		if ca, err = os.ReadFile(resolve(cl.dir, cl.CA)); err != nil {
			return configErrorf("certificate-authority of the cluster of context %q: %v", ctxName, unwrapPath(err))
		}
	}
	if len(ca) > 0 {
		if cl.Insecure {
			return configErrorf("the cluster of context %q has both a certificate-authority and insecure-skip-tls-verify: true; keep one", ctxName)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return configErrorf("certificate-authority of the cluster of context %q holds no PEM certificate", ctxName)
		}
		c.TLS.RootCAs = pool
	}
	return nil
}

func (c *Config) setUser(u *user, name, ctxName string) error {
	switch {
	case len(u.Exec) > 0 && string(u.Exec) != "null":
		return configErrorf("user %q of context %q gets its credentials from an exec plugin, which headless does not run; use a kubeconfig with a token (kubectl create token) or a client certificate", name, ctxName)
	case len(u.AuthProvider) > 0 && string(u.AuthProvider) != "null":
		return configErrorf("user %q of context %q logs in with an auth-provider plugin, which headless does not support; use a kubeconfig with a token (kubectl create token) or a client certificate", name, ctxName)
	case u.As != "":
		return configErrorf("user %q of context %q impersonates %q, which headless does not support", name, ctxName, u.As)
	}
	var err error
	cert, key := u.ClientCertData, u.ClientKeyData
	if len(cert) == 0 && u.ClientCert != "" {
		if cert, err = os.ReadFile(resolve(u.dir, u.ClientCert)); err != nil {
			return configErrorf("client-certificate of user %q: %v", name, unwrapPath(err))
		}
	}
	if len(key) == 0 && u.ClientKey != "" {
		if key, err = os.ReadFile(resolve(u.dir, u.ClientKey)); err != nil {
			return configErrorf("client-key of user %q: %v", name, unwrapPath(err))
		}
	}
	switch {
	case len(cert) > 0 && len(key) > 0:
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return configErrorf("client certificate and key of user %q: %v", name, err)
		}
		c.TLS.Certificates = []tls.Certificate{pair}
	case len(cert) > 0:
		return configErrorf("user %q has a client certificate but no client-key", name)
	case len(key) > 0:
		return configErrorf("user %q has a client-key but no client certificate", name)
	}
	c.Token = u.Token
	if c.Token == "" && u.TokenFile != "" {
		data, err := os.ReadFile(resolve(u.dir, u.TokenFile))
		if err != nil {
			return configErrorf("tokenFile of user %q: %v", name, unwrapPath(err))
		}
		c.Token = strings.TrimSpace(string(data))
	}
	c.Username, c.Password = u.Username, u.Password
	return nil
}

// inCluster is the Config of a pod's service account.
func inCluster(opts Options, env func(string) string) (*Config, error) {
	dir := opts.InClusterDir
	if dir == "" {
		dir = DefaultInClusterDir
	}
	token, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		return nil, configErrorf("no kubeconfig, and the in-cluster service account token cannot be read: %v", unwrapPath(err))
	}
	ca, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		return nil, configErrorf("no kubeconfig, and the in-cluster CA cannot be read: %v", unwrapPath(err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, configErrorf("the in-cluster CA %s holds no PEM certificate", filepath.Join(dir, "ca.crt"))
	}
	c := &Config{Server: "https://" + net.JoinHostPort(env("KUBERNETES_SERVICE_HOST"), env("KUBERNETES_SERVICE_PORT")),
		Context: "in-cluster", Source: dir, Token: strings.TrimSpace(string(token)),
		TLS: &tls.Config{RootCAs: pool}}
	c.Namespace = opts.Namespace
	if c.Namespace == "" {
		if ns, err := os.ReadFile(filepath.Join(dir, "namespace")); err == nil {
			c.Namespace = strings.TrimSpace(string(ns))
		}
	}
	if c.Namespace == "" {
		c.Namespace = "default"
	}
	return c, nil
}

func resolve(dir, p string) string {
	if p == "" || filepath.IsAbs(p) || dir == "" {
		return p
	}
	return filepath.Join(dir, p)
}

func homeDir(env func(string) string) string {
	if h := env("HOME"); h != "" {
		return h
	}
	if h := env("USERPROFILE"); h != "" {
		return h
	}
	return ""
}

// unwrapPath drops the operation from a *PathError: "open x: no such file"
// becomes "x: no such file or directory".
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}
