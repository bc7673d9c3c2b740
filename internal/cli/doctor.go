package cli

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/validate/content"

	"github.com/headless-k8s/headless/doctor"
	"github.com/headless-k8s/headless/internal/kube"
)

// doctorFormats are the output formats of doctor.
var doctorFormats = []string{"text", "json"}

// DoctorOptions are the inputs of `headless doctor`.
type DoctorOptions struct {
	IO            *IOStreams
	Kubeconfig    string
	Context       string
	Namespace     string
	AllNamespaces bool
	ClusterDomain string
	Format        string
	// Env returns environment variables (KUBECONFIG, HOME); os.Getenv
	// when nil.
	Env func(string) string

	out outputFlags
}

// NewCmdDoctor builds `headless doctor`.
func NewCmdDoctor(io *IOStreams, runF func(*DoctorOptions) error) *cobra.Command {
	opts := &DoctorOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check which per-pod DNS names a live cluster publishes, and why any are missing",
		Long: `Read a live cluster through your kubeconfig, as kubectl does, and check the
per-pod DNS names of its headless Services: for each Service, every name that
the StatefulSets (serviceName) and Pods (hostname, subdomain) promise, whether
its EndpointSlices carry it (with the address, ready or not), and for every
missing name the reason, in the words and rule ids of "headless lint".

The cluster domain comes from CoreDNS's Corefile (ConfigMap coredns in
kube-system: the zones of its kubernetes plugin); --cluster-domain overrides it.
Host names in the pods' configuration under another domain are reported.

doctor only reads (GET and LIST): Services, StatefulSets, Pods, EndpointSlices,
the ConfigMaps the pods read, and kube-system/coredns. The kubeconfig is
--kubeconfig, else $KUBECONFIG (files merged as kubectl merges them), else
~/.kube/config, else the in-cluster service account. Supported: tokens, token
files, client certificates, basic auth, CA files or data, insecure-skip-tls-verify.
Exec and auth-provider plugins (cloud logins) are not: use a token instead,
e.g. from "kubectl create token".

Exit status: 0 when every promised name is present, 1 when one is missing (or
a configuration names a domain the cluster does not use), 2 when the command is
misused, the kubeconfig cannot be used or the cluster cannot be read.`,
		Example: `  headless doctor -n data
  headless doctor -A -o json
  headless doctor --context staging -n shop`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, _, err := opts.out.resolve(io.ErrOut)
			if err != nil {
				return err
			}
			opts.Format = format
			for _, f := range [][2]string{{"kubeconfig", "leave it out for $KUBECONFIG or ~/.kube/config"},
				{"context", "leave it out for the current context"}, {"namespace", "leave it out for the context's namespace"},
				{"cluster-domain", "leave it out to read it from CoreDNS's Corefile"}} {
				if err := refuseEmpty(cmd, f[0], f[1]); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return doctorRun(cmd.Context(), opts)
		},
	}
	opts.out.register(cmd, doctorFormats, false, "")
	fs := cmd.Flags()
	fs.StringVar(&opts.Kubeconfig, "kubeconfig", "", "path to the kubeconfig `file` (default: $KUBECONFIG, else ~/.kube/config)")
	_ = cmd.MarkFlagFilename("kubeconfig")
	fs.StringVar(&opts.Context, "context", "", "the kubeconfig `context` to use (default: its current-context)")
	_ = cmd.RegisterFlagCompletionFunc("context", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return kube.Contexts(kube.Options{Kubeconfig: opts.Kubeconfig, Env: opts.Env}), cobra.ShellCompDirectiveNoFileComp
	})
	fs.StringVarP(&opts.Namespace, "namespace", "n", "", "the `namespace` to check (default: the context's, else default)")
	fs.BoolVarP(&opts.AllNamespaces, "all-namespaces", "A", false, "check every namespace")
	fs.StringVar(&opts.ClusterDomain, "cluster-domain", "", "the cluster's DNS domain (default: from CoreDNS's Corefile, else cluster.local)")
	return cmd
}

func doctorRun(ctx context.Context, opts *DoctorOptions) error {
	if !slices.Contains(doctorFormats, opts.Format) {
		return usageErrorf("invalid argument %q for \"-o, --output\" flag: must be one of %s", opts.Format, strings.Join(doctorFormats, ", "))
	}
	if opts.Namespace != "" {
		if errs := content.IsDNS1123Label(opts.Namespace); len(errs) > 0 {
			return usageErrorf("invalid argument %q for \"--namespace\" flag: %s", opts.Namespace, strings.Join(errs, "; "))
		}
	}
	if err := checkClusterDomain(opts.ClusterDomain); err != nil {
		return err
	}
	cfg, err := kube.Load(kube.Options{Kubeconfig: opts.Kubeconfig, Context: opts.Context, Namespace: opts.Namespace, Env: opts.Env})
	if err != nil {
		var ce *kube.ConfigError
		if errors.As(err, &ce) {
			return &UsageError{Err: err}
		}
		return err
	}
	ns := cfg.Namespace
	if opts.AllNamespaces {
		ns = ""
	}
	if ctx == nil {
		ctx = context.Background()
	}
	snap, err := doctor.Read(ctx, kube.NewClient(cfg), ns)
	if err != nil {
		return err
	}
	report := doctor.Diagnose(snap, opts.ClusterDomain)
	if opts.Format == "json" {
		err = doctor.WriteJSON(opts.IO.Out, report)
	} else {
		err = doctor.WriteText(opts.IO.Out, report)
	}
	if err != nil {
		return err
	}
	if !report.OK() {
		return &SilentError{Code: ExitFindings}
	}
	return nil
}
