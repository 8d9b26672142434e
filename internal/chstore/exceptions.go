package chstore

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/parcelcast/parcelcast/schemas"
)

// Exceptions reads and writes the exceptions table: a row per exception
// and state, the resolved row replacing the open one.
type Exceptions struct {
	conn driver.Conn
}

// NewExceptions returns the exceptions store of a migrated database.
func NewExceptions(db *DB) *Exceptions { return &Exceptions{conn: db.conn} }

const insertExceptions = `INSERT INTO exceptions (id, type, state, tracking_number, carrier, shipment_key, shipment_start,
	reason, detail, opened_at, resolved_at, order_ref, customer_ref, version)`

// WriteExceptions stores exceptions as they are now (open or resolved);
// writing the same one again is harmless.
func (x *Exceptions) WriteExceptions(ctx context.Context, list []schemas.Exception) error {
	if len(list) == 0 {
		return nil
	}
	batch, err := x.conn.PrepareBatch(ctx, insertExceptions)
	if err != nil {
		return fmt.Errorf("prepare exceptions insert: %w", err)
	}
	for i := range list {
		e := &list[i]
		resolved, version := time.Unix(0, 0).UTC(), uint8(1)
		if e.State == schemas.ExceptionResolved {
			version = 2
			if e.ResolvedAt != nil {
				resolved = e.ResolvedAt.UTC()
			}
		}
		if err := batch.Append(e.ID, e.Type, string(e.State), e.TrackingNumber, e.Carrier, e.ShipmentKey,
			e.ShipmentStart.UTC(), e.Reason, e.Detail, e.OpenedAt.UTC(), resolved, e.OrderRef, e.CustomerRef, version); err != nil {
			_ = batch.Abort()
			return fmt.Errorf("append exceptions row %s: %w", e.ID, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send %d exceptions rows: %w", len(list), err)
	}
	return nil
}

// latestExceptions is every exception's latest row: argMax of the
// version, as parts not yet merged hold both the open and resolved rows.
const latestExceptions = `SELECT id, argMax(type, version), argMax(toString(state), version) AS st,
	any(tracking_number), any(carrier), any(shipment_key), any(shipment_start),
	argMax(reason, version), argMax(detail, version), any(opened_at), argMax(resolved_at, version) AS res,
	argMax(order_ref, version), argMax(customer_ref, version)
FROM exceptions
GROUP BY id
HAVING st = 'open' OR res >= toDateTime(?)`

// Exceptions calls fn with the latest state of every exception open, or
// resolved at or after since: what the scanner loads at start.
func (x *Exceptions) Exceptions(ctx context.Context, since time.Time, fn func(schemas.Exception) error) error {
	rows, err := x.conn.Query(ctx, latestExceptions, since.Unix())
	if err != nil {
		return fmt.Errorf("query exceptions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e schemas.Exception
		var state string
		var resolved time.Time
		if err := rows.Scan(&e.ID, &e.Type, &state, &e.TrackingNumber, &e.Carrier, &e.ShipmentKey, &e.ShipmentStart,
			&e.Reason, &e.Detail, &e.OpenedAt, &resolved, &e.OrderRef, &e.CustomerRef); err != nil {
			return fmt.Errorf("scan exceptions: %w", err)
		}
		e.State = schemas.ExceptionState(state)
		if e.State == schemas.ExceptionResolved {
			r := resolved.UTC()
			e.ResolvedAt = &r
		}
		e.ShipmentStart, e.OpenedAt = e.ShipmentStart.UTC(), e.OpenedAt.UTC()
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read exceptions: %w", err)
	}
	return nil
}
