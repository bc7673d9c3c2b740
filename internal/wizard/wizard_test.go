package wizard

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/prompter"
	_ "github.com/headless-k8s/headless/internal/testutil" // accepts -update
	"github.com/headless-k8s/headless/presets"
)

const def = prompter.Default

func ptr[T any](v T) *T { return &v }

// mainDefaults answers every main question with its default.
func mainDefaults() map[string][]string {
	return map[string][]string{
		MsgPreset: {def}, MsgName: {def}, MsgNamespace: {def}, MsgMode: {def}, MsgReplicas: {def},
		MsgPort: {def}, MsgStorage: {def}, MsgAdvanced: {def}, MsgDestination: {def}, MsgDirectory: {def},
		MsgConfirm: {def},
	}
}

// with returns base with some answers replaced or added.
func with(base map[string][]string, changes map[string][]string) map[string][]string {
	for k, v := range changes {
		base[k] = v
	}
	return base
}

// preset returns the named preset; the tests name only presets that are
// guaranteed (mongodb, postgresql, redis) and take their defaults from it.
func preset(t *testing.T, name string) *presets.Preset {
	t.Helper()
	p, err := presets.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWizard(t *testing.T) {
	mongo, redis := preset(t, "mongodb"), preset(t, "redis")
	tests := []struct {
		name     string
		given    generator.Spec
		output   string
		answers  map[string][]string
		wantSpec generator.Spec
		wantOut  string
		wantAsk  []string // the prompts, in order
		rejected []string // substrings of the rejected answers' explanations
	}{
		{
			name:    "defaults accepted",
			answers: mainDefaults(),
			wantSpec: generator.Spec{Preset: "mongodb", Name: "mongodb", Namespace: "default", Mode: "statefulset",
				Replicas: ptr(3), Port: ptr(int(mongo.Port)), Storage: mongo.Storage},
			wantOut: "./mongodb",
			wantAsk: []string{MsgPreset, MsgName, MsgNamespace, MsgMode, MsgReplicas, MsgPort, MsgStorage,
				MsgAdvanced, MsgDestination, MsgDirectory, MsgConfirm},
		},
		{
			name: "every question answered",
			answers: map[string][]string{
				MsgPreset: {"postgresql"}, MsgName: {"orders"}, MsgNamespace: {"shop"}, MsgMode: {"pods"},
				MsgReplicas: {"2"}, MsgPort: {"6543"}, MsgStorage: {"20Gi"}, MsgAdvanced: {"yes"},
				MsgImage: {"postgres:17.1"}, MsgServiceName: {"orders-peers"}, MsgClusterDomain: {"corp.example"},
				MsgClientService: {"yes"}, MsgLabels: {"team=payments, tier=db"}, MsgNetworkPolicy: {"yes"},
				MsgAllowFrom: {"pods:app=shop  namespaces:team=ops/pods:role=admin"}, MsgCreateSecret: {"true"},
				MsgSecret: {"orders-db-auth"}, MsgTLS: {"cert-manager"}, MsgIssuer: {"ClusterIssuer/internal-ca"},
				MsgDestination: {"stdout"}, MsgConfirm: {"yes"},
			},
			wantSpec: generator.Spec{Preset: "postgresql", Name: "orders", Namespace: "shop", Mode: "pods",
				Replicas: ptr(2), Port: ptr(6543), Storage: "20Gi", Image: "postgres:17.1", ServiceName: "orders-peers",
				ClusterDomain: "corp.example", ClientService: ptr(true), Labels: map[string]string{"team": "payments", "tier": "db"},
				AllowFrom: []string{"pods:app=shop", "namespaces:team=ops/pods:role=admin"}, CreateSecret: ptr(true),
				Secret: "orders-db-auth", TLS: "cert-manager", Issuer: "ClusterIssuer/internal-ca"},
			wantAsk: []string{MsgPreset, MsgName, MsgNamespace, MsgMode, MsgReplicas, MsgPort, MsgStorage,
				MsgAdvanced, MsgImage, MsgServiceName, MsgClusterDomain, MsgClientService, MsgLabels, MsgNetworkPolicy,
				MsgAllowFrom, MsgCreateSecret, MsgSecret, MsgTLS, MsgIssuer, MsgDestination, MsgConfirm},
		},
		{
			name: "advanced answered with the defaults keeps the spec short",
			answers: with(mainDefaults(), map[string][]string{MsgAdvanced: {"yes"}, MsgImage: {def}, MsgServiceName: {def},
				MsgClusterDomain: {def}, MsgClientService: {def}, MsgLabels: {def}, MsgNetworkPolicy: {def},
				MsgAllowFrom: {def}, MsgPVCRetention: {def}, MsgAuth: {def}, MsgCreateSecret: {def}, MsgSecret: {def}}),
			wantSpec: generator.Spec{Preset: "mongodb", Name: "mongodb", Namespace: "default", Mode: "statefulset",
				Replicas: ptr(3), Port: ptr(int(mongo.Port)), Storage: mongo.Storage},
			wantOut: "./mongodb",
		},
		{
			name: "invalid answers are explained and asked again",
			answers: with(mainDefaults(), map[string][]string{
				MsgName:     {"My_DB", strings.Repeat("a", 53), "db"},
				MsgReplicas: {"three", "0", "1001", "5"},
				MsgPort:     {"70000", "http", "27018"},
				MsgStorage:  {"lots", "-1Gi", "none", "none"}, MsgEphemeral: {"no", "yes"},
				MsgAdvanced: {"yes"}, MsgImage: {"mongo:latest", "Mongo:8", "mongo:8.0.3"}, MsgServiceName: {"1svc", def},
				MsgClusterDomain: {"cluster_local", def}, MsgClientService: {def}, MsgLabels: {"team", "kubernetes.io/x=y", "team=a"},
				MsgNetworkPolicy: {def}, MsgAllowFrom: {"app=api", "pods:app=api"}, MsgAuth: {def}, MsgCreateSecret: {def},
				MsgSecret: {"Bad_Name", def},
			}),
			wantSpec: generator.Spec{Preset: "mongodb", Name: "db", Namespace: "default", Mode: "statefulset",
				Replicas: ptr(5), Port: ptr(27018), Storage: "none", Ephemeral: ptr(true), Image: "mongo:8.0.3", Labels: map[string]string{"team": "a"},
				AllowFrom: []string{"pods:app=api"}},
			wantOut: "./db",
			rejected: []string{
				`"My_DB": must be a DNS-1123 label`,
				`: is 53 characters; the limit is 52`,
				`"three": must be an integer from 1 to 1000`,
				`"0": must be an integer from 1 to 1000`,
				`"1001": must be an integer from 1 to 1000`,
				`"70000": must be an integer from 1 to 65535`,
				`"http": must be an integer from 1 to 65535`,
				`"lots": must be a positive quantity`,
				`"-1Gi": must be a positive quantity`,
				`"mongo:latest": the tag latest is not reproducible`,
				`"Mongo:8": must be a lower-case image reference`,
				`"1svc": must be a DNS-1035 label`,
				`"cluster_local": must be a DNS-1123 subdomain`,
				`"team": "team" must be key=value`,
				`"kubernetes.io/x=y": `,
				`"app=api": must be pods:<labels>, namespaces:<labels>`,
				`"Bad_Name": must be a DNS-1123 subdomain`,
			},
		},
		{
			name:  "flags pre-answer their questions",
			given: generator.Spec{Preset: "redis", Namespace: "cache", Replicas: ptr(2)},
			answers: map[string][]string{MsgName: {def}, MsgMode: {def}, MsgPort: {def}, MsgStorage: {def},
				MsgAdvanced: {def}, MsgDestination: {"stdout"}, MsgConfirm: {def}},
			wantSpec: generator.Spec{Preset: "redis", Name: "redis", Namespace: "cache", Mode: "statefulset",
				Replicas: ptr(2), Port: ptr(int(redis.Port)), Storage: redis.Storage},
			wantAsk: []string{MsgName, MsgMode, MsgPort, MsgStorage, MsgAdvanced, MsgDestination, MsgConfirm},
		},
		{
			name: "every value given asks only for confirmation",
			given: generator.Spec{Preset: "redis", Name: "c", Namespace: "n", Mode: "pods", Replicas: ptr(1),
				Port: ptr(7000), Storage: "1Gi"},
			output:  "out",
			answers: map[string][]string{MsgConfirm: {"yes"}},
			wantSpec: generator.Spec{Preset: "redis", Name: "c", Namespace: "n", Mode: "pods", Replicas: ptr(1),
				Port: ptr(7000), Storage: "1Gi"},
			wantOut: "out",
			wantAsk: []string{MsgConfirm},
		},
		{
			name:  "a flag that makes a later answer invalid explains it",
			given: generator.Spec{Preset: "mongodb", Mode: "pods", Name: strings.Repeat("n", 60), ServiceName: "peers"},
			answers: map[string][]string{MsgNamespace: {def}, MsgReplicas: {"1000", "99"}, MsgPort: {def},
				MsgStorage: {def}, MsgAdvanced: {def}, MsgDestination: {"stdout"}, MsgConfirm: {def}},
			wantSpec: generator.Spec{Preset: "mongodb", Name: strings.Repeat("n", 60), Namespace: "default", Mode: "pods",
				Replicas: ptr(99), Port: ptr(int(mongo.Port)), Storage: mongo.Storage, ServiceName: "peers"},
			rejected: []string{`Replicas: "1000": with this answer, name "` + strings.Repeat("n", 60) + `" is 60 characters; the limit is 59`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prompter.NewScripted(tt.answers)
			var summary bytes.Buffer
			w := &Wizard{Prompter: p, Given: tt.given, DefaultPreset: "mongodb", Output: tt.output, Summary: &summary}
			res, err := w.Run()
			if err != nil {
				t.Fatalf("Run: %v (asked %q)", err, p.Asked)
			}
			if got, want := specString(t, res.Spec), specString(t, tt.wantSpec); got != want {
				t.Errorf("spec\n got %s\nwant %s", got, want)
			}
			if res.Output != tt.wantOut {
				t.Errorf("output %q, want %q", res.Output, tt.wantOut)
			}
			if tt.wantAsk != nil && !slices.Equal(p.Asked, tt.wantAsk) {
				t.Errorf("asked %q\nwant  %q", p.Asked, tt.wantAsk)
			}
			if unused := p.Unused(); len(unused) > 0 {
				t.Errorf("scripted answers not used: %q", unused)
			}
			if len(p.Rejected) != len(tt.rejected) {
				t.Errorf("rejected %d answers, want %d: %q", len(p.Rejected), len(tt.rejected), p.Rejected)
			}
			for i, want := range tt.rejected {
				if i < len(p.Rejected) && !strings.Contains(p.Rejected[i], want) {
					t.Errorf("rejection %d = %q, want it to contain %q", i, p.Rejected[i], want)
				}
			}
			// The summary and the result come from one model: every pod's
			// DNS name is shown.
			for _, pod := range res.Manifest.Model.Pods {
				if !strings.Contains(summary.String(), pod.FQDN+"\n") {
					t.Errorf("summary does not show %s", pod.FQDN)
				}
			}
		})
	}
}

func specString(t *testing.T, s generator.Spec) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(s.Preset + "|" + s.Name + "|" + s.Namespace + "|" + string(s.Mode) + "|" + s.Storage + "|" + s.Image + "|" + s.ServiceName + "|" + s.ClusterDomain)
	for _, p := range []*int{s.Replicas, s.Port} {
		if p == nil {
			b.WriteString("|nil")
		} else {
			b.WriteString("|" + strconv.Itoa(*p))
		}
	}
	if s.ClientService != nil {
		b.WriteString("|client=" + map[bool]string{true: "yes", false: "no"}[*s.ClientService])
	}
	keys := make([]string, 0, len(s.Labels))
	for k := range s.Labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString("|" + k + "=" + s.Labels[k])
	}
	return b.String()
}

// TestWizardCancel cancels at every question in turn and expects
// prompter.ErrCancelled with no result.
func TestWizardCancel(t *testing.T) {
	order := []string{MsgPreset, MsgName, MsgNamespace, MsgMode, MsgReplicas, MsgPort, MsgStorage,
		MsgAdvanced, MsgImage, MsgServiceName, MsgClusterDomain, MsgClientService, MsgLabels,
		MsgNetworkPolicy, MsgAllowFrom, MsgPVCRetention, MsgAuth, MsgCreateSecret, MsgSecret, MsgDestination, MsgDirectory, MsgConfirm}
	answers := func() map[string][]string {
		a := mainDefaults()
		a[MsgAdvanced] = []string{"yes"}
		for _, m := range []string{MsgImage, MsgServiceName, MsgClusterDomain, MsgClientService, MsgLabels,
			MsgNetworkPolicy, MsgAllowFrom, MsgPVCRetention, MsgAuth, MsgCreateSecret, MsgSecret} {
			a[m] = []string{def}
		}
		return a
	}
	for _, at := range order {
		t.Run(at, func(t *testing.T) {
			a := answers()
			a[at] = []string{prompter.Cancel}
			res, err := (&Wizard{Prompter: prompter.NewScripted(a), DefaultPreset: "mongodb"}).Run()
			if !errors.Is(err, prompter.ErrCancelled) || res != nil {
				t.Errorf("Run = %v, %v; want nil, ErrCancelled", res, err)
			}
		})
	}
	t.Run("declined confirmation", func(t *testing.T) {
		a := mainDefaults()
		a[MsgConfirm] = []string{"no"}
		if _, err := (&Wizard{Prompter: prompter.NewScripted(a)}).Run(); !errors.Is(err, prompter.ErrCancelled) {
			t.Errorf("Run error = %v, want ErrCancelled", err)
		}
	})
}

func TestScriptedFailsOnUnexpectedPrompt(t *testing.T) {
	p := prompter.NewScripted(map[string][]string{MsgPreset: {def}})
	if _, err := (&Wizard{Prompter: p}).Run(); err == nil || !strings.Contains(err.Error(), "unexpected prompt") {
		t.Errorf("Run error = %v, want an unexpected-prompt error", err)
	}
}

// TestQuestionsCoverFields walks generator.Fields: every field but the
// storage class (never asked; --storage-class sets it) has exactly one
// question, and the questions come in the fields' CommandOrder, so that the
// command init prints follows the conversation.
func TestQuestionsCoverFields(t *testing.T) {
	asked := append([]question{{generator.FieldPreset, MsgPreset}}, mainQuestions...)
	asked = append(asked, advancedQuestions...)
	count := map[string]int{}
	last := -1
	for _, q := range asked {
		f := generator.LookupField(q.field)
		if f == nil {
			t.Fatalf("question %q is about %q, which is not a field", q.message, q.field)
		}
		count[q.field]++
		if f.CommandOrder <= last {
			t.Errorf("%q is asked after a field that comes later in the printed command", q.message)
		}
		last = f.CommandOrder
	}
	for _, f := range generator.Fields {
		want := 1
		if f.Key == generator.FieldStorageClass {
			want = 0
		}
		if count[f.Key] != want {
			t.Errorf("%s: %d questions, want %d", f.Key, count[f.Key], want)
		}
	}
}

// everyQuestion answers every question, the advanced ones included, with
// its default.
func everyQuestion() map[string][]string {
	a := mainDefaults()
	a[MsgAdvanced] = []string{"yes"}
	for _, q := range advancedQuestions {
		a[q.message] = []string{def}
	}
	return a
}

// TestQuestionDefaults checks, for every preset, that the main questions
// are pre-filled with the fields' defaults for it and that accepting the
// advanced defaults keeps them out of the Spec.
func TestQuestionDefaults(t *testing.T) {
	for _, name := range presets.Names() {
		p, err := presets.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		a := everyQuestion()
		delete(a, MsgPreset)
		a[MsgDestination] = []string{DestStdout}
		delete(a, MsgDirectory)
		res, err := (&Wizard{Prompter: prompter.NewScripted(a), Given: generator.Spec{Preset: name}}).Run()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range mainQuestions {
			f := generator.LookupField(q.field)
			if q.field == generator.FieldEphemeral {
				continue // asked only when the storage is none
			}
			if got := strings.Join(f.Args(&res.Spec), ","); got != f.Default(p) {
				t.Errorf("%s: %q answered with its default gives %q, want %q", name, q.message, got, f.Default(p))
			}
		}
		for _, q := range advancedQuestions {
			if f := generator.LookupField(q.field); f.IsSet(&res.Spec) {
				t.Errorf("%s: %q answered with its default sets %s", name, q.message, f.Key)
			}
		}
	}
}

// TestGivenFieldsAreNotAsked gives one field at a time and checks that its
// question is skipped and its value kept.
func TestGivenFieldsAreNotAsked(t *testing.T) {
	replicas, port, client, policy := 2, 7000, false, true
	sample := generator.Spec{Preset: "redis", Name: "cache", Namespace: "team-a", Replicas: &replicas, Port: &port,
		Mode: generator.ModePods, ServiceName: "cache-peers", Image: "registry.example:5000/redis:7.4.1", Storage: "20Gi",
		StorageClass: "fast", ClusterDomain: "corp.example", Labels: map[string]string{"team": "a"}, ClientService: &client,
		NetworkPolicy: &policy, AllowFrom: []string{"pods:app=api"}, PVCRetention: "retain", Auth: &policy,
		CreateSecret: &client, Secret: "cache-auth"}
	messages := map[string]string{generator.FieldPreset: MsgPreset}
	for _, q := range append(slices.Clone(mainQuestions), advancedQuestions...) {
		messages[q.field] = q.message
	}
	for _, f := range generator.Fields {
		t.Run(f.Key, func(t *testing.T) {
			var given generator.Spec
			for _, a := range f.Args(&sample) {
				if err := f.Set(&given, a); err != nil {
					t.Fatal(err)
				}
			}
			answers := everyQuestion()
			delete(answers, messages[f.Key])
			p := prompter.NewScripted(answers)
			res, err := (&Wizard{Prompter: p, Given: given, DefaultPreset: "mongodb"}).Run()
			if err != nil {
				t.Fatalf("Run: %v (asked %q)", err, p.Asked)
			}
			if slices.Contains(p.Asked, messages[f.Key]) {
				t.Errorf("asked %q although %s was given", messages[f.Key], f.Key)
			}
			if got, want := f.Args(&res.Spec), f.Args(&sample); !slices.Equal(got, want) {
				t.Errorf("%s = %q, want the given %q", f.Key, got, want)
			}
		})
	}
}

// selectRecorder records the options and the default of the database
// question.
type selectRecorder struct {
	*prompter.Scripted
	options []string
	def     string
}

func (r *selectRecorder) Select(message string, options []prompter.Option, defaultValue string) (string, error) {
	if message == MsgPreset {
		for _, o := range options {
			r.options = append(r.options, o.Value)
		}
		r.def = defaultValue
	}
	return r.Scripted.Select(message, options, defaultValue)
}

// TestDefaultPreset checks that the database question offers every preset
// in name order and pre-selects DefaultPreset, or the first preset when
// DefaultPreset names none.
func TestDefaultPreset(t *testing.T) {
	names := presets.Names()
	cases := map[string]string{"": names[0], "no-such-database": names[0]}
	for _, n := range names {
		cases[n] = n
	}
	for defaultPreset, want := range cases {
		r := &selectRecorder{Scripted: prompter.NewScripted(map[string][]string{MsgPreset: {def}, MsgName: {prompter.Cancel}})}
		_, err := (&Wizard{Prompter: r, DefaultPreset: defaultPreset}).Run()
		if !errors.Is(err, prompter.ErrCancelled) {
			t.Fatalf("DefaultPreset %q: Run error %v, want the cancel at the name", defaultPreset, err)
		}
		if r.def != want || !slices.Equal(r.options, names) {
			t.Errorf("DefaultPreset %q: offered %q with %q pre-selected; want %q with %q", defaultPreset, r.options, r.def, names, want)
		}
	}
}
