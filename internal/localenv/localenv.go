// Package localenv provides the ClickHouse server and Kafka broker that
// tests and `parcelcast demo` run against, always real ones:
//
//   - an address from the environment (PARCELCAST_CLICKHOUSE_ADDR,
//     PARCELCAST_KAFKA_BROKERS) wins;
//   - else, where a Docker engine answers, current images are started with
//     testcontainers-go;
//   - else a local clickhouse-server process is started from a generated
//     config, and Kafka is franz-go's in-process kfake broker, which speaks
//     the real wire protocol.
//
// PARCELCAST_LOCALENV=local or =docker forces the second or third choice.
package localenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// Backend names how a service was provided.
type Backend string

// The backends, in order of preference.
const (
	BackendEnv    Backend = "env"
	BackendDocker Backend = "docker"
	BackendLocal  Backend = "local"
)

// choose returns the backend to use when no address was given in the
// environment.
func choose(ctx context.Context, log *slog.Logger) (Backend, error) {
	switch v := strings.ToLower(os.Getenv("PARCELCAST_LOCALENV")); v {
	case "local":
		return BackendLocal, nil
	case "docker":
		return BackendDocker, nil
	case "", "auto":
	default:
		return "", fmt.Errorf("PARCELCAST_LOCALENV=%q: want auto, local or docker", v)
	}
	if dockerAnswers(ctx) {
		log.Debug("docker engine answers; using containers")
		return BackendDocker, nil
	}
	return BackendLocal, nil
}

// dockerAnswers reports whether a Docker engine is reachable. It only asks
// when there is a sign of one, so machines without Docker pay nothing.
func dockerAnswers(ctx context.Context) bool {
	if os.Getenv("DOCKER_HOST") == "" {
		if _, err := os.Stat("/var/run/docker.sock"); err != nil {
			return false
		}
	}
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return false
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return p.Health(ctx) == nil
}

// freePort asks the kernel for an unused loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func orDefault(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}

// Env is a ClickHouse server and a Kafka broker started together.
type Env struct {
	ClickHouse *ClickHouse
	Kafka      *Kafka
}

// Start provides both services (see the package doc for where from).
func Start(ctx context.Context, log *slog.Logger) (*Env, error) {
	ch, err := StartClickHouse(ctx, log)
	if err != nil {
		return nil, err
	}
	k, err := StartKafka(ctx, log)
	if err != nil {
		ch.Close()
		return nil, err
	}
	return &Env{ClickHouse: ch, Kafka: k}, nil
}

// Close stops what Start started.
func (e *Env) Close() error {
	return errors.Join(e.Kafka.Close(), e.ClickHouse.Close())
}
