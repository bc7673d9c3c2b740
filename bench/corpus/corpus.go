// Package corpus generates synthetic manifest sets for lint benchmarks:
// units of 11 objects (a database with its headless Service, a web tier, and
// the objects around them) spread over namespaces, with a mistake in one
// unit of every 50 so that the cross-object rules have work to do.
package corpus

import (
	"fmt"
	"strings"
)

// ObjectsPerUnit is how many objects one unit has.
const ObjectsPerUnit = 11

// File is one generated manifest file.
type File struct {
	Name string
	Data []byte
}

// Files returns objects/ObjectsPerUnit units in files of at most 100 units.
func Files(objects int) []File {
	units := objects / ObjectsPerUnit
	var files []File
	for start := 0; start < units; start += 100 {
		var b strings.Builder
		for u := start; u < min(start+100, units); u++ {
			writeUnit(&b, u)
		}
		files = append(files, File{Name: fmt.Sprintf("units-%05d.yaml", start/100), Data: []byte(b.String())})
	}
	return files
}

func writeUnit(b *strings.Builder, u int) {
	ns := fmt.Sprintf("team-%03d", u%200)
	name := fmt.Sprintf("db%d", u)
	clusterIP := "None"
	selector := name
	if u%50 == 7 {
		clusterIP = "none"
	}
	if u%50 == 13 {
		selector = name + "-typo"
	}
	fmt.Fprintf(b, `---
apiVersion: v1
kind: Service
metadata:
  name: %[1]s-headless
  namespace: %[2]s
  labels: {app: %[1]s, tier: db}
spec:
  clusterIP: %[3]s
  publishNotReadyAddresses: true
  selector: {app: %[4]s}
  ports:
    - name: mongodb
      port: 27017
      targetPort: mongodb
---
apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  selector: {app: %[1]s}
  ports:
    - name: mongodb
      port: 27017
      targetPort: mongodb
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  serviceName: %[1]s-headless
  replicas: 3
  selector:
    matchLabels: {app: %[1]s}
  template:
    metadata:
      labels: {app: %[1]s, tier: db}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 999}
      containers:
        - name: mongodb
          image: mongo:8.0.4
          args: ["--replSet", "%[1]s"]
          ports:
            - name: mongodb
              containerPort: 27017
          resources:
            requests: {cpu: 250m, memory: 512Mi}
          readinessProbe:
            tcpSocket: {port: mongodb}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests: {storage: 8Gi}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: %[1]s-config
  namespace: %[2]s
data:
  mongod.conf: |
    net:
      port: 27017
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s-web
  namespace: %[2]s
spec:
  replicas: 2
  selector:
    matchLabels: {app: %[1]s-web}
  template:
    metadata:
      labels: {app: %[1]s-web}
    spec:
      containers:
        - name: web
          image: nginx:1.27.3
          ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: %[1]s-web
  namespace: %[2]s
spec:
  selector: {app: %[1]s-web}
  ports: [{name: http, port: 80, targetPort: http}]
`, name, ns, clusterIP, selector)
	for i := range 2 {
		fmt.Fprintf(b, `---
apiVersion: v1
kind: Pod
metadata:
  name: %[1]s-cache-%[3]d
  namespace: %[2]s
  labels: {app: %[1]s-cache}
spec:
  hostname: %[1]s-cache-%[3]d
  subdomain: %[1]s-cache
  containers:
    - name: redis
      image: redis:7.4.2
      ports: [{name: redis, containerPort: 6379}]
`, name, ns, i)
	}
	fmt.Fprintf(b, `---
apiVersion: v1
kind: Service
metadata:
  name: %[1]s-cache
  namespace: %[2]s
spec:
  clusterIP: None
  selector: {app: %[1]s-cache}
  ports: [{name: redis, port: 6379, targetPort: redis}]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: %[1]s
  namespace: %[2]s
automountServiceAccountToken: false
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: %[1]s}
`, name, ns)
}
