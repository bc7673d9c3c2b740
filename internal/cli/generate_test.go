package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/headless-k8s/headless/internal/testutil" // accepts -update
	"github.com/headless-k8s/headless/presets"
)

// runCmd runs headless in-process and returns its exit code and output.
func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(args, &IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func TestGenerateBadInput(t *testing.T) {
	long := strings.Repeat("a", 53)
	tests := []struct {
		name string
		args []string
		want string // the whole stderr line, after "error: "
	}{
		{"name upper case", []string{"--name", "MyDB"}, `invalid argument "MyDB" for "--name" flag: must be a DNS-1123 label`},
		{"name underscore", []string{"--name", "my_db"}, `invalid argument "my_db" for "--name" flag: must be a DNS-1123 label`},
		{"name dot", []string{"--name", "my.db"}, `invalid argument "my.db" for "--name" flag: must be a DNS-1123 label`},
		{"name leading dash", []string{"--name=-db"}, `invalid argument "-db" for "--name" flag: must be a DNS-1123 label`},
		{"name too long for statefulset", []string{"--name", long}, `invalid argument "` + long + `" for "--name" flag: is 53 characters; the limit is 52 for a StatefulSet`},
		{"name too long for pods", []string{"--mode", "pods", "--replicas", "10", "--name", strings.Repeat("b", 62)}, `for "--name" flag: is 62 characters; the limit is 61 so that pod names up to <name>-9 stay within 63 characters`},
		{"name starting with digit needs service name", []string{"--name", "1db"}, `invalid argument "1db" for "--name" flag: the default service name "1db-headless" must be a DNS-1035 label`},
		{"name starting with digit for a client Service", []string{"--name", "1db", "--service-name", "db-headless", "--client-service"}, `invalid argument "1db" for "--name" flag: the client Service's name "1db" must be a DNS-1035 label: at most 63 lower-case letters, digits and '-', starting with a letter and ending with a letter or digit; choose another name or disable the client Service (clientService false)`},
		{"name starting with digit, redis", []string{"--preset", "redis", "--name", "1db", "--service-name", "db-headless"}, `invalid argument "1db" for "--name" flag: the client Service's name "1db" must be a DNS-1035 label`},
		{"name empty", []string{"--name", ""}, `invalid argument "" for "--name" flag: must not be empty`},
		{"port zero", []string{"--port", "0"}, `invalid argument "0" for "--port" flag: must be an integer from 1 to 65535`},
		{"port too large", []string{"--port", "70000"}, `invalid argument "70000" for "--port" flag: must be an integer from 1 to 65535`},
		{"port not a number", []string{"--port", "http"}, `invalid argument "http" for "--port" flag: must be an integer from 1 to 65535`},
		{"replicas zero", []string{"--replicas", "0"}, `invalid argument "0" for "--replicas" flag: must be an integer from 1 to 1000`},
		{"replicas negative", []string{"--replicas", "-1"}, `invalid argument "-1" for "--replicas" flag: must be an integer from 1 to 1000`},
		{"replicas huge", []string{"--replicas", "1000000"}, `invalid argument "1000000" for "--replicas" flag: must be an integer from 1 to 1000`},
		{"replicas not a number", []string{"--replicas", "three"}, `invalid argument "three" for "--replicas" flag: must be an integer from 1 to 1000`},
		{"unknown preset", []string{"--preset", "oracle"}, `invalid argument "oracle" for "--preset" flag: must be one of ` + strings.Join(presets.Names(), ", ")},
		{"unknown mode", []string{"--mode", "deployment"}, `invalid argument "deployment" for "--mode" flag: must be one of statefulset, pods`},
		{"image with space", []string{"--image", "mongo 8.0"}, `invalid argument "mongo 8.0" for "--image" flag: must be a lower-case image reference pinned to a tag or digest`},
		{"image upper case", []string{"--image", "Mongo:8.0.4"}, `invalid argument "Mongo:8.0.4" for "--image" flag: must be a lower-case image reference`},
		{"image upper case path", []string{"--image", "library/Mongo:8.0.4"}, `invalid argument "library/Mongo:8.0.4" for "--image" flag: must be a lower-case image reference`},
		{"image latest", []string{"--image", "mongo:latest"}, `invalid argument "mongo:latest" for "--image" flag: the tag latest is not reproducible`},
		{"image untagged", []string{"--image", "mongo"}, `invalid argument "mongo" for "--image" flag: must name a tag or digest`},
		{"image digest too short", []string{"--image", "mongo@sha256:" + strings.Repeat("a", 32)}, `for "--image" flag: a sha256 digest is 64 lower-case hex digits, not 32`},
		{"image digest upper case", []string{"--image", "mongo@sha256:" + strings.Repeat("A", 64)}, `for "--image" flag: a sha256 digest is 64 lower-case hex digits (0-9, a-f), not "AAAA`},
		{"image digest md5", []string{"--image", "mongo@md5:" + strings.Repeat("a", 32)}, `for "--image" flag: the digest algorithm "md5" is not registered by the OCI image spec; use sha256 (64 lower-case hex digits) or sha512 (128)`},
		{"storage words", []string{"--storage", "lots"}, `invalid argument "lots" for "--storage" flag: must be a positive quantity such as 8Gi or 500Mi, or none`},
		{"storage negative", []string{"--storage", "-1Gi"}, `invalid argument "-1Gi" for "--storage" flag: must be a positive quantity`},
		{"storage zero", []string{"--storage", "0"}, `invalid argument "0" for "--storage" flag: must be a positive quantity`},
		{"storage class", []string{"--storage-class", "Fast_SSD"}, `invalid argument "Fast_SSD" for "--storage-class" flag: must be a DNS-1123 subdomain`},
		{"cluster domain underscore", []string{"--cluster-domain", "cluster_local"}, `invalid argument "cluster_local" for "--cluster-domain" flag: must be a DNS-1123 subdomain`},
		{"cluster domain trailing dot", []string{"--cluster-domain", "cluster.local."}, `invalid argument "cluster.local." for "--cluster-domain" flag: must not end with a dot`},
		{"cluster domain too long for pod names", []string{"--cluster-domain", strings.Repeat("a.", 120) + "local"}, `for "--cluster-domain" flag: the pod DNS name mongodb-2.mongodb-headless.default.svc.`},
		{"namespace", []string{"-n", "Data"}, `invalid argument "Data" for "--namespace" flag: must be a DNS-1123 label`},
		{"service name", []string{"--service-name", "1svc"}, `invalid argument "1svc" for "--service-name" flag: must be a DNS-1035 label`},
		{"service name equals client service", []string{"--name", "db", "--service-name", "db", "--client-service"}, `invalid argument "db" for "--service-name" flag: must differ from the client Service's name "db"`},
		{"label without equals", []string{"--label", "team"}, `invalid argument "team" for "--label" flag: must be key=value, e.g. team=data`},
		{"label bad key", []string{"--label", "te am=x"}, `invalid argument "te am=x" for "--label" flag: the key`},
		{"label bad value", []string{"--label", "team=a b"}, `invalid argument "team=a b" for "--label" flag: the value`},
		{"label reserved", []string{"--label", "app.kubernetes.io/name=x"}, `invalid argument "app.kubernetes.io/name=x" for "--label" flag: keys under kubernetes.io are reserved`},
		{"format", []string{"-o", "xml"}, `invalid argument "xml" for "-o, --output" flag: must be one of yaml, json`},
		{"format, old spelling", []string{"--format", "xml"}, `invalid argument "xml" for "--format" flag: must be one of yaml, json`},
		{"format looks like a directory name", []string{"-o", "wide"}, `invalid argument "wide" for "-o, --output" flag: must be one of yaml, json`},
		{"jsonpath is a format", []string{"--output", "jsonpath={.items}"}, `invalid argument "jsonpath={.items}" for "-o, --output" flag: must be one of yaml, json`},
		{"unknown flag", []string{"--replica", "3"}, `unknown flag: --replica`},
		{"spec file unknown key", []string{"-f", "testdata/unknown-key.yaml"}, `spec file testdata/unknown-key.yaml, line 3: unknown key "replica" (keys: preset, name,`},
		{"spec file bad value", []string{"-f", "testdata/bad-replicas.yaml"}, `invalid value "0" for "replicas" in testdata/bad-replicas.yaml, line 2: must be an integer from 1 to 1000`},
		{"spec file wrong type", []string{"-f", "testdata/replicas-string.yaml"}, `invalid value "three" for "replicas" in testdata/replicas-string.yaml, line 2: must be an integer from 1 to 1000`},
		{"spec file missing", []string{"-f", "testdata/nope.yaml"}, `reading spec file: open testdata/nope.yaml: no such file or directory`},
		{"no preset", []string{"--preset="}, `invalid argument "" for "--preset" flag: must not be empty`},
		{"no storage for replicas", []string{"--preset", "redis", "--storage", "none"}, `invalid argument "none" for "--storage" flag: with 3 replicas needs --ephemeral`},
		{"ephemeral with volumes", []string{"--preset", "redis", "--ephemeral"}, `invalid argument "true" for "--ephemeral" flag: applies only with --storage none`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := append([]string{"generate"}, tt.args...)
			if !hasFlag(tt.args, "--preset") && !hasFlag(tt.args, "-f") {
				args = append(args, "--preset", "mongodb")
			}
			args = append(args, "--output-dir", dir)
			code, stdout, stderr := runCmd(t, "", args...)
			if code != ExitUsage {
				t.Errorf("exit code = %d, want %d", code, ExitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, "error: ") || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q\nwant \"error: \" and %q", stderr, tt.want)
			}
			if n := strings.Count(stderr, "\n"); n != 1 {
				t.Errorf("stderr has %d lines, want 1: %q", n, stderr)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("output directory was created (stat error %v)", err)
			}
		})
	}
}

func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}

// TestGenerateFlags checks flag parsing into options without running.
func TestGenerateFlags(t *testing.T) {
	var got *GenerateOptions
	io := &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	cmd := NewCmdGenerate(io, func(o *GenerateOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-p", "redis", "--name", "cache", "-n", "prod", "--replicas", "5", "--port", "6380",
		"--mode", "pods", "-l", "a=b", "-l", "c=d", "--client-service=false", "--output-dir", "x", "--force"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	s, err := got.Spec.spec(io.In)
	if err != nil {
		t.Fatal(err)
	}
	if s.Preset != "redis" || s.Name != "cache" || s.Namespace != "prod" || *s.Replicas != 5 || *s.Port != 6380 ||
		s.Mode != "pods" || s.Labels["a"] != "b" || s.Labels["c"] != "d" || *s.ClientService || got.Output != "x" || !got.Force {
		t.Errorf("unexpected spec %+v, options %+v", s, got)
	}
	if s.Image != "" || s.Storage != "" || s.ClusterDomain != "" {
		t.Errorf("flags left at their defaults must not be set in the spec: %+v", s)
	}
}

func TestGenerateOutputRules(t *testing.T) {
	t.Run("non-empty directory refused without --force", func(t *testing.T) {
		dir := t.TempDir()
		mustWrite(t, filepath.Join(dir, "keep.txt"), "mine")
		code, stdout, stderr := runCmd(t, "", "generate", "-p", "redis", "--output-dir", dir)
		if code != ExitUsage || stdout != "" || !strings.Contains(stderr, "is not empty (1 entry); use --force") {
			t.Fatalf("code %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("directory changed: %d entries", len(entries))
		}
	})
	t.Run("--force replaces generated files and keeps others", func(t *testing.T) {
		dir := t.TempDir()
		mustWrite(t, filepath.Join(dir, "keep.txt"), "mine")
		mustWrite(t, filepath.Join(dir, "kustomization.yaml"), "old")
		code, _, stderr := runCmd(t, "", "generate", "-p", "redis", "--output-dir", dir, "--force")
		if code != ExitOK {
			t.Fatalf("code %d: %s", code, stderr)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "keep.txt")); string(b) != "mine" {
			t.Errorf("keep.txt changed: %q", b)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "kustomization.yaml")); !strings.Contains(string(b), "service-redis-headless.yaml") {
			t.Errorf("kustomization.yaml not replaced: %q", b)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".headless-") {
				t.Errorf("temporary file left behind: %s", e.Name())
			}
		}
	})
	t.Run("--output-dir - is standard output", func(t *testing.T) {
		t.Chdir(t.TempDir())
		code, stdout, stderr := runCmd(t, "", "generate", "-p", "redis", "--output-dir", "-")
		if code != ExitOK || !strings.Contains(stdout, "kind: StatefulSet") || stderr != "" {
			t.Errorf("code %d, stdout %d bytes, stderr %q", code, len(stdout), stderr)
		}
		if _, err := os.Stat("-"); err == nil {
			t.Error("a directory named - was written")
		}
		if code, _, stderr := runCmd(t, "", "generate", "-p", "redis", "--output-dir", "-", "--force"); code != ExitUsage || !strings.Contains(stderr, "needs") {
			t.Errorf("--output-dir - --force: code %d, stderr %q", code, stderr)
		}
	})
	t.Run("--force removes what an earlier run wrote and this one does not", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		if code, _, stderr := runCmd(t, "", "generate", "-p", "redis", "--mode", "pods", "--replicas", "3", "--output-dir", dir); code != ExitOK {
			t.Fatalf("first run: %s", stderr)
		}
		mustWrite(t, filepath.Join(dir, "keep.txt"), "mine")
		code, _, stderr := runCmd(t, "", "generate", "-p", "redis", "--mode", "pods", "--replicas", "2", "--output-dir", dir, "--force")
		want := "wrote 10 files to " + dir + ", and removed 2 that an earlier run wrote and this one does not: persistentvolumeclaim-data-redis-2.yaml, pod-redis-2.yaml\n"
		if code != ExitOK || stderr != want {
			t.Fatalf("code %d, stderr %q, want %q", code, stderr, want)
		}
		for _, name := range []string{"pod-redis-2.yaml", "persistentvolumeclaim-data-redis-2.yaml"} {
			if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
				t.Errorf("%s is still there", name)
			}
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "keep.txt")); string(b) != "mine" {
			t.Errorf("keep.txt changed: %q", b)
		}
		// A file the user listed, and a listed file the user made their own
		// object, are not removed; headless's own still are.
		k := filepath.Join(dir, "kustomization.yaml")
		b, _ := os.ReadFile(k)
		mustWrite(t, k, string(b)+"  - keep.txt\n")
		mustWrite(t, filepath.Join(dir, "pod-redis-1.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: mine\n")
		code, _, stderr = runCmd(t, "", "generate", "-p", "redis", "--mode", "pods", "--replicas", "1", "--output-dir", dir, "--force")
		want = "wrote 7 files to " + dir + ", and removed 2 that an earlier run wrote and this one does not: persistentvolumeclaim-data-redis-1.yaml, poddisruptionbudget-redis.yaml\n"
		if code != ExitOK || stderr != want {
			t.Errorf("after the user's edits: code %d, stderr %q, want %q", code, stderr, want)
		}
		for _, name := range []string{"keep.txt", "pod-redis-1.yaml"} {
			if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
				t.Errorf("%s was removed", name)
			}
		}
	})
	t.Run("--force without --output-dir", func(t *testing.T) {
		code, _, stderr := runCmd(t, "", "generate", "-p", "redis", "--force")
		if code != ExitUsage || stderr != "error: \"--force\" needs \"--output-dir\"\n" {
			t.Errorf("code %d, stderr %q", code, stderr)
		}
	})
	t.Run("-o json with --output-dir", func(t *testing.T) {
		code, _, _ := runCmd(t, "", "generate", "-p", "redis", "-o", "json", "--output-dir", t.TempDir())
		if code != ExitUsage {
			t.Errorf("code %d", code)
		}
	})
	t.Run("spec from stdin", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, "preset: redis\nreplicas: 2\n", "generate", "-f", "-")
		if code != ExitOK || !strings.Contains(stdout, "replicas: 2\n") {
			t.Errorf("code %d, stderr %q", code, stderr)
		}
	})
}

func TestVersionAndUsage(t *testing.T) {
	code, stdout, _ := runCmd(t, "", "--version")
	if code != ExitOK || !strings.HasPrefix(stdout, "headless ") {
		t.Errorf("--version: code %d, %q", code, stdout)
	}
	code, _, stderr := runCmd(t, "", "generat")
	if code != ExitUsage || !strings.Contains(stderr, `unknown command "generat"`) {
		t.Errorf("unknown command: code %d, %q", code, stderr)
	}
	code, stdout, _ = runCmd(t, "", "completion", "bash")
	if code != ExitOK || !strings.Contains(stdout, "bash completion") {
		t.Errorf("completion: code %d", code)
	}
}

// TestEmptyOutputAndUnknownShell: issue #11, finding 19. An empty
// --output silently printed to standard output, and "completion nosh"
// printed help with exit 0.
func TestEmptyOutputAndUnknownShell(t *testing.T) {
	tests := []struct {
		args []string
		want string // the whole stderr
	}{
		{[]string{"generate", "-p", "redis", "--output-dir", ""},
			"error: invalid argument \"\" for \"--output-dir\" flag: must not be empty; leave it out to print to standard output\n"},
		{[]string{"generate", "-p", "redis", "--output="},
			"error: invalid argument \"\" for \"-o, --output\" flag: must not be empty; give a format (yaml, json) or leave it out\n"},
		{[]string{"init", "--output-dir", ""},
			"error: invalid argument \"\" for \"--output-dir\" flag: must not be empty; give - for standard output, or leave it out to be asked\n"},
		{[]string{"init", "--save", ""},
			"error: invalid argument \"\" for \"--save\" flag: must not be empty; leave it out to save no spec file\n"},
		{[]string{"completion", "nosh"},
			"error: unknown shell \"nosh\" for \"headless completion\": must be one of bash, fish, powershell, zsh\n"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCmd(t, "", tt.args...)
		if code != ExitUsage || stdout != "" || stderr != tt.want {
			t.Errorf("%q: exit %d, stdout %d bytes, stderr %q; want 2 and %q", tt.args, code, len(stdout), stderr, tt.want)
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		if code, stdout, stderr := runCmd(t, "", "completion", shell); code != ExitOK || len(stdout) < 100 {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", shell, code, len(stdout), stderr)
		}
	}
	if code, stdout, _ := runCmd(t, "", "completion"); code != ExitOK || !strings.Contains(stdout, "bash") {
		t.Errorf("completion without a shell: exit %d, want its help", code)
	}
}

func mustWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGenerateSpecFileStrict: spec-file keys are exact, one document only,
// scalars are the text written, and each error is one line naming the file,
// the line and the key (issue #11, findings 14 and 17).
func TestGenerateSpecFileStrict(t *testing.T) {
	tests := []struct {
		name, spec string
		want       string // the whole stderr
	}{
		{"key in another case", "preset: redis\nREPLICAS: 5\n",
			"error: spec file -, line 2: unknown key \"REPLICAS\"; keys are case-sensitive: replicas (keys: " + strings.Join(keysOfFields(), ", ") + ")\n"},
		{"key twice", "preset: redis\nreplicas: 2\nreplicas: 5\n",
			"error: spec file -, line 3: key \"replicas\" is given twice, first on line 2\n"},
		{"second document", "preset: redis\n---\nreplicas: [\n",
			"error: spec file -, line 3: invalid YAML: did not find expected node content\n"},
		{"second valid document", "preset: redis\n---\nreplicas: 2\n",
			"error: spec file -, line 2: a second YAML document; a spec file holds one spec\n"},
		{"octal-looking name", "preset: redis\nname: 0123\n",
			"error: invalid value \"0123\" for \"name\" in -, line 2: the default service name \"0123-headless\" must be a DNS-1035 label: at most 63 lower-case letters, digits and '-', starting with a letter and ending with a letter or digit; choose another name or set the service name\n"},
		{"on is text", "preset: redis\nmode: on\n",
			"error: invalid value \"on\" for \"mode\" in -, line 2: must be one of statefulset, pods\n"},
		{"hex replicas", "preset: redis\nreplicas: 0x10\n",
			"error: invalid value \"0x10\" for \"replicas\" in -, line 2: must be an integer from 1 to 1000\n"},
		{"long value cut", "preset: redis\nname: " + strings.Repeat("a", 100000) + "\n",
			"error: invalid value \"" + strings.Repeat("a", 60) + "\"… (100000 characters) for \"name\" in -, line 2: must be a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit\n"},
		{"too large", "preset: redis\n#" + strings.Repeat("x", 1<<20) + "\n",
			"error: spec file - is larger than the limit of 1 MiB\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.spec, "generate", "-f", "-")
			if code != ExitUsage || stdout != "" || stderr != tt.want {
				t.Errorf("exit %d, stdout %d bytes, stderr\n%q\nwant 2 and\n%q", code, len(stdout), stderr, tt.want)
			}
		})
	}
	// Label values (and keys) are the text written: 0x10 stays 0x10.
	code, stdout, stderr := runCmd(t, "preset: redis\nlabels:\n  team: 0x10\n", "generate", "-f", "-")
	if code != ExitOK || !strings.Contains(stdout, `"team": "0x10"`) {
		t.Errorf("label value 0x10: exit %d, stderr %q", code, stderr)
	}
}

// TestGenerateTooManyLabels: each label is copied onto every object and
// pod, so their number is bounded; 2,000 labels took 1.1 GB before.
func TestGenerateTooManyLabels(t *testing.T) {
	var spec strings.Builder
	spec.WriteString("preset: redis\nmode: pods\nreplicas: 1000\nlabels:\n")
	for i := range 2000 {
		fmt.Fprintf(&spec, "  example.com/k%05d: v\n", i)
	}
	code, stdout, stderr := runCmd(t, spec.String(), "generate", "-f", "-")
	if want := "error: invalid value \"2000 labels\" for \"labels\" in -, line 4: at most 64 labels may be added\n"; code != ExitUsage || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %d bytes, stderr %q; want 2 and %q", code, len(stdout), stderr, want)
	}
	args := []string{"generate", "-p", "redis"}
	for i := range 65 {
		args = append(args, "-l", fmt.Sprintf("k%d=v", i))
	}
	if code, _, stderr := runCmd(t, "", args...); code != ExitUsage || !strings.Contains(stderr, "at most 64 labels") {
		t.Errorf("65 -l flags: exit %d, stderr %q", code, stderr)
	}
}

// TestLongArgumentsOfCobra: cobra and pflag echo an unknown flag or
// command whole; the message is cut to one bounded line.
func TestLongArgumentsOfCobra(t *testing.T) {
	long := strings.Repeat("a", 100000)
	for _, args := range [][]string{{"generate", "--" + long}, {long}, {"generate", "-p", "redis", long}} {
		code, stdout, stderr := runCmd(t, "", args...)
		if code != ExitUsage || stdout != "" || len(stderr) > 2100 || !strings.HasSuffix(stderr, " characters, cut)\n") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%.20q: exit %d, stderr of %d bytes ending %q", args, code, len(stderr), stderr[max(0, len(stderr)-60):])
		}
	}
}

// TestGenerateLabelBlame: -l adds to the spec file's labels, so a bad
// label is blamed on where it came from, the file's line or the flag.
func TestGenerateLabelBlame(t *testing.T) {
	spec := "preset: redis\nlabels:\n  good: x\n  bad: a b\n"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-l", "team=data"}, "error: invalid value \"bad=a b\" for \"labels\" in -, line 2: the value"},
		{[]string{"-l", "aaa=c d"}, "error: invalid argument \"aaa=c d\" for \"--label\" flag: the value"},
		{[]string{"-l", "zzz=c d"}, "error: invalid value \"bad=a b\" for \"labels\" in -, line 2: the value"},
		{[]string{"-l", "bad=fixed", "-l", "flag=c d"}, "error: invalid argument \"flag=c d\" for \"--label\" flag: the value"},
	}
	for _, tt := range tests {
		code, _, stderr := runCmd(t, spec, append([]string{"generate", "-f", "-"}, tt.args...)...)
		if code != ExitUsage || !strings.HasPrefix(stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q…", tt.args, code, stderr, tt.want)
		}
	}
	if code, _, stderr := runCmd(t, spec, "generate", "-f", "-", "-l", "bad=fixed"); code != ExitOK {
		t.Errorf("-l replacing the file's bad label: exit %d, %s", code, stderr)
	}
}

// TestGenerateLongValues: a 100 KB value is cut in the message (issue #11,
// finding 17), whether a flag or the spec file gave it.
func TestGenerateLongValues(t *testing.T) {
	long := strings.Repeat("9", 100000)
	for _, args := range [][]string{
		{"--name", long},
		{"--replicas", long},
		{"--image", long},
		{"--client-service=" + long},
		{"-l", "a=" + long},
		{"-l", long},
		{"--format", long},
		{"-o", "json=" + long},
	} {
		code, _, stderr := runCmd(t, "", append([]string{"generate", "-p", "redis"}, args...)...)
		if code != ExitUsage || len(stderr) > 600 || !strings.Contains(stderr, "… (") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%.20s: exit %d, stderr of %d bytes: %.300q", args[0], code, len(stderr), stderr)
		}
	}
}

// TestGenerateLabelKeysAsWritten: label keys that YAML 1.1 reads as a bool
// or a number stay the keys given (issue #11, finding 11); yes and on
// were both "true", which made the StatefulSet a duplicate key (exit 3).
func TestGenerateLabelKeysAsWritten(t *testing.T) {
	code, stdout, stderr := runCmd(t, "", "generate", "-p", "redis", "-l", "yes=1", "-l", "on=2", "-l", "0x10=a", "-l", "1e3=b")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{`"yes": "1"`, `"on": "2"`, `"0x10": "a"`, `"1e3": "b"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %s", want)
		}
	}
}
