package presets

import (
	"regexp"
	"slices"
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
	// Ports names the preset's ports the sidecar listens on: they are
	// declared on the sidecar's container instead of the main one.
	Ports []string `json:"ports,omitempty"`
	// Volumes names the preset's volumes the sidecar mounts too, at the
	// same paths (a writable emptyDir for a configuration file the sidecar
	// rewrites).
	Volumes []string `json:"volumes,omitempty"`
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
	owned := map[string]bool{}
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
		if r := s.Readiness; r != nil {
			p.checkProbe("sidecars: "+s.Name+": readiness", r, fail)
			// The kubelet looks a probe's named port up in the probe's own
			// container.
			for _, name := range []string{r.TCPSocket, httpPort(r)} {
				if name != "" && !slices.Contains(s.Ports, name) {
					fail("sidecars: %s: readiness: port %q is not among the sidecar's ports", s.Name, name)
				}
			}
		}
		for _, name := range s.Ports {
			if _, ok := p.PortByName(name); !ok {
				fail("sidecars: %s: ports: %q names no port", s.Name, name)
			}
			if owned[name] {
				fail("sidecars: %s: ports: %q is declared by another sidecar", s.Name, name)
			}
			owned[name] = true
			for _, pr := range []*Probe{p.Probes.Startup, p.Probes.Readiness, p.Probes.Liveness} {
				if pr != nil && (pr.TCPSocket == name || (pr.HTTPGet != nil && pr.HTTPGet.Port == name)) {
					fail("sidecars: %s: ports: %q is probed by the main container, which does not declare it", s.Name, name)
				}
			}
		}
		for _, name := range s.Volumes {
			i := slices.IndexFunc(p.Volumes, func(v Volume) bool { return v.Name == name })
			switch {
			case i < 0:
				fail("sidecars: %s: volumes: %q names no volume of the preset", s.Name, name)
			case p.Volumes[i].Auth && !s.Auth:
				fail("sidecars: %s: volumes: %q exists only with authentication, the sidecar without it too", s.Name, name)
			}
		}
	}
}

// httpPort is the port an httpGet probe names, or "".
func httpPort(p *Probe) string {
	if p.HTTPGet == nil {
		return ""
	}
	return p.HTTPGet.Port
}
