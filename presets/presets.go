// Package presets holds the per-database facts headless generates from: the
// image and its non-root user, the ports and their roles, the command, the
// environment, init containers, probes, extra volumes, the Secret keys the
// database needs, and the files (scripts and configuration) that wire
// membership through the pods' DNS names.
//
// Each preset is one embedded YAML file; it is the only place its facts live.
// docs/presets.md documents the schema (a test keeps the two in step).
package presets

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"sigs.k8s.io/yaml"
)

//go:embed *.yaml
var files embed.FS

// Preset describes one database. String fields documented as templates are
// text/template sources executed with the generator's model (sprig's
// functions available); every other field is a plain fact.
type Preset struct {
	// Name is the preset's identifier, e.g. "mongodb"; also the container name
	// and the app.kubernetes.io/name label. It must equal the file's name.
	Name string `json:"name"`
	// Description is one line shown by `headless presets` and the wizard.
	Description string `json:"description"`
	// Image is the pinned default image reference (never :latest).
	Image string `json:"image"`
	// UID and GID are the image's non-root user and group.
	UID int64 `json:"uid"`
	GID int64 `json:"gid"`
	// DataPath is where the data volume is mounted in the container.
	DataPath string `json:"dataPath"`
	// Storage is the default size of each pod's data volume.
	Storage string `json:"storage"`
	// ClientService says whether a load-balanced client Service is generated
	// unless the user says otherwise.
	ClientService bool `json:"clientService"`
	// ClientSelects says which pods the client Service sends clients to:
	// all (default) for databases whose every member takes writes or
	// forwards them, primary for those with a fixed primary on ordinal 0,
	// whose replicas refuse writes.
	ClientSelects string `json:"clientSelects,omitempty"`
	// PodManagementPolicy is the StatefulSet's: Parallel (default) or
	// OrderedReady.
	PodManagementPolicy string `json:"podManagementPolicy,omitempty"`
	// UpdateStrategy is the StatefulSet's update strategy: RollingUpdate
	// (default) or OnDelete.
	UpdateStrategy string `json:"updateStrategy,omitempty"`
	// Ports lists every port the database listens on; exactly one has the
	// role client and is the one --port changes.
	Ports []Port `json:"ports"`
	// Command and Args are the main container's command and arguments, each
	// element a template. Kubernetes expands $(VAR) references to the
	// container's environment, so an image without a shell can still use
	// per-pod values such as $(POD_NAME).
	Command []string `json:"command"`
	Args    []string `json:"args,omitempty"`
	// Env lists the container's environment variables, shared by the init
	// containers.
	Env []EnvVar `json:"env,omitempty"`
	// InitContainers run to completion, in order, before the database
	// starts; they use the same image, environment, volumes and security
	// context.
	InitContainers []InitContainer `json:"initContainers,omitempty"`
	// Sidecars run beside the database, each from an image of its own.
	Sidecars []Sidecar `json:"sidecars,omitempty"`
	// Probes are the main container's startup, readiness and liveness
	// probes.
	Probes Probes `json:"probes"`
	// Volumes are mounted in addition to the data volume and the files.
	Volumes []Volume `json:"volumes,omitempty"`
	// Secret, when set, lists the keys of the Secret <name>-credentials that
	// Env entries and Volumes refer to.
	Secret *Secret `json:"secret,omitempty"`
	// Resources are the container's requests and limits.
	Resources Resources `json:"resources"`
	// Connection is a template of the connection string clients use,
	// executed with ConnectionData.
	Connection string `json:"connection"`
	// TLS says that the preset's templates switch clients and members to
	// TLS with client-certificate authentication when .UsesTLS is true
	// (--tls), with the certificate, key and CA in TLSDir.
	TLS bool `json:"tls,omitempty"`
	// ConnectionPassword is the key of the Secret that holds the password
	// the connection string needs, when authentication is on.
	ConnectionPassword string `json:"connectionPassword,omitempty"`
	// Scale, optional, says in plain text how to change the number of
	// members: what the database needs besides a new replica count.
	// `headless init` shows it after writing the manifests, and `headless
	// dns` with the connection string, placeholders replaced (ScaleText).
	Scale string `json:"scale,omitempty"`
	// Files are mounted read-only into the containers at ConfigDir, each
	// value a template. Host names in them are checked like those in Command
	// and Args.
	Files map[string]string `json:"files,omitempty"`

	// Port and PortName are the client port's number and name, derived
	// from Ports when the preset is loaded.
	Port     int32  `json:"-"`
	PortName string `json:"-"`
}

// Port roles.
const (
	// RoleClient is the port clients connect to; a client Service
	// publishes only client ports.
	RoleClient = "client"
	// RolePeer is a port members use to talk to each other.
	RolePeer = "peer"
	// RoleMetrics serves metrics or health endpoints.
	RoleMetrics = "metrics"
)

// ClientSelects values.
const (
	// ClientSelectsAll: the client Service load-balances across every pod.
	ClientSelectsAll = "all"
	// ClientSelectsPrimary: the client Service reaches ordinal 0 only.
	ClientSelectsPrimary = "primary"
)

// ClientPrimaryOnly reports whether the client Service reaches only the
// primary, ordinal 0.
func (p *Preset) ClientPrimaryOnly() bool { return p.ClientSelects == ClientSelectsPrimary }

// Port is one port of the database: a container port, and a named port on
// the headless Service (an SRV record _<name>._<protocol>).
type Port struct {
	// Name is an IANA service name: at most 15 lower-case letters, digits
	// and '-'.
	Name string `json:"name"`
	Port int32  `json:"port"`
	// Protocol is TCP (default), UDP or SCTP.
	Protocol string `json:"protocol,omitempty"`
	// Role is client, peer or metrics.
	Role string `json:"role"`
	// Clients: clients connect to this port too, by the pods' own DNS
	// names, though it is not the client port: the NetworkPolicy admits
	// them to it, the client Service does not publish it. Sentinel's
	// clients ask the sentinels (the client port) for the primary, then
	// connect to the primary's data port.
	Clients bool `json:"clients,omitempty"`
}

// EnvVar is one environment variable. Exactly one source is set: Value (a
// template), SecretKey (a key of the preset's Secret), FieldPath (the
// downward API: metadata.name, metadata.namespace, status.podIP) or Ordinal
// (the pod's ordinal: a literal for a plain Pod, the
// apps.kubernetes.io/pod-index label for a StatefulSet's pod).
type EnvVar struct {
	Name      string `json:"name"`
	Value     string `json:"value,omitempty"`
	SecretKey string `json:"secretKey,omitempty"`
	FieldPath string `json:"fieldPath,omitempty"`
	Ordinal   bool   `json:"ordinal,omitempty"`
	// Auth: the variable exists only when authentication is on.
	Auth bool `json:"auth,omitempty"`
}

// InitContainer is a one-time step before the database starts.
type InitContainer struct {
	Name string `json:"name"`
	// Command and Args are templates, as the main container's.
	Command []string `json:"command"`
	Args    []string `json:"args,omitempty"`
	// Auth: the step runs only when authentication is on.
	Auth bool `json:"auth,omitempty"`
}

// Probes are a container's probes. A startup probe holds the others back
// until it succeeds, so that a long initial sync is not killed by liveness.
type Probes struct {
	Startup   *Probe `json:"startup,omitempty"`
	Readiness *Probe `json:"readiness"`
	Liveness  *Probe `json:"liveness"`
}

// Probe is one probe: exactly one of Exec, TCPSocket and HTTPGet, and its
// timing (zero means the Kubernetes default).
type Probe struct {
	// Exec is a command, each element a template.
	Exec []string `json:"exec,omitempty"`
	// TCPSocket names a port of Ports.
	TCPSocket string   `json:"tcpSocket,omitempty"`
	HTTPGet   *HTTPGet `json:"httpGet,omitempty"`

	InitialDelaySeconds int32 `json:"initialDelaySeconds,omitempty"`
	PeriodSeconds       int32 `json:"periodSeconds,omitempty"`
	TimeoutSeconds      int32 `json:"timeoutSeconds,omitempty"`
	FailureThreshold    int32 `json:"failureThreshold,omitempty"`
}

// HTTPGet is an HTTP probe: a path on a named port of Ports.
type HTTPGet struct {
	Path string `json:"path"`
	Port string `json:"port"`
}

// Volume is an extra volume: a directory that lives as long as the pod
// (EmptyDir), or files from the preset's Secret (SecretKeys).
type Volume struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
	EmptyDir  bool   `json:"emptyDir,omitempty"`
	// SecretKeys project keys of the preset's Secret as files, read-only.
	SecretKeys []SecretFile `json:"secretKeys,omitempty"`
	// Auth: the volume exists only when authentication is on.
	Auth bool `json:"auth,omitempty"`
}

// SecretFile is one key of the preset's Secret mounted as a file.
type SecretFile struct {
	Key  string `json:"key"`
	Path string `json:"path"`
	// Mode is the file's permission bits, e.g. 0400 (octal in YAML is
	// written as a decimal number: 256).
	Mode int32 `json:"mode"`
}

// Secret documents the Secret <name>-credentials the pods need.
type Secret struct {
	Keys []SecretKey `json:"keys"`
}

// SecretKey is one key of the preset's Secret and what it holds.
type SecretKey struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Generate says how --create-secret makes a random value.
	Generate Generate `json:"generate"`
}

// Generate describes a random secret value: Length characters of Alphabet.
type Generate struct {
	Length int `json:"length"`
	// Alphabet is alnum (letters and digits: safe in any configuration
	// file or URL), hex, or base64 (the standard alphabet, as MongoDB's
	// key files take it).
	Alphabet string `json:"alphabet"`
}

// Alphabets are the characters of each Generate.Alphabet.
var Alphabets = map[string]string{
	"alnum":  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	"hex":    "0123456789abcdef",
	"base64": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
}

// KeyNames returns the Secret's key names, in the preset's order.
func (s *Secret) KeyNames() []string {
	names := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		names[i] = k.Name
	}
	return names
}

// Resources are a container's resource requests and limits, as quantities.
type Resources struct {
	Requests map[string]string `json:"requests"`
	Limits   map[string]string `json:"limits,omitempty"`
}

// ConfigDir is where a preset's Files are mounted.
const ConfigDir = "/etc/headless"

// TLSDir is where the certificate's Secret is mounted with --tls:
// tls.crt, tls.key and ca.crt, as cert-manager writes them.
const TLSDir = "/etc/headless-tls"

var (
	loadOnce sync.Once
	all      []*Preset
	loadErr  error

	oneMu  sync.Mutex
	loaded = map[string]*Preset{} // by Get, one file each
)

// All returns every preset, sorted by name. The embedded files are decoded on
// first use; a malformed preset is a build defect, reported as a
// *DefinitionError.
func All() ([]*Preset, error) {
	loadOnce.Do(func() {
		for _, name := range Names() {
			p, err := Get(name)
			if err != nil {
				all, loadErr = nil, err
				return
			}
			all = append(all, p)
		}
	})
	return all, loadErr
}

// Names returns the preset names, sorted. They are the embedded files'
// names (load checks that each preset's name matches its file), so listing
// them parses nothing.
func Names() []string {
	entries, _ := fs.Glob(files, "*.yaml")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e, ".yaml"))
	}
	slices.Sort(names)
	return names
}

// Get returns the named preset, or an error listing the known names. Only
// that preset's file is decoded: a command that generates one database
// does not pay for the others. A malformed embedded file is a
// *DefinitionError.
func Get(name string) (*Preset, error) {
	if !slices.Contains(Names(), name) {
		return nil, fmt.Errorf("unknown preset %q: must be one of %s", name, strings.Join(Names(), ", "))
	}
	oneMu.Lock()
	defer oneMu.Unlock()
	if p, ok := loaded[name]; ok {
		return p, nil
	}
	p, err := Load(files, name+".yaml")
	if err != nil {
		return nil, err
	}
	loaded[name] = p
	return p, nil
}

// Load decodes and checks one preset file of fsys. Tests use it to load
// presets that are not embedded. Any problem is a *DefinitionError.
func Load(fsys fs.FS, file string) (*Preset, error) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, &DefinitionError{File: file, Err: err}
	}
	var p Preset
	if err := yaml.UnmarshalStrict(data, &p); err != nil {
		return nil, &DefinitionError{File: file, Err: err}
	}
	if want := strings.TrimSuffix(path.Base(file), ".yaml"); p.Name != want {
		return nil, &DefinitionError{File: file, Err: fmt.Errorf("name %q does not match its file name", p.Name)}
	}
	if err := p.check(); err != nil {
		return nil, &DefinitionError{File: file, Err: err}
	}
	return &p, nil
}

// ConnectionData is what a preset's Connection template sees.
type ConnectionData struct {
	// Name is the workload's name (MongoDB's replica set name).
	Name string
	// Hosts are "<pod DNS name>:<client port>", in ordinal order.
	Hosts []string
	// Primary is the first of Hosts: ordinal 0, the primary.
	Primary string
	// Password stands where the password goes: a placeholder such as
	// <password>, never the password; empty without authentication.
	Password string
	// TLS says that clients connect with TLS (--tls).
	TLS bool
}

// ConnectionString executes the preset's Connection template.
func (p *Preset) ConnectionString(d ConnectionData) (string, error) {
	t, err := template.New(p.Name).Option("missingkey=error").Funcs(template.FuncMap{"join": strings.Join}).Parse(p.Connection)
	if err != nil {
		return "", fmt.Errorf("preset %s: connection: %w", p.Name, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("preset %s: connection: %w", p.Name, err)
	}
	return b.String(), nil
}

// ScaleValues are what the placeholders of a preset's Scale text stand for.
type ScaleValues struct {
	Name, Namespace, Service, Domain, Secret string
	// Port is the client port; 0 leaves <port> as it is.
	Port int32
}

// ScaleText returns the preset's Scale text, trimmed, with its placeholders
// replaced: <name> (the workload), <namespace>, <service> (the headless
// Service), <domain> (the cluster domain), <secret> (the Secret with the
// credentials) and <port> (the client port). A placeholder whose value is
// empty stays as it is.
func (p *Preset) ScaleText(v ScaleValues) string {
	var pairs []string
	port := ""
	if v.Port > 0 {
		port = strconv.Itoa(int(v.Port))
	}
	for _, kv := range [][2]string{{"<name>", v.Name}, {"<namespace>", v.Namespace}, {"<service>", v.Service}, {"<domain>", v.Domain}, {"<secret>", v.Secret}, {"<port>", port}} {
		if kv[1] != "" {
			pairs = append(pairs, kv[0], kv[1])
		}
	}
	return strings.NewReplacer(pairs...).Replace(strings.TrimSpace(p.Scale))
}

// FileNames returns the names of the preset's files, sorted, so that output
// built from them is deterministic.
func (p *Preset) FileNames() []string {
	names := make([]string, 0, len(p.Files))
	for n := range p.Files {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// PortByName returns the port named name.
func (p *Preset) PortByName(name string) (Port, bool) {
	for _, port := range p.Ports {
		if port.Name == name {
			return port, true
		}
	}
	return Port{}, false
}
