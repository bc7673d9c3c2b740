package generator

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/headless-k8s/headless/presets"
)

// Model is a resolved, validated Spec: every default applied and every value
// checked. It is the single source the templates, the DNS names and the
// replication wiring are derived from.
type Model struct {
	Preset    *presets.Preset
	Name      string
	Namespace string
	Replicas  int
	// Port is the client port (the preset's, or the user's --port).
	Port int32
	// Ports are the preset's ports, the client port's number replaced by
	// Port.
	Ports         []presets.Port
	Mode          Mode
	ServiceName   string
	Image         string
	Storage       string // empty when no volume claims are generated
	StorageClass  string // empty for the cluster's default class
	ClusterDomain string
	// Ephemeral says that the user accepts data that lives only as long
	// as each pod: no volume claims with more than one replica.
	Ephemeral     bool
	ClientService bool
	// NetworkPolicy says whether a NetworkPolicy lets in only members and
	// AllowFrom.
	NetworkPolicy bool
	// AllowFrom are the clients the NetworkPolicy lets reach the client
	// ports; empty means every pod of the namespace.
	AllowFrom []Peer
	// PVCRetention is what happens to the StatefulSet's claims when it is
	// deleted or scaled down: Retain or Delete.
	PVCRetention string
	// Auth says whether the database authenticates clients and members.
	Auth bool
	// CreateSecret says whether the output includes the Secret, with
	// SecretData's random values.
	CreateSecret bool
	SecretData   map[string]string
	// Warnings are for the user's attention (stderr): choices that work
	// but weaken the result.
	Warnings []string

	// TLS is how certificates are made: TLSNone or TLSCertManager; Issuer
	// is the cert-manager issuer, "Issuer/NAME" or "ClusterIssuer/NAME".
	TLS    string
	Issuer string

	secretName string
	// ExtraLabels are the user's labels, added to every object and pod.
	ExtraLabels map[string]string
	// Pods are the pods the workload will run, in ordinal order.
	Pods []Pod
}

// Pod is one pod of the workload and the DNS name it gets.
type Pod struct {
	Name    string
	Ordinal int
	// FQDN is <name>.<service>.<namespace>.svc.<cluster-domain>.
	FQDN string
}

// Label keys headless sets on everything it generates.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelComponent = "app.kubernetes.io/component"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// LabelPodIndex is set by the StatefulSet controller on each pod.
	LabelPodIndex = "apps.kubernetes.io/pod-index"
	// LabelPodName is set by the StatefulSet controller on each pod to
	// its name; headless sets it on plain Pods too when the client Service
	// selects the primary by it.
	LabelPodName = "statefulset.kubernetes.io/pod-name"
)

// SelectorLabels are the labels that select the pods: the Services'
// selectors and the workload's and PodDisruptionBudget's matchLabels.
func (m *Model) SelectorLabels() map[string]string {
	return map[string]string{LabelName: m.Preset.Name, LabelInstance: m.Name}
}

// ClientSelector is the client Service's selector: the pods' selector
// labels, and with a preset whose client Service reaches only the primary,
// the primary's pod name (LabelPodName).
func (m *Model) ClientSelector() map[string]string {
	l := m.SelectorLabels()
	if m.Preset.ClientPrimaryOnly() {
		l[LabelPodName] = m.Primary().Name
	}
	return l
}

// ClientPods are the pods the client Service reaches.
func (m *Model) ClientPods() []Pod {
	if m.Preset.ClientPrimaryOnly() {
		return m.Pods[:1]
	}
	return m.Pods
}

// Labels are the labels of every generated object and pod: the selector
// labels, headless's own, and the user's.
func (m *Model) Labels() map[string]string {
	l := m.SelectorLabels()
	l[LabelComponent] = "database"
	l[LabelManagedBy] = "headless"
	maps.Copy(l, m.ExtraLabels)
	return l
}

// Primary is the pod the presets treat as primary (or as the initiator of a
// replica set): ordinal 0.
func (m *Model) Primary() Pod { return m.Pods[0] }

// ConfigDir is where the preset's files are mounted in the container.
func (m *Model) ConfigDir() string { return presets.ConfigDir }

// DataPath is where the data volume is mounted in the container.
func (m *Model) DataPath() string { return m.Preset.DataPath }

// PortName names the client port on the container and the Services.
func (m *Model) PortName() string { return m.Preset.PortName }

// PortOf returns the number of the named port. Preset templates use it for
// peer and metrics ports; a name that is not a port is a preset defect,
// reported when the template executes.
func (m *Model) PortOf(name string) (int32, error) {
	for _, p := range m.Ports {
		if p.Name == name {
			return p.Port, nil
		}
	}
	return 0, fmt.Errorf("preset %s has no port named %q", m.Preset.Name, name)
}

// ClientPorts are the ports a client Service publishes.
func (m *Model) ClientPorts() []presets.Port {
	var out []presets.Port
	for _, p := range m.Ports {
		if p.Role == presets.RoleClient {
			out = append(out, p)
		}
	}
	return out
}

// ClientAccessPorts are the ports the NetworkPolicy admits clients to: the
// client ports, and the ports clients reach by the pods' own names
// (presets.Port.Clients).
func (m *Model) ClientAccessPorts() []presets.Port {
	var out []presets.Port
	for _, p := range m.Ports {
		if p.Role == presets.RoleClient || p.Clients {
			out = append(out, p)
		}
	}
	return out
}

// ConfigMapName names the ConfigMap that holds the preset's files.
func (m *Model) ConfigMapName() string { return m.Name + "-config" }

// ClientServiceName names the optional load-balanced client Service.
func (m *Model) ClientServiceName() string { return m.Name }

// SecretName names the Secret with the credentials: --secret, or
// <name>-credentials.
func (m *Model) SecretName() string { return m.secretName }

// ClaimName names the data volume claim of the named pod: the name the StatefulSet
// controller would give it, so that the two modes agree.
func (m *Model) ClaimName(pod string) string { return dataVolume + "-" + pod }

// ServiceFQDN is the headless Service's own DNS name, which resolves to every
// ready pod.
func (m *Model) ServiceFQDN() string {
	return m.ServiceName + "." + m.Namespace + ".svc." + m.ClusterDomain
}

// SRVName is the SRV record published for the database port.
func (m *Model) SRVName() string {
	return "_" + m.PortName() + "._tcp." + m.ServiceFQDN()
}

// dataVolume names the data volume (and claim template).
const dataVolume = "data"

func podFQDN(pod, service, namespace, domain string) string {
	return pod + "." + service + "." + namespace + ".svc." + domain
}

// Resolve applies defaults to the Spec and validates every value. The error,
// if any, is a *FieldError naming the first bad field.
func (s Spec) Resolve() (*Model, error) {
	if s.Preset == "" {
		return nil, fieldErr(FieldPreset, s.Preset, "is required: one of %s", strings.Join(presets.Names(), ", "))
	}
	if !slices.Contains(presets.Names(), s.Preset) {
		return nil, fieldErr(FieldPreset, s.Preset, "must be one of %s", strings.Join(presets.Names(), ", "))
	}
	p, err := presets.Get(s.Preset)
	if err != nil {
		return nil, err // a *presets.DefinitionError: an embedded preset is broken
	}
	return s.resolve(p)
}

// resolve resolves the Spec against preset p; tests use it with presets
// that are not embedded.
func (s Spec) resolve(p *presets.Preset) (*Model, error) {
	m := &Model{
		Preset:        p,
		Name:          or(s.Name, p.Name),
		Namespace:     or(s.Namespace, DefaultNamespace),
		Replicas:      DefaultReplicas,
		Port:          p.Port,
		Mode:          Mode(or(string(s.Mode), string(ModeStatefulSet))),
		Image:         or(s.Image, p.Image),
		Storage:       or(s.Storage, p.Storage),
		StorageClass:  s.StorageClass,
		ClusterDomain: or(s.ClusterDomain, DefaultClusterDomain),
		ClientService: p.ClientService,
		NetworkPolicy: true,
		Auth:          true,
		PVCRetention:  or(s.PVCRetention, DefaultPVCRetention),
		ExtraLabels:   maps.Clone(s.Labels),
	}
	m.ServiceName = or(s.ServiceName, m.Name+ServiceNameSuffix)
	if s.Replicas != nil {
		m.Replicas = *s.Replicas
	}
	if s.ClientService != nil {
		m.ClientService = *s.ClientService
	}
	if s.Ephemeral != nil {
		m.Ephemeral = *s.Ephemeral
	}
	if s.NetworkPolicy != nil {
		m.NetworkPolicy = *s.NetworkPolicy
	}
	if s.Auth != nil {
		m.Auth = *s.Auth
	}
	if s.CreateSecret != nil {
		m.CreateSecret = *s.CreateSecret
	}
	m.secretName = or(s.Secret, m.Name+SecretNameSuffix)
	m.TLS, m.Issuer = or(s.TLS, TLSNone), s.Issuer
	if s.Port != nil {
		if err := validatePort(*s.Port); err != nil {
			return nil, err
		}
		m.Port = int32(*s.Port)
	}
	m.Ports = slices.Clone(p.Ports)
	for i := range m.Ports {
		if m.Ports[i].Role == presets.RoleClient {
			m.Ports[i].Port = m.Port
		} else if m.Ports[i].Port == m.Port && s.Port != nil {
			return nil, fieldErr(FieldPort, strconv.Itoa(int(m.Port)),
				"is the preset's %s port %s; choose another port", m.Ports[i].Role, m.Ports[i].Name)
		}
	}
	if err := m.validate(s); err != nil {
		return nil, err
	}
	if m.Storage == StorageNone {
		m.Storage = ""
	}
	m.Pods = make([]Pod, m.Replicas)
	for i := range m.Pods {
		name := m.Name + "-" + strconv.Itoa(i)
		m.Pods[i] = Pod{Name: name, Ordinal: i, FQDN: podFQDN(name, m.ServiceName, m.Namespace, m.ClusterDomain)}
	}
	return m, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// validate checks the resolved values in the order a user supplies them.
func (m *Model) validate(s Spec) error {
	if !slices.Contains(Modes, m.Mode) {
		return fieldErr(FieldMode, string(m.Mode), "must be one of %s", joinModes())
	}
	if m.Replicas < MinReplicas || m.Replicas > MaxReplicas {
		return intErr(FieldReplicas, strconv.Itoa(m.Replicas))
	}
	if err := validateName(m.Name, m.Mode, m.Replicas); err != nil {
		return err
	}
	if err := dnsLabel(FieldNamespace, m.Namespace); err != nil {
		return err
	}
	if err := validateServiceName(m, s.ServiceName == ""); err != nil {
		return err
	}
	if err := validateDerivedNames(m); err != nil {
		return err
	}
	// A preset's own image is checked by TestPresetImages; the user's here.
	if s.Image != "" {
		if err := validateImage(m.Image); err != nil {
			return err
		}
	}
	if m.Storage != StorageNone {
		if err := validateQuantity(FieldStorage, m.Storage); err != nil {
			return err
		}
	}
	if err := validateEphemeral(m); err != nil {
		return err
	}
	if m.StorageClass != "" {
		if err := dnsSubdomain(FieldStorageClass, m.StorageClass); err != nil {
			return err
		}
	}
	if err := validateClusterDomain(m.ClusterDomain); err != nil {
		return err
	}
	if err := validateLabels(m.ExtraLabels); err != nil {
		return err
	}
	if err := validatePVCRetention(m); err != nil {
		return err
	}
	peers, err := parsePeers(s.AllowFrom)
	if err != nil {
		return err
	}
	if len(peers) > 0 && !m.NetworkPolicy {
		return fieldErr(FieldAllowFrom, s.AllowFrom[0], "needs the NetworkPolicy; it is off (networkPolicy false)")
	}
	m.AllowFrom = peers
	if err := validateTLS(m); err != nil {
		return err
	}
	if err := resolveSecret(m, s.Secret != ""); err != nil {
		return err
	}
	if m.ClientService && m.ClientServiceName() == m.ServiceName {
		return fieldErr(FieldServiceName, m.ServiceName,
			"must differ from the client Service's name %q (disable it with clientService false, or choose another name)", m.ClientServiceName())
	}
	// Every per-pod DNS name must fit; the last pod's is the longest.
	last := podFQDN(fmt.Sprintf("%s-%d", m.Name, m.Replicas-1), m.ServiceName, m.Namespace, m.ClusterDomain)
	if len(last) > MaxFQDN {
		return fieldErr(FieldClusterDomain, m.ClusterDomain,
			"the pod DNS name %s is %d characters; the limit is %d (shorten the name, service name, namespace or cluster domain)",
			last, len(last), MaxFQDN)
	}
	return nil
}

// validateEphemeral refuses no storage for more than one replica unless the
// user accepts it (ephemeral), and warns when they do: a primary restarted
// on an empty emptyDir starts empty, and its replicas empty themselves to
// match. Ephemeral with volume claims means nothing and is refused.
func validateEphemeral(m *Model) error {
	switch {
	case m.Storage == StorageNone && m.Replicas > 1 && !m.Ephemeral:
		return fieldErr(FieldStorage, m.Storage, "with %d replicas needs --ephemeral (ephemeral: true in a spec file): "+
			"without volumes a restarted primary starts empty and its replicas empty themselves to match; give a size such as %s, or accept that with --ephemeral",
			m.Replicas, m.Preset.Storage)
	case m.Ephemeral && m.Storage != StorageNone:
		return fieldErr(FieldEphemeral, "true", "applies only with --storage %s (storage: %s), not with volumes of %s", StorageNone, StorageNone, m.Storage)
	case m.Ephemeral && m.Replicas > 1:
		m.Warnings = append(m.Warnings, fmt.Sprintf("--ephemeral: %s keeps its data only as long as each pod lives: "+
			"a restarted pod starts empty, and a restarted primary empties its replicas; the data is lost on restart", m.Name))
	}
	return nil
}

func joinModes() string {
	s := make([]string, len(Modes))
	for i, m := range Modes {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}
