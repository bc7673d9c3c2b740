package presets

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Downward-API fields an EnvVar's FieldPath may name.
var fieldPaths = []string{"metadata.name", "metadata.namespace", "status.podIP"}

// Reserved volume names: the generator's own.
var reservedVolumes = []string{"data", "config", "tls"}

// check catches preset definitions the generator could not use. The
// generator validates the values users can change (image, port, quantities)
// with the same validators it uses for user input.
func (p *Preset) check() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch {
	case p.Description == "":
		fail("description is empty")
	case p.Image == "":
		fail("image is empty")
	case !path.IsAbs(p.DataPath):
		fail("dataPath %q is not absolute", p.DataPath)
	case p.UID <= 0 || p.GID <= 0:
		fail("uid and gid must be non-root (greater than 0)")
	case p.Connection == "":
		fail("connection is empty")
	case len(p.Command) == 0:
		fail("command is empty")
	}
	if !slices.Contains([]string{"", "Parallel", "OrderedReady"}, p.PodManagementPolicy) {
		fail("podManagementPolicy %q: must be Parallel or OrderedReady", p.PodManagementPolicy)
	}
	if !slices.Contains([]string{"", "RollingUpdate", "OnDelete"}, p.UpdateStrategy) {
		fail("updateStrategy %q: must be RollingUpdate or OnDelete", p.UpdateStrategy)
	}
	if !slices.Contains([]string{"", ClientSelectsAll, ClientSelectsPrimary}, p.ClientSelects) {
		fail("clientSelects %q: must be all or primary", p.ClientSelects)
	}
	if p.ConnectionPassword != "" && !p.hasSecretKey(p.ConnectionPassword) {
		fail("connectionPassword %q is not among secret.keys", p.ConnectionPassword)
	}
	p.checkPorts(fail)
	p.checkEnv(fail)
	p.checkInitContainers(fail)
	p.checkProbes(fail)
	p.checkVolumes(fail)
	p.checkSidecars(fail)
	for name := range p.Files {
		if msgs := validation.IsConfigMapKey(name); len(msgs) > 0 {
			fail("files: %q is not a ConfigMap key: %s", name, strings.Join(msgs, "; "))
		}
	}
	return errors.Join(errs...)
}

func (p *Preset) checkPorts(fail func(string, ...any)) {
	clients := 0
	names, numbers := map[string]bool{}, map[string]bool{}
	for _, port := range p.Ports {
		if msgs := validation.IsValidPortName(port.Name); len(msgs) > 0 {
			fail("ports: name %q: %s", port.Name, strings.Join(msgs, "; "))
		}
		if port.Port < 1 || port.Port > 65535 {
			fail("ports: %s: port %d is not from 1 to 65535", port.Name, port.Port)
		}
		if !slices.Contains([]string{"", "TCP", "UDP", "SCTP"}, port.Protocol) {
			fail("ports: %s: protocol %q must be TCP, UDP or SCTP", port.Name, port.Protocol)
		}
		key := fmt.Sprintf("%d/%s", port.Port, or(port.Protocol, "TCP"))
		if names[port.Name] || numbers[key] {
			fail("ports: %s (%s) is declared twice", port.Name, key)
		}
		names[port.Name], numbers[key] = true, true
		switch port.Role {
		case RoleClient:
			if port.Clients {
				fail("ports: %s: clients is for ports other than the client port", port.Name)
			}
			clients++
			p.Port, p.PortName = port.Port, port.Name
		case RolePeer, RoleMetrics:
		default:
			fail("ports: %s: role %q must be %s, %s or %s", port.Name, port.Role, RoleClient, RolePeer, RoleMetrics)
		}
	}
	if clients != 1 {
		fail("ports: want exactly one port with role %s, got %d", RoleClient, clients)
	}
}

func (p *Preset) checkEnv(fail func(string, ...any)) {
	seen := map[string]bool{}
	for _, e := range p.Env {
		if msgs := validation.IsEnvVarName(e.Name); len(msgs) > 0 {
			fail("env %q: %s", e.Name, strings.Join(msgs, "; "))
		}
		if seen[e.Name] {
			fail("env %s is declared twice", e.Name)
		}
		seen[e.Name] = true
		sources := 0
		for _, set := range []bool{e.Value != "", e.SecretKey != "", e.FieldPath != "", e.Ordinal} {
			if set {
				sources++
			}
		}
		if sources != 1 {
			fail("env %s: set exactly one of value, secretKey, fieldPath and ordinal", e.Name)
		}
		if e.SecretKey != "" && !p.hasSecretKey(e.SecretKey) {
			fail("env %s: secretKey %q is not among secret.keys", e.Name, e.SecretKey)
		}
		if e.FieldPath != "" && !slices.Contains(fieldPaths, e.FieldPath) {
			fail("env %s: fieldPath %q must be one of %s", e.Name, e.FieldPath, strings.Join(fieldPaths, ", "))
		}
	}
}

func (p *Preset) checkInitContainers(fail func(string, ...any)) {
	seen := map[string]bool{p.Name: true}
	for _, c := range p.InitContainers {
		if msgs := validation.IsDNS1123Label(c.Name); len(msgs) > 0 {
			fail("initContainers: name %q: %s", c.Name, strings.Join(msgs, "; "))
		}
		if seen[c.Name] {
			fail("initContainers: name %q is used twice (the main container is %q)", c.Name, p.Name)
		}
		seen[c.Name] = true
		if len(c.Command) == 0 {
			fail("initContainers: %s: command is empty", c.Name)
		}
	}
}

func (p *Preset) checkProbes(fail func(string, ...any)) {
	for _, pr := range []struct {
		kind     string
		probe    *Probe
		required bool
	}{{"startup", p.Probes.Startup, false}, {"readiness", p.Probes.Readiness, true}, {"liveness", p.Probes.Liveness, true}} {
		if pr.probe == nil {
			if pr.required {
				fail("probes: %s is required", pr.kind)
			}
			continue
		}
		p.checkProbe("probes: "+pr.kind, pr.probe, fail)
	}
}

// checkProbe checks one probe; where names it in messages.
func (p *Preset) checkProbe(where string, probe *Probe, fail func(string, ...any)) {
	handlers := 0
	if len(probe.Exec) > 0 {
		handlers++
	}
	if probe.TCPSocket != "" {
		handlers++
		if _, ok := p.PortByName(probe.TCPSocket); !ok {
			fail("%s: tcpSocket %q names no port", where, probe.TCPSocket)
		}
	}
	if h := probe.HTTPGet; h != nil {
		handlers++
		if _, ok := p.PortByName(h.Port); !ok {
			fail("%s: httpGet port %q names no port", where, h.Port)
		}
		if !strings.HasPrefix(h.Path, "/") {
			fail("%s: httpGet path %q must start with /", where, h.Path)
		}
	}
	if handlers != 1 {
		fail("%s: set exactly one of exec, tcpSocket and httpGet", where)
	}
	for _, v := range []int32{probe.InitialDelaySeconds, probe.PeriodSeconds, probe.TimeoutSeconds, probe.FailureThreshold} {
		if v < 0 {
			fail("%s: timings must not be negative", where)
		}
	}
}

func (p *Preset) checkVolumes(fail func(string, ...any)) {
	seen := map[string]bool{}
	mounts := map[string]bool{p.DataPath: true, ConfigDir: true, TLSDir: true}
	for _, v := range p.Volumes {
		if msgs := validation.IsDNS1123Label(v.Name); len(msgs) > 0 {
			fail("volumes: name %q: %s", v.Name, strings.Join(msgs, "; "))
		}
		if seen[v.Name] || slices.Contains(reservedVolumes, v.Name) {
			fail("volumes: name %q is taken (reserved: %s)", v.Name, strings.Join(reservedVolumes, ", "))
		}
		seen[v.Name] = true
		if !path.IsAbs(v.MountPath) || mounts[path.Clean(v.MountPath)] {
			fail("volumes: %s: mountPath %q must be absolute and unlike the data path, %s and the other volumes'", v.Name, v.MountPath, ConfigDir)
		}
		mounts[path.Clean(v.MountPath)] = true
		if v.EmptyDir == (len(v.SecretKeys) > 0) {
			fail("volumes: %s: set exactly one of emptyDir and secretKeys", v.Name)
		}
		for _, f := range v.SecretKeys {
			if !p.hasSecretKey(f.Key) {
				fail("volumes: %s: key %q is not among secret.keys", v.Name, f.Key)
			}
			if f.Path == "" || path.IsAbs(f.Path) || strings.Contains(f.Path, "..") {
				fail("volumes: %s: path %q must be relative without ..", v.Name, f.Path)
			}
			if f.Mode < 0 || f.Mode > 0o777 {
				fail("volumes: %s: mode %o must be from 0 to 0777", v.Name, f.Mode)
			}
		}
	}
	if p.Secret != nil {
		keys := map[string]bool{}
		for _, k := range p.Secret.Keys {
			if msgs := validation.IsConfigMapKey(k.Name); len(msgs) > 0 || keys[k.Name] || k.Description == "" {
				fail("secret: key %q must be a unique Secret key with a description", k.Name)
			}
			if _, ok := Alphabets[k.Generate.Alphabet]; !ok || k.Generate.Length < 16 || k.Generate.Length > 1024 {
				fail("secret: key %q: generate needs an alphabet (alnum, hex, base64) and a length from 16 to 1024", k.Name)
			}
			keys[k.Name] = true
		}
	}
}

func (p *Preset) hasSecretKey(key string) bool {
	return p.Secret != nil && slices.Contains(p.Secret.KeyNames(), key)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
