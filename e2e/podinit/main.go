// Command podinit starts one container of a pod for the end-to-end tests'
// kubelet stand-in (e2e/kubelet.go). The kubelet runs it as root in a new
// mount, UTS and PID namespace with a JSON spec as its only argument; it
// joins the pod's network namespace, builds the container's root (a tmpfs
// with the host's /usr, … bound read-only, a writable overlay of its /etc, /proc, /dev, /tmp and the
// pod's volumes), sets the hostname, chroots, drops to the container's user
// and executes the container's command, which becomes PID 1 of its PID
// namespace as in a real container.
//
// It is a single-purpose program so that every step happens on one thread
// before execve: setns(CLONE_NEWNET) changes only the calling thread.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Spec is what the kubelet stand-in passes; kubelet.go has the same type.
type Spec struct {
	NetNS    string   // path of the pod's network namespace
	Hostname string   // the container's hostname
	Root     string   // an empty host directory to build the root on
	Host     []string // host directories bound read-only at the same path
	Mounts   []Mount  // volumes, files and stand-in binaries, in order
	Dirs     []Dir    // directories the image has, created before the mounts
	UID, GID uint32
	Groups   []uint32
	Cwd      string
	Env      []string // KEY=VALUE; PATH is searched for Args[0]
	Args     []string
}

// Mount binds Source at Target (inside the root), or mounts a tmpfs there
// when Source is empty.
type Mount struct {
	Source   string
	Target   string
	ReadOnly bool
}

// Dir is a directory the image has, with its owner and mode.
type Dir struct {
	Path     string
	Mode     uint32
	UID, GID int
}

func init() { runtime.LockOSThread() }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: podinit SPEC.json")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "podinit: %v\n", err)
		os.Exit(127)
	}
}

func run(specPath string) error {
	data, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	var s Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	if s.NetNS != "" {
		fd, err := syscall.Open(s.NetNS, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("opening %s: %w", s.NetNS, err)
		}
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("setns %s: %w", s.NetNS, err)
		}
		syscall.Close(fd)
	}
	// Nothing mounted here may reach the kubelet's namespace.
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making / private: %w", err)
	}
	root := s.Root
	if err := syscall.Mount("tmpfs", root, "tmpfs", 0, "mode=0755"); err != nil {
		return fmt.Errorf("mounting the root: %w", err)
	}
	for _, dir := range s.Host {
		fi, err := os.Lstat(dir)
		if err != nil {
			continue // e.g. no /lib64
		}
		target := filepath.Join(root, dir)
		if fi.Mode()&os.ModeSymlink != 0 { // merged /usr: /bin -> usr/bin
			link, err := os.Readlink(dir)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(link, target); err != nil {
				return err
			}
			continue
		}
		if dir == "/etc" {
			// The kubelet's files and the volumes are mounted in /etc:
			// an overlay gives the container a writable copy of the
			// host's /etc, which stays untouched.
			if err := overlay(dir, target, s.Root+".etc"); err != nil {
				return err
			}
			continue
		}
		if err := bind(dir, target, true); err != nil {
			return err
		}
	}
	if err := mkdirMount("proc", filepath.Join(root, "proc"), "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
		return err
	}
	if err := bind("/dev", filepath.Join(root, "dev"), false); err != nil {
		return err
	}
	if err := bind("/sys", filepath.Join(root, "sys"), true); err != nil {
		return err
	}
	if err := mkdirMount("tmpfs", filepath.Join(root, "tmp"), "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=1777"); err != nil {
		return err
	}
	// The image's directories; a volume mounted on one hides it, as in a
	// container.
	for _, d := range s.Dirs {
		p := filepath.Join(root, d.Path)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
		if err := os.Chown(p, d.UID, d.GID); err != nil {
			return err
		}
		if err := os.Chmod(p, os.FileMode(d.Mode&0o777)|modeBits(d.Mode)); err != nil {
			return err
		}
	}
	for _, m := range s.Mounts {
		target := filepath.Join(root, m.Target)
		if m.Source == "" {
			if err := mkdirMount("tmpfs", target, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=0755"); err != nil {
				return err
			}
			continue
		}
		if err := bind(m.Source, target, m.ReadOnly); err != nil {
			return err
		}
	}
	// A missing working directory is created, as container runtimes do.
	if s.Cwd != "" {
		if err := os.MkdirAll(filepath.Join(root, s.Cwd), 0o755); err != nil {
			return err
		}
	}
	if s.Hostname != "" {
		if err := syscall.Sethostname([]byte(s.Hostname)); err != nil {
			return fmt.Errorf("sethostname: %w", err)
		}
	}
	if err := syscall.Chroot(root); err != nil {
		return fmt.Errorf("chroot: %w", err)
	}
	if err := syscall.Chdir("/"); err != nil {
		return err
	}
	groups := make([]int, len(s.Groups))
	for i, g := range s.Groups {
		groups[i] = int(g)
	}
	if err := syscall.Setgroups(groups); err != nil {
		return fmt.Errorf("setgroups: %w", err)
	}
	if err := syscall.Setgid(int(s.GID)); err != nil {
		return fmt.Errorf("setgid: %w", err)
	}
	if err := syscall.Setuid(int(s.UID)); err != nil {
		return fmt.Errorf("setuid: %w", err)
	}
	// Changing the user cleared the parent-death signal; the container
	// must not outlive the kubelet.
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
		return fmt.Errorf("prctl: %w", err)
	}
	cwd := s.Cwd
	if cwd == "" {
		cwd = "/"
	}
	if err := syscall.Chdir(cwd); err != nil {
		return fmt.Errorf("chdir %s: %w", cwd, err)
	}
	if len(s.Args) == 0 {
		return fmt.Errorf("no command")
	}
	path, err := lookPath(s.Args[0], s.Env)
	if err != nil {
		return err
	}
	// The kubelet stand-in passes a pipe as fd 3 and counts the container
	// as running once a byte arrives: everything is in place now. The
	// command does not inherit it.
	var st unix.Stat_t
	if unix.Fstat(3, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFIFO {
		setUp := os.NewFile(3, "set-up")
		setUp.Write([]byte{1})
		setUp.Close()
	}
	return fmt.Errorf("exec %s: %w", path, syscall.Exec(path, s.Args, s.Env))
}

// modeBits converts the setuid, setgid and sticky bits of a Unix mode.
func modeBits(m uint32) os.FileMode {
	var fm os.FileMode
	if m&0o4000 != 0 {
		fm |= os.ModeSetuid
	}
	if m&0o2000 != 0 {
		fm |= os.ModeSetgid
	}
	if m&0o1000 != 0 {
		fm |= os.ModeSticky
	}
	return fm
}

// overlay mounts lower at target with a writable layer in a tmpfs at
// scratch.
func overlay(lower, target, scratch string) error {
	if err := mkdirMount("tmpfs", scratch, "tmpfs", 0, "mode=0755"); err != nil {
		return err
	}
	upper, work := filepath.Join(scratch, "upper"), filepath.Join(scratch, "work")
	for _, d := range []string{upper, work, target} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := syscall.Mount("overlay", target, "overlay", 0, fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work)); err != nil {
		return fmt.Errorf("mounting an overlay of %s on %s: %w", lower, target, err)
	}
	return nil
}

func mkdirMount(source, target, fstype string, flags uintptr, data string) error {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	if err := syscall.Mount(source, target, fstype, flags, data); err != nil {
		return fmt.Errorf("mounting %s on %s: %w", fstype, target, err)
	}
	return nil
}

// bind binds source (a directory or a file) at target, creating the
// mount point, and makes it read-only if asked.
func bind(source, target string, readOnly bool) error {
	fi, err := os.Stat(source)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		if err := os.MkdirAll(target, 0o755); err != nil {
			return err
		}
	} else {
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if _, err := os.Stat(target); err != nil {
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return err
			}
			f.Close()
		}
	}
	if err := syscall.Mount(source, target, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
		return fmt.Errorf("binding %s at %s: %w", source, target, err)
	}
	if readOnly {
		if err := syscall.Mount("", target, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
			return fmt.Errorf("making %s read-only: %w", target, err)
		}
	}
	return nil
}

// lookPath finds a command as the container's runtime would: a name with a
// slash as is, any other in the container's PATH.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found in PATH %s", name, path)
}
