package ingest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// startLag sets the lag gauge of every assigned partition from where
// the group's offset stands to the partition's end, so a partition shows
// its backlog from the moment it is assigned, before anything from it is
// committed. The commits then keep the gauge current. It returns those
// backlogs, by topic and partition. Failing to list the offsets only
// leaves the gauges unset, and returns nil.
func (c *Consumer) startLag(ctx context.Context, assignments map[string][]kafka.PartitionAssignment) map[string]map[int]int64 {
	parts := map[string][]int{}
	for topic, pas := range assignments {
		for _, pa := range pas {
			parts[topic] = append(parts[topic], pa.ID)
		}
	}
	offsets, err := c.listOffsets(ctx, parts)
	if err != nil {
		c.log.Warn("cannot list partition offsets for the lag gauge", "err", err)
		return nil
	}
	waiting := map[string]map[int]int64{}
	for topic, pas := range assignments {
		waiting[topic] = map[int]int64{}
		for _, pa := range pas {
			po, ok := offsets[topic][pa.ID]
			if !ok {
				continue
			}
			n := backlog(po, pa.Offset)
			waiting[topic][pa.ID] = n
			c.metrics.Lag.WithLabelValues(topic, strconv.Itoa(pa.ID)).Set(float64(n))
		}
	}
	return waiting
}

// listOffsets returns the first and last offsets of the given partitions
// (by topic); partitions the broker answered with an error are left out.
func (c *Consumer) listOffsets(ctx context.Context, parts map[string][]int) (map[string]map[int]kafka.PartitionOffsets, error) {
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for topic, ids := range parts {
		for _, id := range ids {
			req.Topics[topic] = append(req.Topics[topic], kafka.FirstOffsetOf(id), kafka.LastOffsetOf(id))
		}
	}
	out := map[string]map[int]kafka.PartitionOffsets{}
	if len(req.Topics) == 0 {
		return out, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := (&kafka.Client{Addr: kafka.TCP(c.cfg.Brokers...)}).ListOffsets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	for topic, pos := range resp.Topics {
		out[topic] = map[int]kafka.PartitionOffsets{}
		for _, po := range pos {
			if po.Error == nil {
				out[topic][po.Partition] = po
			}
		}
	}
	return out, nil
}

// backlog is how many records of a partition are at or after offset; a
// negative offset (none committed) means the partition's first.
func backlog(po kafka.PartitionOffsets, offset int64) int64 {
	if offset < 0 {
		offset = po.FirstOffset
	}
	return max(po.LastOffset-offset, 0)
}

// generationCommitter commits offsets in one consumer group generation.
// ended is closed once the generation is over: the group then refuses
// the commit, or the generation's connection to the coordinator is gone
// with it, so a commit that fails then is not retried. The records were
// stored, and whoever reads those partitions next reads them again
// (event ids make that harmless).
type generationCommitter struct {
	gen   *kafka.Generation
	ended <-chan struct{}
}

// commit commits the offset after the last of offsets of each partition.
func (g generationCommitter) commit(_ context.Context, offsets []offset) error {
	err := g.gen.CommitOffsets(nextOffsets(offsets))
	if err == nil {
		return nil
	}
	over := isGenerationOver(err)
	select {
	case <-g.ended:
		over = true
	default:
	}
	if over {
		return backoff.Permanent(fmt.Errorf("%w: %w", errGenerationOver, err))
	}
	return err
}

// nextOffsets is, by topic and partition, the offset after the last of
// offsets: where the group's next read of the partition starts.
func nextOffsets(offsets []offset) map[string]map[int]int64 {
	next := map[string]map[int]int64{}
	for i := range offsets {
		o := &offsets[i]
		t := next[o.topic]
		if t == nil {
			t = map[int]int64{}
			next[o.topic] = t
		}
		if n := o.offset + 1; n > t[o.partition] {
			t[o.partition] = n
		}
	}
	return next
}

// errGenerationOver marks a commit that cannot be made because the
// generation it belongs to has ended (the group refused it, or its
// connection to the coordinator went with the generation).
var errGenerationOver = errors.New("consumer group generation over")

// isGenerationOver reports whether the group refused a commit because
// the generation it was made in has ended.
func isGenerationOver(err error) bool {
	return errors.Is(err, kafka.IllegalGeneration) || errors.Is(err, kafka.UnknownMemberId) ||
		errors.Is(err, kafka.RebalanceInProgress) || errors.Is(err, kafka.FencedInstanceID)
}

// setLag sets each partition's lag from the last record of a batch read
// from it: once a batch, not once a record.
func setLag(lag *prometheus.GaugeVec, offsets []offset) {
	type tp struct {
		topic     string
		partition int
	}
	last := map[tp]*offset{}
	for i := range offsets {
		last[tp{offsets[i].topic, offsets[i].partition}] = &offsets[i]
	}
	for k, o := range last {
		if o.highWater > 0 {
			lag.WithLabelValues(k.topic, strconv.Itoa(k.partition)).Set(float64(o.highWater - o.offset - 1))
		}
	}
}
