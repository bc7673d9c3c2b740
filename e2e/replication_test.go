package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/presets"
)

// database is how a test talks to a preset's database: with the
// database's own client, run inside a pod as `kubectl exec` would.
type database struct {
	// write stores key=value through the pod.
	write func(ctx context.Context, r *dbRun, pod, key, value string) error
	// read returns what the pod itself holds for key (a local read, not
	// one forwarded to a leader), in output where value is a line of its own.
	read func(ctx context.Context, r *dbRun, pod, key string) (string, error)
	// anyWriter: every member takes writes (etcd, ZooKeeper); otherwise
	// only the primary, ordinal 0.
	anyWriter bool
	// unauthenticated tries a write without credentials from pod to the
	// member at host and returns what the server answered; nil when the
	// preset does not authenticate by default.
	unauthenticated func(ctx context.Context, r *dbRun, pod, host string) (string, error)
	// refused is what the answer to an unauthenticated write contains.
	refused string
}

var databases = map[string]database{
	"redis": {
		write: func(ctx context.Context, r *dbRun, pod, key, value string) error {
			out, err := r.exec(ctx, pod, "redis-cli", "-p", r.port(), "set", key, value)
			if err == nil && strings.TrimSpace(out) != "OK" {
				err = fmt.Errorf("SET answered %q", strings.TrimSpace(out))
			}
			return err
		},
		read: func(ctx context.Context, r *dbRun, pod, key string) (string, error) {
			return r.exec(ctx, pod, "redis-cli", "-p", r.port(), "get", key)
		},
		unauthenticated: func(ctx context.Context, r *dbRun, pod, host string) (string, error) {
			return r.exec(ctx, pod, "env", "-u", "REDISCLI_AUTH", "redis-cli", "-h", host, "-p", r.port(), "set", "intruder", "1")
		},
		refused: "NOAUTH",
	},
	"postgresql": {
		write: func(ctx context.Context, r *dbRun, pod, key, value string) error {
			_, err := r.exec(ctx, pod, "psql", "--username=postgres", "--port="+r.port(), "-v", "ON_ERROR_STOP=1", "-Atc",
				fmt.Sprintf("CREATE TABLE IF NOT EXISTS e2e (k text PRIMARY KEY, v text); INSERT INTO e2e VALUES ('%s', '%s')", key, value))
			return err
		},
		read: func(ctx context.Context, r *dbRun, pod, key string) (string, error) {
			return r.exec(ctx, pod, "psql", "--username=postgres", "--port="+r.port(), "-Atc",
				fmt.Sprintf("SELECT v FROM e2e WHERE k = '%s'", key))
		},
		unauthenticated: func(ctx context.Context, r *dbRun, pod, host string) (string, error) {
			return r.exec(ctx, pod, "psql", "--no-password", "--host="+host, "--username=postgres", "--port="+r.port(), "-Atc",
				"CREATE TABLE intruder (k text)")
		},
		refused: "no password supplied",
	},
	"etcd": {
		anyWriter: true,
		write: func(ctx context.Context, r *dbRun, pod, key, value string) error {
			out, err := r.exec(ctx, pod, "etcdctl", "--endpoints=http://127.0.0.1:"+r.port(), "put", key, value)
			if err == nil && strings.TrimSpace(out) != "OK" {
				err = fmt.Errorf("put answered %q", strings.TrimSpace(out))
			}
			return err
		},
		read: func(ctx context.Context, r *dbRun, pod, key string) (string, error) {
			// Serializable: the member's own copy, not the leader's.
			return r.exec(ctx, pod, "etcdctl", "--endpoints=http://127.0.0.1:"+r.port(), "get", key, "--print-value-only", "--consistency=s")
		},
		// etcdctl in a member's pod is root (ETCDCTL_USER and
		// ETCDCTL_PASSWORD); a pod that is no member has no credentials.
		unauthenticated: etcdUnauthenticated,
		refused:         "user name is empty",
	},
	"zookeeper": {
		anyWriter: true,
		write: func(ctx context.Context, r *dbRun, pod, key, value string) error {
			out, err := r.exec(ctx, pod, "zkCli.sh", "-server", "127.0.0.1:"+r.port(), "create", "/"+key, value)
			if err == nil && !strings.Contains(out, "Created /"+key) {
				err = fmt.Errorf("create answered %q", lastLines(out, 3))
			}
			return err
		},
		read: func(ctx context.Context, r *dbRun, pod, key string) (string, error) {
			// A follower answers reads from its own copy.
			return r.exec(ctx, pod, "zkCli.sh", "-server", "127.0.0.1:"+r.port(), "get", "/"+key)
		},
		unauthenticated: func(ctx context.Context, r *dbRun, pod, host string) (string, error) {
			return r.exec(ctx, pod, "env", "-u", "CLIENT_JVMFLAGS", "zkCli.sh", "-server", host+":"+r.port(), "create", "/intruder", "1")
		},
		refused: "failed to authenticate",
	},
	"mariadb": {
		// As root, with the option file the preset's start script
		// writes (/run/headless/client.cnf, the Secret's password).
		anyWriter: true,
		write: func(ctx context.Context, r *dbRun, pod, key, value string) error {
			_, err := r.exec(ctx, pod, "mariadb", "--defaults-extra-file=/run/headless/client.cnf", "--host=127.0.0.1", "--port="+r.port(), "-e",
				fmt.Sprintf("CREATE DATABASE IF NOT EXISTS e2e; CREATE TABLE IF NOT EXISTS e2e.kv (k varchar(64) PRIMARY KEY, v text); INSERT INTO e2e.kv VALUES ('%s', '%s')", key, value))
			return err
		},
		read: func(ctx context.Context, r *dbRun, pod, key string) (string, error) {
			// Galera reads from the member's own copy (wsrep_sync_wait 0).
			return r.exec(ctx, pod, "mariadb", "--defaults-extra-file=/run/headless/client.cnf", "--host=127.0.0.1", "--port="+r.port(),
				"--batch", "--skip-column-names", "-e", fmt.Sprintf("SELECT v FROM e2e.kv WHERE k = '%s'", key))
		},
		unauthenticated: func(ctx context.Context, r *dbRun, pod, host string) (string, error) {
			return r.exec(ctx, pod, "mariadb", "--no-defaults", "--host="+host, "--port="+r.port(), "--user=root", "-e", "CREATE DATABASE intruder")
		},
		refused: "Access denied",
	},
	"nats": {
		anyWriter: true,
		// A message published into stream E2E, replicated to every
		// server; each server's read is its own replica's last sequence
		// number (its /jsz), which must have reached the message's. The
		// value is printed when it has.
		write: func(ctx context.Context, r *dbRun, pod, key, value string) error {
			seq, err := natsPub(ctx, r, pod, key, value)
			if err == nil {
				natsSeqs.Store(r.ns+"/"+key, natsWrite{seq, value})
			}
			return err
		},
		read: func(ctx context.Context, r *dbRun, pod, key string) (string, error) {
			w, _ := natsSeqs.Load(r.ns + "/" + key)
			want, _ := w.(natsWrite)
			last, meta, err := natsReplica(ctx, r, pod)
			if err != nil {
				return "", err
			}
			out := fmt.Sprintf("stream E2E here at sequence %d, want %d; %s", last, want.seq, meta)
			if want.seq > 0 && last >= want.seq {
				out += "\n" + want.value
			}
			return out, nil
		},
		unauthenticated: func(ctx context.Context, r *dbRun, pod, host string) (string, error) {
			return r.exec(ctx, pod, "sh", "-c", `{ printf 'CONNECT {"verbose":true}\r\nPUB intruder 1\r\nx\r\nPING\r\n'; sleep 1; } | nc -q 1 "$0" "$1"`, host, r.port())
		},
		refused: "Authorization Violation",
	},
}

// notYet are presets whose stand-in is installed but that this test does
// not run yet, and why.
var notYet = map[string]string{}

// skipped are the presets whose server cannot run here, and why.
var skipped = map[string]string{}

func init() {
	for _, name := range presets.Names() {
		p, err := presets.Get(name)
		if err != nil {
			panic(err)
		}
		switch si := StandIns("")[imageRepository(p.Image)]; {
		case si == nil:
			skipped[name] = fmt.Sprintf("no stand-in for %s yet (see images.go)", p.Image)
		case si.Skip != "":
			skipped[name] = fmt.Sprintf("no stand-in for %s: %s", p.Image, si.Skip)
		case databases[name].write == nil:
			skipped[name] = fmt.Sprintf("a stand-in for %s, but no replication check for %s yet", p.Image, name)
		default:
			if why, ok := notYet[name]; ok {
				skipped[name] = why
			}
		}
	}
}

// dbRun is one generated workload running in a namespace of its own.
type dbRun struct {
	t   *testing.T
	ns  string
	man *generator.Manifest
	db  database
	// secrets are the values of the preset's Secret.
	secrets []string
}

// secretOnCommandLine returns the command line of a process of pod on
// which a value of the Secret stands, or "".
func (r *dbRun) secretOnCommandLine(ctx context.Context, pod string) (string, error) {
	out, err := r.exec(ctx, pod, "sh", "-c", `for f in /proc/[0-9]*/cmdline; do tr '\0' ' ' < "$f"; echo; done`)
	if err != nil || !strings.Contains(out, "/proc/") {
		return "", fmt.Errorf("listing the command lines: %v: %s", err, lastLines(out, 3))
	}
	for _, line := range strings.Split(out, "\n") {
		for _, v := range r.secrets {
			if strings.Contains(line, v) {
				return line, nil
			}
		}
	}
	return "", nil
}

func (r *dbRun) port() string { return strconv.Itoa(int(r.man.Model.Port)) }

func (r *dbRun) exec(ctx context.Context, pod string, argv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return kubelet.Exec(ctx, r.ns, pod, "", argv...)
}

func (r *dbRun) pods() []string {
	var names []string
	for _, p := range r.man.Model.Pods {
		names = append(names, p.Name)
	}
	return names
}

// startRun generates preset in mode into ns (edit may change the objects
// first), creates the preset's Secret with random values, and creates
// every object; the kubelet runs the pods.
func startRun(ctx context.Context, t *testing.T, preset string, mode generator.Mode, ns string, edit func(*generator.Manifest)) *dbRun {
	t.Helper()
	return startRunSpec(ctx, t, generator.Spec{Preset: preset, Mode: mode, Namespace: ns}, edit)
}

// startRunSpec is startRun for any spec; its namespace names the run, and
// it has 3 replicas unless it says otherwise.
func startRunSpec(ctx context.Context, t *testing.T, spec generator.Spec, edit func(*generator.Manifest)) *dbRun {
	t.Helper()
	if spec.Replicas == nil {
		replicas := 3
		spec.Replicas = &replicas
	}
	preset, ns := spec.Preset, spec.Namespace
	man, err := generator.Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(man)
	}
	if err := cluster.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	kubelet.Manage(ns)
	t.Cleanup(func() { kubelet.Release(ns) })
	var values []string
	if s := man.Model.Preset.Secret; s != nil {
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: man.Model.SecretName(), Namespace: ns}, Data: map[string][]byte{}}
		for _, k := range s.KeyNames() {
			v := randomString()
			secret.Data[k] = []byte(v)
			values = append(values, v)
		}
		if _, err := cluster.Client.CoreV1().Secrets(ns).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	applyManifest(ctx, t, man)
	return &dbRun{t: t, ns: ns, man: man, db: databases[preset], secrets: values}
}

func randomString() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// running waits until every pod's container runs and returns each pod.
func (r *dbRun) running(ctx context.Context, timeout time.Duration) (map[string]*corev1.Pod, error) {
	got := map[string]*corev1.Pod{}
	err := poll(ctx, timeout, func() (bool, error) {
		for _, name := range r.pods() {
			p, err := cluster.Client.CoreV1().Pods(r.ns).Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			if p.DeletionTimestamp != nil || p.Status.PodIP == "" || len(p.Status.ContainerStatuses) == 0 || p.Status.ContainerStatuses[0].State.Running == nil {
				return false, nil
			}
			got[name] = p
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("pods not running: %w (%s)", err, r.describePods(ctx))
	}
	return got, nil
}

// ready waits until every pod is Ready, as its readiness probe says.
func (r *dbRun) ready(ctx context.Context, timeout time.Duration) error {
	err := poll(ctx, timeout, func() (bool, error) {
		for _, name := range r.pods() {
			p, err := cluster.Client.CoreV1().Pods(r.ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			if !podReady(p) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("pods not ready: %w (%s)", err, r.describePods(ctx))
	}
	return nil
}

func (r *dbRun) describePods(ctx context.Context) string {
	pods, err := cluster.Client.CoreV1().Pods(r.ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err.Error()
	}
	var parts []string
	for _, p := range pods.Items {
		s := fmt.Sprintf("%s ip=%s phase=%s", p.Name, p.Status.PodIP, p.Status.Phase)
		for _, c := range p.Status.ContainerStatuses {
			s += fmt.Sprintf(" %s: ready=%v restarts=%d", c.Name, c.Ready, c.RestartCount)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// refused tries the database's unauthenticated write from pod to the
// primary until the server refuses it, for a minute: a name that does not
// resolve for a moment, or a member still starting, is no answer. It
// returns the refusal, or an error with the last answer.
func (r *dbRun) refused(ctx context.Context, pod string) (string, error) {
	host := r.man.Model.Primary().FQDN
	var out string
	var err error
	if perr := poll(ctx, time.Minute, func() (bool, error) {
		out, err = r.db.unauthenticated(ctx, r, pod, host)
		return strings.Contains(out, r.db.refused), nil
	}); perr != nil {
		return "", fmt.Errorf("an unauthenticated write from %s to %s answered %q (%v); want it refused with %q", pod, host, lastLines(out, 3), err, r.db.refused)
	}
	return out, nil
}

// replicated writes key=value through writer, retrying until the write is
// taken, then waits until every pod holds it. It returns an error naming
// the pods that did not get it in time.
func (r *dbRun) replicated(ctx context.Context, writer, key, value string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var werr error
	attempt := 0
	err := poll(ctx, time.Until(deadline), func() (bool, error) {
		// Some clients start a VM (rabbitmqctl, an Erlang one): while the
		// server is still starting, try less and less often, up to every
		// 2 s, not to take its CPU.
		if attempt > 0 {
			time.Sleep(min(time.Duration(attempt)*200*time.Millisecond, 2*time.Second))
		}
		attempt++
		werr = r.db.write(ctx, r, writer, key, value)
		return werr == nil, nil
	})
	if err != nil {
		return fmt.Errorf("writing %s on %s: %v: %v", key, writer, err, werr)
	}
	if err := holds(ctx, r, r.pods(), key, value, time.Until(deadline)); err != nil {
		return fmt.Errorf("written on %s: %w", writer, err)
	}
	return nil
}

// holds waits until every pod holds key=value, read in one pass over all
// of them. A pod that has shown the value is not read again until every
// pod has (for some clients each read starts a VM); then all are read once
// more, so that one that showed it and lost it (a resync) is caught.
func holds(ctx context.Context, r *dbRun, pods []string, key, value string, timeout time.Duration) error {
	missing := map[string]string{}
	shown := map[string]bool{}
	err := poll(ctx, timeout, func() (bool, error) {
		clear(missing)
		confirm := len(shown) == len(pods)
		readAll := true
		for _, pod := range pods {
			if shown[pod] && !confirm {
				readAll = false
				continue
			}
			out, err := r.db.read(ctx, r, pod, key)
			switch {
			case err != nil:
				missing[pod] = err.Error()
			case !hasLine(out, value):
				missing[pod] = fmt.Sprintf("read %q", lastLines(out, 3))
			default:
				shown[pod] = true
				continue
			}
			delete(shown, pod)
		}
		return readAll && len(missing) == 0, nil
	})
	if err != nil {
		var parts []string
		for pod, why := range missing {
			parts = append(parts, pod+": "+why)
		}
		slices.Sort(parts)
		return fmt.Errorf("%s=%s is not on every member: %v:\n  %s", key, value, err, strings.Join(parts, "\n  "))
	}
	return nil
}

// reapply creates the plain Pod pod of the run again, as it was generated.
func reapply(ctx context.Context, t *testing.T, r *dbRun, pod string) {
	t.Helper()
	a, err := cluster.NewApplier()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range r.man.Documents {
		if d.Kind == "Pod" && d.Name == pod {
			u, err := ToUnstructured(d.Object)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Apply(ctx, u, false); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func hasLine(out, line string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// TestReplication runs every preset whose server is installed here, in
// both modes, as real processes behind the real API server, controllers
// and CoreDNS: the members find each other only through their DNS names.
// It checks that the cluster forms (a write is read back on every
// member), that a killed member is restarted and catches up, and that the
// primary's pod, deleted and recreated with a new IP, is followed by name.
func TestReplication(t *testing.T) {
	t.Parallel()
	for _, name := range presets.Names() {
		for _, mode := range generator.Modes {
			t.Run(name+"-"+string(mode), func(t *testing.T) {
				if why, ok := skipped[name]; ok {
					t.Skip(why)
				}
				parallel(t)
				testReplication(t, name, mode)
			})
		}
	}
	// A preset that passes its password as an argument must fail the
	// command-line check. (Not to redis-server, which overwrites its own
	// command line with its address: to a shell that keeps it.)
	t.Run("password-argument-redis-pods", func(t *testing.T) {
		parallel(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		r := startRun(ctx, t, "redis", generator.ModePods, "run-password-argument", func(man *generator.Manifest) {
			for _, d := range man.Documents {
				if cm, ok := d.Object.(*corev1.ConfigMap); ok {
					cm.Data["start.sh"] = strings.Replace(cm.Data["start.sh"], "set -- /run/headless/auth.conf",
						`sh -c 'sleep 600' "$REDIS_PASSWORD" >/dev/null 2>&1 &`+"\n"+`set -- /run/headless/auth.conf`, 1)
				}
			}
		})
		if _, err := r.running(ctx, 2*time.Minute); err != nil {
			t.Fatal(err)
		}
		line, err := r.secretOnCommandLine(ctx, r.pods()[0])
		if err != nil || line == "" {
			t.Fatalf("the command-line check found no secret (%v) in a pod that passes its password as an argument", err)
		}
		t.Logf("the command-line check fails as it must: %q", line)
	})
	// A broken preset must fail the same check: a replica pointed at a
	// host name no pod has never gets the primary's writes.
	t.Run("broken-redis-statefulset", func(t *testing.T) {
		parallel(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		ns := "run-broken-redis"
		r := startRun(ctx, t, "redis", generator.ModeStatefulSet, ns, func(man *generator.Manifest) {
			for _, d := range man.Documents {
				if cm, ok := d.Object.(*corev1.ConfigMap); ok {
					good := man.Model.Primary().FQDN
					bad := strings.Replace(good, man.Model.Primary().Name, man.Model.Name+"-9", 1)
					cm.Data["start.sh"] = strings.ReplaceAll(cm.Data["start.sh"], good, bad)
					t.Logf("replicas follow %s instead of %s", bad, good)
				}
			}
		})
		if _, err := r.running(ctx, 2*time.Minute); err != nil {
			t.Fatal(err)
		}
		err := r.replicated(ctx, r.pods()[0], "k1", randomString(), 30*time.Second)
		if err == nil {
			t.Fatal("the replication check passed with replicas pointed at a host name no pod has")
		}
		t.Logf("the replication check fails as it must: %v", err)
	})
}

func testReplication(t *testing.T, preset string, mode generator.Mode) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ns := "run-" + preset + "-" + string(mode)
	begin := time.Now()
	step := func(name string, start time.Time) {
		t.Logf("%-28s %6.1fs (%.1fs since the objects were created)", name, time.Since(start).Seconds(), time.Since(begin).Seconds())
	}
	r := startRun(ctx, t, preset, mode, ns, nil)
	pods := r.pods()
	primary := pods[0]
	writer := func() string { return primary }

	start := time.Now()
	running, err := r.running(ctx, 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	step("pods running", start)
	if err := r.replicated(ctx, writer(), "k1", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("the cluster did not form: %v", err)
	}
	step("formed: write read everywhere", start)
	if err := r.ready(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	step("every pod Ready (probes)", start)

	// No process of any pod has a secret on its command line, where ps
	// would show it.
	for _, pod := range pods {
		if line, err := r.secretOnCommandLine(ctx, pod); err != nil || line != "" {
			t.Fatalf("%s: %v; a secret stands on the command line %q", pod, err, line)
		}
	}
	t.Logf("no secret on any command line of %d pods", len(pods))

	// Without credentials, a client is refused, even from inside the
	// cluster (NetworkPolicies are not enforced here: authentication is).
	if r.db.unauthenticated != nil {
		out, err := r.refused(ctx, pods[1])
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("an unauthenticated write is refused: %s", lastLines(out, 1))
	}

	// A member's process is killed: the kubelet restarts it and it
	// catches up.
	start = time.Now()
	member := pods[1]
	before := running[member].Status.ContainerStatuses[0].RestartCount
	if err := kubelet.Kill(ns, member, ""); err != nil {
		t.Fatal(err)
	}
	if err := poll(ctx, 2*time.Minute, func() (bool, error) {
		p, err := cluster.Client.CoreV1().Pods(ns).Get(ctx, member, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		cs := p.Status.ContainerStatuses[0]
		return cs.RestartCount > before && cs.State.Running != nil, nil
	}); err != nil {
		t.Fatalf("%s was not restarted: %v (%s)", member, err, r.describePods(ctx))
	}
	step("killed member restarted", start)
	if err := r.replicated(ctx, writer(), "k2", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("the restarted member did not rejoin: %v", err)
	}
	step("restarted member rejoined", start)

	// The primary's pod is deleted and created anew, with a new IP; the
	// others follow it by name.
	start = time.Now()
	old := running[primary]
	if err := cluster.Client.CoreV1().Pods(ns).Delete(ctx, primary, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if mode == generator.ModePods {
		// No controller recreates a plain Pod: apply it again once gone.
		if err := poll(ctx, 2*time.Minute, func() (bool, error) {
			_, err := cluster.Client.CoreV1().Pods(ns).Get(ctx, primary, metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		}); err != nil {
			t.Fatalf("%s was not deleted: %v", primary, err)
		}
		reapply(ctx, t, r, primary)
	}
	var now *corev1.Pod
	if err := poll(ctx, 3*time.Minute, func() (bool, error) {
		m, err := r.running(ctx, time.Second)
		if err != nil {
			return false, nil
		}
		now = m[primary]
		return now.UID != old.UID, nil
	}); err != nil {
		t.Fatalf("%s was not recreated: %v (%s)", primary, err, r.describePods(ctx))
	}
	if now.Status.PodIP == old.Status.PodIP {
		t.Fatalf("%s came back with the same IP %s", primary, now.Status.PodIP)
	}
	t.Logf("%s recreated: %s -> %s", primary, old.Status.PodIP, now.Status.PodIP)
	step("primary's pod recreated", start)
	// A member that reconnects while the old pod's name still resolves to
	// its IP waits for its client's timeout on that IP (redis: repl-timeout,
	// 60 s; libpq: TCP's SYN retries, about 130 s) before it looks again.
	if err := r.replicated(ctx, writer(), "k3", randomString(), 4*time.Minute); err != nil {
		t.Fatalf("the members did not follow the recreated %s: %v", primary, err)
	}
	step("members follow it by name", start)
}
