package cli

import (
	"errors"
	"fmt"
	"io"
	corev1 "k8s.io/api/core/v1"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/headless-k8s/headless/dns"
	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/lint"
	"github.com/headless-k8s/headless/presets"
)

// DNSOptions are the inputs of `headless dns`.
type DNSOptions struct {
	IO     *IOStreams
	Paths  []string
	Spec   specFlags
	Format string

	out outputFlags
}

// NewCmdDNS builds `headless dns`.
func NewCmdDNS(io *IOStreams, runF func(*DNSOptions) error) *cobra.Command {
	opts := &DNSOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "dns [PATH...]",
		Short: "Show the DNS records cluster DNS publishes for manifests or a preset",
		Long: `Print the records cluster DNS will publish: each headless Service's name (every
pod's IP), each pod's own name, the SRV records of named ports, and for every
pod without a name of its own the reason. For database presets it also prints
the connection string built from the pod names, and how to change the number
of members when the preset describes it.

Give manifests as PATHs (files, directories, - for standard input), or the
flags of "headless generate" to see what it would generate. With PATHs,
--namespace is the namespace objects without one are applied to (as
kubectl's -n); they are shown in "default" otherwise.`,
		Example: `  headless dns --preset mongodb --namespace data
  headless dns k8s/
  headless dns -o json -f spec.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			format, _, err := opts.out.resolve(io.ErrOut)
			if err != nil {
				return err
			}
			opts.Format = format
			if runF != nil {
				return runF(opts)
			}
			return dnsRun(opts)
		},
	}
	opts.Spec.register(cmd)
	opts.out.register(cmd, []string{"text", formatJSON}, false, "")
	return cmd
}

// dnsView is the output of `headless dns`.
type dnsView struct {
	Domain      string          `json:"domain"`
	Services    []dnsService    `json:"services"`
	NoRecord    []dnsNoRecord   `json:"podsWithoutRecord"`
	Connections []dnsConnection `json:"connectionStrings"`
	// Scaling says, for each Service of a preset that describes it, how to
	// change the number of members (the preset's scale text).
	Scaling []dnsScaling `json:"scaling"`
}

type dnsScaling struct {
	Service string `json:"service"`
	Preset  string `json:"preset"`
	Text    string `json:"text"`
}

type dnsService struct {
	Namespace string      `json:"namespace"`
	Name      string      `json:"name"`
	Headless  bool        `json:"headless"`
	Records   []dnsRecord `json:"records"`
	// Backends are the pods a Service with a cluster IP forwards to.
	Backends []string `json:"backends,omitempty"`
}

type dnsRecord struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Pods    []string `json:"pods"`
	Port    int32    `json:"port,omitempty"`
	Targets []string `json:"targets,omitempty"`
	// Range is set when the record stands for the pods of a StatefulSet
	// beyond dns.MaxPods, which are not listed one by one.
	Range *dnsRange `json:"range,omitempty"`
}

// dnsRange is a range of a StatefulSet's pods: <prefix>-<first> to
// <prefix>-<last>.
type dnsRange struct {
	Prefix string `json:"prefix"`
	First  int    `json:"first"`
	Last   int    `json:"last"`
	Count  int    `json:"count"`
}

func rangeOf(p *dns.Pod) *dnsRange {
	if p.Range == nil {
		return nil
	}
	return &dnsRange{Prefix: p.Range.Prefix, First: p.Range.First, Last: p.Range.Last, Count: p.Range.Count()}
}

// text says in the text output what a range stands for.
func (r *dnsRange) text() string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf(" (%d pods, %s-%d to %s-%d, shown as one range: more than %d are not listed one by one)", r.Count, r.Prefix, r.First, r.Prefix, r.Last, dns.MaxPods)
}

type dnsNoRecord struct {
	Namespace string `json:"namespace"`
	Pod       string `json:"pod"`
	Owner     string `json:"owner,omitempty"`
	Reason    string `json:"reason"`
	// Range is set when Pod stands for many pods (see dnsRecord).
	Range *dnsRange `json:"range,omitempty"`
}

type dnsConnection struct {
	Service string `json:"service"`
	Preset  string `json:"preset"`
	URI     string `json:"uri"`
	// Password says where the password that stands in URI as <password>
	// is kept: "Secret <namespace>/<name>, key <key>".
	Password string `json:"password,omitempty"`
}

func dnsRun(opts *DNSOptions) error {
	if opts.Format != "text" && opts.Format != formatJSON {
		return usageErrorf("invalid argument %s for \"-o, --output\" flag: must be one of text, json", generator.QuoteValue(opts.Format))
	}
	var report *dns.Report
	if len(opts.Paths) > 0 {
		if flag := opts.Spec.generatedOnly(); flag != "" {
			return usageErrorf("\"--%s\" describes a generated spec; it cannot be combined with PATH arguments", flag)
		}
		if err := checkClusterDomain(opts.Spec.value(generator.FieldClusterDomain)); err != nil {
			return err
		}
		// Files are read as they are parsed, one per worker, and their
		// bytes dropped once decoded.
		inputs, readErrs := lint.ListInputs(opts.Paths, opts.IO.In)
		readErrs = warnings(opts.IO.ErrOut, readErrs)
		objs, parseErrs := lint.Parse(inputs)
		if errs := append(readErrs, parseErrs...); len(errs) > 0 {
			for _, err := range errs[1:] {
				fmt.Fprintf(opts.IO.ErrOut, "error: %s\n", lint.EscapeText(err.Error()))
			}
			return &UsageError{Err: errors.New(lint.EscapeText(errs[0].Error()))}
		}
		// The lint set also stands in one pod for the replicas of
		// Deployments and other controllers, so they are explained too.
		// As with kubectl, --namespace is where objects without one go.
		setOpts := lint.Options{Domain: opts.Spec.value(generator.FieldClusterDomain)}
		if opts.Spec.flags.Changed("namespace") {
			setOpts.Namespace = opts.Spec.value(generator.FieldNamespace)
		}
		report = lint.NewSetFor(objs, setOpts).DNS()
	} else {
		man, err := opts.Spec.generate(opts.IO.In)
		if err != nil {
			return err
		}
		report = dns.FromObjects(man.Model.ClusterDomain, man.Objects())
	}
	view, err := buildDNSView(report)
	if err != nil {
		return err
	}
	if opts.Format == formatJSON {
		return lint.EncodeJSON(opts.IO.Out, view)
	}
	return writeDNSText(opts.IO.Out, escapeView(view))
}

func escapeRange(r *dnsRange) *dnsRange {
	if r == nil {
		return nil
	}
	c := *r
	c.Prefix = lint.EscapeText(c.Prefix)
	return &c
}

// escapeView returns the view with every string from the input escaped for
// a terminal (lint.EscapeText); JSON output escapes them itself.
func escapeView(v *dnsView) *dnsView {
	e := lint.EscapeText
	out := &dnsView{Domain: e(v.Domain)}
	for _, s := range v.Services {
		es := dnsService{Namespace: e(s.Namespace), Name: e(s.Name), Headless: s.Headless, Records: []dnsRecord{}}
		for _, b := range s.Backends {
			es.Backends = append(es.Backends, e(b))
		}
		for _, r := range s.Records {
			er := dnsRecord{Name: e(r.Name), Type: r.Type, Port: r.Port, Range: escapeRange(r.Range)}
			for _, p := range r.Pods {
				er.Pods = append(er.Pods, e(p))
			}
			for _, t := range r.Targets {
				er.Targets = append(er.Targets, e(t))
			}
			es.Records = append(es.Records, er)
		}
		out.Services = append(out.Services, es)
	}
	for _, n := range v.NoRecord {
		out.NoRecord = append(out.NoRecord, dnsNoRecord{Namespace: e(n.Namespace), Pod: e(n.Pod), Owner: e(n.Owner), Reason: e(n.Reason), Range: escapeRange(n.Range)})
	}
	for _, c := range v.Connections {
		out.Connections = append(out.Connections, dnsConnection{Service: e(c.Service), Preset: e(c.Preset), URI: e(c.URI), Password: e(c.Password)})
	}
	for _, sc := range v.Scaling {
		out.Scaling = append(out.Scaling, dnsScaling{Service: e(sc.Service), Preset: sc.Preset, Text: sc.Text})
	}
	return out
}

func buildDNSView(r *dns.Report) (*dnsView, error) {
	v := &dnsView{Domain: r.Domain, Services: []dnsService{}, NoRecord: []dnsNoRecord{}, Connections: []dnsConnection{}, Scaling: []dnsScaling{}}
	for _, s := range r.Services {
		svc := s.Service
		out := dnsService{Namespace: dns.Namespace(svc.Namespace), Name: svc.Name, Headless: dns.IsHeadless(svc), Records: []dnsRecord{}}
		for _, rec := range s.Records {
			dr := dnsRecord{Name: rec.Name, Type: rec.Type, Port: rec.Port, Targets: rec.Targets}
			for _, p := range rec.Pods {
				dr.Pods = append(dr.Pods, p.Name)
				if r := rangeOf(p); r != nil {
					dr.Range = r
				}
			}
			out.Records = append(out.Records, dr)
		}
		for _, p := range s.Backends {
			out.Backends = append(out.Backends, p.Name)
		}
		v.Services = append(v.Services, out)
		c, err := connection(r, s)
		if err != nil {
			return nil, &generator.InternalError{Problems: []string{err.Error()}}
		}
		if c != nil {
			v.Connections = append(v.Connections, *c)
			// c.Preset names a preset connection could load. The procedure
			// is the workload's: said once, with its headless Service.
			if p, _ := presets.Get(c.Preset); p != nil && strings.TrimSpace(p.Scale) != "" && dns.IsHeadless(svc) {
				name := svc.Spec.Selector[generator.LabelInstance]
				if name == "" {
					name = svc.Name
				}
				text := p.ScaleText(presets.ScaleValues{Name: name, Namespace: dns.Namespace(svc.Namespace), Service: svc.Name,
					Domain: r.Domain, Secret: secretOf(s, p), Port: clientPort(svc, p)})
				v.Scaling = append(v.Scaling, dnsScaling{Service: c.Service, Preset: p.Name, Text: text})
			}
		}
	}
	for _, n := range r.NoRecord {
		v.NoRecord = append(v.NoRecord, dnsNoRecord{Namespace: n.Pod.Namespace, Pod: n.Pod.Name, Owner: n.Pod.Owner, Reason: n.Reason, Range: rangeOf(n.Pod)})
	}
	return v, nil
}

// connection builds the preset's connection string for a headless Service
// whose pods are a preset's (app.kubernetes.io/name names a preset), from
// the per-pod names in ordinal order and the port the pods listen on.
func connection(r *dns.Report, s dns.Service) (*dnsConnection, error) {
	svc := s.Service
	p, err := presets.Get(svc.Spec.Selector[generator.LabelName])
	var broken *presets.DefinitionError
	if errors.As(err, &broken) {
		return nil, err // the label names a preset whose embedded file is broken: a defect
	}
	if err != nil {
		return nil, nil
	}
	// The client port: the Service port named like the preset's, or the
	// only port of a Service that has one.
	var client *corev1.ServicePort
	for i, sp := range svc.Spec.Ports {
		if sp.Name == p.PortName || len(svc.Spec.Ports) == 1 {
			client = &svc.Spec.Ports[i]
			break
		}
	}
	if client == nil {
		return nil, nil
	}
	var hosts []string
	if !dns.IsHeadless(svc) {
		// A Service with a cluster IP that forwards to one pod (a client
		// Service that reaches the primary) is the clients' address.
		if len(s.Backends) != 1 || s.Backends[0].Range != nil {
			return nil, nil
		}
		hosts = append(hosts, fmt.Sprintf("%s:%d", dns.ServiceFQDN(svc.Name, dns.Namespace(svc.Namespace), r.Domain), client.Port))
	}
	for _, rec := range s.Records {
		if rec.Type != "A" || len(rec.Pods) != 1 || rec.Name == dns.ServiceFQDN(svc.Name, dns.Namespace(svc.Namespace), r.Domain) {
			continue
		}
		port, ok := dns.TargetPort(*client, rec.Pods[0].Spec)
		if !ok {
			continue
		}
		hosts = append(hosts, fmt.Sprintf("%s:%d", rec.Name, port))
	}
	if len(hosts) == 0 {
		return nil, nil
	}
	name := svc.Spec.Selector[generator.LabelInstance]
	if name == "" {
		name = svc.Name
	}
	data := presets.ConnectionData{Name: name, Hosts: hosts, Primary: hosts[0], TLS: mountsTLS(s)}
	where := ""
	if secret := passwordSecret(s, p.ConnectionPassword); secret != "" {
		data.Password = "<password>"
		where = "Secret " + dns.Namespace(svc.Namespace) + "/" + secret + ", key " + p.ConnectionPassword
	}
	uri, err := p.ConnectionString(data)
	if err != nil {
		return nil, err
	}
	return &dnsConnection{Service: dns.Namespace(svc.Namespace) + "/" + svc.Name, Preset: p.Name, URI: uri, Password: where}, nil
}

// clientPort returns the port of the Service named like the preset's client
// port, or 0.
func clientPort(svc *corev1.Service, p *presets.Preset) int32 {
	for _, sp := range svc.Spec.Ports {
		if sp.Name == p.PortName {
			return sp.Port
		}
	}
	return 0
}

// secretOf returns the Secret the Service's pods read the preset's
// credentials from, or "" when they read none.
func secretOf(s dns.Service, p *presets.Preset) string {
	if p.Secret == nil {
		return ""
	}
	for _, k := range p.Secret.Keys {
		if name := passwordSecret(s, k.Name); name != "" {
			return name
		}
	}
	return ""
}

// servicePods are the pods of the Service's records, then its backends.
func servicePods(s dns.Service) []*dns.Pod {
	var pods []*dns.Pod
	for _, rec := range s.Records {
		pods = append(pods, rec.Pods...)
	}
	return append(pods, s.Backends...)
}

// mountsTLS reports whether the Service's pods mount a certificate where
// headless puts it with --tls.
func mountsTLS(s dns.Service) bool {
	for _, p := range servicePods(s) {
		for _, c := range p.Spec.Containers {
			for _, m := range c.VolumeMounts {
				if m.MountPath == presets.TLSDir {
					return true
				}
			}
		}
	}
	return false
}

// passwordSecret returns the Secret the Service's pods read key from, or ""
// when they read none: then the database does not authenticate.
func passwordSecret(s dns.Service, key string) string {
	if key == "" {
		return ""
	}
	for _, p := range servicePods(s) {
		for _, c := range p.Spec.Containers {
			for _, e := range c.Env {
				if ref := e.ValueFrom; ref != nil && ref.SecretKeyRef != nil && ref.SecretKeyRef.Key == key {
					return ref.SecretKeyRef.Name
				}
			}
		}
	}
	return ""
}

func writeDNSText(w io.Writer, v *dnsView) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, s := range v.Services {
		kind := "headless"
		if !s.Headless {
			kind = "not headless: its own name answers its cluster IP"
			if len(s.Backends) > 0 {
				kind += ", which forwards to " + strings.Join(s.Backends, ", ")
			}
		}
		fmt.Fprintf(tw, "Service %s/%s (%s)\n", s.Namespace, s.Name, kind)
		if s.Headless && len(s.Records) == 0 {
			fmt.Fprintf(tw, "  (no records: it selects no pod)\n")
		}
		for _, rec := range s.Records {
			switch rec.Type {
			case "SRV":
				fmt.Fprintf(tw, "  SRV\t%s\tport %d -> %s%s\n", rec.Name, rec.Port, strings.Join(rec.Targets, ", "), rec.Range.text())
			default:
				fmt.Fprintf(tw, "  A\t%s\t-> %s%s\n", rec.Name, strings.Join(rec.Pods, ", "), rec.Range.text())
			}
		}
	}
	tw.Flush()
	if len(v.NoRecord) > 0 {
		b.WriteString("\nPods without a DNS name of their own:\n")
		for _, n := range v.NoRecord {
			who := n.Namespace + "/" + n.Pod
			if n.Owner != "" {
				who += " (" + n.Owner + ")"
			}
			fmt.Fprintf(&b, "  %s: %s%s\n", who, n.Reason, n.Range.text())
		}
	}
	if len(v.Connections) > 0 {
		b.WriteString("\nConnection strings:\n")
		for _, c := range v.Connections {
			fmt.Fprintf(&b, "  %s (%s): %s\n", c.Service, c.Preset, c.URI)
			if c.Password != "" {
				fmt.Fprintf(&b, "    <password>: %s\n", c.Password)
			}
		}
	}
	for _, sc := range v.Scaling {
		fmt.Fprintf(&b, "\nScaling %s (%s):\n", sc.Service, sc.Preset)
		for line := range strings.SplitSeq(sc.Text, "\n") {
			fmt.Fprintf(&b, "  %s\n", line)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
