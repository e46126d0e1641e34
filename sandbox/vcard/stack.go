//go:build linux

package vcard

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx"
)

// ReaderName is the reader name the card stack's pcscd gives its
// virtual reader; PC/SC and OpenSC show it with " 00 00" appended.
const ReaderName = "Shinsei Sandbox Reader"

// Where Debian installs the parts of the stack.
var (
	pcscdPaths = []string{"/usr/sbin/pcscd", "/sbin/pcscd", "/usr/local/sbin/pcscd"}
	vpcdPaths  = []string{"/usr/lib/pcsc/drivers/serial/libifdvpcd.so", "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so"}
)

// pcscdRunDir is where Debian's pcsc-lite keeps its pid file.
const pcscdRunDir = "/run/pcscd"

// ErrStackPart reports that a system part of the card stack is missing;
// the message names the Debian package to install.
var ErrStackPart = errors.New("vcard: a part of the card stack is missing")

// StackOptions configure StartStack.
type StackOptions struct {
	// Dir is a private directory for pcscd's reader configuration, socket
	// and log. When empty a temporary directory is made, and removed by
	// Close.
	Dir string
	// Pcscd and VpcdDriver are the paths of pcscd and of vpcd's driver
	// (libifdvpcd.so); Debian's places are tried when empty.
	Pcscd, VpcdDriver string
}

// Stack is the real smart-card stack around a virtual card: a pcscd
// of its own, started in the foreground with vpcd as its only configured
// reader, and a Slot that connects the card to vpcd over loopback:
//
//	Card ⇄ Slot ⇄ vpcd ⇄ pcscd ⇄ libpcsclite ⇄ OpenSC ⇄ opensc-pkcs11.so
//
// pcscd listens on a Unix socket in the private directory (handed over by
// socket activation), so it does not clash with the system's pcscd.
// Clients reach it with PCSCLITE_CSOCK_NAME set to Socket (see Env);
// libpcsclite reads the variable once, at a process's first PC/SC call, so
// set it before loading any PKCS#11 module that uses PC/SC.
//
// vpcd listens for the card on a TCP port (two: Port and Port+1, one per
// slot of its reader). Debian's vpcd (vsmartcard 0.8) binds them on every
// interface: its mode where it connects to the card instead (DEVICENAME
// 127.0.0.1:PORT) calls FD_SET(-1) and aborts pcscd the first time a card
// leaves, a bug fixed upstream. So while the stack runs, another host
// could offer vpcd a card of its own; the stack runs only as long as a
// test or a help-desk session needs it.
//
// pcscd runs at its default log level (errors only): never with --apdu or
// --debug, which would print PINs. pcsc-lite 1.9 still writes its pid file
// to /run/pcscd/pcscd.pid, a path compiled in: it needs the directory (run
// as a user other than root, the stack fails with a hint when it is
// missing), and with a system pcscd running that file is wrong while the
// stack runs and gone after, which only affects `pcscd --hotplug`. This
// pcscd also looks for USB readers, as any does: with a real reader plugged
// in and the system's pcscd running, the two daemons compete for it.
type Stack struct {
	// Dir is the private directory; Socket is pcscd's socket in it.
	Dir, Socket string
	// Port is vpcd's port for the reader's first slot.
	Port int
	// Slot is the reader's first slot, where cards are inserted.
	Slot *Slot

	cmd     *exec.Cmd
	exited  chan struct{}
	tempDir bool
	log     string
}

// StartStack starts pcscd with vpcd and an empty slot, and returns
// once vpcd listens for the card. Insert a card with Slot.Insert.
// Close stops everything. A missing part gives an error wrapping
// ErrStackPart that names the Debian package.
func StartStack(ctx context.Context, opts StackOptions) (_ *Stack, err error) {
	pcscd, err := findPart(opts.Pcscd, pcscdPaths, "pcscd", "pcscd")
	if err != nil {
		return nil, err
	}
	driver, err := findPart(opts.VpcdDriver, vpcdPaths, "", "vsmartcard-vpcd")
	if err != nil {
		return nil, err
	}
	// pcsc-lite 1.9 creates its compiled-in directory for its pid file and
	// exits when it cannot, even when given its socket.
	if _, err := os.Stat(pcscdRunDir); errors.Is(err, fs.ErrNotExist) && os.Geteuid() != 0 {
		return nil, fmt.Errorf("%w: pcscd needs %s and only root can create it; run once: sudo install -d -m 0755 %s",
			ErrStackPart, pcscdRunDir, pcscdRunDir)
	}
	s := &Stack{Dir: opts.Dir, exited: make(chan struct{})}
	if s.Dir == "" {
		if s.Dir, err = os.MkdirTemp("", "shinsei-card-"); err != nil {
			return nil, fmt.Errorf("vcard: card stack: %w", err)
		}
		s.tempDir = true
	} else if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("vcard: card stack: %w", err)
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.Port, err = freePortPair(); err != nil {
		return nil, err
	}
	if s.Slot, err = NewSlot(fmt.Sprintf("127.0.0.1:%d", s.Port)); err != nil {
		return nil, err
	}
	confDir := filepath.Join(s.Dir, "reader.conf.d")
	if err := os.MkdirAll(confDir, 0o700); err != nil {
		return nil, fmt.Errorf("vcard: card stack: %w", err)
	}
	conf := fmt.Sprintf("# vpcd waits for the Shinsei sandbox's virtual card (written by the sandbox)\n"+
		"FRIENDLYNAME \"%s\"\nDEVICENAME   /dev/null:%d\nLIBPATH      %s\nCHANNELID    %d\n",
		ReaderName, s.Port, driver, s.Port)
	if err := os.WriteFile(filepath.Join(confDir, "vpcd"), []byte(conf), 0o600); err != nil {
		return nil, fmt.Errorf("vcard: card stack: %w", err)
	}
	s.Socket = filepath.Join(s.Dir, "pcscd.comm")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: s.Socket, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("vcard: card stack: pcscd socket: %w", err)
	}
	ln.SetUnlinkOnClose(false)
	sock, err := ln.File()
	ln.Close()
	if err != nil {
		return nil, fmt.Errorf("vcard: card stack: pcscd socket: %w", err)
	}
	defer sock.Close()
	os.Chmod(s.Socket, 0o600)

	s.log = filepath.Join(s.Dir, "pcscd.log")
	logFile, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("vcard: card stack: %w", err)
	}
	defer logFile.Close()
	// Socket activation: pcscd takes fd 3 when LISTEN_PID is its own pid,
	// which only a shell that execs it can know.
	s.cmd = exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"`,
		pcscd, "--foreground", "--config", confDir)
	s.cmd.Env = stackEnv()
	s.cmd.ExtraFiles = []*os.File{sock}
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
	started := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the thread that started the child ends, so
		// that thread stays until the child exits.
		runtime.LockOSThread()
		if err := s.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.cmd.Wait()
		close(s.exited)
	}()
	if err := <-started; err != nil {
		close(s.exited)
		return nil, fmt.Errorf("vcard: card stack: start pcscd: %w", err)
	}
	// pcscd loads vpcd, which then listens for the card.
	if err := s.waitForVpcd(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// stackEnv is pcscd's environment: this process's, without the variables
// that would turn on debugging output.
func stackEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PCSCLITE_") || strings.HasPrefix(kv, "LISTEN_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func findPart(given string, paths []string, name, pkg string) (string, error) {
	if given != "" {
		paths = []string{given}
	} else if name != "" {
		if p, err := exec.LookPath(name); err == nil {
			paths = append([]string{p}, paths...)
		}
	}
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %s not found (tried %s); install it (Debian: apt-get install %s)",
		ErrStackPart, filepath.Base(paths[0]), strings.Join(paths, ", "), pkg)
}

// freePortPair finds two consecutive free TCP ports, for vpcd's two slots.
func freePortPair() (int, error) {
	var last error
	for range 20 {
		first, err := net.Listen("tcp", ":0")
		if err != nil {
			return 0, fmt.Errorf("vcard: card stack: %w", err)
		}
		port := first.Addr().(*net.TCPAddr).Port
		second, err := net.Listen("tcp", fmt.Sprintf(":%d", port+1))
		first.Close()
		if err == nil {
			second.Close()
			return port, nil
		}
		last = err
	}
	return 0, fmt.Errorf("vcard: card stack: no two free consecutive ports: %w", last)
}

func (s *Stack) waitForVpcd(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		// vpcd holds the port once it is listening. The port is looked
		// up in the kernel's table rather than probed: a probe connection
		// would sit in vpcd's one-place accept queue and hold the card
		// off, and binding the port to test it, even briefly, made vpcd's
		// own bind fail ("Address already in use") when the two met.
		if listening(s.Port) {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("vcard: card stack: pcscd exited at start: %s", s.lastLog())
		case <-ctx.Done():
			return fmt.Errorf("vcard: card stack: vpcd did not start listening: %w; pcscd said: %s", ctx.Err(), s.lastLog())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// lastLog returns the end of pcscd's log (error level: no APDUs, no PINs).
func (s *Stack) lastLog() string {
	b, _ := os.ReadFile(s.log)
	text := strings.TrimSpace(string(b))
	if len(text) > 2000 {
		text = "…" + text[len(text)-2000:]
	}
	if text == "" {
		return "(nothing)"
	}
	return text
}

// Env returns the environment variable that makes PC/SC clients use this
// stack's pcscd.
func (s *Stack) Env() []string { return []string{"PCSCLITE_CSOCK_NAME=" + s.Socket} }

// PID is pcscd's process id.
func (s *Stack) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Close removes the card, stops pcscd by its process id (SIGTERM, then
// SIGKILL after three seconds) and removes a temporary directory.
func (s *Stack) Close() error {
	var errs []error
	if s.Slot != nil {
		s.Slot.Close()
	}
	if s.cmd != nil && s.cmd.Process != nil {
		select {
		case <-s.exited:
		default:
			s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(3 * time.Second):
				s.cmd.Process.Kill()
				<-s.exited
			}
		}
	}
	if s.tempDir {
		if err := fsx.RemoveAll(s.Dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// listening reports whether a TCP socket of this machine listens on port,
// from the kernel's tables (/proc/net/tcp and tcp6), without touching it.
func listening(port int) bool {
	suffix := fmt.Sprintf(":%04X", port)
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			// sl local_address rem_address st …; st 0A is LISTEN.
			if len(f) > 3 && strings.HasSuffix(f[1], suffix) && f[3] == "0A" {
				return true
			}
		}
	}
	return false
}
