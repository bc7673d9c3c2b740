// Package e2e checks what headless claims about Kubernetes against real
// components running on loopback: etcd, kube-apiserver,
// kube-controller-manager (StatefulSet, EndpointSlice and ServiceAccount
// controllers) and CoreDNS. It is a module of its own so that the tool's
// go.mod never depends on client-go; build.sh builds the binaries.
package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Cluster is a running set of Kubernetes components on 127.0.0.1.
type Cluster struct {
	// Dir holds data, certificates, configuration and logs.
	Dir string
	// Config reaches the API server as a cluster admin.
	Config *rest.Config
	Client *kubernetes.Clientset
	// DNS is CoreDNS's address, "127.0.0.1:<port>".
	DNS string
	// Domain is the cluster domain CoreDNS serves.
	Domain string

	// PeakMemory describes each component's peak resident memory, read
	// when Stop ends them.
	PeakMemory string
	// CPU describes the CPU time each component used, read when it stops.
	CPU string

	mu     sync.Mutex
	procs  []*exec.Cmd
	waited map[*exec.Cmd]chan struct{} // closed when Wait returns
	exited map[string]error            // components that ended, and how
}

// Start starts etcd, the API server, the controller manager and CoreDNS
// from the binaries in bin, each on free ports, and waits until they are
// ready. With podDNS, an address of this network namespace (the pods'
// bridge), CoreDNS serves port 53 there and on 127.0.0.1, because a pod's
// resolv.conf names a nameserver without a port. Stop ends them all; call
// it even when Start fails.
func Start(ctx context.Context, bin, dir, podDNS string, logf func(string, ...any)) (*Cluster, error) {
	c := &Cluster{Dir: dir, Domain: "cluster.local", exited: map[string]error{}}
	etcd, err := findEtcd()
	if err != nil {
		return c, err
	}
	ports, err := freePorts(5)
	if err != nil {
		return c, err
	}
	etcdClient, etcdPeer, apiPort, dnsPort, readyPort := ports[0], ports[1], ports[2], ports[3], ports[4]
	c.DNS = "127.0.0.1:" + strconv.Itoa(dnsPort)
	bind := "127.0.0.1"
	if podDNS != "" {
		dnsPort = 53
		c.DNS = "127.0.0.1:53"
		bind += " " + podDNS
	}

	logf("starting etcd on 127.0.0.1:%d", etcdClient)
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", etcdClient)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", etcdPeer)
	if err := c.start("etcd", etcd, "--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", etcdURL, "--advertise-client-urls", etcdURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "default="+peerURL, "--unsafe-no-fsync"); err != nil {
		return c, err
	}
	if err := c.waitHTTP(ctx, "etcd", etcdURL+"/health", nil, 30*time.Second); err != nil {
		return c, fmt.Errorf("etcd: %w (log: %s)", err, c.logTail("etcd"))
	}

	token := "headless-e2e-admin-token"
	if err := os.WriteFile(filepath.Join(dir, "tokens.csv"), []byte(token+",admin,admin,system:masters\n"), 0o600); err != nil {
		return c, err
	}
	saKey := filepath.Join(dir, "sa.key")
	if err := writeECKey(saKey); err != nil {
		return c, err
	}
	logf("starting kube-apiserver on 127.0.0.1:%d", apiPort)
	if err := c.start("kube-apiserver", filepath.Join(bin, "kube-apiserver"),
		"--etcd-servers", etcdURL,
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
		"--secure-port", strconv.Itoa(apiPort), "--cert-dir", filepath.Join(dir, "apiserver"),
		"--token-auth-file", filepath.Join(dir, "tokens.csv"), "--authorization-mode", "RBAC",
		"--service-cluster-ip-range", "10.96.0.0/16",
		"--service-account-key-file", saKey, "--service-account-signing-key-file", saKey,
		"--service-account-issuer", "https://kubernetes.default.svc",
		"--enable-priority-and-fairness=false",
		// The default reconciler refuses a loopback advertise address.
		"--endpoint-reconciler-type=none"); err != nil {
		return c, err
	}
	c.Config = &rest.Config{Host: fmt.Sprintf("https://127.0.0.1:%d", apiPort), BearerToken: token,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true}, QPS: 200, Burst: 400}
	if err := c.waitHTTP(ctx, "kube-apiserver", c.Config.Host+"/readyz", map[string]string{"Authorization": "Bearer " + token}, 90*time.Second); err != nil {
		return c, fmt.Errorf("kube-apiserver: %w (log: %s)", err, c.logTail("kube-apiserver"))
	}
	if c.Client, err = kubernetes.NewForConfig(c.Config); err != nil {
		return c, err
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: e2e, cluster: {server: %q, insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: %q}}]
contexts: [{name: e2e, context: {cluster: e2e, user: admin}}]
current-context: e2e
`, c.Config.Host, token)), 0o600); err != nil {
		return c, err
	}

	logf("starting kube-controller-manager (statefulset, endpointslice, serviceaccount, persistentvolumeclaim-protection controllers)")
	if err := c.start("kube-controller-manager", filepath.Join(bin, "kube-controller-manager"),
		"--kubeconfig", kubeconfig,
		// The claim protection controller lets a deleted claim go once no
		// pod uses it.
		"--controllers", "statefulset-controller,endpointslice-controller,serviceaccount-controller,persistentvolumeclaim-protection-controller",
		"--leader-elect=false", "--secure-port=0", "--use-service-account-credentials=false",
		"--endpointslice-updates-batch-period=0s"); err != nil {
		return c, err
	}
	// The controllers work once the default namespace has its ServiceAccount.
	if err := poll(ctx, 60*time.Second, func() (bool, error) {
		if err := c.dead("kube-controller-manager"); err != nil {
			return false, err
		}
		_, err := c.Client.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	}); err != nil {
		return c, fmt.Errorf("kube-controller-manager: %w (log: %s)", err, c.logTail("kube-controller-manager"))
	}

	logf("starting coredns on %s", c.DNS)
	corefile := filepath.Join(dir, "Corefile")
	if err := os.WriteFile(corefile, []byte(fmt.Sprintf(`.:%d {
    bind %s
    errors
    ready 127.0.0.1:%d
    kubernetes %s {
        kubeconfig %s e2e
        ttl 0
    }
}
`, dnsPort, bind, readyPort, c.Domain, kubeconfig)), 0o600); err != nil {
		return c, err
	}
	if err := c.start("coredns", filepath.Join(bin, "coredns"), "-conf", corefile); err != nil {
		return c, err
	}
	if err := c.waitHTTP(ctx, "coredns", fmt.Sprintf("http://127.0.0.1:%d/ready", readyPort), nil, 60*time.Second); err != nil {
		return c, fmt.Errorf("coredns: %w (log: %s)", err, c.logTail("coredns"))
	}
	return c, nil
}

// start runs a component in its own process group, logging to Dir/<name>.log.
// The kernel kills it if the test process dies first.
func (c *Cluster) start(name, path string, args ...string) error {
	log, err := os.Create(filepath.Join(c.Dir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	waited := make(chan struct{})
	c.mu.Lock()
	c.procs = append(c.procs, cmd)
	if c.waited == nil {
		c.waited = map[*exec.Cmd]chan struct{}{}
	}
	c.waited[cmd] = waited
	c.mu.Unlock()
	go func() {
		err := cmd.Wait()
		close(waited)
		log.Close()
		c.mu.Lock()
		c.exited[name] = fmt.Errorf("%s exited: %v", name, err)
		c.mu.Unlock()
	}()
	return nil
}

// dead returns an error if the component has exited.
func (c *Cluster) dead(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exited[name]
}

// Stop ends every component, newest first: SIGTERM, then SIGKILL after
// five seconds. It is safe to call more than once.
func (c *Cluster) Stop() {
	c.mu.Lock()
	procs := c.procs
	c.procs = nil
	c.mu.Unlock()
	if len(procs) > 0 {
		c.PeakMemory, c.CPU = usage(procs)
	}
	for i := len(procs) - 1; i >= 0; i-- {
		p := procs[i]
		if p.Process == nil {
			continue
		}
		syscall.Kill(-p.Process.Pid, syscall.SIGTERM)
		c.mu.Lock()
		done := c.waited[p]
		c.mu.Unlock()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
		}
	}
}

// usage describes, for each process still running, its high-water
// resident memory (VmHWM in /proc/PID/status) and the CPU time (user and
// system) it has used so far (/proc/PID/stat, in clock ticks of 1/100 s on
// Linux), each with the total.
func usage(procs []*exec.Cmd) (memory, cpu string) {
	var mem, cpus []string
	totalKB := 0
	var totalCPU time.Duration
	for _, p := range procs {
		if p.Process == nil {
			continue
		}
		name := filepath.Base(p.Path)
		if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Process.Pid)); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
					totalKB += kb
					mem = append(mem, fmt.Sprintf("%s %d MiB", name, kb/1024))
				}
			}
		}
		if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Process.Pid)); err == nil {
			// The command name, in parentheses, may hold spaces: count
			// fields from the last ')'. utime and stime are fields 14
			// and 15.
			s := string(data)
			if fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); len(fields) >= 13 {
				utime, _ := strconv.ParseInt(fields[11], 10, 64)
				stime, _ := strconv.ParseInt(fields[12], 10, 64)
				d := time.Duration(utime+stime) * 10 * time.Millisecond
				totalCPU += d
				cpus = append(cpus, fmt.Sprintf("%s %.0fs", name, d.Seconds()))
			}
		}
	}
	return fmt.Sprintf("%s; %d MiB together", strings.Join(mem, ", "), totalKB/1024),
		fmt.Sprintf("%s; %.0fs together", strings.Join(cpus, ", "), totalCPU.Seconds())
}

// logTail returns the end of a component's log, for error messages.
func (c *Cluster) logTail(name string) string {
	data, _ := os.ReadFile(filepath.Join(c.Dir, name+".log"))
	if len(data) > 2000 {
		data = data[len(data)-2000:]
	}
	return string(data)
}

func findEtcd() (string, error) {
	if p, err := exec.LookPath("etcd"); err == nil {
		return p, nil
	}
	return "", errors.New("etcd not found on PATH; e2e/build.sh installs Debian's etcd-server")
}

// freePorts returns n TCP ports that were free a moment ago (and, for DNS,
// free for UDP too).
func freePorts(n int) ([]int, error) {
	var (
		ports []int
		ls    []io.Closer
	)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		ls = append(ls, u)
		ports = append(ports, port)
	}
	return ports, nil
}

func (c *Cluster) waitHTTP(ctx context.Context, name, url string, headers map[string]string, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("%s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
		} else {
			last = err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := c.dead(name); err != nil {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s: %v", timeout, last)
}

// writeECKey writes a fresh ECDSA key for signing service-account tokens.
func writeECKey(path string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}
