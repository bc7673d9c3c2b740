package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// StandIn is what runs on this machine in place of an image: the same
// programs (the database's own server and clients, from Debian or built
// from the project's Go modules) at the paths the image has them, on the
// PATH the image sets, with the image's user accounts and directories. The
// generated command runs unchanged; nothing imitates a database.
type StandIn struct {
	// Repository is the image's repository, e.g. "redis".
	Repository string
	// Describe names the stand-in and its version, for the log.
	Describe string
	// Skip, when set, says why the image's server cannot run here.
	Skip string

	Env        []string          // the image's ENV, PATH first
	Entrypoint []string          // the image's ENTRYPOINT and CMD, for a container without command
	Cmd        []string          //
	Workdir    string            // the image's WORKDIR
	UID, GID   int64             // the image's USER
	Users      []string          // /etc/passwd lines the image has
	Groups     []string          // /etc/group lines the image has
	Tmpfs      []string          // directories of the image that hide the host's
	Files      map[string]string // path in the image -> the host file there
	Dirs       []imageDir        // directories the image has
}

type imageDir struct {
	Path     string
	Mode     uint32
	UID, GID int
}

const basePath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// StandIns returns the stand-in of every preset's image; dir is the
// stand-ins directory install.sh prints: etcd, etcdctl and nats-server as
// built there.
func StandIns(dir string) map[string]*StandIn {
	etcdBin := dir
	imgs := []*StandIn{
		{
			// docker-library/redis: user redis 999, WORKDIR /data,
			// redis-server and redis-cli in /usr/local/bin.
			Repository: "redis",
			Describe:   "Debian redis-server " + version(`v=(\S+)`, "redis-server", "--version"),
			Env:        []string{basePath},
			Entrypoint: []string{"docker-entrypoint.sh"}, Cmd: []string{"redis-server"},
			Workdir: "/data",
			Users:   []string{"redis:x:999:999::/home/redis:/usr/sbin/nologin"},
			Groups:  []string{"redis:x:999:"},
			Dirs:    []imageDir{{Path: "/data", Mode: 0o755, UID: 999, GID: 999}},
		},
		{
			// docker-library/postgres: user postgres 999, the server's
			// bin directory on the PATH, PGDATA, and the socket directory
			// /var/run/postgresql writable by postgres.
			Repository: "postgres",
			Describe:   "Debian postgresql-15 " + version(`(\d+\.\d+)`, "/usr/lib/postgresql/15/bin/postgres", "--version"),
			Env: []string{"PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				"PG_MAJOR=15", "PGDATA=/var/lib/postgresql/data"},
			Cmd:    []string{"postgres"},
			Users:  []string{"postgres:x:999:999::/var/lib/postgresql:/bin/bash"},
			Groups: []string{"postgres:x:999:"},
			Dirs: []imageDir{
				{Path: "/var/run/postgresql", Mode: 0o3777, UID: 999, GID: 999},
				{Path: "/var/lib/postgresql", Mode: 0o755, UID: 999, GID: 999},
			},
		},
		{
			// 31z4/zookeeper-docker: user zookeeper 1000, zkServer.sh on
			// the PATH, a JRE, bash and netcat. Debian's zookeeper package
			// logs to /var/log/zookeeper.
			Repository: "zookeeper",
			Describe: "Debian zookeeper " + version(`(\S+)`, "dpkg-query", "-W", "-f", "${Version}", "zookeeper") +
				" on OpenJDK " + version(`version "([^"]+)"`, "java", "-version"),
			// Debian's class path has no SLF4J binding, so the server would
			// log nothing; the image's logs to the console, and so does
			// slf4j-simple (same package as slf4j-api), named last. Nor
			// has it netty-codec and netty-resolver (zookeeper.jar's
			// manifest omits them), which the Netty server and client of
			// TLS need; the image has them. JVMFLAGS, which zkServer.sh,
			// zkCli.sh and zkServer.sh status put after their own -cp.
			Env: []string{basePath + ":/usr/share/zookeeper/bin",
				"JVMFLAGS=-cp /etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/netty-codec.jar:/usr/share/java/netty-resolver.jar:/usr/share/java/slf4j-simple.jar"},
			Cmd:     []string{"zkServer.sh", "start-foreground"},
			Workdir: "/",
			Users:   []string{"zookeeper:x:1000:1000::/home/zookeeper:/bin/bash"},
			Groups:  []string{"zookeeper:x:1000:"},
			Dirs:    []imageDir{{Path: "/var/log/zookeeper", Mode: 0o755, UID: 1000, GID: 1000}},
		},
		{
			// etcd-io/etcd's image: distroless, etcd and etcdctl in
			// /usr/local/bin, WORKDIR /var/lib/etcd.
			Repository: "gcr.io/etcd-development/etcd",
			Describe:   "etcd " + version(`etcd Version: (\S+)`, filepath.Join(etcdBin, "etcd"), "--version") + " built from go.etcd.io/etcd/server/v3",
			Env:        []string{basePath},
			Entrypoint: []string{"/usr/local/bin/etcd"},
			Workdir:    "/var/lib/etcd",
			Tmpfs:      []string{"/usr/local/bin"},
			Files: map[string]string{
				"/usr/local/bin/etcd":    filepath.Join(etcdBin, "etcd"),
				"/usr/local/bin/etcdctl": filepath.Join(etcdBin, "etcdctl"),
			},
		},
		{
			// curl/curl-container, create_base_image.sh: Alpine with
			// busybox's sh, curl in /usr/bin, ENTRYPOINT /entrypoint.sh,
			// CMD curl, user curl_user (adduser -S: uid 100, its group
			// 101), WORKDIR /home/curl_user. Debian's curl and dash stand
			// in; the etcd preset's auth.sh is POSIX sh for either.
			Repository: "curlimages/curl",
			Describe:   "Debian curl " + version(`curl (\S+)`, "curl", "--version") + " with dash",
			Env:        []string{basePath},
			Entrypoint: []string{"/entrypoint.sh"}, Cmd: []string{"curl"},
			Workdir: "/home/curl_user",
			Users:   []string{"curl_user:x:100:101::/home/curl_user:/sbin/nologin"},
			Groups:  []string{"curl_group:x:101:"},
			Dirs:    []imageDir{{Path: "/home/curl_user", Mode: 0o755, UID: 100, GID: 101}},
		},
		{
			// MariaDB/mariadb-docker 11.4/Dockerfile: user mysql, created
			// first with groupadd -r / useradd -r (999), home /var/lib/mysql;
			// mariadbd, mariadb-install-db, mariadb, mariadb-backup, socat
			// and galera-4 from the packages, /var/lib/mysql owned by mysql,
			// LANG C.UTF-8. The preset runs none of the image's own files.
			Repository: "mariadb",
			Describe: "Debian mariadb-server " + version(`(\d+\.\d+\.\d+)-MariaDB`, "mariadbd", "--version") +
				" with galera-4 " + version(`(\S+)`, "dpkg-query", "-W", "-f", "${Version}", "galera-4") +
				" and mariadb-backup " + version(`(\d+\.\d+\.\d+)-MariaDB`, "mariadb-backup", "--version"),
			Env:    []string{basePath, "LANG=C.UTF-8"},
			Cmd:    []string{"mariadbd"},
			Users:  []string{"mysql:x:999:999::/var/lib/mysql:/bin/sh"},
			Groups: []string{"mysql:x:999:"},
			Dirs:   []imageDir{{Path: "/var/lib/mysql", Mode: 0o755, UID: 999, GID: 999}},
		},
		{
			// docker-library/rabbitmq 4.2/ubuntu/Dockerfile: user rabbitmq
			// 999 (groupadd/useradd --system --gid 999 --uid 999), HOME
			// and RABBITMQ_DATA_DIR /var/lib/rabbitmq; the generic-unix
			// release in RABBITMQ_HOME=/opt/rabbitmq with its sbin on the
			// PATH, Erlang in /opt/erlang (bin on the PATH); LANG, LANGUAGE
			// and LC_ALL C.UTF-8; RUNNING_UNDER_SYSTEMD=true (rabbitmq-server
			// execs erl); /etc/rabbitmq, /var/log/rabbitmq and
			// /tmp/rabbitmq-ssl mode 1777; /etc/rabbitmq/enabled_plugins
			// from `rabbitmq-plugins enable --offline rabbitmq_prometheus`,
			// which install.sh runs too. Debian's rabbitmq-server lays its
			// release out the same way (sbin, plugins, escript), and Debian's
			// Erlang (/usr/lib/erlang) stands in for /opt/erlang. The image's
			// conf.d is not copied; the preset's rabbitmq.conf says what it
			// needs.
			Repository: "rabbitmq",
			Describe: "Debian rabbitmq-server " + version(`(\S+)`, "dpkg-query", "-W", "-f", "${Version}", "rabbitmq-server") +
				" on Erlang/OTP " + version(`(\S+)`, "erl", "-noshell", "-eval", `io:put_chars(erlang:system_info(otp_release)), halt().`),
			Env: []string{"PATH=/opt/rabbitmq/sbin:/opt/openssl/bin:/opt/erlang/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				"ERLANG_INSTALL_PATH_PREFIX=/opt/erlang", "OPENSSL_INSTALL_PATH_PREFIX=/opt/openssl",
				"RABBITMQ_DATA_DIR=/var/lib/rabbitmq", "RABBITMQ_HOME=/opt/rabbitmq", "HOME=/var/lib/rabbitmq",
				"LANG=C.UTF-8", "LANGUAGE=C.UTF-8", "LC_ALL=C.UTF-8", "RUNNING_UNDER_SYSTEMD=true"},
			Entrypoint: []string{"docker-entrypoint.sh"}, Cmd: []string{"rabbitmq-server"},
			Users:  []string{"rabbitmq:x:999:999::/var/lib/rabbitmq:/bin/sh"},
			Groups: []string{"rabbitmq:x:999:"},
			Tmpfs:  []string{"/etc/rabbitmq"},
			Files: map[string]string{
				"/opt/rabbitmq":                 rabbitmqRelease(),
				"/opt/erlang":                   "/usr/lib/erlang",
				"/etc/rabbitmq/enabled_plugins": filepath.Join(dir, "rabbitmq", "enabled_plugins"),
			},
			Dirs: []imageDir{
				{Path: "/var/lib/rabbitmq", Mode: 0o1777, UID: 999, GID: 999},
				{Path: "/var/log/rabbitmq", Mode: 0o1777, UID: 999, GID: 999},
				{Path: "/tmp/rabbitmq-ssl", Mode: 0o1777, UID: 999, GID: 999},
			},
		},
		{
			// nats-io/nats-docker 2.11.x/alpine3.22/Dockerfile: nats-server
			// in /usr/local/bin, no USER (the preset sets one), no WORKDIR.
			Repository: "nats",
			Describe:   "nats-server " + version(`: v(\S+)`, filepath.Join(dir, "nats-server"), "--version") + " built from github.com/nats-io/nats-server/v2",
			Env:        []string{basePath},
			Entrypoint: []string{"docker-entrypoint.sh"}, Cmd: []string{"nats-server", "--config", "/etc/nats/nats-server.conf"},
			Tmpfs: []string{"/usr/local/bin"},
			Files: map[string]string{"/usr/local/bin/nats-server": filepath.Join(dir, "nats-server")},
		},
		{
			Repository: "valkey/valkey",
			Skip:       "Valkey is not packaged for Debian 12 and cannot be installed from the registries this machine reaches; Redis's server does not stand in for it",
		},
		{
			Repository: "mysql",
			Skip:       "Oracle's MySQL is not packaged for Debian 12 (its default-mysql-server is MariaDB) and cannot be installed from the registries this machine reaches",
		},
		{
			Repository: "apache/kafka",
			Skip:       "Kafka is not packaged for Debian and cannot be installed from the registries this machine reaches",
		},
		{
			Repository: "cassandra",
			Skip:       "Cassandra is not packaged for Debian and cannot be installed from the registries this machine reaches",
		},
		{
			Repository: "mongo",
			Skip:       "MongoDB's server is not packaged for Debian 12 (its SSPL license keeps it out) and cannot be installed from the registries this machine reaches",
		},
	}
	m := map[string]*StandIn{}
	for _, img := range imgs {
		m[img.Repository] = img
	}
	return m
}

// version runs a command and returns the first match of re's group in
// its output, or "unknown".
func version(re string, name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if m := regexp.MustCompile(re).FindSubmatch(out); m != nil {
		return string(m[1])
	}
	if err != nil {
		return "unavailable (" + err.Error() + ")"
	}
	return "unknown"
}

// accounts writes the image's /etc/passwd and /etc/group: the host's with
// the image's accounts first.
func (img *StandIn) accounts(dir string) (passwd, group string, err error) {
	for _, f := range []struct {
		path  *string
		host  string
		lines []string
	}{{&passwd, "/etc/passwd", img.Users}, {&group, "/etc/group", img.Groups}} {
		host, err := os.ReadFile(f.host)
		if err != nil {
			return "", "", err
		}
		text := strings.Join(f.lines, "\n")
		if text != "" {
			text += "\n"
		}
		*f.path = filepath.Join(dir, "image-"+filepath.Base(f.host)+"-"+strings.ReplaceAll(img.Repository, "/", "_"))
		if err := os.WriteFile(*f.path, append([]byte(text), host...), 0o644); err != nil {
			return "", "", err
		}
	}
	return passwd, group, nil
}

// rabbitmqRelease is the directory of Debian's RabbitMQ release, laid out as
// the generic-unix release the rabbitmq image unpacks in /opt/rabbitmq.
func rabbitmqRelease() string {
	dirs, _ := filepath.Glob("/usr/lib/rabbitmq/lib/rabbitmq_server-*")
	if len(dirs) == 0 {
		return "/usr/lib/rabbitmq/lib/rabbitmq_server-not-installed"
	}
	sort.Strings(dirs)
	return dirs[len(dirs)-1]
}

// DescribeStandIns lists each image repository and what stands in for it.
func DescribeStandIns(m map[string]*StandIn) []string {
	var out []string
	for repo, img := range m {
		if img.Skip != "" {
			out = append(out, fmt.Sprintf("%s: skipped: %s", repo, img.Skip))
		} else {
			out = append(out, fmt.Sprintf("%s: %s", repo, img.Describe))
		}
	}
	sort.Strings(out)
	return out
}
