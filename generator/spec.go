// Package generator turns a Spec into a validated set of Kubernetes objects:
// a headless Service plus a StatefulSet or N Pods, and the objects around them.
//
// The pipeline is pure: Spec -> Resolve (defaults + validation) -> Model ->
// Render (templates) -> strict decode into k8s.io/api types -> consistency
// check -> bytes. No flags, prompts or disk.
package generator

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mode selects how pods get their per-pod DNS names.
type Mode string

const (
	// ModeStatefulSet generates a StatefulSet whose serviceName is the
	// headless Service; the controller sets each pod's hostname and subdomain.
	ModeStatefulSet Mode = "statefulset"
	// ModePods generates N plain Pods with spec.hostname and spec.subdomain.
	ModePods Mode = "pods"
)

// Modes lists the valid modes in the order they are offered to users.
var Modes = []Mode{ModeStatefulSet, ModePods}

// Limits on user input.
const (
	MinReplicas = 1
	MaxReplicas = 1000
	// MaxStatefulSetName leaves room for the "-<hash>" suffix the
	// StatefulSet controller appends in the controller-revision-hash label,
	// whose value may be at most 63 characters.
	MaxStatefulSetName = 52
	// MaxFQDN is the longest DNS name.
	MaxFQDN = 253
)

// StorageNone, given as the storage size, generates no volume claims: the
// data directory is an emptyDir that is lost with the pod.
const StorageNone = "none"

// Defaults that do not depend on the preset.
const (
	DefaultNamespace     = "default"
	DefaultReplicas      = 3
	DefaultClusterDomain = "cluster.local"
	// ServiceNameSuffix is appended to the name to make the default
	// headless Service name.
	ServiceNameSuffix = "-headless"
	// SecretNameSuffix is appended to the name to make the default name of
	// the Secret with the credentials.
	SecretNameSuffix = "-credentials"
)

// Spec is what a user asks for, from flags, a spec file or the wizard. Empty
// strings and nil pointers mean "use the default". It is also the schema of
// the spec file (`headless generate -f`): unknown keys are an error.
type Spec struct {
	Preset        string            `json:"preset"`
	Name          string            `json:"name,omitempty"`
	Namespace     string            `json:"namespace,omitempty"`
	Replicas      *int              `json:"replicas,omitempty"`
	Port          *int              `json:"port,omitempty"`
	Mode          Mode              `json:"mode,omitempty"`
	ServiceName   string            `json:"serviceName,omitempty"`
	Image         string            `json:"image,omitempty"`
	Storage       string            `json:"storage,omitempty"`
	StorageClass  string            `json:"storageClass,omitempty"`
	Ephemeral     *bool             `json:"ephemeral,omitempty"`
	ClusterDomain string            `json:"clusterDomain,omitempty"`
	Labels        map[string]string `json:"labels,omitempty"`
	ClientService *bool             `json:"clientService,omitempty"`
	NetworkPolicy *bool             `json:"networkPolicy,omitempty"`
	AllowFrom     []string          `json:"allowFrom,omitempty"`
	PVCRetention  string            `json:"pvcRetention,omitempty"`
	Auth          *bool             `json:"auth,omitempty"`
	CreateSecret  *bool             `json:"createSecret,omitempty"`
	Secret        string            `json:"secret,omitempty"`
	TLS           string            `json:"tls,omitempty"`
	Issuer        string            `json:"issuer,omitempty"`
}

// Field names used in FieldError. They are the spec file's keys; the CLI
// maps them to flag names.
const (
	FieldPreset        = "preset"
	FieldName          = "name"
	FieldNamespace     = "namespace"
	FieldReplicas      = "replicas"
	FieldPort          = "port"
	FieldMode          = "mode"
	FieldServiceName   = "serviceName"
	FieldImage         = "image"
	FieldStorage       = "storage"
	FieldStorageClass  = "storageClass"
	FieldEphemeral     = "ephemeral"
	FieldClusterDomain = "clusterDomain"
	FieldLabels        = "labels"
	FieldClientService = "clientService"
	FieldNetworkPolicy = "networkPolicy"
	FieldAllowFrom     = "allowFrom"
	FieldPVCRetention  = "pvcRetention"
	FieldAuth          = "auth"
	FieldCreateSecret  = "createSecret"
	FieldSecret        = "secret"
	FieldTLS           = "tls"
	FieldIssuer        = "issuer"
)

// FieldError is an invalid user-supplied value: which field, the value, and
// what is allowed. It is always the user's to fix (exit code 2).
type FieldError struct {
	Field  string
	Value  string
	Reason string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("invalid %s %s: %s", e.Field, QuoteValue(e.Value), e.Reason)
}

// maxShown is the length up to which QuoteValue shows a value whole: room
// for the longest label (a 317-character key, "=" and a 63-character value)
// and image reference most users write.
const maxShown = 400

// shownPrefix is how much of a longer value QuoteValue shows.
const shownPrefix = 60

// QuoteValue quotes a user's value for an error message, as %q does. A value
// longer than maxShown characters is cut after shownPrefix characters, and
// its length is given: `"aaaa"… (100000 characters)`. This keeps a 100 KB
// --name from giving a 100 KB line. Every message that echoes a value uses
// it.
func QuoteValue(v string) string {
	n := utf8.RuneCountInString(v)
	if n <= maxShown {
		return strconv.Quote(v)
	}
	cut := 0
	for range shownPrefix {
		_, size := utf8.DecodeRuneInString(v[cut:])
		cut += size
	}
	return fmt.Sprintf("%s… (%d characters)", strconv.Quote(v[:cut]), n)
}

func fieldErr(field, value, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Value: value, Reason: fmt.Sprintf(format, args...)}
}

// InternalError is a defect in headless itself: a template or preset that
// produced output the consistency check rejects. It is never the user's fault.
type InternalError struct {
	Problems []string
}

func (e *InternalError) Error() string {
	return "headless produced invalid manifests: " + strings.Join(e.Problems, "; ")
}

func internalErr(format string, args ...any) *InternalError {
	return &InternalError{Problems: []string{fmt.Sprintf(format, args...)}}
}
