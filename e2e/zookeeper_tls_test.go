package e2e

import (
	"context"
	"fmt"
	"strings"

	"github.com/headless-k8s/headless/presets"
)

// ZooKeeper with --tls cert-manager: zkCli.sh in a member's pod connects
// with TLS and the pod's certificate (the CLIENT_JVMFLAGS the preset sets)
// and authenticates with SASL as before. A client is refused both without a
// certificate (the handshake fails: the server demands one) and in
// plaintext (the client port speaks TLS only); both still have the SASL
// credentials, so the refusal is TLS's.
func init() {
	zk := databases["zookeeper"]
	tlsDatabases["zookeeper"] = database{
		anyWriter: true,
		write:     zk.write,
		read:      zk.read,
		unauthenticated: func(ctx context.Context, r *dbRun, pod, host string) (string, error) {
			server := host + ":" + r.port()
			d := presets.TLSDir
			jaas := "-Djava.security.auth.login.config=/run/headless/jaas.conf"
			noCert := strings.Join([]string{jaas, "-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
				"-Dzookeeper.client.secure=true", "-Dzookeeper.ssl.trustStore.location=" + d + "/ca.crt",
				"-Dzookeeper.ssl.trustStore.type=PEM", "-Dzookeeper.ssl.hostnameVerification=false"}, " ")
			out, err := r.exec(ctx, pod, "env", "CLIENT_JVMFLAGS="+noCert, "zkCli.sh", "-server", server, "create", "/intruder", "1")
			if !strings.Contains(out, "bad_certificate") || !strings.Contains(out, connectionLoss) {
				return "without a certificate: " + lastLines(out, 8), err
			}
			plain, err := r.exec(ctx, pod, "env", "CLIENT_JVMFLAGS="+jaas, "zkCli.sh", "-server", server, "create", "/intruder", "1")
			if !strings.Contains(plain, connectionLoss) || strings.Contains(plain, "Created /intruder") {
				return "in plaintext: " + lastLines(plain, 8), err
			}
			return fmt.Sprintf("%s (the server's alert: bad_certificate; %s)", zookeeperRefused, connectionLoss), nil
		},
		refused: zookeeperRefused,
	}
}

// connectionLoss is what zkCli.sh says when its request never reaches a
// server: the connection was lost before a session was made.
const connectionLoss = "KeeperErrorCode = ConnectionLoss for /intruder"

// zookeeperRefused is said only once both clients were seen refused.
const zookeeperRefused = "refused without a certificate and in plaintext"
