package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/headless-k8s/headless/generator"
)

// rabbitmqRefused is what RabbitMQ answers a client that announces the
// authentication_failure_close capability and logs in with a user that does
// not exist or a wrong password (rabbit_reader:auth_fail, 3.x and 4.x).
const rabbitmqRefused = "403 ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN"

// amqpLogin is an AMQP 0-9-1 client in Erlang (the image has Erlang and no
// AMQP client): for each login of its arguments, HOST PORT USER, it opens a
// connection, answers connection.start with connection.start-ok (PLAIN,
// capability authentication_failure_close) and prints what the server
// answers: connection.tune when the login is taken, connection.close with
// its code and text when it is refused. The password of user admin is
// RABBITMQ_DEFAULT_PASS, read from the environment; any other user's is
// its name (guest/guest).
const amqpLogin = `Login = fun(H, P, User) ->
    Pass = case User of "admin" -> os:getenv("RABBITMQ_DEFAULT_PASS"); _ -> User end,
    {ok, S} = gen_tcp:connect(H, list_to_integer(P), [binary, {active, false}], 10000),
    ok = gen_tcp:send(S, <<"AMQP", 0, 0, 9, 1>>),
    {ok, <<1, 0:16, L:32>>} = gen_tcp:recv(S, 7, 10000),
    {ok, _Start} = gen_tcp:recv(S, L + 1, 10000),
    Cap = <<28, "authentication_failure_close", $t, 1>>,
    Props = <<12, "capabilities", $F, (byte_size(Cap)):32, Cap/binary>>,
    R = list_to_binary([0, User, 0, Pass]),
    M = <<10:16, 11:16, (byte_size(Props)):32, Props/binary, 5, "PLAIN", (byte_size(R)):32, R/binary, 5, "en_US">>,
    ok = gen_tcp:send(S, <<1, 0:16, (byte_size(M)):32, M/binary, 16#CE>>),
    A = case gen_tcp:recv(S, 7, 10000) of
        {ok, <<1, 0:16, L2:32>>} ->
            {ok, B} = gen_tcp:recv(S, L2 + 1, 10000),
            case B of
                <<10:16, 30:16, _/binary>> -> "connection.tune";
                <<10:16, 50:16, Code:16, TL, Text:TL/binary, _/binary>> -> io_lib:format("connection.close ~b ~s", [Code, Text]);
                _ -> io_lib:format("frame ~p", [B])
            end;
        Other -> io_lib:format("~p", [Other])
    end,
    gen_tcp:close(S),
    io:format("~s@~s: ~s~n", [User, H, A])
end,
Each = fun Each([H, P, U | Rest]) -> Login(H, P, U), Each(Rest); Each([]) -> ok end,
Each(init:get_plain_arguments()),
halt().`

func init() {
	databases["rabbitmq"] = database{
		// The value is written as the name of a new virtual host, which
		// the cluster's metadata store replicates to every node; each node
		// lists its own copy (rabbitmqctl talks to the pod's node, by its
		// RABBITMQ_NODENAME, with the cookie in HOME).
		write: func(ctx context.Context, r *dbRun, pod, key, value string) error {
			out, err := r.exec(ctx, pod, "rabbitmqctl", "add_vhost", value)
			if err != nil {
				return fmt.Errorf("%v: %s", err, lastLines(out, 3))
			}
			return nil
		},
		read: func(ctx context.Context, r *dbRun, pod, key string) (string, error) {
			return r.exec(ctx, pod, "rabbitmqctl", "list_vhosts", "--silent")
		},
		// An AMQP client, admitted as admin with the Secret's password,
		// logs in as guest/guest at host and at the pod's own node through
		// the loopback address (from where RabbitMQ would admit guest if it
		// existed): both must be refused.
		unauthenticated: func(ctx context.Context, r *dbRun, pod, host string) (string, error) {
			p := r.port()
			out, err := r.exec(ctx, pod, "erl", "-noshell", "-eval", amqpLogin, "-extra",
				host, p, "admin", host, p, "guest", "127.0.0.1", p, "guest")
			if err != nil {
				return out, err
			}
			want := []string{"admin@" + host + ": connection.tune",
				"guest@" + host + ": connection.close " + rabbitmqRefused, "guest@127.0.0.1: connection.close " + rabbitmqRefused}
			for _, w := range want {
				if !strings.Contains(out, w) {
					return "", fmt.Errorf("want %q in the AMQP client's output %q", w, out)
				}
			}
			return out, nil
		},
		refused: rabbitmqRefused,
	}
}

// The AMQP client of the check above sees a guest that exists: with
// --auth=false RabbitMQ creates guest/guest, which it admits through the
// loopback address, and the same client is admitted.
func TestRabbitMQGuestWithoutAuth(t *testing.T) {
	if why, ok := skipped["rabbitmq"]; ok {
		t.Skip(why)
	}
	parallel(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	one, off := 1, false
	r := startRunSpec(ctx, t, generator.Spec{Preset: "rabbitmq", Mode: generator.ModePods, Namespace: "run-rabbitmq-noauth",
		Replicas: &one, Auth: &off}, nil)
	if _, err := r.running(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	pod := r.pods()[0]
	var out string
	if err := poll(ctx, 3*time.Minute, func() (bool, error) {
		out, _ = r.exec(ctx, pod, "erl", "-noshell", "-eval", amqpLogin, "-extra", "127.0.0.1", r.port(), "guest")
		return strings.Contains(out, "guest@127.0.0.1: connection.tune"), nil
	}); err != nil {
		t.Fatalf("without authentication, guest was not admitted through the loopback address: %v: %q", err, out)
	}
	t.Logf("without authentication the same client is admitted: %s", lastLines(out, 1))
}
