package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"
)

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// InstallCertManagerCRDs creates cert-manager's CustomResourceDefinitions,
// which e2e/build.sh copies from cert-manager's module into crds/ beside the
// binaries, and waits until the API server serves them. The files are the
// ones cert-manager's Helm chart templates: their labels and annotations
// hold template expressions, so only the CRDs' names and specs are kept.
func (c *Cluster) InstallCertManagerCRDs(ctx context.Context, bin string) (int, error) {
	files, _ := filepath.Glob(filepath.Join(bin, "..", "crds", "cert-manager-*", "crd-*.yaml"))
	if len(files) == 0 {
		return 0, fmt.Errorf("no cert-manager CRDs beside %s: run e2e/build.sh", bin)
	}
	dyn, err := dynamic.NewForConfig(c.Config)
	if err != nil {
		return 0, err
	}
	var names []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		var obj map[string]any
		if err := yaml.Unmarshal(data, &obj); err != nil {
			return 0, fmt.Errorf("%s: %w", f, err)
		}
		u := &unstructured.Unstructured{Object: obj}
		u.SetLabels(nil)
		u.SetAnnotations(nil)
		if _, err := dyn.Resource(crdResource).Create(ctx, u, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return 0, fmt.Errorf("%s: %w", f, err)
		}
		names = append(names, u.GetName())
	}
	for _, name := range names {
		err := poll(ctx, 60*time.Second, func() (bool, error) {
			u, err := dyn.Resource(crdResource).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
			for _, c := range conds {
				if m, ok := c.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return 0, fmt.Errorf("CRD %s not established: %w", name, err)
		}
	}
	return len(names), nil
}

var certManagerCRDs struct {
	sync.Once
	n   int
	err error
}

// ensureCertManagerCRDs installs cert-manager's CRDs into the test
// cluster once, for every test that needs them.
func ensureCertManagerCRDs(ctx context.Context) (int, error) {
	certManagerCRDs.Do(func() {
		certManagerCRDs.n, certManagerCRDs.err = cluster.InstallCertManagerCRDs(ctx, os.Getenv("HEADLESS_E2E_BIN"))
	})
	return certManagerCRDs.n, certManagerCRDs.err
}
