package e2e

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/headless-k8s/headless/generator"
)

// TestScale follows the scale text of each preset whose membership must be
// changed by hand or by its own scripts (etcd, redis and postgresql have
// theirs in TestEtcdScale, TestRedis and TestPostgres) as a user would: 3
// members, regenerated for 5 and applied, then for 3. Members join (a write
// is read on all 5, the database's own membership view shows 5) and leave
// (the remaining 3 take writes read on all 3, and the view shows 3).
// ZooKeeper's text has its own steps for --mode pods, run too, and NATS's
// and MariaDB's say to delete the Pods the output no longer lists; RabbitMQ's
// (rabbitmq_scale_test.go) forgets the nodes that went.
func TestScale(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		preset string
		mode   generator.Mode
		run    func(t *testing.T, s *scaleRun)
	}{
		{"zookeeper", generator.ModeStatefulSet, scaleZooKeeper},
		{"zookeeper", generator.ModePods, scaleZooKeeper},
		{"nats", generator.ModeStatefulSet, scaleNATS},
		{"nats", generator.ModePods, scaleNATS},
		{"mariadb", generator.ModeStatefulSet, scaleMariaDB},
		{"mariadb", generator.ModePods, scaleMariaDB},
		{"rabbitmq", generator.ModeStatefulSet, scaleRabbitMQ},
	} {
		t.Run(tc.preset+"-"+string(tc.mode), func(t *testing.T) {
			if why, ok := skipped[tc.preset]; ok {
				t.Skip(why)
			}
			parallel(t)
			ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
			defer cancel()
			s := &scaleRun{ctx: ctx, t: t, step: stepper(t)}
			if tc.preset == "zookeeper" {
				s.edit = zkConf
			}
			s.r = startRun(ctx, t, tc.preset, tc.mode, "scale-"+tc.preset+"-"+string(tc.mode), s.edit)
			if _, err := s.r.running(ctx, 3*time.Minute); err != nil {
				t.Fatal(err)
			}
			s.first = randomString()
			if err := s.r.replicated(ctx, s.r.pods()[0], "k1", s.first, 5*time.Minute); err != nil {
				t.Fatalf("the cluster did not form: %v", err)
			}
			if err := s.r.ready(ctx, 3*time.Minute); err != nil {
				t.Fatal(err)
			}
			s.step("3 members formed")
			tc.run(t, s)
		})
	}
}

type scaleRun struct {
	ctx  context.Context
	t    *testing.T
	r    *dbRun
	step func(string)
	// first is the value of k1, written when the cluster formed.
	first string
	// edit changes the output before it is applied, every time.
	edit func(*generator.Manifest)
}

// zkConf lets the test ask each ZooKeeper member for its own server list:
// the four-letter word conf (its "membership:"), which the preset does not
// allow. /zookeeper/config, which zkCli.sh config reads, is no member's
// view: with dynamic reconfiguration off it is whatever copy of the tree a
// member last received whole, and a member restarted with the new list that
// caught up from a snapshot of a leader running the old one shows the old.
func zkConf(man *generator.Manifest) {
	for _, d := range man.Documents {
		if cm, ok := d.Object.(*corev1.ConfigMap); ok && strings.Contains(cm.Data["zoo.cfg"], "4lw.commands.whitelist=srvr,ruok") {
			cm.Data["zoo.cfg"] = strings.Replace(cm.Data["zoo.cfg"], "4lw.commands.whitelist=srvr,ruok", "4lw.commands.whitelist=srvr,ruok,conf", 1)
			return
		}
	}
	panic("zoo.cfg has no 4lw.commands.whitelist=srvr,ruok")
}

// regenerate is `headless generate` with the first run's flags but
// --replicas, applied (kubectl apply); the run follows the new output.
func (s *scaleRun) regenerate(replicas int) {
	s.t.Helper()
	man, err := generator.Generate(generator.Spec{Preset: s.r.man.Model.Preset.Name, Mode: s.r.man.Model.Mode,
		Namespace: s.r.ns, Replicas: &replicas})
	if err != nil {
		s.t.Fatal(err)
	}
	if s.edit != nil {
		s.edit(man)
	}
	applyManifest(s.ctx, s.t, man)
	s.r.man = man
	s.t.Logf("regenerated with --replicas %d and applied", replicas)
}

// apply regenerates for replicas and applies; in --mode pods it also
// deletes the Pods the new output no longer lists. It waits until the run's
// pods, and only they, are Ready.
func (s *scaleRun) apply(replicas int, timeout time.Duration) {
	s.t.Helper()
	if s.r.man.Model.Mode == generator.ModeStatefulSet {
		s.regenerate(replicas)
		s.rolledOut(timeout)
		return
	}
	before := s.r.pods()
	s.regenerate(replicas)
	for _, pod := range before {
		if !slices.Contains(s.r.pods(), pod) {
			s.r.deletePod(s.ctx, pod, "")
			s.t.Logf("deleted %s, which the new output does not list", pod)
		}
	}
	if err := s.r.ready(s.ctx, timeout); err != nil {
		s.t.Fatal(err)
	}
}

// rolloutRestart is `kubectl rollout restart statefulset/<name>`: an
// annotation of the pod template with the time.
func (s *scaleRun) rolloutRestart() {
	s.t.Helper()
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":%q}}}}}`,
		time.Now().Format(time.RFC3339Nano))
	if _, err := cluster.Client.AppsV1().StatefulSets(s.r.ns).Patch(s.ctx, s.r.man.Model.Name, types.StrategicMergePatchType,
		[]byte(patch), metav1.PatchOptions{}); err != nil {
		s.t.Fatal(err)
	}
	s.t.Logf("rollout restart statefulset/%s", s.r.man.Model.Name)
}

// rolledOut waits until the StatefulSet has exactly the run's pods, all of
// its current template and Ready, and the pods beyond them are gone.
func (s *scaleRun) rolledOut(timeout time.Duration) {
	s.t.Helper()
	replicas := int32(len(s.r.pods()))
	ns, ctx := s.r.ns, s.ctx
	err := poll(ctx, timeout, func() (bool, error) {
		ss, err := cluster.Client.AppsV1().StatefulSets(ns).Get(ctx, s.r.man.Model.Name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		st := ss.Status
		if st.ObservedGeneration != ss.Generation || st.Replicas != replicas || st.ReadyReplicas != replicas ||
			st.UpdatedReplicas != replicas || st.CurrentRevision != st.UpdateRevision {
			return false, nil
		}
		pods, err := cluster.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		n := 0
		for _, p := range pods.Items {
			if slices.Contains(s.r.pods(), p.Name) && p.DeletionTimestamp == nil {
				n++
			} else if strings.HasPrefix(p.Name, s.r.man.Model.Name+"-") {
				return false, nil
			}
		}
		return n == int(replicas), nil
	})
	if err != nil {
		s.t.Fatalf("the StatefulSet did not roll out %d replicas: %v (%s)", replicas, err, s.r.describePods(ctx))
	}
}

// members waits until view, the database's own membership view from each
// pod, says want on every pod of the run.
func (s *scaleRun) members(want string, timeout time.Duration, view func(pod string) (string, error)) {
	s.t.Helper()
	got := map[string]string{}
	err := poll(s.ctx, timeout, func() (bool, error) {
		clear(got)
		ok := true
		for _, pod := range s.r.pods() {
			v, err := view(pod)
			if err != nil {
				v = err.Error()
			}
			got[pod] = v
			ok = ok && v == want
		}
		return ok, nil
	})
	if err != nil {
		s.t.Fatalf("membership is not %q everywhere: %v: %v", want, err, got)
	}
	s.t.Logf("every member's view: %s", want)
}

// scaleZooKeeper: regenerate and apply, then rollout restart, so that each
// member reads the new server list; 3 to 5 and 5 to 3 are steps the scale
// text allows.
func scaleZooKeeper(t *testing.T, s *scaleRun) {
	r := s.r
	// ensemble waits until every member runs with n servers (conf), is the
	// leader or a follower (srvr), and one is the leader.
	ensemble := func(n int) {
		t.Helper()
		got := map[string]string{}
		err := poll(s.ctx, 3*time.Minute, func() (bool, error) {
			clear(got)
			leaders, followers := 0, 0
			for _, pod := range r.pods() {
				out, err := r.exec(s.ctx, pod, "bash", "-c", "{ echo srvr | nc -w 2 127.0.0.1 $0; echo conf | nc -w 2 127.0.0.1 $0; }", r.port())
				mode := regexp.MustCompile(`(?m)^Mode: (\S+)`).FindStringSubmatch(out)
				servers := regexp.MustCompile(`(?m)^server\.\d+=`).FindAllString(out, -1)
				if err != nil || mode == nil || !strings.Contains(out, "membership:") {
					got[pod] = fmt.Sprintf("srvr, conf: %v: %s", err, lastLines(out, 2))
					continue
				}
				got[pod] = fmt.Sprintf("%s of %d servers", mode[1], len(servers))
				if len(servers) != n {
					continue
				}
				switch mode[1] {
				case "leader":
					leaders++
				case "follower":
					followers++
				}
			}
			return leaders == 1 && followers == n-1, nil
		})
		if err != nil {
			t.Fatalf("not an ensemble of %d: %v: %v", n, err, got)
		}
		t.Logf("an ensemble of %d: %v", n, got)
	}
	ensemble(3)

	s.restartAll(5)
	s.step("5 members: applied, restarted one at a time")
	ensemble(5)
	if err := r.replicated(s.ctx, r.pods()[4], "k2", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("after growing to 5: %v", err)
	}
	if err := holdsFirst(s); err != nil {
		t.Fatal(err)
	}
	s.step("5 members: a write on zookeeper-4 read on all 5")

	s.restartAll(3)
	s.step("3 members: applied, restarted one at a time")
	ensemble(3)
	if err := r.replicated(s.ctx, r.pods()[0], "k3", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("after shrinking to 3: %v", err)
	}
	s.step("3 members: a write read on all 3")
	if err := holdsFirst(s); err != nil {
		t.Fatalf("after shrinking to 3: %v", err)
	}
}

// restartAll changes the number of members as the zookeeper preset's
// scale text says: regenerate with the new --replicas and apply, then
// restart every member one at a time (kubectl rollout restart); in --mode
// pods, delete the Pods the new output no longer lists, and restart the
// others one at a time: delete one, apply again, wait until it is ready.
func (s *scaleRun) restartAll(replicas int) {
	s.t.Helper()
	if s.r.man.Model.Mode == generator.ModeStatefulSet {
		s.regenerate(replicas)
		s.rolloutRestart()
		s.rolledOut(15 * time.Minute)
		return
	}
	before := s.r.pods()
	s.regenerate(replicas)
	var others []string
	for _, pod := range before {
		if slices.Contains(s.r.pods(), pod) {
			others = append(others, pod)
		} else {
			s.r.deletePod(s.ctx, pod, "")
			s.t.Logf("deleted %s, which the new output does not list", pod)
		}
	}
	slices.Reverse(others)
	for _, pod := range others {
		s.r.deletePod(s.ctx, pod, "")
		reapply(s.ctx, s.t, s.r, pod)
		if err := readyPods(s.ctx, s.r.ns, []string{pod}, 10*time.Minute); err != nil {
			s.t.Fatalf("%s, deleted and applied again, is not Ready: %v (%s)", pod, err, s.r.describePods(s.ctx))
		}
		s.t.Logf("restarted %s: deleted, applied again, Ready", pod)
	}
	if err := s.r.ready(s.ctx, 5*time.Minute); err != nil {
		s.t.Fatal(err)
	}
}

// holdsFirst checks that k1, written when the cluster formed, is on every
// member, the new ones too.
func holdsFirst(s *scaleRun) error {
	return holds(s.ctx, s.r, s.r.pods(), "k1", s.first, time.Minute)
}

// natsRequest sends payload to subject through the server of pod as user
// (whose password is the pod's environment variable passVar) and returns
// the reply.
func natsRequest(s *scaleRun, pod, user, passVar, subject, payload string) (string, error) {
	proto := fmt.Sprintf("SUB _INBOX.scale 1\r\nPUB %s _INBOX.scale %d\r\n%s\r\nPING\r\n", subject, len(payload), payload)
	out, err := s.r.exec(s.ctx, pod, "sh", "-c",
		`{ printf 'CONNECT {"user":"%s","pass":"%s","verbose":false}\r\n' "$3" "$(printenv "$4")"; printf '%s' "$1"; sleep 2; } | nc -q 1 127.0.0.1 "$2"`,
		"sh", proto, s.r.port(), user, passVar)
	if err != nil {
		return "", fmt.Errorf("%v: %s", err, lastLines(out, 3))
	}
	i := strings.Index(out, "MSG _INBOX.scale")
	if i < 0 {
		return "", fmt.Errorf("no reply to %s: %s", subject, lastLines(out, 3))
	}
	return out[i:], nil
}

// scaleNATS: apply for 5, and JetStream's meta group grows by itself; the
// stream is spread to the new servers by the user (nats stream edit
// --replicas 5). Then one server at a time: apply for one fewer and remove
// it from the meta group as the system user (nats server raft peer-remove,
// which is the request $JS.API.SERVER.REMOVE).
func scaleNATS(t *testing.T, s *scaleRun) {
	r := s.r
	view := func(pod string) (string, error) {
		jsz, err := natsJSZOf(s.ctx, r, pod, "")
		if err != nil {
			return "", err
		}
		if jsz.Meta.Leader == "" {
			return fmt.Sprintf("meta group of %d, no leader", jsz.Meta.Size), nil
		}
		// Only the leader lists the other peers, and which are offline.
		if jsz.Meta.Leader == pod {
			var peers []string
			for _, p := range jsz.Meta.Replicas {
				if p.Offline {
					p.Name += " (offline)"
				}
				peers = append(peers, p.Name)
			}
			if len(peers) != jsz.Meta.Size-1 || strings.Contains(strings.Join(peers, ","), "offline") {
				return fmt.Sprintf("meta group of %d, leader %s, peers %v", jsz.Meta.Size, pod, peers), nil
			}
		}
		return fmt.Sprintf("meta group of %d, a leader", jsz.Meta.Size), nil
	}
	meta := func(n int) string { return fmt.Sprintf("meta group of %d, a leader", n) }
	s.members(meta(3), 2*time.Minute, view)

	s.apply(5, 10*time.Minute)
	s.members(meta(5), 3*time.Minute, view)
	s.step("5 servers in the meta group")
	// nats stream edit E2E --replicas 5.
	cfg := `{"name":"E2E","subjects":["e2e.>"],"num_replicas":5,"storage":"file"}`
	if err := poll(s.ctx, 3*time.Minute, func() (bool, error) {
		out, err := natsRequest(s, r.pods()[0], "client", "NATS_PASSWORD", "$JS.API.STREAM.UPDATE.E2E", cfg)
		if err != nil || strings.Contains(out, `"error"`) {
			t.Logf("stream update: %v %s", err, lastLines(out, 2))
			return false, nil
		}
		return true, nil
	}); err != nil {
		t.Fatalf("stream E2E was not given 5 replicas: %v", err)
	}
	if err := r.replicated(s.ctx, r.pods()[4], "k2", randomString(), 4*time.Minute); err != nil {
		t.Fatalf("after growing to 5: %v", err)
	}
	s.step("5 servers: a message published on nats-4 is in all 5 replicas")

	for n := 4; n >= 3; n-- {
		gone := fmt.Sprintf("%s-%d", r.man.Model.Name, n)
		s.apply(n, 5*time.Minute)
		// nats server raft peer-remove <gone>, as the system user.
		req := fmt.Sprintf(`{"peer":%q}`, gone)
		if err := poll(s.ctx, 3*time.Minute, func() (bool, error) {
			out, err := natsRequest(s, r.pods()[0], "system", "NATS_SYSTEM_PASSWORD", "$JS.API.SERVER.REMOVE", req)
			if err != nil || !strings.Contains(out, `"success":true`) {
				t.Logf("peer-remove %s: %v %s", gone, err, lastLines(out, 2))
				return false, nil
			}
			return true, nil
		}); err != nil {
			t.Fatalf("%s was not removed from the meta group: %v", gone, err)
		}
		s.members(meta(n), 3*time.Minute, view)
		s.step(fmt.Sprintf("%s gone and removed: %d servers in the meta group", gone, n))
	}
	if err := r.replicated(s.ctx, r.pods()[0], "k3", randomString(), 4*time.Minute); err != nil {
		t.Fatalf("after shrinking to 3: %v", err)
	}
	s.step("3 servers: a message published on nats-0 is in all 3 replicas")
	if err := holdsFirst(s); err != nil {
		t.Fatalf("after shrinking to 3: %v", err)
	}
}

// scaleMariaDB: apply for 5, and the new members join by themselves; then
// apply for one fewer at a time, waiting until wsrep_cluster_size shows it.
func scaleMariaDB(t *testing.T, s *scaleRun) {
	r := s.r
	view := func(pod string) (string, error) {
		out, err := r.exec(s.ctx, pod, "mariadb", "--defaults-extra-file=/run/headless/client.cnf", "--host=127.0.0.1", "--port="+r.port(),
			"--batch", "--skip-column-names", "-e", "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_size', 'wsrep_cluster_status')")
		if err != nil {
			return "", fmt.Errorf("%v: %s", err, lastLines(out, 2))
		}
		return strings.Join(strings.Fields(out), " "), nil
	}
	size := func(n int) string { return "wsrep_cluster_size " + strconv.Itoa(n) + " wsrep_cluster_status Primary" }
	s.members(size(3), 2*time.Minute, view)

	s.apply(5, 15*time.Minute)
	s.members(size(5), 3*time.Minute, view)
	s.step("5 members joined")
	if err := r.replicated(s.ctx, r.pods()[4], "k2", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("after growing to 5: %v", err)
	}
	if err := holdsFirst(s); err != nil {
		t.Fatal(err)
	}
	s.step("5 members: a write on mariadb-4 read on all 5")

	for n := 4; n >= 3; n-- {
		s.apply(n, 5*time.Minute)
		s.members(size(n), 3*time.Minute, view)
		s.step(fmt.Sprintf("%d members", n))
	}
	if err := r.replicated(s.ctx, r.pods()[0], "k3", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("after shrinking to 3: %v", err)
	}
	s.step("3 members: a write read on all 3")
	if err := holdsFirst(s); err != nil {
		t.Fatalf("after shrinking to 3: %v", err)
	}
}

// TestPrimaryLast creates every Pod of a preset in --mode pods at once in
// reverse order, ordinal 0 (the primary, or the member that bootstraps)
// last, once the others have started: the cluster must still form.
// (PostgreSQL has its own, in TestPostgres.)
func TestPrimaryLast(t *testing.T) {
	t.Parallel()
	for _, preset := range []string{"redis", "zookeeper", "etcd", "nats", "mariadb", "rabbitmq"} {
		t.Run(preset, func(t *testing.T) {
			if why, ok := skipped[preset]; ok {
				t.Skip(why)
			}
			parallel(t)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
			defer cancel()
			step := stepper(t)
			var held []generator.Document
			r := startRun(ctx, t, preset, generator.ModePods, "last-"+preset, func(man *generator.Manifest) {
				docs := man.Documents[:0]
				for _, d := range man.Documents {
					if d.Kind == "Pod" {
						held = append(held, d)
					} else {
						docs = append(docs, d)
					}
				}
				man.Documents = docs
			})
			pods := r.pods()
			if len(held) != len(pods) {
				t.Fatalf("%d Pods in the output, want %d", len(held), len(pods))
			}
			slices.Reverse(held)
			byName := map[string]generator.Document{}
			for _, d := range held {
				byName[d.Name] = d
			}
			for _, d := range held[:len(held)-1] {
				applyDocs(ctx, t, &generator.Manifest{Documents: []generator.Document{d}}, "Pod", d.Name)
			}
			// The others have started (their first container, init or
			// main, runs) before ordinal 0 is created.
			if err := poll(ctx, 3*time.Minute, func() (bool, error) {
				for _, pod := range pods[1:] {
					p, err := cluster.Client.CoreV1().Pods(r.ns).Get(ctx, pod, metav1.GetOptions{})
					if err != nil {
						return false, nil
					}
					started := false
					for _, cs := range append(p.Status.InitContainerStatuses, p.Status.ContainerStatuses...) {
						started = started || cs.State.Running != nil || cs.State.Terminated != nil || cs.RestartCount > 0
					}
					if !started {
						return false, nil
					}
				}
				return true, nil
			}); err != nil {
				t.Fatalf("the other pods did not start: %v (%s)", err, r.describePods(ctx))
			}
			if _, err := cluster.Client.CoreV1().Pods(r.ns).Get(ctx, pods[0], metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Fatalf("%s exists before it is created: %v", pods[0], err)
			}
			step(fmt.Sprintf("%s started, %s not created", strings.Join(pods[1:], ", "), pods[0]))
			applyDocs(ctx, t, &generator.Manifest{Documents: []generator.Document{byName[pods[0]]}}, "Pod", pods[0])
			if err := r.replicated(ctx, pods[0], "k1", randomString(), 6*time.Minute); err != nil {
				t.Fatalf("the cluster did not form with %s created last: %v (%s)", pods[0], err, r.describePods(ctx))
			}
			step(fmt.Sprintf("%s created last: a write on it read on all", pods[0]))
			if err := r.ready(ctx, 3*time.Minute); err != nil {
				t.Fatal(err)
			}
			step("every pod Ready")
		})
	}
}
