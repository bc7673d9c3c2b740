package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// Bridge is the pods' network: every pod gets an address in it through a
// veth pair, and CoreDNS listens on the bridge's own address.
const (
	BridgeName = "hl0"
	BridgeIP   = "10.244.0.1"
	bridgeCIDR = BridgeIP + "/16"
)

// SetUpBridge creates the bridge the pods' veth pairs join and mounts a
// tmpfs on /run for `ip netns`. It must run in a network and mount
// namespace of the test's own: the Makefile runs the test binary under
// unshare.
func SetUpBridge() error {
	ifaces, err := net.Interfaces()
	if err != nil {
		return err
	}
	for _, i := range ifaces {
		if i.Name != "lo" {
			return fmt.Errorf("network interface %s exists: the tests create a bridge and network namespaces and must run in a network namespace of their own (run `make e2e`)", i.Name)
		}
	}
	if err := syscall.Mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"); err != nil {
		return fmt.Errorf("mounting a tmpfs on /run: %w", err)
	}
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", BridgeName, "type", "bridge"},
		{"addr", "add", bridgeCIDR, "dev", BridgeName},
		{"link", "set", BridgeName, "up"},
	} {
		if err := ip(args...); err != nil {
			return err
		}
	}
	return nil
}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// Kubelet stands in for the kubelet of the Node NodeName: it binds the
// pods of the namespaces it manages to the Node (no scheduler runs) and
// runs each as real processes, in network, mount, UTS and PID namespaces of
// their own, with the image's stand-in (images.go) in place of the image.
// It reports what happens in the pods' status, so that EndpointSlices and
// CoreDNS follow real readiness.
type Kubelet struct {
	c       *Cluster
	dir     string
	podinit string
	images  map[string]*StandIn
	logf    func(string, ...any)

	mu         sync.Mutex
	namespaces map[string]bool
	pods       map[types.UID]*podRunner
	store      cache.Store
	stop       chan struct{}
	usage      map[string]*nsUsage
	started    time.Time
}

// nsUsage is what the pods of a namespace took: when the kubelet ran them
// (from Manage to Release) and the CPU time of their processes.
type nsUsage struct {
	from, to time.Time
	cpu      time.Duration
}

// StartKubelet starts watching pods and claims; dir holds the pods' files
// and logs, podinit is the helper program that starts a container.
func (c *Cluster) StartKubelet(dir, podinit string, images map[string]*StandIn, logf func(string, ...any)) (*Kubelet, error) {
	k := &Kubelet{c: c, dir: dir, podinit: podinit, images: images, logf: logf,
		namespaces: map[string]bool{}, pods: map[types.UID]*podRunner{}, stop: make(chan struct{}),
		usage: map[string]*nsUsage{}, started: time.Now()}
	for _, d := range []string{"pods", "volumes", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	f := informers.NewSharedInformerFactory(c.Client, 0)
	podInf := f.Core().V1().Pods().Informer()
	podInf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o any) { k.sync(o.(*corev1.Pod)) },
		UpdateFunc: func(_, o any) { k.sync(o.(*corev1.Pod)) },
		DeleteFunc: func(o any) {
			if t, ok := o.(cache.DeletedFinalStateUnknown); ok {
				o = t.Obj
			}
			if p, ok := o.(*corev1.Pod); ok {
				k.gone(p)
			}
		},
	})
	k.store = podInf.GetStore()
	claimInf := f.Core().V1().PersistentVolumeClaims().Informer()
	claimInf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		DeleteFunc: func(o any) {
			if t, ok := o.(cache.DeletedFinalStateUnknown); ok {
				o = t.Obj
			}
			if c, ok := o.(*corev1.PersistentVolumeClaim); ok {
				// The claim's volume goes with it, as with a Delete reclaim policy.
				os.RemoveAll(k.claimDir(c.Namespace, c.Name))
			}
		},
	})
	f.Start(k.stop)
	for _, ok := range f.WaitForCacheSync(k.stop) {
		if !ok {
			return nil, errors.New("kubelet: informer caches did not sync")
		}
	}
	return k, nil
}

// Manage makes the kubelet run the pods of namespace ns.
func (k *Kubelet) Manage(ns string) {
	k.mu.Lock()
	k.namespaces[ns] = true
	if k.usage[ns] == nil {
		k.usage[ns] = &nsUsage{from: time.Now()}
	}
	k.mu.Unlock()
	for _, o := range k.store.List() {
		if p := o.(*corev1.Pod); p.Namespace == ns {
			k.sync(p)
		}
	}
}

// Release stops every pod of ns at once and forgets the namespace; the
// pods' objects stay as they were.
func (k *Kubelet) Release(ns string) {
	k.mu.Lock()
	delete(k.namespaces, ns)
	if u := k.usage[ns]; u != nil {
		u.to = time.Now()
	}
	var rs []*podRunner
	for uid, r := range k.pods {
		if r.ns == ns {
			rs = append(rs, r)
			delete(k.pods, uid)
		}
	}
	k.mu.Unlock()
	var wg sync.WaitGroup
	for _, r := range rs {
		wg.Add(1)
		go func() { defer wg.Done(); r.terminate(0) }()
	}
	wg.Wait()
}

// Stop ends every pod and the watches.
func (k *Kubelet) Stop() {
	k.mu.Lock()
	var rs []*podRunner
	for _, r := range k.pods {
		rs = append(rs, r)
	}
	k.pods = map[types.UID]*podRunner{}
	k.namespaces = map[string]bool{}
	k.mu.Unlock()
	var wg sync.WaitGroup
	for _, r := range rs {
		wg.Add(1)
		go func() { defer wg.Done(); r.terminate(0) }()
	}
	wg.Wait()
	close(k.stop)
}

// addCPU counts the CPU time a finished process of namespace ns used.
func (k *Kubelet) addCPU(ns string, ps *os.ProcessState) {
	if ps == nil {
		return
	}
	k.mu.Lock()
	if u := k.usage[ns]; u != nil {
		u.cpu += ps.UserTime() + ps.SystemTime()
	}
	k.mu.Unlock()
}

// Timeline describes, a line for each namespace in the order they began,
// when the kubelet began and ended running its pods (seconds since it
// started) and the CPU time its containers and exec probes used: where a
// run's time goes.
func (k *Kubelet) Timeline() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	nss := make([]string, 0, len(k.usage))
	for ns := range k.usage {
		nss = append(nss, ns)
	}
	sort.Slice(nss, func(i, j int) bool { return k.usage[nss[i]].from.Before(k.usage[nss[j]].from) })
	var b strings.Builder
	var total time.Duration
	for _, ns := range nss {
		u := k.usage[ns]
		end := "-"
		if !u.to.IsZero() {
			end = fmt.Sprintf("%.0fs", u.to.Sub(k.started).Seconds())
		}
		fmt.Fprintf(&b, "  %-34s %5.0fs to %5s, CPU %4.0fs\n", ns, u.from.Sub(k.started).Seconds(), end, u.cpu.Seconds())
		total += u.cpu
	}
	fmt.Fprintf(&b, "  CPU of every pod together: %.0fs", total.Seconds())
	return b.String()
}

func (k *Kubelet) claimDir(ns, claim string) string {
	return filepath.Join(k.dir, "volumes", ns, claim)
}

// sync acts on the newest state of a pod: bind it, start it, or stop it
// and let the API server delete it.
func (k *Kubelet) sync(p *corev1.Pod) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.namespaces[p.Namespace] {
		return
	}
	if p.Spec.NodeName == "" {
		if p.DeletionTimestamp == nil {
			go k.bind(p)
		}
		return
	}
	if p.Spec.NodeName != NodeName {
		return
	}
	r := k.pods[p.UID]
	if p.DeletionTimestamp != nil {
		if r == nil {
			r = &podRunner{k: k, ns: p.Namespace, name: p.Name, uid: p.UID}
			k.pods[p.UID] = r
		}
		if !r.deleting {
			r.deleting = true
			grace := int64(30)
			if p.DeletionGracePeriodSeconds != nil {
				grace = *p.DeletionGracePeriodSeconds
			}
			go func() {
				r.terminate(time.Duration(grace) * time.Second)
				zero := int64(0)
				err := k.c.Client.CoreV1().Pods(p.Namespace).Delete(context.Background(), p.Name,
					metav1.DeleteOptions{GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &p.UID}})
				if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
					k.logf("kubelet: deleting pod %s/%s: %v", p.Namespace, p.Name, err)
				}
			}()
		}
		return
	}
	if r == nil {
		r = newPodRunner(k, p)
		k.pods[p.UID] = r
		go r.run()
	}
}

// gone forgets a pod the API server no longer has.
func (k *Kubelet) gone(p *corev1.Pod) {
	k.mu.Lock()
	r := k.pods[p.UID]
	delete(k.pods, p.UID)
	k.mu.Unlock()
	if r != nil {
		go r.terminate(0)
	}
}

func (k *Kubelet) bind(p *corev1.Pod) {
	err := k.c.Client.CoreV1().Pods(p.Namespace).Bind(context.Background(), &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: p.Name, UID: p.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: NodeName}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
		k.logf("kubelet: binding %s/%s: %v", p.Namespace, p.Name, err)
	}
}

// runner returns the running pod ns/name.
func (k *Kubelet) runner(ns, name string) *podRunner {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, r := range k.pods {
		if r.ns == ns && r.name == name && !r.deleting && r.pod != nil {
			return r
		}
	}
	return nil
}

// Exec runs argv in a container of a running pod, as `kubectl exec` would:
// in the container's namespaces and root, as its user, with its
// environment. It returns the combined output.
func (k *Kubelet) Exec(ctx context.Context, ns, pod, container string, argv ...string) (string, error) {
	r := k.runner(ns, pod)
	if r == nil {
		return "", fmt.Errorf("pod %s/%s is not running here", ns, pod)
	}
	if container == "" {
		container = r.pod.Spec.Containers[0].Name
	}
	c := r.container(container)
	if c == nil {
		return "", fmt.Errorf("pod %s/%s has no container %s", ns, pod, container)
	}
	return c.exec(ctx, argv)
}

// Kill kills the processes of a container with SIGKILL, as when it
// crashes or is OOM-killed; the kubelet restarts it.
func (k *Kubelet) Kill(ns, pod, container string) error {
	r := k.runner(ns, pod)
	if r == nil {
		return fmt.Errorf("pod %s/%s is not running here", ns, pod)
	}
	if container == "" {
		container = r.pod.Spec.Containers[0].Name
	}
	c := r.container(container)
	if c == nil {
		return fmt.Errorf("pod %s/%s has no container %s", ns, pod, container)
	}
	pid := c.pid()
	if pid == 0 {
		return fmt.Errorf("container %s of %s/%s is not running", container, ns, pod)
	}
	return syscall.Kill(pid, syscall.SIGKILL)
}

// podRunner runs one pod.
type podRunner struct {
	k        *Kubelet
	ns, name string
	uid      types.UID
	pod      *corev1.Pod // as first seen; nil for a pod never started here
	ip       string
	netns    string
	vethHost string
	dir      string
	hostname string
	fqdn     string
	deleting bool // guarded by k.mu

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	mu          sync.Mutex
	initialized bool
	phase       corev1.PodPhase
	initCtrs    []*ctr
	ctrs        []*ctr
	started     metav1.Time
	conditions  map[corev1.PodConditionType]corev1.PodCondition
	dirty       chan struct{}
	failure     string // why the pod cannot run
}

var netnsSeq struct {
	sync.Mutex
	n int
}

func newPodRunner(k *Kubelet, p *corev1.Pod) *podRunner {
	netnsSeq.Lock()
	netnsSeq.n++
	n := netnsSeq.n
	netnsSeq.Unlock()
	r := &podRunner{k: k, ns: p.Namespace, name: p.Name, uid: p.UID, pod: p.DeepCopy(), ip: allocateIP(),
		netns: fmt.Sprintf("hl-pod-%d", n), vethHost: fmt.Sprintf("hlv%d", n),
		dir:   filepath.Join(k.dir, "pods", fmt.Sprintf("%s_%s_%s", p.Namespace, p.Name, string(p.UID)[:8])),
		phase: corev1.PodPending, started: metav1.Now(), done: make(chan struct{}),
		conditions: map[corev1.PodConditionType]corev1.PodCondition{}, dirty: make(chan struct{}, 1)}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.hostname = p.Spec.Hostname
	if r.hostname == "" {
		r.hostname = p.Name
		if len(r.hostname) > 63 {
			r.hostname = r.hostname[:63]
		}
	}
	if p.Spec.Subdomain != "" {
		r.fqdn = fmt.Sprintf("%s.%s.%s.svc.%s", r.hostname, p.Spec.Subdomain, p.Namespace, k.c.Domain)
	}
	for i := range p.Spec.InitContainers {
		r.initCtrs = append(r.initCtrs, &ctr{r: r, spec: &r.pod.Spec.InitContainers[i], init: true})
	}
	for i := range p.Spec.Containers {
		r.ctrs = append(r.ctrs, &ctr{r: r, spec: &r.pod.Spec.Containers[i]})
	}
	r.setCondition(corev1.PodScheduled, true, "")
	r.setCondition(corev1.PodInitialized, len(r.initCtrs) == 0, "")
	r.setCondition(corev1.ContainersReady, false, "ContainersNotReady")
	r.setCondition(corev1.PodReady, false, "ContainersNotReady")
	return r
}

func (r *podRunner) logf(format string, args ...any) {
	r.k.logf("kubelet: %s/%s: "+format, append([]any{r.ns, r.name}, args...)...)
}

func (r *podRunner) container(name string) *ctr {
	for _, c := range r.ctrs {
		if c.spec.Name == name {
			return c
		}
	}
	return nil
}

// run sets the pod up, runs its init containers to completion, then its
// containers until the pod is terminated.
func (r *podRunner) run() {
	defer close(r.done)
	go r.reportStatus()
	if err := r.setUp(); err != nil {
		r.logf("cannot run: %v", err)
		r.mu.Lock()
		r.failure = err.Error()
		r.mu.Unlock()
		r.changed()
		return
	}
	r.changed()
	for _, c := range r.initCtrs {
		if !c.runToCompletion() {
			return
		}
	}
	r.mu.Lock()
	r.initialized = true
	r.phase = corev1.PodRunning
	r.setCondition(corev1.PodInitialized, true, "")
	r.mu.Unlock()
	r.changed()
	var wg sync.WaitGroup
	for _, c := range r.ctrs {
		wg.Add(1)
		go func() { defer wg.Done(); c.runForever() }()
	}
	wg.Wait()
}

// terminate stops the pod's containers (SIGTERM, then SIGKILL after
// grace) and removes its network namespace.
func (r *podRunner) terminate(grace time.Duration) {
	if r.cancel == nil { // never started here
		return
	}
	var wg sync.WaitGroup
	for _, c := range append(append([]*ctr{}, r.initCtrs...), r.ctrs...) {
		wg.Add(1)
		go func() { defer wg.Done(); c.stop(grace) }()
	}
	r.cancel()
	wg.Wait()
	select {
	case <-r.done:
	case <-time.After(time.Minute):
		r.logf("still running a minute after it was stopped; leaving it")
	}
	exec.Command("ip", "netns", "del", r.netns).Run()
	// emptyDir volumes live as long as the pod.
	os.RemoveAll(filepath.Join(r.dir, "empty"))
}

// setUp creates the pod's network namespace, its files and volumes.
func (r *podRunner) setUp() error {
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return err
	}
	for _, args := range [][]string{
		{"netns", "add", r.netns},
		{"link", "add", r.vethHost, "type", "veth", "peer", "name", "eth0", "netns", r.netns},
		{"link", "set", r.vethHost, "master", BridgeName, "up"},
		{"-n", r.netns, "addr", "add", r.ip + "/16", "dev", "eth0"},
		{"-n", r.netns, "link", "set", "eth0", "up"},
		{"-n", r.netns, "link", "set", "lo", "up"},
		{"-n", r.netns, "route", "add", "default", "via", BridgeIP},
	} {
		if err := ip(args...); err != nil {
			return err
		}
	}
	// The kubelet writes /etc/hosts and /etc/resolv.conf of every container.
	hosts := "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
	if r.fqdn != "" {
		hosts += fmt.Sprintf("%s\t%s\t%s\n", r.ip, r.fqdn, r.hostname)
	} else {
		hosts += fmt.Sprintf("%s\t%s\n", r.ip, r.hostname)
	}
	d := r.k.c.Domain
	resolv := fmt.Sprintf("search %s.svc.%s svc.%s %s\nnameserver %s\noptions ndots:5\n", r.ns, d, d, d, BridgeIP)
	for name, text := range map[string]string{"hosts": hosts, "resolv.conf": resolv} {
		if err := os.WriteFile(filepath.Join(r.dir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	for _, c := range append(append([]*ctr{}, r.initCtrs...), r.ctrs...) {
		img, ok := r.k.images[imageRepository(c.spec.Image)]
		if !ok {
			return fmt.Errorf("no stand-in for image %s", c.spec.Image)
		}
		if img.Skip != "" {
			return fmt.Errorf("image %s: %s", c.spec.Image, img.Skip)
		}
		c.image = img
	}
	return r.setUpVolumes()
}

// fsGroup returns the pod's fsGroup, or -1.
func (r *podRunner) fsGroup() int {
	if sc := r.pod.Spec.SecurityContext; sc != nil && sc.FSGroup != nil {
		return int(*sc.FSGroup)
	}
	return -1
}

// setUpVolumes makes every volume's host directory: ConfigMap and Secret
// volumes as files, claims as a directory per claim that outlives the pod,
// emptyDirs per pod. With an fsGroup, every file of a writable volume is
// group-owned by it and group-writable, and every directory setgid, as
// the kubelet does for volumes that support ownership management (the
// default, recursive, fsGroupChangePolicy "Always").
func (r *podRunner) setUpVolumes() error {
	ctx := r.ctx
	fsGroup := r.fsGroup()
	for _, v := range r.pod.Spec.Volumes {
		var dir string
		switch {
		case v.ConfigMap != nil:
			cm, err := r.k.c.Client.CoreV1().ConfigMaps(r.ns).Get(ctx, v.ConfigMap.Name, metav1.GetOptions{})
			if err != nil {
				return fmt.Errorf("volume %s: %w", v.Name, err)
			}
			data := map[string][]byte{}
			for key, val := range cm.Data {
				data[key] = []byte(val)
			}
			for key, val := range cm.BinaryData {
				data[key] = val
			}
			dir = filepath.Join(r.dir, "volumes", v.Name)
			if err := writeProjection(dir, data, v.ConfigMap.Items, v.ConfigMap.DefaultMode, fsGroup); err != nil {
				return fmt.Errorf("volume %s: %w", v.Name, err)
			}
		case v.Secret != nil:
			s, err := r.k.c.Client.CoreV1().Secrets(r.ns).Get(ctx, v.Secret.SecretName, metav1.GetOptions{})
			if err != nil {
				return fmt.Errorf("volume %s: %w", v.Name, err)
			}
			dir = filepath.Join(r.dir, "volumes", v.Name)
			if err := writeProjection(dir, s.Data, v.Secret.Items, v.Secret.DefaultMode, fsGroup); err != nil {
				return fmt.Errorf("volume %s: %w", v.Name, err)
			}
		case v.PersistentVolumeClaim != nil:
			dir = r.k.claimDir(r.ns, v.PersistentVolumeClaim.ClaimName)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			if err := setOwnership(dir, fsGroup); err != nil {
				return err
			}
		case v.EmptyDir != nil:
			dir = filepath.Join(r.dir, "empty", v.Name)
			if err := os.MkdirAll(dir, 0o777); err != nil {
				return err
			}
			if err := os.Chmod(dir, 0o777); err != nil {
				return err
			}
			if err := setOwnership(dir, fsGroup); err != nil {
				return err
			}
		default:
			return fmt.Errorf("volume %s: only configMap, secret, persistentVolumeClaim and emptyDir volumes are supported", v.Name)
		}
		for _, c := range append(append([]*ctr{}, r.initCtrs...), r.ctrs...) {
			if c.volumes == nil {
				c.volumes = map[string]string{}
			}
			c.volumes[v.Name] = dir
		}
	}
	return nil
}

// writeProjection writes a ConfigMap's or Secret's keys as files.
func writeProjection(dir string, data map[string][]byte, items []corev1.KeyToPath, defaultMode *int32, fsGroup int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	mode := int32(0o644)
	if defaultMode != nil {
		mode = *defaultMode
	}
	if len(items) == 0 {
		for key := range data {
			items = append(items, corev1.KeyToPath{Key: key, Path: key})
		}
	}
	for _, it := range items {
		val, ok := data[it.Key]
		if !ok {
			return fmt.Errorf("no key %s", it.Key)
		}
		m := mode
		if it.Mode != nil {
			m = *it.Mode
		}
		p := filepath.Join(dir, it.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, val, 0o600); err != nil {
			return err
		}
		fm := os.FileMode(m) & 0o777
		if fsGroup >= 0 {
			// Read-only volumes: group-readable by the fsGroup.
			if err := os.Chown(p, 0, fsGroup); err != nil {
				return err
			}
			fm |= 0o440
		}
		if err := os.Chmod(p, fm); err != nil {
			return err
		}
	}
	return nil
}

// setOwnership gives every file under dir to fsGroup, group-writable, and
// makes directories setgid.
func setOwnership(dir string, fsGroup int) error {
	if fsGroup < 0 {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return os.Lchown(p, -1, fsGroup)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if err := os.Lchown(p, -1, fsGroup); err != nil {
			return err
		}
		mode := info.Mode() | 0o660
		if d.IsDir() {
			mode |= os.ModeSetgid | 0o110
		}
		return os.Chmod(p, mode)
	})
}

func imageRepository(image string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		image = image[:i]
	}
	return image
}

// setCondition sets a pod condition, keeping its transition time when
// its status does not change. r.mu is held or r is not shared yet.
func (r *podRunner) setCondition(t corev1.PodConditionType, ok bool, reason string) {
	status := corev1.ConditionFalse
	if ok {
		status = corev1.ConditionTrue
		reason = ""
	}
	old, had := r.conditions[t]
	if had && old.Status == status {
		return
	}
	r.conditions[t] = corev1.PodCondition{Type: t, Status: status, Reason: reason, LastTransitionTime: metav1.Now()}
}

// changed asks for a status report.
func (r *podRunner) changed() {
	select {
	case r.dirty <- struct{}{}:
	default:
	}
}

// reportStatus writes the pod's status whenever it changes, until the pod
// is terminated.
func (r *podRunner) reportStatus() {
	pods := r.k.c.Client.CoreV1().Pods(r.ns)
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-r.dirty:
		}
		for attempt := 0; attempt < 10; attempt++ {
			p, err := pods.Get(r.ctx, r.name, metav1.GetOptions{})
			if err != nil || p.UID != r.uid || p.DeletionTimestamp != nil {
				break
			}
			qos := p.Status.QOSClass // the API server's, immutable
			p.Status = r.status()
			p.Status.QOSClass = qos
			_, err = pods.UpdateStatus(r.ctx, p, metav1.UpdateOptions{})
			if err == nil || !apierrors.IsConflict(err) {
				if err != nil && r.ctx.Err() == nil {
					r.logf("status: %v", err)
				}
				break
			}
		}
	}
}

// status is the pod's status as a kubelet reports it.
func (r *podRunner) status() corev1.PodStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	ready := r.initialized && r.failure == ""
	for _, c := range r.ctrs {
		if !c.isReady() {
			ready = false
		}
	}
	reason := "ContainersNotReady"
	r.setCondition(corev1.ContainersReady, ready, reason)
	r.setCondition(corev1.PodReady, ready, reason)
	s := corev1.PodStatus{Phase: r.phase, HostIP: "127.0.0.1", HostIPs: []corev1.HostIP{{IP: "127.0.0.1"}},
		PodIP: r.ip, PodIPs: []corev1.PodIP{{IP: r.ip}}, StartTime: &r.started}
	if r.failure != "" {
		s.Message = r.failure
		s.Reason = "StandInFailed"
	}
	for _, t := range []corev1.PodConditionType{corev1.PodInitialized, corev1.PodReady, corev1.ContainersReady, corev1.PodScheduled} {
		s.Conditions = append(s.Conditions, r.conditions[t])
	}
	for _, c := range r.initCtrs {
		s.InitContainerStatuses = append(s.InitContainerStatuses, c.status())
	}
	for _, c := range r.ctrs {
		s.ContainerStatuses = append(s.ContainerStatuses, c.status())
	}
	return s
}

// ctr is one container of a pod and its restarts.
type ctr struct {
	r       *podRunner
	spec    *corev1.Container
	init    bool
	image   *StandIn
	volumes map[string]string // volume name -> host directory

	mu        sync.Mutex
	cmd       *exec.Cmd
	exited    chan struct{}
	state     corev1.ContainerState
	last      corev1.ContainerState
	restarts  int32
	started   bool
	ready     bool
	stopping  bool
	env       []string
	uid, gid  int64
	startedAt time.Time
}

func (c *ctr) pid() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil || c.cmd.Process == nil || c.state.Running == nil {
		return 0
	}
	return c.cmd.Process.Pid
}

func (c *ctr) isReady() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ready && c.state.Running != nil
}

func (c *ctr) status() corev1.ContainerStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	started := c.started && c.state.Running != nil
	s := corev1.ContainerStatus{Name: c.spec.Name, Image: c.spec.Image, State: c.state, LastTerminationState: c.last,
		RestartCount: c.restarts, Ready: c.ready && c.state.Running != nil, Started: &started}
	if c.image != nil {
		s.ImageID = "stand-in://" + c.image.Describe
	}
	if c.cmd != nil && c.cmd.Process != nil {
		s.ContainerID = fmt.Sprintf("stand-in://%d", c.cmd.Process.Pid)
	}
	if s.State.Running == nil && s.State.Terminated == nil && s.State.Waiting == nil {
		s.State.Waiting = &corev1.ContainerStateWaiting{Reason: "PodInitializing"}
	}
	return s
}

// backoff is how long the kubelet waits before restart number n+1: the
// first restart is immediate, then 10 s doubling up to 5 minutes.
func backoff(n int32) time.Duration {
	if n == 0 {
		return 0
	}
	d := 10 * time.Second
	for i := int32(1); i < n && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// runToCompletion runs an init container until it exits 0 (restarting it
// with back-off otherwise); false if the pod is terminated first.
func (c *ctr) runToCompletion() bool {
	for {
		code, err := c.runOnce(false)
		if err != nil {
			c.r.logf("init container %s: %v", c.spec.Name, err)
		}
		if c.r.ctx.Err() != nil {
			return false
		}
		if err == nil && code == 0 {
			return true
		}
		if !c.wait(backoff(c.restarts)) {
			return false
		}
		c.mu.Lock()
		c.restarts++
		c.mu.Unlock()
	}
}

// runForever runs a container and restarts it with back-off whenever it
// exits or fails its liveness or startup probe (restartPolicy Always).
func (c *ctr) runForever() {
	for {
		ranFor := time.Now()
		if _, err := c.runOnce(true); err != nil {
			c.r.logf("container %s: %v", c.spec.Name, err)
		}
		if c.r.ctx.Err() != nil {
			return
		}
		if time.Since(ranFor) > 10*time.Minute {
			c.mu.Lock()
			c.restarts = 0
			c.mu.Unlock()
		}
		c.mu.Lock()
		delay := backoff(c.restarts)
		if delay > 0 {
			c.state = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
				Message: fmt.Sprintf("back-off %s restarting failed container %s", delay, c.spec.Name)}}
		}
		c.mu.Unlock()
		c.r.changed()
		if !c.wait(delay) {
			return
		}
		c.mu.Lock()
		c.restarts++
		c.mu.Unlock()
	}
}

func (c *ctr) wait(d time.Duration) bool {
	select {
	case <-c.r.ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// runOnce starts the container, probes it (if probes) and waits for it to
// exit. It returns the exit code.
func (c *ctr) runOnce(probes bool) (int, error) {
	c.mu.Lock()
	if c.stopping {
		c.mu.Unlock()
		return 0, errors.New("stopping")
	}
	c.mu.Unlock()
	cmd, err := c.start()
	if err != nil {
		c.mu.Lock()
		now := metav1.Now()
		c.last = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 128, Reason: "StartError", Message: err.Error(), StartedAt: now, FinishedAt: now}}
		c.state = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CreateContainerError", Message: err.Error()}}
		c.mu.Unlock()
		c.r.changed()
		return -1, err
	}
	c.r.changed()
	probeCtx, stopProbes := context.WithCancel(c.r.ctx)
	if probes {
		go c.probe(probeCtx)
	}
	err = cmd.Wait()
	c.r.k.addCPU(c.r.ns, cmd.ProcessState)
	stopProbes()
	code := 0
	reason := "Completed"
	if err != nil {
		reason = "Error"
		code = -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			ws := ee.Sys().(syscall.WaitStatus)
			switch {
			case ws.Exited():
				code = ws.ExitStatus()
			case ws.Signaled():
				code = 128 + int(ws.Signal())
			}
		}
	}
	c.mu.Lock()
	started := c.state.Running.StartedAt
	c.last = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: int32(code), Reason: reason,
		StartedAt: started, FinishedAt: metav1.Now()}}
	c.state = corev1.ContainerState{Terminated: c.last.Terminated.DeepCopy()}
	c.started, c.ready = false, false
	close(c.exited)
	c.mu.Unlock()
	c.r.changed()
	if c.r.ctx.Err() == nil {
		c.r.logf("container %s exited with %d", c.spec.Name, code)
	}
	return code, nil
}

// stop sends SIGTERM to the container, then SIGKILL after grace.
func (c *ctr) stop(grace time.Duration) {
	c.mu.Lock()
	c.stopping = true
	cmd, exited := c.cmd, c.exited
	running := c.state.Running != nil
	c.mu.Unlock()
	if cmd == nil || cmd.Process == nil || !running {
		return
	}
	c.kill(cmd, exited, grace)
}

func (c *ctr) kill(cmd *exec.Cmd, exited chan struct{}, grace time.Duration) {
	if grace > 0 {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			return
		case <-time.After(grace):
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	// A killed container is gone at once; should its wait ever hang (a
	// process outside its PID namespace holding on), cleanup must not.
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		c.r.logf("container %s: still not reaped 30 s after SIGKILL; leaving it", c.spec.Name)
	}
}

// start starts the container through podinit.
func (c *ctr) start() (*exec.Cmd, error) {
	env, err := c.r.environment(c)
	if err != nil {
		return nil, err
	}
	spec, err := c.initSpec(env)
	if err != nil {
		return nil, err
	}
	data, _ := json.MarshalIndent(spec, "", "  ")
	specPath := filepath.Join(c.r.dir, c.spec.Name+".json")
	if err := os.WriteFile(specPath, data, 0o600); err != nil {
		return nil, err
	}
	log, err := os.OpenFile(c.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "==== %s: starting %q\n", time.Now().Format(time.RFC3339Nano), spec.Args)
	// podinit writes to the pipe once the container's root, mounts and
	// user are in place, just before it executes the command: only then does
	// the container run, and may a probe or an exec enter it.
	setUp, setUpW, err := os.Pipe()
	if err != nil {
		log.Close()
		return nil, err
	}
	defer setUp.Close()
	cmd := exec.Command(c.r.k.podinit, specPath)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.ExtraFiles = []*os.File{setUpW}
	cmd.WaitDelay = 5 * time.Second
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS | syscall.CLONE_NEWPID | syscall.CLONE_NEWIPC,
		Pdeathsig:  syscall.SIGKILL,
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopping {
		log.Close()
		return nil, errors.New("stopping")
	}
	err = cmd.Start()
	setUpW.Close()
	if err != nil {
		log.Close()
		return nil, err
	}
	log.Close()
	// A byte when set up; end of file when podinit failed, which the exit
	// reports. Setting up takes milliseconds: the deadline only bounds a
	// podinit that hangs.
	setUp.SetReadDeadline(time.Now().Add(30 * time.Second))
	setUp.Read(make([]byte, 1))
	c.cmd, c.exited = cmd, make(chan struct{})
	c.env, c.uid, c.gid = env, int64(spec.UID), int64(spec.GID)
	c.startedAt = time.Now()
	c.state = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}
	hasStartup := c.spec.StartupProbe != nil
	c.started = !hasStartup
	c.ready = c.spec.ReadinessProbe == nil && !hasStartup && !c.init
	return cmd, nil
}

func (c *ctr) logPath() string {
	return filepath.Join(c.r.k.dir, "logs", fmt.Sprintf("%s_%s_%s.log", c.r.ns, c.r.name, c.spec.Name))
}

// podinitSpec is podinit's Spec (podinit/main.go).
type podinitSpec struct {
	NetNS    string
	Hostname string
	Root     string
	Host     []string
	Mounts   []podinitMount
	Dirs     []podinitDir
	UID, GID uint32
	Groups   []uint32
	Cwd      string
	Env      []string
	Args     []string
}

type podinitMount struct {
	Source   string
	Target   string
	ReadOnly bool
}

type podinitDir struct {
	Path     string
	Mode     uint32
	UID, GID int
}

// initSpec describes the container's root and process for podinit.
func (c *ctr) initSpec(env []string) (*podinitSpec, error) {
	r, img := c.r, c.image
	root := filepath.Join(r.dir, "root-"+c.spec.Name)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	s := &podinitSpec{NetNS: "/run/netns/" + r.netns, Hostname: r.hostname, Root: root,
		Host: []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"}, Cwd: img.Workdir, Env: env}
	if r.pod.Spec.SetHostnameAsFQDN != nil && *r.pod.Spec.SetHostnameAsFQDN && r.fqdn != "" {
		s.Hostname = r.fqdn
	}
	// The image's files, then the kubelet's, then the volumes.
	for _, t := range img.Tmpfs {
		s.Mounts = append(s.Mounts, podinitMount{Target: t})
	}
	for target, source := range img.Files {
		s.Mounts = append(s.Mounts, podinitMount{Source: source, Target: target, ReadOnly: true})
	}
	sort.Slice(s.Mounts[len(img.Tmpfs):], func(i, j int) bool {
		return s.Mounts[len(img.Tmpfs)+i].Target < s.Mounts[len(img.Tmpfs)+j].Target
	})
	passwd, group, err := img.accounts(r.dir)
	if err != nil {
		return nil, err
	}
	s.Mounts = append(s.Mounts,
		podinitMount{Source: passwd, Target: "/etc/passwd", ReadOnly: true},
		podinitMount{Source: group, Target: "/etc/group", ReadOnly: true},
		podinitMount{Source: filepath.Join(r.dir, "hosts"), Target: "/etc/hosts", ReadOnly: true},
		podinitMount{Source: filepath.Join(r.dir, "resolv.conf"), Target: "/etc/resolv.conf", ReadOnly: true})
	for _, vm := range c.spec.VolumeMounts {
		dir, ok := c.volumes[vm.Name]
		if !ok {
			return nil, fmt.Errorf("volume mount %s: no such volume", vm.Name)
		}
		if vm.SubPath != "" {
			dir = filepath.Join(dir, vm.SubPath)
		}
		s.Mounts = append(s.Mounts, podinitMount{Source: dir, Target: vm.MountPath, ReadOnly: vm.ReadOnly})
	}
	for _, d := range img.Dirs {
		s.Dirs = append(s.Dirs, podinitDir{Path: d.Path, Mode: d.Mode, UID: d.UID, GID: d.GID})
	}
	uid, gid := img.UID, img.GID
	psc := r.pod.Spec.SecurityContext
	sc := c.spec.SecurityContext
	if psc != nil && psc.RunAsUser != nil {
		uid = *psc.RunAsUser
	}
	if sc != nil && sc.RunAsUser != nil {
		uid = *sc.RunAsUser
	}
	if psc != nil && psc.RunAsGroup != nil {
		gid = *psc.RunAsGroup
	}
	if sc != nil && sc.RunAsGroup != nil {
		gid = *sc.RunAsGroup
	}
	nonRoot := (psc != nil && psc.RunAsNonRoot != nil && *psc.RunAsNonRoot) || (sc != nil && sc.RunAsNonRoot != nil && *sc.RunAsNonRoot)
	if nonRoot && uid == 0 {
		return nil, errors.New("container has runAsNonRoot and would run as root")
	}
	s.UID, s.GID = uint32(uid), uint32(gid)
	s.Groups = []uint32{uint32(gid)}
	if psc != nil {
		if psc.FSGroup != nil {
			s.Groups = append(s.Groups, uint32(*psc.FSGroup))
		}
		for _, g := range psc.SupplementalGroups {
			s.Groups = append(s.Groups, uint32(g))
		}
	}
	if c.spec.WorkingDir != "" {
		s.Cwd = c.spec.WorkingDir
	}
	// The command: the container's, or the image's entrypoint; $(VAR)
	// expanded from the container's environment.
	vars := map[string]string{}
	for _, kv := range env[len(img.Env):] {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	cmd, args := c.spec.Command, c.spec.Args
	if len(cmd) == 0 {
		cmd = img.Entrypoint
		if len(args) == 0 {
			args = img.Cmd
		}
	}
	for _, a := range append(append([]string{}, cmd...), args...) {
		s.Args = append(s.Args, expandVars(a, vars))
	}
	if len(s.Args) == 0 {
		return nil, errors.New("no command")
	}
	return s, nil
}

// environment is the container's environment: the image's, HOSTNAME, then
// the container's env with $(VAR) references to earlier entries expanded,
// as the kubelet does.
func (r *podRunner) environment(c *ctr) ([]string, error) {
	env := append([]string{}, c.image.Env...)
	vars := map[string]string{}
	var names []string
	set := func(k, v string) {
		if _, ok := vars[k]; !ok {
			names = append(names, k)
		}
		vars[k] = v
	}
	set("HOSTNAME", r.hostname)
	ctx := r.ctx
	for _, ef := range c.spec.EnvFrom {
		var data map[string]string
		switch {
		case ef.ConfigMapRef != nil:
			cm, err := r.k.c.Client.CoreV1().ConfigMaps(r.ns).Get(ctx, ef.ConfigMapRef.Name, metav1.GetOptions{})
			if err != nil {
				return nil, err
			}
			data = cm.Data
		case ef.SecretRef != nil:
			s, err := r.k.c.Client.CoreV1().Secrets(r.ns).Get(ctx, ef.SecretRef.Name, metav1.GetOptions{})
			if err != nil {
				return nil, err
			}
			data = map[string]string{}
			for k, v := range s.Data {
				data[k] = string(v)
			}
		}
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			set(ef.Prefix+k, data[k])
		}
	}
	for _, e := range c.spec.Env {
		v, err := r.envValue(ctx, e, vars)
		if err != nil {
			return nil, fmt.Errorf("env %s: %w", e.Name, err)
		}
		set(e.Name, v)
	}
	for _, k := range names {
		env = append(env, k+"="+vars[k])
	}
	return env, nil
}

func (r *podRunner) envValue(ctx context.Context, e corev1.EnvVar, vars map[string]string) (string, error) {
	if e.ValueFrom == nil {
		return expandVars(e.Value, vars), nil
	}
	vf := e.ValueFrom
	switch {
	case vf.FieldRef != nil:
		return r.fieldValue(vf.FieldRef.FieldPath)
	case vf.SecretKeyRef != nil:
		s, err := r.k.c.Client.CoreV1().Secrets(r.ns).Get(ctx, vf.SecretKeyRef.Name, metav1.GetOptions{})
		if err != nil {
			return "", err
		}
		v, ok := s.Data[vf.SecretKeyRef.Key]
		if !ok {
			return "", fmt.Errorf("secret %s has no key %s", vf.SecretKeyRef.Name, vf.SecretKeyRef.Key)
		}
		return string(v), nil
	case vf.ConfigMapKeyRef != nil:
		cm, err := r.k.c.Client.CoreV1().ConfigMaps(r.ns).Get(ctx, vf.ConfigMapKeyRef.Name, metav1.GetOptions{})
		if err != nil {
			return "", err
		}
		v, ok := cm.Data[vf.ConfigMapKeyRef.Key]
		if !ok {
			return "", fmt.Errorf("configmap %s has no key %s", vf.ConfigMapKeyRef.Name, vf.ConfigMapKeyRef.Key)
		}
		return v, nil
	}
	return "", errors.New("unsupported valueFrom")
}

// fieldValue answers the downward API's fieldRef paths.
func (r *podRunner) fieldValue(path string) (string, error) {
	p := r.pod
	switch path {
	case "metadata.name":
		return p.Name, nil
	case "metadata.namespace":
		return p.Namespace, nil
	case "metadata.uid":
		return string(p.UID), nil
	case "spec.nodeName":
		return p.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return p.Spec.ServiceAccountName, nil
	case "status.podIP":
		return r.ip, nil
	case "status.podIPs":
		return r.ip, nil
	case "status.hostIP", "status.hostIPs":
		return "127.0.0.1", nil
	}
	for prefix, m := range map[string]map[string]string{"metadata.labels": p.Labels, "metadata.annotations": p.Annotations} {
		if rest, ok := strings.CutPrefix(path, prefix+"['"); ok && strings.HasSuffix(rest, "']") {
			return m[strings.TrimSuffix(rest, "']")], nil
		}
	}
	return "", fmt.Errorf("unsupported fieldPath %s", path)
}

// expandVars expands $(VAR) as Kubernetes does: a defined variable is
// replaced, $$ is a literal $, anything else is left as written.
func expandVars(input string, vars map[string]string) string {
	var buf strings.Builder
	checkpoint := 0
	for cursor := 0; cursor < len(input); cursor++ {
		if input[cursor] != '$' || cursor+1 >= len(input) {
			continue
		}
		buf.WriteString(input[checkpoint:cursor])
		next := input[cursor+1:]
		advance := 1
		switch next[0] {
		case '$':
			buf.WriteByte('$')
		case '(':
			end := strings.IndexByte(next, ')')
			if end < 0 {
				buf.WriteString("$(")
				break
			}
			name := next[1:end]
			if v, ok := vars[name]; ok {
				buf.WriteString(v)
			} else {
				buf.WriteString("$(" + name + ")")
			}
			advance = end + 1
		default:
			buf.WriteString("$" + next[:1])
		}
		cursor += advance
		checkpoint = cursor + 1
	}
	buf.WriteString(input[checkpoint:])
	return buf.String()
}

// exec runs argv in the running container's namespaces and root with
// nsenter, as the container's user, with its environment.
func (c *ctr) exec(ctx context.Context, argv []string) (string, error) {
	c.mu.Lock()
	if c.cmd == nil || c.cmd.Process == nil || c.state.Running == nil {
		c.mu.Unlock()
		return "", fmt.Errorf("container %s of %s/%s is not running", c.spec.Name, c.r.ns, c.r.name)
	}
	pid := c.cmd.Process.Pid
	env, uid, gid := c.env, c.uid, c.gid
	c.mu.Unlock()
	args := []string{"--target", strconv.Itoa(pid), "--mount", "--uts", "--ipc", "--net", "--pid", "--root", "--wd",
		"--setgid", strconv.FormatInt(gid, 10), "--setuid", strconv.FormatInt(uid, 10), "--", "/usr/bin/env", "-i"}
	args = append(append(args, env...), argv...)
	cmd := exec.CommandContext(ctx, "nsenter", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	start := time.Now()
	err := cmd.Run()
	c.r.k.addCPU(c.r.ns, cmd.ProcessState)
	c.execLog(argv, start, err, out.String())
	if err != nil {
		return out.String(), fmt.Errorf("%q in %s/%s: %w: %s", argv, c.r.ns, c.r.name, err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

// probe runs the container's probes while it runs: the startup probe
// first (liveness and readiness wait for it), then readiness, which sets
// the container's Ready, and liveness, which restarts it.
func (c *ctr) probe(ctx context.Context) {
	if p := c.spec.StartupProbe; p != nil {
		if !c.probeLoop(ctx, "startup", p, func(ok bool) bool { return !ok }) {
			return
		}
		c.mu.Lock()
		c.started = true
		c.ready = c.spec.ReadinessProbe == nil
		c.mu.Unlock()
		c.r.changed()
	}
	if p := c.spec.ReadinessProbe; p != nil {
		go c.probeLoop(ctx, "readiness", p, func(ok bool) bool {
			c.mu.Lock()
			changed := c.ready != ok
			c.ready = ok
			c.mu.Unlock()
			if changed {
				c.r.changed()
			}
			return true
		})
	}
	if p := c.spec.LivenessProbe; p != nil {
		c.probeLoop(ctx, "liveness", p, func(ok bool) bool { return true })
	}
}

// probeLoop runs a probe every period. Each result past the thresholds is
// given to result, which returns whether to go on. failureThreshold
// consecutive failures of a startup or liveness probe kill the container.
// It returns true when result stopped it.
func (c *ctr) probeLoop(ctx context.Context, kind string, p *corev1.Probe, result func(ok bool) bool) bool {
	period := seconds(p.PeriodSeconds, 10)
	timeout := seconds(p.TimeoutSeconds, 1)
	failureThreshold := int(p.FailureThreshold)
	if failureThreshold == 0 {
		failureThreshold = 3
	}
	successThreshold := int(p.SuccessThreshold)
	if successThreshold == 0 {
		successThreshold = 1
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(seconds(p.InitialDelaySeconds, 0)):
	}
	successes, failures := 0, 0
	for {
		ok, msg := c.runProbe(ctx, p, timeout)
		if ctx.Err() != nil {
			return false
		}
		if ok {
			successes, failures = successes+1, 0
		} else {
			successes, failures = 0, failures+1
			c.probeLog(kind, msg)
		}
		switch {
		case ok && successes >= successThreshold:
			if !result(true) {
				return true
			}
		case !ok && failures >= failureThreshold:
			if kind != "readiness" {
				c.probeLog(kind, fmt.Sprintf("failed %d times; killing the container", failures))
				c.r.logf("container %s failed its %s probe %d times; restarting it", c.spec.Name, kind, failures)
				c.mu.Lock()
				cmd, exited := c.cmd, c.exited
				c.mu.Unlock()
				grace := 30 * time.Second
				if g := c.r.pod.Spec.TerminationGracePeriodSeconds; g != nil {
					grace = time.Duration(*g) * time.Second
				}
				go c.kill(cmd, exited, grace)
				return false
			}
			if !result(false) {
				return true
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(period):
		}
	}
}

// execLog appends a command run in the container and its output to the
// container's exec log.
func (c *ctr) execLog(argv []string, start time.Time, err error, out string) {
	f, ferr := os.OpenFile(c.logPath()+".exec", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if ferr != nil {
		return
	}
	defer f.Close()
	result := "exit 0"
	if err != nil {
		result = err.Error()
	}
	fmt.Fprintf(f, "==== %s %q (%s, %s)\n%s", start.Format(time.RFC3339Nano), argv, time.Since(start).Round(time.Millisecond), result, out)
	if out != "" && !strings.HasSuffix(out, "\n") {
		fmt.Fprintln(f)
	}
}

func (c *ctr) probeLog(kind, msg string) {
	f, err := os.OpenFile(c.logPath()+".probes", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s: %s\n", time.Now().Format(time.RFC3339Nano), kind, strings.TrimSpace(msg))
}

func seconds(n, def int32) time.Duration {
	if n == 0 {
		n = def
	}
	return time.Duration(n) * time.Second
}

// runProbe runs one probe: exec in the container, TCP and HTTP from the
// node (this process) to the pod's IP.
func (c *ctr) runProbe(ctx context.Context, p *corev1.Probe, timeout time.Duration) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch {
	case p.Exec != nil:
		out, err := c.exec(ctx, p.Exec.Command)
		if err != nil {
			return false, fmt.Sprintf("exec %q: %v", p.Exec.Command, err)
		}
		return true, out
	case p.TCPSocket != nil:
		port, err := c.port(p.TCPSocket.Port)
		if err != nil {
			return false, err.Error()
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(c.r.ip, strconv.Itoa(port)))
		if err != nil {
			return false, err.Error()
		}
		conn.Close()
		return true, ""
	case p.HTTPGet != nil:
		port, err := c.port(p.HTTPGet.Port)
		if err != nil {
			return false, err.Error()
		}
		host := p.HTTPGet.Host
		if host == "" {
			host = c.r.ip
		}
		scheme := strings.ToLower(string(p.HTTPGet.Scheme))
		if scheme == "" {
			scheme = "http"
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s://%s%s", scheme, net.JoinHostPort(host, strconv.Itoa(port)), p.HTTPGet.Path), nil)
		if err != nil {
			return false, err.Error()
		}
		for _, h := range p.HTTPGet.HTTPHeaders {
			req.Header.Set(h.Name, h.Value)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, err.Error()
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode >= 400 {
			return false, fmt.Sprintf("HTTP %s: %s", resp.Status, body)
		}
		return true, ""
	}
	return false, "unsupported probe"
}

// port resolves a probe's port, by number or by the name of a container
// port.
func (c *ctr) port(p intstr.IntOrString) (int, error) {
	if p.Type == intstr.Int {
		return p.IntValue(), nil
	}
	for _, cp := range c.spec.Ports {
		if cp.Name == p.StrVal {
			return int(cp.ContainerPort), nil
		}
	}
	return 0, fmt.Errorf("no container port named %s", p.StrVal)
}
