package localenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"text/template"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// ClickHouseImage is the image started where Docker is available.
const ClickHouseImage = "clickhouse/clickhouse-server:25.8"

// ClickHouse is a running ClickHouse server.
type ClickHouse struct {
	Addr     string // native protocol host:port
	HTTPAddr string // HTTP interface host:port, empty when unknown
	Backend  Backend
	dir      string // data directory of a local process
	stop     func() error
	// halt stops a local server keeping its data; launch starts it again
	// on the same ports.
	halt   func() error
	launch func(ctx context.Context) error
	pid    func() int
}

// ErrNotLocal is returned by Halt and Restart for a server this package
// does not run as a local process.
var ErrNotLocal = errors.New("not a local clickhouse-server process")

// Halt stops a local server and keeps its data, for outage tests: clients
// get connection errors until Restart.
func (c *ClickHouse) Halt() error {
	if c == nil || c.halt == nil {
		return ErrNotLocal
	}
	return c.halt()
}

// Restart starts a halted local server again on the same address and
// waits until it answers.
func (c *ClickHouse) Restart(ctx context.Context) error {
	if c == nil || c.launch == nil {
		return ErrNotLocal
	}
	return c.launch(ctx)
}

// Pid is the process id of a local server while it runs, else 0. It is
// not safe to call while Halt or Restart runs.
func (c *ClickHouse) Pid() int {
	if c == nil || c.pid == nil {
		return 0
	}
	return c.pid()
}

// Close stops a server this package started and removes its data. For a
// server from the environment it does nothing.
func (c *ClickHouse) Close() error {
	if c == nil || c.stop == nil {
		return nil
	}
	return c.stop()
}

// StartClickHouse returns a ClickHouse server: from PARCELCAST_CLICKHOUSE_ADDR,
// a container, or a local process (see the package doc).
func StartClickHouse(ctx context.Context, log *slog.Logger) (*ClickHouse, error) {
	log = orDefault(log)
	if addr := os.Getenv("PARCELCAST_CLICKHOUSE_ADDR"); addr != "" {
		return &ClickHouse{Addr: addr, Backend: BackendEnv}, nil
	}
	b, err := choose(ctx, log)
	if err != nil {
		return nil, err
	}
	if b == BackendDocker {
		return startClickHouseContainer(ctx)
	}
	return startClickHouseProcess(ctx, log)
}

func startClickHouseContainer(ctx context.Context) (*ClickHouse, error) {
	c, err := testcontainers.Run(ctx, ClickHouseImage,
		testcontainers.WithExposedPorts("9000/tcp", "8123/tcp"),
		testcontainers.WithEnv(map[string]string{"CLICKHOUSE_SKIP_USER_SETUP": "1"}),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/ping").WithPort("8123/tcp").WithStartupTimeout(2*time.Minute)),
	)
	if err != nil {
		if c != nil {
			_ = testcontainers.TerminateContainer(c)
		}
		return nil, fmt.Errorf("start clickhouse container: %w", err)
	}
	native, err := c.PortEndpoint(ctx, "9000/tcp", "")
	if err != nil {
		_ = testcontainers.TerminateContainer(c)
		return nil, fmt.Errorf("clickhouse container port: %w", err)
	}
	httpAddr, _ := c.PortEndpoint(ctx, "8123/tcp", "")
	return &ClickHouse{
		Addr: native, HTTPAddr: httpAddr, Backend: BackendDocker,
		stop: func() error { return testcontainers.TerminateContainer(c) },
	}, nil
}

// serverCommand finds a ClickHouse server binary: Debian's clickhouse-server
// or the current single `clickhouse` binary.
func serverCommand(config string) (*exec.Cmd, error) {
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return exec.Command(p, "--config-file="+config), nil
	}
	if p, err := exec.LookPath("clickhouse"); err == nil {
		return exec.Command(p, "server", "--config-file="+config), nil
	}
	return nil, errors.New("no clickhouse-server or clickhouse binary on PATH: run `make deps` (installs Debian's clickhouse-server)")
}

var configTmpl = template.Must(template.New("config").Parse(`<yandex>
    <logger>
        <level>warning</level>
        <log>{{.Dir}}/log/server.log</log>
        <errorlog>{{.Dir}}/log/error.log</errorlog>
        <console>0</console>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>{{.TCPPort}}</tcp_port>
    <http_port>{{.HTTPPort}}</http_port>
    <path>{{.Dir}}/data/</path>
    <tmp_path>{{.Dir}}/tmp/</tmp_path>
    <user_files_path>{{.Dir}}/user_files/</user_files_path>
    <format_schema_path>{{.Dir}}/format_schemas/</format_schema_path>
    <users_config>users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>
    <kafka><auto_offset_reset>smallest</auto_offset_reset></kafka>
</yandex>
`))

const usersXML = `<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>::1</ip><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default><interval>
        <duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
    </interval></default></quotas>
</yandex>
`

func startClickHouseProcess(ctx context.Context, log *slog.Logger) (*ClickHouse, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a free port can be taken between probe and bind
		ch, err := tryClickHouseProcess(ctx, log)
		if err == nil {
			return ch, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func tryClickHouseProcess(ctx context.Context, log *slog.Logger) (*ClickHouse, error) {
	dir, err := os.MkdirTemp("", "parcelcast-clickhouse-")
	if err != nil {
		return nil, fmt.Errorf("clickhouse temp dir: %w", err)
	}
	fail := func(err error) (*ClickHouse, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	tcpPort, err := freePort()
	if err != nil {
		return fail(err)
	}
	httpPort, err := freePort()
	if err != nil {
		return fail(err)
	}
	for _, sub := range []string{"log", "data", "tmp", "user_files", "format_schemas"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fail(fmt.Errorf("clickhouse dir: %w", err))
		}
	}
	cfgPath := filepath.Join(dir, "config.xml")
	f, err := os.Create(cfgPath)
	if err != nil {
		return fail(fmt.Errorf("write clickhouse config: %w", err))
	}
	err = configTmpl.Execute(f, map[string]any{"Dir": dir, "TCPPort": tcpPort, "HTTPPort": httpPort})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(fmt.Errorf("write clickhouse config: %w", err))
	}
	if err := os.WriteFile(filepath.Join(dir, "users.xml"), []byte(usersXML), 0o644); err != nil {
		return fail(fmt.Errorf("write clickhouse users: %w", err))
	}
	httpAddr := "127.0.0.1:" + strconv.Itoa(httpPort)
	srv := &localServer{dir: dir, cfgPath: cfgPath, httpAddr: httpAddr, log: log}
	if err := srv.start(ctx); err != nil {
		return fail(err)
	}
	log.Debug("local clickhouse server ready", "dir", dir, "tcp_port", tcpPort)
	return &ClickHouse{
		Addr:     "127.0.0.1:" + strconv.Itoa(tcpPort),
		HTTPAddr: httpAddr,
		Backend:  BackendLocal,
		dir:      dir,
		stop: func() error {
			srv.halt()
			return os.RemoveAll(dir)
		},
		halt:   func() error { srv.halt(); return nil },
		launch: srv.start,
		pid:    srv.pid,
	}, nil
}

// localServer is a clickhouse-server process over a data directory that
// outlives it.
type localServer struct {
	dir, cfgPath, httpAddr string
	log                    *slog.Logger
	cmd                    *exec.Cmd
	exited                 chan error
}

// start runs the server and waits until /ping answers.
func (s *localServer) start(ctx context.Context) error {
	cmd, err := serverCommand(s.cfgPath)
	if err != nil {
		return err
	}
	cmd.Dir = s.dir
	out, err := os.OpenFile(filepath.Join(s.dir, "log", "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = out, out
	// Own process group, and killed if this process dies without Close.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("start clickhouse server: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); out.Close() }() // ends when the process does
	s.cmd, s.exited = cmd, exited

	ready := time.NewTicker(100 * time.Millisecond)
	defer ready.Stop()
	deadline := time.After(60 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case err := <-exited:
			logs, _ := os.ReadFile(filepath.Join(s.dir, "log", "error.log"))
			exited <- err
			s.halt()
			return fmt.Errorf("clickhouse server exited at start (%v): %s", err, tail(logs, 2000))
		case <-deadline:
			s.halt()
			return errors.New("clickhouse server did not answer /ping within 60s")
		case <-ctx.Done():
			s.halt()
			return ctx.Err()
		case <-ready.C:
			resp, err := client.Get("http://" + s.httpAddr + "/ping")
			if err != nil {
				continue
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
}

// pid is the running server's process id, or 0.
func (s *localServer) pid() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// halt stops the process, politely first.
func (s *localServer) halt() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
	s.cmd = nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
