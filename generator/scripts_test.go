package generator

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// The scripts of a preset run here with stubs standing in for the database's
// programs: each stub writes its arguments (and the variables named in
// stubEnv) to a log, so that a test can see which commands the scripts run,
// with which arguments, and that no secret is among them.

// passwordMarker stands for every secret in the environment of a script.
const passwordMarker = "Pa55-marker-3f9c"

// configFiles returns the files of the ConfigMap spec renders.
func configFiles(t *testing.T, spec Spec) map[string]string {
	t.Helper()
	man, err := Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range man.Documents {
		if cm, ok := d.Object.(*corev1.ConfigMap); ok {
			return cm.Data
		}
	}
	t.Fatalf("%s: no ConfigMap", spec.Preset)
	return nil
}

// scriptRun is a preset's files written to a directory, with stubs.
type scriptRun struct {
	dir, config, bin, log string
}

// newScriptRun writes files into dir/config, with every absolute path in
// them that starts with one of paths moved under dir, and stubs for the
// named programs into dir/bin. A stub logs "<name> <args…>" and the
// variables of stubEnv, then runs its body (shell code, in which @LOG@ is
// the log's path; empty: exit 0).
func newScriptRun(t *testing.T, files map[string]string, paths []string, stubs map[string]string, stubEnv []string) *scriptRun {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	r := &scriptRun{dir: dir, config: filepath.Join(dir, "etc/headless"), bin: filepath.Join(dir, "bin"), log: filepath.Join(dir, "log")}
	for _, p := range append([]string{r.config, r.bin}, paths...) {
		if err := os.MkdirAll(r.moved(p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range files {
		for _, p := range append([]string{"/etc/headless"}, paths...) {
			text = strings.ReplaceAll(text, p, r.moved(p))
		}
		if err := os.WriteFile(filepath.Join(r.config, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range stubs {
		var env strings.Builder
		for _, v := range stubEnv {
			env.WriteString(" " + v + "=${" + v + "-}")
		}
		script := "#!/bin/sh\nprintf '%s\\n' \"" + name + " $*" + env.String() + "\" >> " + r.log + "\n" + strings.ReplaceAll(body, "@LOG@", r.log) + "\n"
		if err := os.WriteFile(filepath.Join(r.bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// moved returns where an absolute path of the scripts is in this run.
func (r *scriptRun) moved(p string) string {
	if strings.HasPrefix(p, r.dir) {
		return p
	}
	return filepath.Join(r.dir, p)
}

// run runs the shell script file of the config directory with env (and
// PATH = the stubs, then the system's), and returns the log.
func (r *scriptRun) run(t *testing.T, shell, file string, env ...string) string {
	t.Helper()
	cmd := exec.Command(shell, filepath.Join(r.config, file))
	cmd.Env = append([]string{"PATH=" + r.bin + ":/usr/bin:/bin", "HOME=" + r.dir}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", shell, file, err, out)
	}
	return r.readLog(t)
}

func (r *scriptRun) readLog(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(r.log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}

// TestMongoDBStartScript runs start.sh of a set grown to 5 members: the
// pod of ordinal 4, which the set was not initiated with, waits for its
// mongod, then runs join.js connected to the set through every member's DNS
// name with its own DNS name in MEMBER_HOST; ordinal 0 initiates. No
// program gets the password as an argument: the scripts read it from the
// environment.
func TestMongoDBStartScript(t *testing.T) {
	files := configFiles(t, Spec{Preset: "mongodb", Replicas: ptr(5)})
	// mongod, exec'd last, waits for the background mongosh calls to finish
	// (the last one logs --file), then exits; mongosh succeeds at once.
	stubs := map[string]string{
		"mongosh": "",
		"mongod":  "i=0; until grep -q -- '--file' @LOG@; do i=$((i+1)); [ $i -lt 600 ] || exit 1; sleep 0.1; done",
	}
	r := newScriptRun(t, files, []string{"/run/headless", "/data/db"}, stubs, []string{"MEMBER_HOST"})

	fqdn := func(i string) string { return "mongodb-" + i + ".mongodb-headless.default.svc.cluster.local:27017" }
	log := r.run(t, "sh", "start.sh", "POD_INDEX=4", "POD_NAME=mongodb-4", "MONGODB_ROOT_PASSWORD="+passwordMarker)
	uri := "mongodb://" + strings.Join([]string{fqdn("0"), fqdn("1"), fqdn("2"), fqdn("3"), fqdn("4")}, ",") + "/?replicaSet=mongodb"
	for _, want := range []string{
		"mongosh --quiet --port 27017 --eval db.adminCommand({ ping: 1 }).ok MEMBER_HOST=\n",
		"mongosh --quiet " + uri + " --file " + r.config + "/join.js MEMBER_HOST=" + fqdn("4") + "\n",
		"mongod --replSet mongodb --bind_ip_all --port 27017 --dbpath " + r.moved("/data/db") + " --keyFile " + r.moved("/run/headless") + "/keyfile MEMBER_HOST=\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("ordinal 4: the log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "initiate.js") {
		t.Errorf("ordinal 4 initiates the set:\n%s", log)
	}
	if strings.Contains(log, passwordMarker) {
		t.Errorf("a program got the password as an argument:\n%s", log)
	}

	if err := os.Remove(r.log); err != nil {
		t.Fatal(err)
	}
	log = r.run(t, "sh", "start.sh", "POD_INDEX=0", "POD_NAME=mongodb-0", "MONGODB_ROOT_PASSWORD="+passwordMarker)
	if want := "mongosh --quiet --port 27017 --file " + r.config + "/initiate.js"; !strings.Contains(log, want) || strings.Contains(log, "join.js") {
		t.Errorf("ordinal 0: the log lacks %q or joins:\n%s", want, log)
	}
	if strings.Contains(log, passwordMarker) {
		t.Errorf("a program got the password as an argument:\n%s", log)
	}

	// Without the pod-index label (Kubernetes before 1.28) the ordinal is
	// the host name's suffix, the host name short or a FQDN.
	for hostname, initiates := range map[string]bool{
		"mongodb-0": true, "mongodb-0.mongodb-headless.default.svc.cluster.local": true,
		"mongodb-4": false, "mongodb-4.mongodb-headless.default.svc.cluster.local": false,
	} {
		if err := os.Remove(r.log); err != nil {
			t.Fatal(err)
		}
		log = r.run(t, "sh", "start.sh", "POD_INDEX=", "HOSTNAME="+hostname, "POD_NAME=mongodb-0", "MONGODB_ROOT_PASSWORD="+passwordMarker)
		if strings.Contains(log, "initiate.js") != initiates || strings.Contains(log, "join.js") == initiates {
			t.Errorf("no pod-index label, host name %s: initiates %v, want %v:\n%s", hostname, !initiates, initiates, log)
		}
	}
}

// TestJSReadsSecretsFromEnvironment: in the mongodb preset's scripts the
// password is read only by JavaScript, from process.env, and no mongosh
// command line names it or carries credentials in a URI.
func TestJSReadsSecretsFromEnvironment(t *testing.T) {
	for _, replicas := range []int{1, 5} {
		files := configFiles(t, Spec{Preset: "mongodb", Replicas: ptr(replicas)})
		for name, text := range files {
			for _, line := range strings.Split(text, "\n") {
				if !strings.Contains(line, "MONGODB_ROOT_PASSWORD") {
					continue
				}
				if !strings.HasSuffix(name, ".js") || !strings.Contains(line, "process.env.MONGODB_ROOT_PASSWORD") {
					t.Errorf("%s: the password is used outside process.env in JavaScript: %s", name, line)
				}
			}
			for _, line := range strings.Split(text, "\n") {
				if strings.Contains(line, "mongodb://") && strings.Contains(line, "@") {
					t.Errorf("%s: a URI with credentials: %s", name, line)
				}
				if strings.Contains(line, "mongosh") && (strings.Contains(line, " -p") || strings.Contains(line, "--password")) {
					t.Errorf("%s: a password option on mongosh's command line: %s", name, line)
				}
			}
		}
	}
}

// TestCassandraStartScript runs the cassandra preset's start.sh with stubs
// for the image's entrypoint, cqlsh and nodetool, in the cases that matter:
// the first start of ordinal 0 (CQL on localhost only while admin is created
// as cassandra/cassandra and the default superuser disabled as admin, then a
// restart with CQL on every address), its next start (nothing but the
// start), the first start of ordinal 1 (waits for admin on ordinal 0), and
// that of ordinal 2 (system_auth replicated to 3, then repaired). cqlsh
// reads credentials from files only its user can read and statements from
// its standard input: no program gets the password as an argument.
func TestCassandraStartScript(t *testing.T) {
	files := configFiles(t, Spec{Preset: "cassandra", Replicas: ptr(3)})
	stubs := map[string]string{
		// The first start's entrypoint (CQL on localhost) runs until start.sh
		// stops it; the last one waits, on ordinal 2, for the background
		// repair.
		"docker-entrypoint.sh": `if [ "${CASSANDRA_RPC_ADDRESS-}" = 127.0.0.1 ]; then while :; do sleep 0.1; done; fi
if [ "$POD_INDEX" = 2 ]; then i=0; until grep -q '^nodetool' @LOG@; do i=$((i+1)); [ $i -lt 600 ] || exit 1; sleep 0.1; done; fi`,
		// cqlsh --credentials FILE HOST PORT: logs the file's mode and its
		// statements (apart, they hold the password); admin logs in once
		// a CREATE ROLE has reached it as the default superuser.
		"cqlsh": `stdin=$(cat); printf '%s\n' "$stdin" >> @LOG@.stdin
printf 'mode %s %s\n' "$(stat -c %a "$2")" "$(grep -c '^password = ' "$2")" >> @LOG@
case $2 in
  *admin.credentials) [ -e @LOG@.created ] || exit 1 ;;
  *default.credentials) case $stdin in *"CREATE ROLE IF NOT EXISTS admin"*) touch @LOG@.created ;; esac ;;
esac`,
		"nodetool": "",
	}
	paths := []string{"/run/headless", "/etc/cassandra", "/var/lib/cassandra"}
	env := []string{"CASSANDRA_ADMIN_PASSWORD=" + passwordMarker + "'x"}

	// Not the image's file: the two lines start.sh changes, in the spelling
	// of Cassandra 5.0, with a comment that must stay as it is.
	conf := "# authenticator: AllowAllAuthenticator\nauthenticator:\n  class_name : org.apache.cassandra.auth.AllowAllAuthenticator\nauthorizer:\n  class_name: AllowAllAuthorizer\nnetwork_authorizer:\n  class_name: AllowAllNetworkAuthorizer\n"
	newRun := func() *scriptRun {
		r := newScriptRun(t, files, paths, stubs, []string{"POD_INDEX", "CASSANDRA_RPC_ADDRESS", "HOME"})
		if err := os.WriteFile(r.moved("/etc/cassandra/cassandra.yaml"), []byte(conf), 0o666); err != nil {
			t.Fatal(err)
		}
		return r
	}
	noPassword := func(r *scriptRun, log string) {
		t.Helper()
		if strings.Contains(log, "Pa55") {
			t.Errorf("a program got the password as an argument:\n%s", log)
		}
	}

	r := newRun()
	log := r.run(t, "bash", "start.sh", append(env, "POD_INDEX=0")...)
	run := r.moved("/run/headless")
	wantLog := "docker-entrypoint.sh cassandra -f POD_INDEX=0 CASSANDRA_RPC_ADDRESS=127.0.0.1 HOME=" + r.dir + "\n" +
		"cqlsh --credentials " + run + "/admin.credentials 127.0.0.1 9042 POD_INDEX=0 CASSANDRA_RPC_ADDRESS= HOME=" + run + "\n" +
		"mode 600 1\n" +
		"cqlsh --credentials " + run + "/default.credentials 127.0.0.1 9042 POD_INDEX=0 CASSANDRA_RPC_ADDRESS= HOME=" + run + "\n" +
		"mode 600 1\n" +
		"cqlsh --credentials " + run + "/admin.credentials 127.0.0.1 9042 POD_INDEX=0 CASSANDRA_RPC_ADDRESS= HOME=" + run + "\n" +
		"mode 600 1\n" +
		"docker-entrypoint.sh cassandra -f POD_INDEX=0 CASSANDRA_RPC_ADDRESS= HOME=" + r.dir + "\n"
	// The localhost-only server runs in the background: when it logs its
	// start relative to the first cqlsh is up to the scheduler. Everything
	// else is in order.
	first := "docker-entrypoint.sh cassandra -f POD_INDEX=0 CASSANDRA_RPC_ADDRESS=127.0.0.1 HOME=" + r.dir + "\n"
	if !strings.Contains(log, first) || strings.Replace(log, first, "", 1) != strings.Replace(wantLog, first, "", 1) {
		t.Errorf("ordinal 0, first start: log\n%s\nwant (the first line anywhere before the last)\n%s", log, wantLog)
	}
	noPassword(r, log)
	stdin, _ := os.ReadFile(r.log + ".stdin")
	wantStdin := "ALTER ROLE cassandra WITH SUPERUSER = false AND LOGIN = false;\n" +
		"CREATE ROLE IF NOT EXISTS admin WITH SUPERUSER = true AND LOGIN = true AND PASSWORD = '" + passwordMarker + "''x';\n" +
		"ALTER ROLE cassandra WITH SUPERUSER = false AND LOGIN = false;\n"
	if string(stdin) != wantStdin {
		t.Errorf("ordinal 0, first start: statements\n%s\nwant\n%s", stdin, wantStdin)
	}
	creds, _ := os.ReadFile(run + "/admin.credentials")
	if want := "[PlainTextAuthProvider]\nusername = admin\npassword = " + passwordMarker + "'x\n"; string(creds) != want {
		t.Errorf("admin.credentials = %q, want %q", creds, want)
	}
	got, _ := os.ReadFile(r.moved("/etc/cassandra/cassandra.yaml"))
	wantConf := strings.NewReplacer("  class_name : org.apache.cassandra.auth.AllowAllAuthenticator", "  class_name : org.apache.cassandra.auth.PasswordAuthenticator",
		"  class_name: AllowAllAuthorizer", "  class_name: CassandraAuthorizer").Replace(conf)
	if string(got) != wantConf {
		t.Errorf("cassandra.yaml:\n%s\nwant\n%s", got, wantConf)
	}

	// The next start of ordinal 0: authentication is set up.
	os.Remove(r.log)
	if log := r.run(t, "bash", "start.sh", append(env, "POD_INDEX=0")...); log != "docker-entrypoint.sh cassandra -f POD_INDEX=0 CASSANDRA_RPC_ADDRESS= HOME="+r.dir+"\n" {
		t.Errorf("ordinal 0, next start: log\n%s", log)
	}

	// The first start of ordinal 1 waits for admin on ordinal 0.
	r = newRun()
	if err := os.WriteFile(r.log+".created", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	log = r.run(t, "bash", "start.sh", append(env, "POD_INDEX=1")...)
	run = r.moved("/run/headless")
	wantLog = "cqlsh --credentials " + run + "/admin.credentials cassandra-0.cassandra-headless.default.svc.cluster.local 9042 POD_INDEX=1 CASSANDRA_RPC_ADDRESS= HOME=" + run + "\n" +
		"mode 600 1\n" +
		"docker-entrypoint.sh cassandra -f POD_INDEX=1 CASSANDRA_RPC_ADDRESS= HOME=" + r.dir + "\n"
	if log != wantLog {
		t.Errorf("ordinal 1, first start: log\n%s\nwant\n%s", log, wantLog)
	}
	if _, err := os.Stat(r.moved("/var/lib/cassandra/.headless-auth")); err != nil {
		t.Errorf("ordinal 1 did not record that authentication is set up: %v", err)
	}

	// The first start of ordinal 2 replicates system_auth to 3 nodes.
	r = newRun()
	if err := os.WriteFile(r.log+".created", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	log = r.run(t, "bash", "start.sh", append(env, "POD_INDEX=2")...)
	noPassword(r, log)
	if want := "nodetool repair --full system_auth"; !strings.Contains(log, want) {
		t.Errorf("ordinal 2, first start: the log lacks %q:\n%s", want, log)
	}
	stdin, _ = os.ReadFile(r.log + ".stdin")
	if want := "ALTER KEYSPACE system_auth WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3};\n"; !strings.HasSuffix(string(stdin), want) {
		t.Errorf("ordinal 2, first start: statements\n%s\nwant them to end with\n%s", stdin, want)
	}
}
