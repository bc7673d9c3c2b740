package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
)

// NodeName is the one Node pods are bound to; no kubelet runs.
const NodeName = "e2e-node"

// Applier creates typed or unstructured objects through the API server.
type Applier struct {
	dyn    dynamic.Interface
	mapper meta.RESTMapper
}

// NewApplier returns an Applier for the cluster.
func (c *Cluster) NewApplier() (*Applier, error) {
	dyn, err := dynamic.NewForConfig(c.Config)
	if err != nil {
		return nil, err
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(c.Client.Discovery()))
	return &Applier{dyn: dyn, mapper: mapper}, nil
}

// ToUnstructured converts a typed object (with apiVersion and kind set).
func ToUnstructured(obj any) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// Apply applies u server-side; with dryRun the API server validates and
// admits it without storing it.
func (a *Applier) Apply(ctx context.Context, u *unstructured.Unstructured, dryRun bool) error {
	gvk := u.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("%s: %w", gvk, err)
	}
	opts := metav1.ApplyOptions{FieldManager: "headless-e2e", Force: true}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	var ri dynamic.ResourceInterface = a.dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ri = a.dyn.Resource(m.Resource).Namespace(u.GetNamespace())
	}
	_, err = ri.Apply(ctx, u.GetName(), u, opts)
	return err
}

// EnsureNamespace creates ns and waits for its default ServiceAccount, which
// the ServiceAccount admission plugin requires of every pod.
func (c *Cluster) EnsureNamespace(ctx context.Context, ns string) error {
	_, err := c.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return poll(ctx, 30*time.Second, func() (bool, error) {
		_, err := c.Client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
}

// EnsureNode creates the Node pods are bound to, reporting Ready.
func (c *Cluster) EnsureNode(ctx context.Context) error {
	nodes := c.Client.CoreV1().Nodes()
	node, err := nodes.Get(ctx, NodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		node, err = nodes.Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: NodeName}}, metav1.CreateOptions{})
	}
	if err != nil {
		return err
	}
	node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue,
		Reason: "KubeletReady", LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()}}
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}}
	_, err = nodes.UpdateStatus(ctx, node, metav1.UpdateOptions{})
	return err
}

var nextIP atomic.Int64

// allocateIP returns a unique pod IP in 10.244.0.0/16.
func allocateIP() string {
	n := nextIP.Add(1)
	return fmt.Sprintf("10.244.%d.%d", n/250, n%250+1)
}

// RunPods does what a kubelet would for the pods of namespace ns: it waits
// until want pods exist (a StatefulSet with OrderedReady creates the next
// only once the previous is ready), binds each to the Node and reports it
// Running and Ready with an IP. It returns pod name -> IP.
func (c *Cluster) RunPods(ctx context.Context, ns string, want int) (map[string]string, error) {
	ips := map[string]string{}
	err := poll(ctx, 60*time.Second, func() (bool, error) {
		pods, err := c.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for i := range pods.Items {
			p := &pods.Items[i]
			if _, done := ips[p.Name]; done {
				continue
			}
			if p.Spec.NodeName == "" {
				err := c.Client.CoreV1().Pods(ns).Bind(ctx, &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: p.Name},
					Target: corev1.ObjectReference{Kind: "Node", Name: NodeName}}, metav1.CreateOptions{})
				if err != nil {
					return false, fmt.Errorf("binding pod %s: %w", p.Name, err)
				}
				if p, err = c.Client.CoreV1().Pods(ns).Get(ctx, p.Name, metav1.GetOptions{}); err != nil {
					return false, err
				}
			}
			ip := allocateIP()
			now := metav1.Now()
			p.Status.Phase = corev1.PodRunning
			p.Status.HostIP, p.Status.HostIPs = "127.0.0.1", []corev1.HostIP{{IP: "127.0.0.1"}}
			p.Status.PodIP, p.Status.PodIPs = ip, []corev1.PodIP{{IP: ip}}
			p.Status.StartTime = &now
			p.Status.Conditions = nil
			for _, t := range []corev1.PodConditionType{corev1.PodScheduled, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady} {
				p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: now})
			}
			for _, ctr := range p.Spec.Containers {
				p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{Name: ctr.Name, Image: ctr.Image,
					Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}})
			}
			if _, err := c.Client.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
				if apierrors.IsConflict(err) {
					continue // the controller changed it; next round
				}
				return false, fmt.Errorf("pod %s status: %w", p.Name, err)
			}
			ips[p.Name] = ip
		}
		return len(ips) >= want, nil
	})
	return ips, err
}

// Resolver queries CoreDNS directly.
func (c *Cluster) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, c.DNS)
	}}
}

// LookupA returns the sorted IPv4 addresses of name, or an error;
// IsNXDOMAIN tells "no such name" apart.
func LookupA(ctx context.Context, r *net.Resolver, name string) ([]string, error) {
	ips, err := r.LookupHost(ctx, name+".")
	sort.Strings(ips)
	return ips, err
}

// LookupSRV returns the sorted "target:port" answers of an SRV name.
func LookupSRV(ctx context.Context, r *net.Resolver, name string) ([]string, error) {
	_, srvs, err := r.LookupSRV(ctx, "", "", name+".")
	var out []string
	for _, s := range srvs {
		out = append(out, fmt.Sprintf("%s:%d", strings.TrimSuffix(s.Target, "."), s.Port))
	}
	sort.Strings(out)
	return out, err
}

// IsNXDOMAIN reports whether err says the name does not exist.
func IsNXDOMAIN(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// podReady reports whether the pod's Ready condition is True.
func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// poll calls f every 100 ms until it returns true, an error, or timeout.
func poll(ctx context.Context, timeout time.Duration, f func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := f()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// equalSets compares two sorted string lists.
func equalSets(a, b []string) bool { return slices.Equal(a, b) }
