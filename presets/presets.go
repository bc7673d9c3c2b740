// Package presets holds the per-database facts headless generates from: image,
// port, data path, the image's non-root user, resources, and the files (scripts
// and configuration) that wire replication through the pods' DNS names.
//
// Each preset is one embedded YAML file; it is the only place its facts live.
package presets

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"text/template"

	"sigs.k8s.io/yaml"
)

//go:embed *.yaml
var files embed.FS

// Preset describes one database. Fields whose names end in Template are
// text/template sources executed with the generator's model; every other
// field is a plain fact.
type Preset struct {
	// Name is the preset's identifier, e.g. "mongodb"; also the container name
	// and the app.kubernetes.io/name label.
	Name string `json:"name"`
	// Description is one line shown by `headless presets` and the wizard.
	Description string `json:"description"`
	// Image is the pinned default image reference (never :latest).
	Image string `json:"image"`
	// Port is the default port the database listens on.
	Port int32 `json:"port"`
	// PortName names the port on the container and both Services; it is the
	// SRV record's service label (_<portName>._tcp).
	PortName string `json:"portName"`
	// DataPath is where the data volume is mounted in the container.
	DataPath string `json:"dataPath"`
	// UID and GID are the image's non-root user and group.
	UID int64 `json:"uid"`
	GID int64 `json:"gid"`
	// Storage is the default size of each pod's data volume.
	Storage string `json:"storage"`
	// ClientService says whether a load-balanced client Service is generated
	// unless the user says otherwise.
	ClientService bool `json:"clientService"`
	// Resources are the container's requests and limits.
	Resources Resources `json:"resources"`
	// Env lists extra environment variables for the container.
	Env []EnvVar `json:"env,omitempty"`
	// Secret, when set, names the key of a Secret the user creates
	// (<name>-credentials) that Env entries with SecretKey refer to.
	Secret *Secret `json:"secret,omitempty"`
	// Connection is a template of the connection string clients use,
	// executed with ConnectionData.
	Connection string `json:"connection"`
	// Files are mounted read-only into the container at ConfigDir. start.sh
	// is the container's command and ready.sh its readiness probe; both must
	// exist. Each value is a template.
	Files map[string]string `json:"files"`
}

// Resources are a container's resource requests and limits, as quantities.
type Resources struct {
	Requests map[string]string `json:"requests"`
	Limits   map[string]string `json:"limits,omitempty"`
}

// EnvVar is one container environment variable: either ValueTemplate (a
// template) or SecretKey (a key of the preset's Secret).
type EnvVar struct {
	Name          string `json:"name"`
	ValueTemplate string `json:"valueTemplate,omitempty"`
	SecretKey     string `json:"secretKey,omitempty"`
}

// Secret documents a Secret the user must create before the pods start.
type Secret struct {
	// Keys lists the keys the Secret must hold.
	Keys []string `json:"keys"`
	// Hint is shown in a comment of the generated workload.
	Hint string `json:"hint"`
}

// ConfigDir is where a preset's Files are mounted.
const ConfigDir = "/etc/headless"

// StartFile and ReadyFile are the files every preset must provide.
const (
	StartFile = "start.sh"
	ReadyFile = "ready.sh"
)

var (
	loadOnce sync.Once
	all      []*Preset
	loadErr  error

	oneMu  sync.Mutex
	loaded = map[string]*Preset{} // by Get, one file each
)

// All returns every preset, sorted by name. The embedded files are decoded on
// first use; a malformed preset is a build defect and is reported as an error.
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
// does not pay for the others.
func Get(name string) (*Preset, error) {
	if !slices.Contains(Names(), name) {
		return nil, fmt.Errorf("unknown preset %q: must be one of %s", name, strings.Join(Names(), ", "))
	}
	oneMu.Lock()
	defer oneMu.Unlock()
	if p, ok := loaded[name]; ok {
		return p, nil
	}
	p, err := loadFile(files, name+".yaml")
	if err != nil {
		return nil, err
	}
	loaded[name] = p
	return p, nil
}

// loadFile decodes and checks one preset file.
func loadFile(fsys fs.FS, file string) (*Preset, error) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	var p Preset
	if err := yaml.UnmarshalStrict(data, &p); err != nil {
		return nil, fmt.Errorf("preset %s: %w", file, err)
	}
	if want := strings.TrimSuffix(path.Base(file), ".yaml"); p.Name != want {
		return nil, fmt.Errorf("preset %s: name %q does not match its file name", file, p.Name)
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("preset %s: %w", file, err)
	}
	return &p, nil
}

// check catches preset definitions the generator could not use. The
// generator validates the values themselves (image, port, quantities) as it
// validates user input, so that there is one validator.
func (p *Preset) check() error {
	switch {
	case p.Description == "":
		return fmt.Errorf("description is empty")
	case p.PortName == "":
		return fmt.Errorf("portName is empty")
	case !strings.HasPrefix(p.DataPath, "/"):
		return fmt.Errorf("dataPath %q is not absolute", p.DataPath)
	case p.UID <= 0 || p.GID <= 0:
		return fmt.Errorf("uid and gid must be non-root (greater than 0)")
	case p.Connection == "":
		return fmt.Errorf("connection is empty")
	case p.Files[StartFile] == "" || p.Files[ReadyFile] == "":
		return fmt.Errorf("files must include %s and %s", StartFile, ReadyFile)
	}
	for _, e := range p.Env {
		if (e.ValueTemplate == "") == (e.SecretKey == "") {
			return fmt.Errorf("env %s: set exactly one of valueTemplate and secretKey", e.Name)
		}
		if e.SecretKey != "" && (p.Secret == nil || !slices.Contains(p.Secret.Keys, e.SecretKey)) {
			return fmt.Errorf("env %s: secretKey %q is not among secret.keys", e.Name, e.SecretKey)
		}
	}
	return nil
}

// ConnectionData is what a preset's Connection template sees.
type ConnectionData struct {
	// Name is the workload's name (MongoDB's replica set name).
	Name string
	// Hosts are "<pod DNS name>:<port>", in ordinal order.
	Hosts []string
	// Primary is the first of Hosts: ordinal 0, the primary.
	Primary string
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
