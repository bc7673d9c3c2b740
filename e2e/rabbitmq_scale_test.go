package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// rabbitmqClusterStatus is what the scale test reads of `rabbitmqctl
// cluster_status --formatter json` (3.10 and 4.x alike): the nodes the
// cluster has (disc nodes; RabbitMQ 4 has no other kind) and the ones that
// run.
type rabbitmqClusterStatus struct {
	DiskNodes    []string `json:"disk_nodes"`
	RunningNodes []string `json:"running_nodes"`
}

// scaleRabbitMQ follows the rabbitmq preset's scale text: 3 → 5, where each
// new node waits for node 0 and joins its cluster by itself; then 5 → 3,
// where the quorum-queue members of the nodes that go are moved off them
// (rabbitmq-queues shrink; the test declares no queue, so it moves none:
// the step is run as the text says), the output for 3 is applied, and node 0 forgets
// each node that went (rabbitmqctl forget_cluster_node). Each node's own
// view (cluster_status) must show the cluster's members, all running.
func scaleRabbitMQ(t *testing.T, s *scaleRun) {
	r := s.r
	nodeName := func(pod string) string {
		for _, p := range r.man.Model.Pods {
			if p.Name == pod {
				return "rabbit@" + p.FQDN
			}
		}
		t.Fatalf("no pod %s in the output", pod)
		return ""
	}
	// view is a node's own membership: how many nodes its cluster has,
	// how many run, and whether they are the run's pods.
	view := func(pod string) (string, error) {
		out, err := r.exec(s.ctx, pod, "rabbitmqctl", "--quiet", "cluster_status", "--formatter", "json")
		if err != nil {
			time.Sleep(time.Second) // each call starts an Erlang VM
			return "", err
		}
		var st rabbitmqClusterStatus
		if i := strings.IndexByte(out, '{'); i < 0 || json.Unmarshal([]byte(out[i:]), &st) != nil {
			return "", fmt.Errorf("cluster_status printed no JSON: %q", lastLines(out, 3))
		}
		var want []string
		for _, p := range r.pods() {
			want = append(want, nodeName(p))
		}
		slices.Sort(want)
		slices.Sort(st.DiskNodes)
		slices.Sort(st.RunningNodes)
		if !slices.Equal(st.DiskNodes, want) || !slices.Equal(st.RunningNodes, want) {
			return fmt.Sprintf("nodes %v, running %v", st.DiskNodes, st.RunningNodes), nil
		}
		return fmt.Sprintf("the run's %d nodes, all running", len(want)), nil
	}
	nodes := func(n int) string { return fmt.Sprintf("the run's %d nodes, all running", n) }
	s.members(nodes(3), 2*time.Minute, view)

	s.apply(5, 10*time.Minute)
	s.members(nodes(5), 3*time.Minute, view)
	pods := r.pods()
	if err := r.replicated(s.ctx, pods[4], "k2", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("5 nodes: %v", err)
	}
	s.step("5 nodes joined: a write on " + pods[4] + " read on all 5")

	// The nodes that go, named while the output still lists them.
	var leaving []string
	for _, pod := range pods[3:] {
		leaving = append(leaving, nodeName(pod))
	}
	// Each CLI call starts an Erlang VM, which under load may time out:
	// try each step for a while, as a user would.
	retry := func(what string, argv ...string) {
		t.Helper()
		var out string
		if err := poll(s.ctx, 2*time.Minute, func() (bool, error) {
			var err error
			out, err = r.exec(s.ctx, r.pods()[0], argv...)
			if err != nil {
				time.Sleep(2 * time.Second)
			}
			return err == nil, nil
		}); err != nil {
			t.Fatalf("%s: %v: %s", what, err, lastLines(out, 3))
		}
	}
	for _, node := range leaving {
		retry("rabbitmq-queues shrink "+node, "rabbitmq-queues", "shrink", node)
	}
	s.apply(3, 10*time.Minute)
	// Until they are forgotten, the nodes that went are members still:
	// the step is needed.
	var before string
	if err := poll(s.ctx, 2*time.Minute, func() (bool, error) {
		var err error
		before, err = view(r.pods()[0])
		return err == nil, nil
	}); err != nil || !strings.Contains(before, leaving[0]) {
		t.Fatalf("before forget_cluster_node, %s does not list %s as a node: %q %v", r.pods()[0], leaving[0], before, err)
	}
	t.Logf("before forget_cluster_node: %s", before)
	for _, node := range leaving {
		retry("rabbitmqctl forget_cluster_node "+node, "rabbitmqctl", "forget_cluster_node", node)
		t.Logf("forgot %s", node)
	}
	s.members(nodes(3), 3*time.Minute, view)
	if err := r.replicated(s.ctx, r.pods()[0], "k3", randomString(), 3*time.Minute); err != nil {
		t.Fatalf("back to 3 nodes: %v", err)
	}
	s.step("2 nodes forgotten: 3 nodes, a write read on all 3")
}
