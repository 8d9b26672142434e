package chstore

import (
	"context"
	"fmt"
)

// The queries below answer how much is stored: the demo prints them and
// the integration tests check ingest, the importer and training with them.

// CountScans returns the rows of scan_events read with FINAL and their
// distinct event ids: each stored scan once, whatever was written twice.
func (db *DB) CountScans(ctx context.Context) (rows, ids uint64, err error) {
	if err := db.conn.QueryRow(ctx, "SELECT count(), uniqExact(event_id) FROM scan_events FINAL").Scan(&rows, &ids); err != nil {
		return 0, 0, fmt.Errorf("count scan_events: %w", err)
	}
	return rows, ids, nil
}

// CountScansFrom returns the scans, read with FINAL, that came from topic.
func (db *DB) CountScansFrom(ctx context.Context, topic string) (uint64, error) {
	var n uint64
	if err := db.conn.QueryRow(ctx, "SELECT count() FROM scan_events FINAL WHERE source_topic = ?", topic).Scan(&n); err != nil {
		return 0, fmt.Errorf("count scan_events from %s: %w", topic, err)
	}
	return n, nil
}

// CountScansWithLineage returns the scans, read with FINAL, that came from
// topic and carry the Kafka offset they were read at.
func (db *DB) CountScansWithLineage(ctx context.Context, topic string) (uint64, error) {
	var n uint64
	if err := db.conn.QueryRow(ctx, "SELECT count() FROM scan_events FINAL WHERE source_topic = ? AND source_offset >= 0", topic).Scan(&n); err != nil {
		return 0, fmt.Errorf("count scan_events from %s with offsets: %w", topic, err)
	}
	return n, nil
}

// CountRows returns count() of table as stored, duplicates included.
func (db *DB) CountRows(ctx context.Context, table string) (uint64, error) {
	if err := CheckIdent(table); err != nil {
		return 0, err
	}
	var n uint64
	if err := db.conn.QueryRow(ctx, "SELECT count() FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}

// ScansPerShipment returns each tracking number's scans, read with FINAL.
func (db *DB) ScansPerShipment(ctx context.Context) (map[string]uint64, error) {
	return db.perNumber(ctx, "SELECT tracking_number, count() FROM scan_events FINAL GROUP BY tracking_number", "scans per shipment")
}

// JourneysPerNumber returns each tracking number's journeys: its rows of
// the shipments view, one per carrier, shipment key and journey.
func (db *DB) JourneysPerNumber(ctx context.Context) (map[string]uint64, error) {
	return db.perNumber(ctx, "SELECT tracking_number, count() FROM shipments GROUP BY tracking_number", "journeys per number")
}

// perNumber reads a query's rows of tracking number and count; what
// names them in errors.
func (db *DB) perNumber(ctx context.Context, query, what string) (map[string]uint64, error) {
	rows, err := db.conn.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("count %s: %w", what, err)
	}
	defer rows.Close()
	out := map[string]uint64{}
	for rows.Next() {
		var tn string
		var n uint64
		if err := rows.Scan(&tn, &n); err != nil {
			return nil, fmt.Errorf("scan %s: %w", what, err)
		}
		out[tn] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return out, nil
}

// Transit is one delivered shipment's row of the transits view.
type Transit struct {
	Hours  float64
	OnTime *uint8 // nil when the shipment had no promise
}

// TransitOf returns the transits row of trackingNumber's latest delivered
// journey (the latest pickup): a reused number has one row per journey.
func (db *DB) TransitOf(ctx context.Context, trackingNumber string) (Transit, error) {
	var t Transit
	if err := db.conn.QueryRow(ctx, `SELECT transit_hours, on_time FROM transits WHERE tracking_number = ?
		ORDER BY picked_up_at DESC, carrier DESC, shipment_key DESC LIMIT 1`, trackingNumber).
		Scan(&t.Hours, &t.OnTime); err != nil {
		return t, fmt.Errorf("read transit of %s: %w", trackingNumber, err)
	}
	return t, nil
}

// ModelRuns returns how many runs model_runs holds for version, and the
// metrics JSON of one of them.
func (db *DB) ModelRuns(ctx context.Context, version string) (runs uint64, metricsJSON string, err error) {
	if err := db.conn.QueryRow(ctx, "SELECT count(), any(metrics_json) FROM model_runs WHERE model_version = ?", version).
		Scan(&runs, &metricsJSON); err != nil {
		return 0, "", fmt.Errorf("read model_runs of %s: %w", version, err)
	}
	return runs, metricsJSON, nil
}

// ServerVersion returns the server's version string.
func (db *DB) ServerVersion(ctx context.Context) (string, error) {
	var v string
	if err := db.conn.QueryRow(ctx, "SELECT version()").Scan(&v); err != nil {
		return "", fmt.Errorf("read server version: %w", err)
	}
	return v, nil
}

// Parts describes the data parts of one table of the database.
type Parts struct {
	All        uint64 // parts, active or merged away
	Active     uint64
	Partitions uint64 // distinct partitions of all parts
	ActiveRows uint64 // rows in the active parts, from their metadata
}

// PartsOf reads table's parts from system.parts. Counting rows this way
// reads no column of the table.
func (db *DB) PartsOf(ctx context.Context, table string) (Parts, error) {
	var p Parts
	if err := db.conn.QueryRow(ctx, `SELECT count(), countIf(active), uniqExact(partition), sumIf(rows, active)
		FROM system.parts WHERE database = currentDatabase() AND table = ?`, table).
		Scan(&p.All, &p.Active, &p.Partitions, &p.ActiveRows); err != nil {
		return p, fmt.Errorf("read parts of %s: %w", table, err)
	}
	return p, nil
}

// Column is one column of a table.
type Column struct{ Name, Type string }

// ColumnsOf lists table's columns in their order.
func (db *DB) ColumnsOf(ctx context.Context, table string) ([]Column, error) {
	rows, err := db.conn.Query(ctx, "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = ?", table)
	if err != nil {
		return nil, fmt.Errorf("list columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, fmt.Errorf("scan column of %s: %w", table, err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list columns of %s: %w", table, err)
	}
	return cols, nil
}
