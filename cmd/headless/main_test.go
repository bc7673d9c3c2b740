package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/headless-k8s/headless/internal/testutil" // accepts -update
)

// binary is the headless command built once for these tests; plugin is
// the same file named kubectl-headless.
var binary, plugin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "headless-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "headless")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		panic("building headless: " + err.Error())
	}
	// The same binary under the name kubectl runs plugins by, as make
	// build installs it.
	plugin = filepath.Join(dir, "kubectl-headless")
	if err := os.Link(binary, plugin); err != nil {
		os.RemoveAll(dir)
		panic("linking kubectl-headless: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBinary runs the built headless and returns exit code, stdout, stderr.
func runBinary(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errOut.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String(), errOut.String()
	default:
		t.Fatalf("running headless: %v", err)
		return 0, "", ""
	}
}

// TestBinary runs the real executable the way a user or a script would and
// checks exit code, stdout and stderr.
func TestBinary(t *testing.T) {
	golden := func(name string) string {
		data, err := os.ReadFile(filepath.Join("..", "..", "golden", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantStdout string // exact, when set
		wantStderr string // substring; "" means stderr must be empty
	}{
		{name: "readme quick start", args: []string{"generate", "--preset", "mongodb"}, wantStdout: golden("mongodb-statefulset.yaml")},
		{name: "pods mode", args: []string{"generate", "--preset", "redis", "--mode", "pods"}, wantStdout: golden("redis-pods.yaml")},
		{name: "spec on stdin", args: []string{"generate", "-f", "-"}, stdin: "preset: postgresql\nmode: pods\n", wantStdout: golden("postgresql-pods.yaml")},
		{name: "presets", args: []string{"presets"}, wantStdout: golden("presets.txt")},
		{name: "bad port", args: []string{"generate", "--preset", "mongodb", "--port", "70000"}, wantCode: 2,
			wantStderr: "error: invalid argument \"70000\" for \"--port\" flag: must be an integer from 1 to 65535\n"},
		{name: "unknown flag", args: []string{"generate", "--replica", "3"}, wantCode: 2, wantStderr: "unknown flag: --replica"},
		{name: "unknown command", args: []string{"generat"}, wantCode: 2, wantStderr: `unknown command "generat"`},
		{name: "version", args: []string{"--version"}, wantStdout: "", wantCode: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runBinary(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, tt.wantCode, stderr)
			}
			if tt.wantStdout != "" && stdout != tt.wantStdout {
				t.Errorf("stdout differs from the golden file (%d bytes, want %d)", len(stdout), len(tt.wantStdout))
			}
			if tt.wantCode != 0 && stdout != "" {
				t.Errorf("stdout = %q, want nothing on failure", stdout)
			}
			switch {
			case tt.wantStderr == "" && stderr != "":
				t.Errorf("stderr = %q, want empty", stderr)
			case !strings.Contains(stderr, tt.wantStderr):
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
		})
	}
}

func TestBinaryVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, stdout, _ := runBinary(t, "", args...)
		lines := strings.Split(stdout, "\n")
		if code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "headless ") ||
			!strings.HasPrefix(lines[1], "commit: ") || !strings.HasPrefix(lines[2], "go: go1.") {
			t.Errorf("%s: exit %d, stdout %q; want 0 and \"headless <version>\", \"commit: …\", \"go: …\"", args[0], code, stdout)
		}
	}
}

func TestBinaryOutputDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mongodb")
	code, stdout, stderr := runBinary(t, "", "generate", "--preset", "mongodb", "--replicas", "2", "--output-dir", dir)
	if code != 0 || stdout != "" || !strings.Contains(stderr, "wrote ") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	want, _ := filepath.Glob(filepath.Join("..", "..", "golden", "dir-mongodb-statefulset", "*"))
	got, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("wrote %d files, the golden tree has %d", len(got), len(want))
	}
	for _, w := range want {
		g, _ := os.ReadFile(filepath.Join(dir, filepath.Base(w)))
		wb, _ := os.ReadFile(w)
		if !bytes.Equal(g, wb) {
			t.Errorf("%s differs from golden", filepath.Base(w))
		}
	}
	// A second run must refuse the non-empty directory and change nothing.
	code, _, stderr = runBinary(t, "", "generate", "--preset", "redis", "--output-dir", dir)
	if code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("second run: exit %d, stderr %q; want 2 and a hint about --force", code, stderr)
	}
}

// TestInitWithoutTerminal runs init with a pipe for stdin that never closes:
// it must fail at once instead of waiting for input.
func TestInitWithoutTerminal(t *testing.T) {
	cmd := exec.Command(binary, "init")
	stdin, err := cmd.StdinPipe() // never written, never closed until the end
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(time.Second):
		cmd.Process.Kill()
		t.Fatal("init without a terminal was still running after a second; it must not wait for input")
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("exit: %v, want exit code 2", err)
	}
	want := "error: init needs an interactive terminal; use \"headless generate\" with flags\n"
	if errOut.String() != want || out.Len() != 0 {
		t.Errorf("stderr %q, stdout %q; want %q and nothing", errOut.String(), out.String(), want)
	}
}

// runIn runs the built headless in dir and returns exit code and stderr.
func runIn(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, errOut.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), errOut.String()
	}
	t.Fatalf("running headless: %v", err)
	return 0, ""
}

// snapshot returns name=content of every entry under dir (directories as
// name/, links as name->target), hidden ones included.
func snapshot(t *testing.T, dir string) []string {
	t.Helper()
	var got []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.IsDir():
			got = append(got, rel+"/")
		case d.Type()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			got = append(got, rel+"->"+target)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got = append(got, rel+"="+string(data))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestBinaryOutputAllOrNothing is issue #11's first finding: --force over a
// directory where one file cannot be replaced must change no file at all.
func TestBinaryOutputAllOrNothing(t *testing.T) {
	tmp := t.TempDir()
	if code, stderr := runIn(t, tmp, "generate", "--preset", "redis", "--output-dir", "d"); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	if err := os.Remove(filepath.Join(tmp, "d", "statefulset-redis.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(tmp, "d", "statefulset-redis.yaml", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, tmp)
	code, stderr := runIn(t, tmp, "generate", "--preset", "redis", "--output-dir", "d", "--force", "--replicas", "5")
	if code != 2 || !strings.Contains(stderr, "statefulset-redis.yaml: it is a directory") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want 2 and one line naming the directory in the way", code, stderr)
	}
	if after := snapshot(t, tmp); !slices.Equal(after, before) {
		t.Errorf("a failed --force changed the disk:\nbefore %q\nafter  %q", before, after)
	}
}

// TestBinaryOutputKeepsDirectory covers issue #11's second and third
// findings: a symbolic link is written through (or refused when dangling),
// and an existing directory keeps its inode, mode and group, including the
// working directory (--output .).
func TestBinaryOutputKeepsDirectory(t *testing.T) {
	t.Run("link to an empty directory", func(t *testing.T) {
		tmp := t.TempDir()
		os.Mkdir(filepath.Join(tmp, "target"), 0o755)
		os.Symlink("target", filepath.Join(tmp, "link"))
		if code, stderr := runIn(t, tmp, "generate", "--preset", "redis", "--output-dir", "link"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if fi, err := os.Lstat(filepath.Join(tmp, "link")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the link was replaced (%v, %v)", fi.Mode(), err)
		}
		if entries, _ := os.ReadDir(filepath.Join(tmp, "target")); len(entries) != 7 {
			t.Errorf("the link's target holds %d entries, want 7 files (6 objects and kustomization.yaml)", len(entries))
		}
	})
	t.Run("dangling link", func(t *testing.T) {
		tmp := t.TempDir()
		os.Symlink("nowhere", filepath.Join(tmp, "link"))
		code, stderr := runIn(t, tmp, "generate", "--preset", "redis", "--output-dir", "link")
		if code != 2 || !strings.Contains(stderr, "is a symbolic link to nowhere, which does not exist") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		if got := snapshot(t, tmp); !slices.Equal(got, []string{"link->nowhere"}) {
			t.Errorf("directory holds %q", got)
		}
	})
	t.Run("setgid group directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		os.Mkdir(dir, 0o755)
		if err := os.Chmod(dir, 0o770|os.ModeSetgid); err != nil {
			t.Fatal(err)
		}
		before, _ := os.Stat(dir)
		if code, stderr := runIn(t, dir, "generate", "--preset", "redis", "--output-dir", dir); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		after, _ := os.Stat(dir)
		if !os.SameFile(before, after) || before.Mode() != after.Mode() {
			t.Errorf("directory replaced: mode %v -> %v, same file %v", before.Mode(), after.Mode(), os.SameFile(before, after))
		}
	})
	t.Run("working directory", func(t *testing.T) {
		dir := t.TempDir()
		if code, stderr := runIn(t, dir, "generate", "--preset", "redis", "--output-dir", "."); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 7 {
			t.Errorf("the directory holds %d entries, want 7 files (6 objects and kustomization.yaml)", len(entries))
		}
	})
}

// TestBinarySpecFileBounded: "-f /dev/zero" is refused after reading
// generator.MaxSpecFile bytes (issue #11, finding 9); it grew to 5.9 GB in
// 20 s before.
func TestBinarySpecFileBounded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "generate", "-f", "/dev/zero")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if ctx.Err() != nil || !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("exit %v (context %v), want exit code 2 at once", err, ctx.Err())
	}
	if want := "error: spec file /dev/zero is larger than the limit of 1 MiB\n"; errOut.String() != want || out.Len() != 0 {
		t.Errorf("stderr %q, stdout %d bytes; want %q", errOut.String(), out.Len(), want)
	}
}
