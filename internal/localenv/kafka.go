package localenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/segmentio/kafka-go"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
	"github.com/twmb/franz-go/pkg/kfake"
)

// KafkaImage is the image started where Docker is available.
const KafkaImage = "apache/kafka:3.9.1"

// Kafka is a reachable Kafka-protocol broker.
type Kafka struct {
	Brokers []string
	Backend Backend
	stop    func() error
}

// Close stops a broker this package started.
func (k *Kafka) Close() error {
	if k == nil || k.stop == nil {
		return nil
	}
	return k.stop()
}

// StartKafka returns a broker: from PARCELCAST_KAFKA_BROKERS, a container,
// or the in-process kfake broker on a fixed loopback port.
func StartKafka(ctx context.Context, log *slog.Logger) (*Kafka, error) {
	log = orDefault(log)
	if b := os.Getenv("PARCELCAST_KAFKA_BROKERS"); b != "" {
		return &Kafka{Brokers: strings.Split(b, ","), Backend: BackendEnv}, nil
	}
	backend, err := choose(ctx, log)
	if err != nil {
		return nil, err
	}
	if backend == BackendDocker {
		return startKafkaContainer(ctx)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	c, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.DefaultNumPartitions(4),
		kfake.AllowAutoTopicCreation(),
	)
	if err != nil {
		return nil, fmt.Errorf("start in-process kafka broker: %w", err)
	}
	return &Kafka{
		Brokers: c.ListenAddrs(),
		Backend: BackendLocal,
		stop:    func() error { c.Close(); return nil },
	}, nil
}

func startKafkaContainer(ctx context.Context) (*Kafka, error) {
	// The broker must advertise the address clients reach it on, so the
	// host port is chosen before the container starts.
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	hostPort := strconv.Itoa(port)
	c, err := testcontainers.Run(ctx, KafkaImage,
		testcontainers.WithExposedPorts("9092/tcp"),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{network.MustParsePort("9092/tcp"): {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: hostPort}}}
		}),
		testcontainers.WithEnv(map[string]string{
			"KAFKA_NODE_ID":                                  "1",
			"KAFKA_PROCESS_ROLES":                            "broker,controller",
			"KAFKA_LISTENERS":                                "PLAINTEXT://:9092,CONTROLLER://:9093",
			"KAFKA_ADVERTISED_LISTENERS":                     "PLAINTEXT://127.0.0.1:" + hostPort,
			"KAFKA_CONTROLLER_LISTENER_NAMES":                "CONTROLLER",
			"KAFKA_LISTENER_SECURITY_PROTOCOL_MAP":           "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
			"KAFKA_CONTROLLER_QUORUM_VOTERS":                 "1@localhost:9093",
			"KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR":         "1",
			"KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
			"KAFKA_TRANSACTION_STATE_LOG_MIN_ISR":            "1",
			"KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS":         "0",
			"KAFKA_NUM_PARTITIONS":                           "4",
		}),
		testcontainers.WithWaitStrategy(wait.ForListeningPort("9092/tcp").WithStartupTimeout(2*time.Minute)),
	)
	if err != nil {
		if c != nil {
			_ = testcontainers.TerminateContainer(c)
		}
		return nil, fmt.Errorf("start kafka container: %w", err)
	}
	return &Kafka{
		Brokers: []string{"127.0.0.1:" + hostPort},
		Backend: BackendDocker,
		stop:    func() error { return testcontainers.TerminateContainer(c) },
	}, nil
}

// EnsureTopics creates the topics that do not exist yet, each with the
// given number of partitions, and waits until the broker lists them.
func EnsureTopics(ctx context.Context, brokers []string, partitions int, topics ...string) error {
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	req := &kafka.CreateTopicsRequest{}
	for _, t := range topics {
		req.Topics = append(req.Topics, kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: 1})
	}
	resp, err := client.CreateTopics(ctx, req)
	if err != nil {
		return fmt.Errorf("create topics %v: %w", topics, err)
	}
	for t, terr := range resp.Errors {
		if terr != nil && !errors.Is(terr, kafka.TopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", t, terr)
		}
	}
	for {
		meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
		if err == nil {
			ok := 0
			for _, t := range meta.Topics {
				if t.Error == nil && len(t.Partitions) > 0 {
					ok++
				}
			}
			if ok == len(topics) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for topics %v: %w", topics, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
