package chstore

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/goccy/go-json"

	"github.com/parcelcast/parcelcast/schemas"
)

// Instructions reads and writes the instructions table: the delivery
// instructions given through the API, the latest row of an id (by
// version) being where it stands.
type Instructions struct {
	conn driver.Conn
}

// NewInstructions returns the instruction store of a migrated database.
func NewInstructions(db *DB) *Instructions { return &Instructions{conn: db.conn} }

const insertInstruction = "INSERT INTO instructions (tracking_number, id, shipment_key, carrier, type, state, created_at, idempotency_key, request_hash, record, version)"

// PutInstruction records an instruction as it stands at; a later call
// for the same id (its cancellation) replaces it.
func (s *Instructions) PutInstruction(ctx context.Context, in schemas.Instruction, at time.Time) error {
	record, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode instruction %s: %w", in.ID, err)
	}
	batch, err := s.conn.PrepareBatch(ctx, insertInstruction)
	if err != nil {
		return fmt.Errorf("prepare instructions insert: %w", err)
	}
	if err := batch.Append(in.TrackingNumber, in.ID, in.ShipmentKey, in.Carrier, string(in.Type), string(in.State),
		in.CreatedAt.UTC(), in.IdempotencyKey, in.RequestHash, string(record), instructionVersion(in.State, at)); err != nil {
		_ = batch.Abort()
		return fmt.Errorf("append instructions row: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send instructions row: %w", err)
	}
	return nil
}

// instructionVersion orders the rows of an instruction: a cancellation
// above every pending row (an instruction never goes back to pending,
// and the two may carry the same time), then by time (unix nanoseconds,
// under 2^62 until the year 2116).
func instructionVersion(state schemas.InstructionState, at time.Time) uint64 {
	v := uint64(at.UnixNano()) &^ (3 << 62)
	if state == schemas.InstructionCancelled {
		v |= 1 << 62
	}
	return v
}

// latestInstructions is every id's latest row: argMax of the version, as
// FINAL alone would leave equal-version duplicates of parts not merged.
const latestInstructions = `SELECT argMax(request_hash, version), argMax(record, version)
FROM instructions
WHERE created_at >= ?
GROUP BY tracking_number, id
ORDER BY min(created_at), id`

// Since calls fn for every instruction created at or after since, as it
// stands, oldest first: what a server loads at start.
func (s *Instructions) Since(ctx context.Context, since time.Time, fn func(schemas.Instruction) error) error {
	rows, err := s.conn.Query(ctx, latestInstructions, since.UTC())
	if err != nil {
		return fmt.Errorf("query instructions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hash, record string
		if err := rows.Scan(&hash, &record); err != nil {
			return fmt.Errorf("scan instructions: %w", err)
		}
		var in schemas.Instruction
		if err := json.Unmarshal([]byte(record), &in); err != nil {
			return fmt.Errorf("decode instruction record: %w", err)
		}
		in.RequestHash = hash
		if err := fn(in); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read instructions: %w", err)
	}
	return nil
}
