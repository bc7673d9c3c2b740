package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"sync"
)

// The NATS image has no client (the nats CLI is not in it, nor in Debian):
// the test speaks the NATS protocol, which is text, with netcat from inside
// the pod, and reads each server's own state from its monitoring endpoint.

// natsSeqs holds, per namespace and key, the value written and the sequence
// number JetStream acknowledged for the message that carries it.
var natsSeqs sync.Map

type natsWrite struct {
	seq   uint64
	value string
}

// natsPub creates stream E2E (subjects e2e.>, one replica per server, on
// file) unless it exists and publishes value on e2e.<key> through the
// server of pod, as user client (NATS_PASSWORD, from the pod's environment),
// returning JetStream's acknowledgement's sequence number.
func natsPub(ctx context.Context, r *dbRun, pod, key, value string) (uint64, error) {
	create := fmt.Sprintf(`{"name":"E2E","subjects":["e2e.>"],"num_replicas":%d,"storage":"file"}`, len(r.pods()))
	proto := fmt.Sprintf("SUB _INBOX.e2e 1\r\nPUB $JS.API.STREAM.CREATE.E2E _INBOX.e2e %d\r\n%s\r\nPUB e2e.%s _INBOX.e2e %d\r\n%s\r\nPING\r\n",
		len(create), create, key, len(value), value)
	out, err := r.exec(ctx, pod, "sh", "-c",
		`{ printf 'CONNECT {"user":"client","pass":"%s","verbose":false}\r\n' "$NATS_PASSWORD"; printf '%s' "$1"; sleep 2; } | nc -q 1 127.0.0.1 "$2"`,
		"sh", proto, r.port())
	if err != nil {
		return 0, fmt.Errorf("%v: %s", err, lastLines(out, 3))
	}
	m := regexp.MustCompile(`\{"stream":"E2E",[^{}]*"seq":(\d+)`).FindStringSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no acknowledgement: %s", lastLines(out, 4))
	}
	return strconv.ParseUint(m[1], 10, 64)
}

// natsJSZ is the part of a NATS server's /jsz the tests read: its view of
// the JetStream meta group and, when asked for, the streams it holds.
type natsJSZ struct {
	Meta struct {
		Leader   string `json:"leader"`
		Size     int    `json:"cluster_size"`
		Replicas []struct {
			Name    string `json:"name"`
			Current bool   `json:"current"`
			Offline bool   `json:"offline"`
		} `json:"replicas"`
	} `json:"meta_cluster"`
	Accounts []struct {
		Name    string `json:"name"`
		Streams []struct {
			Name  string `json:"name"`
			State struct {
				LastSeq uint64 `json:"last_seq"`
			} `json:"state"`
		} `json:"stream_detail"`
	} `json:"account_details"`
}

// natsJSZOf fetches and decodes the /jsz of pod's server; query is appended
// to the path.
func natsJSZOf(ctx context.Context, r *dbRun, pod, query string) (*natsJSZ, error) {
	out, err := r.exec(ctx, pod, "curl", "-fsS", "http://127.0.0.1:8222/jsz"+query)
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, lastLines(out, 2))
	}
	var jsz natsJSZ
	if err := json.Unmarshal([]byte(out), &jsz); err != nil {
		return nil, fmt.Errorf("/jsz: %v: %s", err, lastLines(out, 2))
	}
	return &jsz, nil
}

// natsReplica returns the last sequence number of stream E2E in the replica
// the server of pod holds itself (its /jsz lists only the streams it holds),
// and that server's view of the JetStream meta group.
func natsReplica(ctx context.Context, r *dbRun, pod string) (uint64, string, error) {
	jsz, err := natsJSZOf(ctx, r, pod, "?accounts=true&streams=true")
	if err != nil {
		return 0, "", err
	}
	meta := fmt.Sprintf("meta group of %d, leader %q, peers %v", jsz.Meta.Size, jsz.Meta.Leader, jsz.Meta.Replicas)
	for _, a := range jsz.Accounts {
		for _, s := range a.Streams {
			if a.Name == "APP" && s.Name == "E2E" {
				return s.State.LastSeq, meta, nil
			}
		}
	}
	return 0, meta, nil
}
