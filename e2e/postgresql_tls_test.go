package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/headless-k8s/headless/presets"
)

// The postgresql preset with --tls cert-manager, for TestTLS: every
// client below connects over TCP to a member's DNS name, as a client in
// another pod would, never through the local socket (which stays trusted).
func init() {
	tlsDatabases["postgresql"] = database{
		write: func(ctx context.Context, r *dbRun, pod, key, value string) error {
			out, err := pgTLS(ctx, r, pod, fqdnOf(r, pod), pgTLSCert,
				fmt.Sprintf("CREATE TABLE IF NOT EXISTS e2e (k text PRIMARY KEY, v text); INSERT INTO e2e VALUES ('%s', '%s')", key, value))
			if err != nil {
				return fmt.Errorf("%v: %s", err, lastLines(out, 3))
			}
			return nil
		},
		// The row, read over TLS from the member itself. On the primary,
		// the read also requires that every standby streams from it over
		// TLS: the cluster has formed over TLS only when it does.
		read: func(ctx context.Context, r *dbRun, pod, key string) (string, error) {
			out, err := pgTLS(ctx, r, pod, fqdnOf(r, pod), pgTLSCert, fmt.Sprintf("SELECT v FROM e2e WHERE k = '%s'", key))
			if err != nil || pod != r.man.Model.Primary().Name {
				return out, err
			}
			return out, pgStreamsOverTLS(ctx, r, pod)
		},
		// Two clients, each with the postgres password: one without TLS
		// (with the certificate, sslmode=disable), which no pg_hba.conf
		// line admits, and one over TLS, checking the server's
		// certificate, but presenting none of its own. What the second
		// was answered is returned only when the first was refused.
		unauthenticated: func(ctx context.Context, r *dbRun, pod, host string) (string, error) {
			out, err := pgTLS(ctx, r, pod, host, "sslmode=disable sslcert="+presets.TLSDir+"/tls.crt sslkey="+presets.TLSDir+"/tls.key", "CREATE TABLE intruder (k text)")
			if !strings.Contains(out, "no pg_hba.conf entry") || !strings.Contains(out, "no encryption") {
				return "without TLS: " + out, err
			}
			r.t.Logf("a client without TLS is refused: %s", lastLines(out, 1))
			return pgTLS(ctx, r, pod, host, "sslmode=verify-full sslrootcert="+presets.TLSDir+"/ca.crt", "CREATE TABLE intruder (k text)")
		},
		refused: "connection requires a valid client certificate",
	}
}

// pgTLSCert are the libpq options of a client with the pod's certificate
// that checks the server's certificate and name.
var pgTLSCert = "sslmode=verify-full sslrootcert=" + presets.TLSDir + "/ca.crt sslcert=" + presets.TLSDir + "/tls.crt sslkey=" + presets.TLSDir + "/tls.key"

// pgTLS runs query with psql in pod, as postgres with the Secret's
// password (from the container's environment, never the command line), to
// the server at host over TCP with the libpq options ssl.
func pgTLS(ctx context.Context, r *dbRun, pod, host, ssl, query string) (string, error) {
	conninfo := fmt.Sprintf("host=%s port=%s user=postgres dbname=postgres connect_timeout=5 %s", host, r.port(), ssl)
	return r.exec(ctx, pod, "sh", "-c", `PGPASSWORD=$POSTGRES_PASSWORD exec psql --no-psqlrc -v ON_ERROR_STOP=1 -Atc "$1" -d "$2" 2>&1`,
		"sh", query, conninfo)
}

// pgStreamsOverTLS checks, on the primary, that every standby streams
// from it as replicator over TLS (pg_stat_replication joined with
// pg_stat_ssl) with a client certificate, and that the standby's own
// stream asks for verify-full (its pg_stat_wal_receiver).
func pgStreamsOverTLS(ctx context.Context, r *dbRun, primary string) error {
	out, err := r.pgSQL(ctx, primary, "SELECT count(*) FROM pg_stat_replication p JOIN pg_stat_ssl s USING (pid) "+
		"WHERE p.usename = 'replicator' AND p.state = 'streaming' AND s.ssl AND s.client_serial IS NOT NULL")
	if err != nil {
		return fmt.Errorf("pg_stat_ssl on %s: %v: %s", primary, err, out)
	}
	if want := len(r.pods()) - 1; out != strconv.Itoa(want) {
		return fmt.Errorf("%s streams to %s standbys over TLS with a client certificate, want %d", primary, out, want)
	}
	var conninfos []string
	for _, pod := range r.pods() {
		if pod == primary {
			continue
		}
		out, err := r.pgSQL(ctx, pod, "SELECT status || ' ' || conninfo FROM pg_stat_wal_receiver")
		if err != nil || !strings.HasPrefix(out, "streaming ") || !strings.Contains(out, "sslmode=verify-full") ||
			!strings.Contains(out, "sslcert="+presets.TLSDir+"/tls.crt") {
			return fmt.Errorf("%s's WAL receiver: %q (%v), want streaming with sslmode=verify-full and the pod's certificate", pod, out, err)
		}
		conninfos = append(conninfos, pod+": "+out)
	}
	streams, _ := r.pgSQL(ctx, primary, "SELECT p.application_name, s.version, s.cipher, s.client_serial FROM pg_stat_replication p JOIN pg_stat_ssl s USING (pid)")
	r.t.Logf("the standbys stream over TLS; on %s (application_name|version|cipher|client_serial):\n  %s\nWAL receivers:\n  %s",
		primary, strings.ReplaceAll(streams, "\n", "\n  "), strings.Join(conninfos, "\n  "))
	return nil
}
