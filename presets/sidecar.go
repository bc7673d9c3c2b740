package presets

import (
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Sidecar is a container that runs beside the database for the pod's
// life, from an image of its own: a tool the database's image lacks, such
// as a shell to feed a password to the database without putting it on a
// command line. It shares the main container's environment, security
// context and files (the ConfigMap, and the certificate with --tls), but
// not the data volume.
type Sidecar struct {
	// Name is a DNS label, unlike the main container's and the init
	// containers'.
	Name string `json:"name"`
	// Image is pinned like the preset's (a tag other than latest, or a
	// digest); --image does not change it.
	Image string `json:"image"`
	// Command and Args are templates, as the main container's. The
	// command must not exit: the pod restarts a container that does.
	Command []string `json:"command"`
	Args    []string `json:"args,omitempty"`
	// Readiness, optional: the pod is Ready only when it succeeds.
	Readiness *Probe `json:"readiness,omitempty"`
	// Resources are the sidecar's own requests and limits.
	Resources Resources `json:"resources"`
	// Auth: the sidecar exists only when authentication is on.
	Auth bool `json:"auth,omitempty"`
}

// pinnedImage: a tag other than latest, or a digest.
var pinnedImage = regexp.MustCompile(`^[a-z0-9./_-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$`)

func (p *Preset) checkSidecars(fail func(string, ...any)) {
	seen := map[string]bool{p.Name: true}
	for _, c := range p.InitContainers {
		seen[c.Name] = true
	}
	for _, s := range p.Sidecars {
		if msgs := validation.IsDNS1123Label(s.Name); len(msgs) > 0 {
			fail("sidecars: name %q: %s", s.Name, strings.Join(msgs, "; "))
		}
		if seen[s.Name] {
			fail("sidecars: name %q is taken by another container", s.Name)
		}
		seen[s.Name] = true
		m := pinnedImage.FindStringSubmatch(s.Image)
		if m == nil || (m[1] == "" && m[2] == "") || m[1] == ":latest" {
			fail("sidecars: %s: image %q must be pinned to a tag other than latest or to a digest", s.Name, s.Image)
		}
		if len(s.Command) == 0 {
			fail("sidecars: %s: command is empty", s.Name)
		}
		if len(s.Resources.Requests) == 0 {
			fail("sidecars: %s: resources.requests is empty", s.Name)
		}
		if s.Readiness != nil {
			p.checkProbe("sidecars: "+s.Name+": readiness", s.Readiness, fail)
		}
	}
}
