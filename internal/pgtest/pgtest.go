// Package pgtest starts a throwaway PostgreSQL cluster for tests: initdb into
// a temp dir (as the postgres user when running as root), a free loopback
// port, and a fresh database per test. Without PostgreSQL binaries, tests
// that need it are skipped with a loud message.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	dir, bin, data string
	attr           *syscall.SysProcAttr
	port           int
	cmd            *exec.Cmd
	exited         chan struct{}
	seq            atomic.Int64
	// durable keeps PostgreSQL's own settings: every commit flushed and
	// synced (fsync, synchronous_commit and full_page_writes on). Tests
	// turn them off for speed; the benchmark measures with them.
	durable bool
}

// errNoBinaries is the one reason to skip rather than fail.
var errNoBinaries = errors.New("no PostgreSQL server binaries (initdb, postgres) found; install postgresql or set PRESSROOM_PG_BIN")

var (
	once     sync.Once
	cluster  *Cluster
	startErr error
)

// Main runs the tests of a package and stops the cluster afterwards, if one
// was started. Use it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if cluster != nil {
		cluster.stop()
	}
	return code
}

// binDir finds the PostgreSQL server binaries.
func binDir() (string, error) {
	candidates := []string{os.Getenv("PRESSROOM_PG_BIN")}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, string(trimNL(out)))
	}
	for v := 17; v >= 13; v-- {
		candidates = append(candidates, fmt.Sprintf("/usr/lib/postgresql/%d/bin", v))
	}
	for _, d := range candidates {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
				return d, nil
			}
		}
	}
	return "", errNoBinaries
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// credential returns the postgres user's ids when running as root (initdb
// refuses root), else nil to run as ourselves.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a postgres user to run PostgreSQL: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func start(durable bool) (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pressroom-pg-")
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		return nil, err
	}
	if cred != nil {
		for _, d := range []string{dir, data} {
			if err := os.Chown(d, int(cred.Uid), int(cred.Gid)); err != nil {
				return nil, err
			}
		}
	}
	attr := &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL, Setpgid: true}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions")
	initdb.SysProcAttr = attr
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	c := &Cluster{dir: dir, bin: bin, data: data, attr: attr, durable: durable}
	for attempt := 0; attempt < 5; attempt++ {
		if c.port, err = freePort(); err != nil {
			return nil, err
		}
		if err = c.launch(); err == nil {
			return c, nil
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
	return nil, fmt.Errorf("postgres did not start: %w\n%s", err, log)
}

// launch starts the server on the cluster's data and port and waits until
// it takes connections.
func (c *Cluster) launch() error {
	args := []string{"-D", c.data, "-p", strconv.Itoa(c.port), "-k", c.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "shared_buffers=64MB"}
	if !c.durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	c.cmd = exec.Command(filepath.Join(c.bin, "postgres"), args...)
	c.cmd.SysProcAttr = c.attr
	c.cmd.Dir = c.dir
	logf, _ := os.OpenFile(filepath.Join(c.dir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { cmd.Wait(); close(exited) }(c.cmd, c.exited)
	if err := c.waitReady(c.exited); err != nil {
		c.cmd.Process.Kill()
		<-c.exited
		return err
	}
	return nil
}

// Own is a cluster of one test's own, which the test may stop and start
// again (a database outage) on the same data and port.
type Own struct {
	c  *Cluster
	db string
}

// NewOwn starts a cluster for one test, stopped and removed when it ends;
// it skips the test, loudly, when no PostgreSQL binaries exist.
func NewOwn(tb testing.TB) *Own {
	tb.Helper()
	c, err := start(false)
	if errors.Is(err, errNoBinaries) {
		msg := "SKIPPING POSTGRESQL TESTS: " + err.Error()
		fmt.Fprintln(os.Stderr, "!!!", msg)
		tb.Skip(msg)
	}
	if err != nil {
		tb.Fatalf("throwaway PostgreSQL: %v", err)
	}
	tb.Cleanup(c.stop)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.dsn("postgres"))
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE own"); err != nil {
		tb.Fatal(err)
	}
	return &Own{c: c, db: "own"}
}

// DSN is the test's database on the cluster.
func (o *Own) DSN() string { return o.c.dsn(o.db) }

// Stop shuts the server down (a fast shutdown: connections are cut,
// committed data stays) and waits until it is gone.
func (o *Own) Stop() {
	o.c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-o.c.exited:
	case <-time.After(30 * time.Second):
		o.c.cmd.Process.Kill()
		<-o.c.exited
	}
}

// Start starts the server again on the same data and port.
func (o *Own) Start() error { return o.c.launch() }

func (c *Cluster) waitReady(exited <-chan struct{}) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("postgres exited")
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.dsn("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("timed out waiting for postgres")
}

func (c *Cluster) dsn(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

func (c *Cluster) stop() {
	if c.cmd != nil && c.cmd.Process != nil {
		c.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-c.exited:
		case <-time.After(5 * time.Second):
			c.cmd.Process.Kill()
			<-c.exited
		}
	}
	os.RemoveAll(c.dir)
}

// NewDatabase returns the DSN of a new, empty database on the throwaway
// cluster, dropped when the test ends. It skips the test, loudly, when no
// PostgreSQL binaries exist, and fails it when they exist but do not start.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { cluster, startErr = start(false) })
	if startErr != nil {
		if errors.Is(startErr, errNoBinaries) {
			msg := "SKIPPING POSTGRESQL TESTS: " + startErr.Error()
			fmt.Fprintln(os.Stderr, "!!!", msg)
			tb.Skip(msg)
		}
		tb.Fatalf("throwaway PostgreSQL: %v", startErr)
	}
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), cluster.seq.Add(1))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, cluster.dsn("postgres"))
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(ctx, cluster.dsn("postgres"))
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return cluster.dsn(name)
}

// Start starts a throwaway cluster outside tests (the benchmark), durable
// as a production server is (see Cluster.durable), and returns the DSN of
// a fresh database on it and a function that stops it.
func Start(ctx context.Context, db string) (dsn string, stop func(), err error) {
	c, err := start(true)
	if err != nil {
		return "", nil, err
	}
	conn, err := pgx.Connect(ctx, c.dsn("postgres"))
	if err != nil {
		c.stop()
		return "", nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize()); err != nil {
		c.stop()
		return "", nil, err
	}
	return c.dsn(db), c.stop, nil
}
