package chstore

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// References reads and writes shipment_references, the order and customer
// references set through the API. The latest row of a tracking number (by
// version) is its references; they win over those the feed carried.
type References struct {
	conn driver.Conn
}

// NewReferences returns the references store of a migrated database.
func NewReferences(db *DB) *References { return &References{conn: db.conn} }

const insertReferences = "INSERT INTO shipment_references (tracking_number, order_ref, customer_ref, updated_at, version)"

// PutReferences records a shipment's references as of at; a later call
// for the same number replaces them.
func (r *References) PutReferences(ctx context.Context, trackingNumber, orderRef, customerRef string, at time.Time) error {
	batch, err := r.conn.PrepareBatch(ctx, insertReferences)
	if err != nil {
		return fmt.Errorf("prepare shipment_references insert: %w", err)
	}
	if err := batch.Append(trackingNumber, orderRef, customerRef, at.UTC(), uint64(at.UnixNano())); err != nil {
		_ = batch.Abort()
		return fmt.Errorf("append shipment_references row: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send shipment_references row: %w", err)
	}
	return nil
}

// Ref is the references set through the API on one tracking number.
type Ref struct {
	TrackingNumber string
	OrderRef       string
	CustomerRef    string
	UpdatedAt      time.Time
}

// latestReferences is every tracking number's latest references: FINAL
// alone would leave equal-version duplicates of parts not yet merged, so
// the rows are reduced by argMax of the version.
const latestReferences = `SELECT tracking_number, argMax(order_ref, version), argMax(customer_ref, version), max(updated_at)
FROM shipment_references`

// Get returns the references set on a tracking number, or false if none
// were.
func (r *References) Get(ctx context.Context, trackingNumber string) (Ref, bool, error) {
	refs, err := r.query(ctx, latestReferences+" WHERE tracking_number = ? GROUP BY tracking_number", trackingNumber)
	if err != nil || len(refs) == 0 {
		return Ref{}, false, err
	}
	return refs[0], true, nil
}

// GetMany returns the references set on each of the numbers that has
// some.
func (r *References) GetMany(ctx context.Context, numbers []string) (map[string]Ref, error) {
	out := make(map[string]Ref, len(numbers))
	if len(numbers) == 0 {
		return out, nil
	}
	refs, err := r.query(ctx, latestReferences+" WHERE tracking_number IN ? GROUP BY tracking_number", inSet(numbers))
	for _, ref := range refs {
		out[ref.TrackingNumber] = ref
	}
	return out, err
}

// All calls fn for every tracking number's latest references: what a
// replica's bootstrap reads.
func (r *References) All(ctx context.Context, fn func(Ref) error) error {
	rows, err := r.conn.Query(ctx, latestReferences+" GROUP BY tracking_number")
	if err != nil {
		return fmt.Errorf("query shipment_references: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref Ref
		if err := rows.Scan(&ref.TrackingNumber, &ref.OrderRef, &ref.CustomerRef, &ref.UpdatedAt); err != nil {
			return fmt.Errorf("scan shipment_references: %w", err)
		}
		if err := fn(ref); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read shipment_references: %w", err)
	}
	return nil
}

// Numbers returns the tracking numbers whose latest references set
// through the API carry the order reference (when order is true) or the
// customer reference.
func (r *References) Numbers(ctx context.Context, order bool, ref string) ([]string, error) {
	col := "customer_ref"
	if order {
		col = "order_ref"
	}
	refs, err := r.query(ctx, latestReferences+` WHERE tracking_number IN (
	SELECT tracking_number FROM shipment_references WHERE `+col+` = ?)
GROUP BY tracking_number`, ref)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, x := range refs {
		if (order && x.OrderRef == ref) || (!order && x.CustomerRef == ref) {
			out = append(out, x.TrackingNumber)
		}
	}
	return out, nil
}

func (r *References) query(ctx context.Context, q string, args ...any) ([]Ref, error) {
	var out []Ref
	rows, err := r.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query shipment_references: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref Ref
		if err := rows.Scan(&ref.TrackingNumber, &ref.OrderRef, &ref.CustomerRef, &ref.UpdatedAt); err != nil {
			return nil, fmt.Errorf("scan shipment_references: %w", err)
		}
		out = append(out, ref)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read shipment_references: %w", err)
	}
	return out, nil
}
