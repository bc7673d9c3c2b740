package e2e

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// etcdOutsider is the image of the pod that tries etcd without
// credentials: curl's, which the etcd preset's auth sidecar uses too.
const etcdOutsider = "curlimages/curl:8.17.0"

// etcdUnauthenticated writes to the etcd member at host through its JSON
// API, without credentials, from a pod of r's namespace that is no member
// (no label of the workload, not behind its Services), and returns what
// etcd answered. pod, the member the harness names, is not used: a member
// holds the credentials in its environment.
func etcdUnauthenticated(ctx context.Context, r *dbRun, pod, host string) (string, error) {
	name := "outsider"
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: r.ns, Labels: map[string]string{"app": "outsider"}},
		// No service account token: the kubelet stand-in mounts none.
		Spec: corev1.PodSpec{AutomountServiceAccountToken: new(false), Containers: []corev1.Container{{
			Name: "client", Image: etcdOutsider,
			Command: []string{"/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done"},
		}}},
	}
	if _, err := cluster.Client.CoreV1().Pods(r.ns).Create(ctx, p, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", err
	}
	err := poll(ctx, 2*time.Minute, func() (bool, error) {
		got, err := cluster.Client.CoreV1().Pods(r.ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return len(got.Status.ContainerStatuses) > 0 && got.Status.ContainerStatuses[0].State.Running != nil, nil
	})
	if err != nil {
		return "", fmt.Errorf("the outsider pod does not run: %w", err)
	}
	// put intruder=1 (keys and values are base64 in the JSON API).
	return r.exec(ctx, name, "curl", "-sS", "--max-time", "10", "-X", "POST",
		"--data-binary", `{"key":"aW50cnVkZXI=","value":"MQ=="}`, "http://"+host+":"+r.port()+"/v3/kv/put")
}
