package chstore

import (
	"context"
	"fmt"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// Milestones reads and writes the milestones table, what the milestone
// emitter published. Its methods are safe for concurrent use.
type Milestones struct {
	db *DB
}

// NewMilestones returns the milestones store of a migrated database.
func NewMilestones(db *DB) *Milestones { return &Milestones{db: db} }

// insertMilestones spells out the column list, as 18.16 requires.
const insertMilestones = `INSERT INTO milestones (id, kind, tracking_number, carrier, shipment_key,
	shipment_start, shipment_start_ns, at, city, region, postal_code, country, order_ref, customer_ref, detected_at)`

// RecordMilestones inserts ms as one batch; an id written again merges
// with its earlier row.
func (s *Milestones) RecordMilestones(ctx context.Context, ms []schemas.Milestone) error {
	if len(ms) == 0 {
		return nil
	}
	batch, err := s.db.conn.PrepareBatch(ctx, insertMilestones)
	if err != nil {
		return fmt.Errorf("prepare milestones insert: %w", err)
	}
	for i := range ms {
		m := &ms[i]
		l := m.Location
		if err := batch.Append(m.ID, string(m.Kind), m.TrackingNumber, m.Carrier, m.ShipmentKey,
			m.ShipmentStart.UTC(), m.ShipmentStart.UnixNano(), m.At.UTC(), l.City, l.Region, l.PostalCode, l.Country,
			m.OrderRef, m.CustomerRef, m.DetectedAt.UTC()); err != nil {
			_ = batch.Abort()
			return fmt.Errorf("append milestone %s: %w", m.ID, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send %d milestones: %w", len(ms), err)
	}
	return nil
}

// PublishedMilestones calls fn with every milestone detected at since or
// later, once per id (rows of an id not yet merged are reduced by the
// GROUP BY, as FINAL alone would not on every release).
func (s *Milestones) PublishedMilestones(ctx context.Context, since time.Time, fn func(schemas.Milestone) error) error {
	rows, err := s.db.conn.Query(ctx, `SELECT id, any(kind), any(tracking_number), any(carrier), any(shipment_key),
		any(shipment_start_ns), min(at), any(city), any(region), any(postal_code), any(country),
		any(order_ref), any(customer_ref), min(detected_at)
		FROM milestones WHERE detected_at >= ? GROUP BY id`, since.UTC())
	if err != nil {
		return fmt.Errorf("read milestones: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m schemas.Milestone
		var kind string
		var startNs int64
		l := &m.Location
		if err := rows.Scan(&m.ID, &kind, &m.TrackingNumber, &m.Carrier, &m.ShipmentKey, &startNs, &m.At,
			&l.City, &l.Region, &l.PostalCode, &l.Country, &m.OrderRef, &m.CustomerRef, &m.DetectedAt); err != nil {
			return fmt.Errorf("scan milestones: %w", err)
		}
		m.Kind = schemas.MilestoneKind(kind)
		m.ShipmentStart = time.Unix(0, startNs).UTC()
		m.At, m.DetectedAt = m.At.UTC(), m.DetectedAt.UTC()
		if err := fn(m); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read milestones: %w", err)
	}
	return nil
}
