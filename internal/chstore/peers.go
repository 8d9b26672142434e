package chstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// The ingest benchmark compares parcelcast with two peers that write the
// same scans into tables of this database: ClickHouse's own Kafka engine
// with a materialized view, and a plain kafka-go loop inserting batches.
// Both read scans as flat JSON objects, in one of two shapes.

// PeerFullColumns are the fields of a full peer scan, named as
// scan_events' columns: every field parcelcast stores but the lineage.
const PeerFullColumns = "event_id, tracking_number, carrier, shipment_key, service, status, status_detail, carrier_code, description, event_time, " +
	"event_utc_offset_minutes, offset_inferred, offset_approximate, city, region, postal_code, country, lat, lon, origin_postal_code, " +
	"origin_region, origin_country, destination_postal_code, destination_region, destination_country, mode, promised_delivery"

// PeerFlatColumns are the nine fields of a flat peer scan.
const PeerFlatColumns = "event_id, tracking_number, carrier, status, event_time, city, region, postal_code, country"

// flatDefs are PeerFlatColumns with their types.
const flatDefs = `event_id String, tracking_number String, carrier String, status String, event_time DateTime('UTC'),
	city String, region String, postal_code String, country String`

// peerDDL is how a peer's table is made: full tables copy scan_events
// (engine, partitions and order: the like-for-like comparison), flat ones
// are a nine-column MergeTree.
func peerDDL(full bool) string {
	if full {
		return "AS scan_events"
	}
	return "(" + flatDefs + ") ENGINE = MergeTree ORDER BY (tracking_number, event_time)"
}

func peerColumns(full bool) string {
	if full {
		return PeerFullColumns
	}
	return PeerFlatColumns
}

// CreatePeerTable creates table, of the full or the flat shape.
func (db *DB) CreatePeerTable(ctx context.Context, table string, full bool) error {
	if err := CheckIdent(table); err != nil {
		return err
	}
	if err := db.conn.Exec(ctx, "CREATE TABLE "+table+" "+peerDDL(full)); err != nil {
		return fmt.Errorf("create table %s: %w", table, err)
	}
	return nil
}

// InsertPeerRows inserts rows, each holding the values of the shape's
// columns in order, into table as one batch.
func (db *DB) InsertPeerRows(ctx context.Context, table string, full bool, rows [][]any) error {
	if err := CheckIdent(table); err != nil {
		return err
	}
	batch, err := db.conn.PrepareBatch(ctx, "INSERT INTO "+table+" ("+peerColumns(full)+")")
	if err != nil {
		return fmt.Errorf("prepare insert into %s: %w", table, err)
	}
	for _, row := range rows {
		if err := batch.Append(row...); err != nil {
			_ = batch.Abort()
			return fmt.Errorf("append to %s: %w", table, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send %d rows to %s: %w", len(rows), table, err)
	}
	return nil
}

// CopyTable inserts every row of from into to, inside the server: the
// ceiling of what an insert of those rows can take.
func (db *DB) CopyTable(ctx context.Context, from, to string) error {
	if err := errors.Join(CheckIdent(from), CheckIdent(to)); err != nil {
		return err
	}
	if err := db.conn.Exec(ctx, "INSERT INTO "+to+" SELECT * FROM "+from); err != nil {
		return fmt.Errorf("copy %s into %s: %w", from, to, err)
	}
	return nil
}

// KafkaEngine is ClickHouse's Kafka table engine reading one topic of peer
// scans, and the materialized view that moves them into a table.
type KafkaEngine struct {
	db                     *DB
	table, queue, view     string
	queueColumns, selected string
}

// NewKafkaEngine creates table, of the full or the flat shape, and a Kafka
// engine table reading topic from broker as consumer group group. Nothing
// is read until Start.
func (db *DB) NewKafkaEngine(ctx context.Context, table, broker, topic, group string, full bool) (*KafkaEngine, error) {
	for _, s := range []string{broker, topic, group} {
		if strings.ContainsAny(s, `'\`) {
			return nil, fmt.Errorf("kafka engine setting %q: quotes not allowed", s)
		}
	}
	e := &KafkaEngine{db: db, table: table, queue: table + "_queue", view: table + "_mv",
		queueColumns: flatDefs, selected: PeerFlatColumns}
	if full {
		// The queue reads each column as the table's type: ClickHouse
		// 18.16 does not convert a String to an Enum8 on the way into the
		// view's table.
		cols, err := db.ColumnsOf(ctx, "scan_events")
		if err != nil {
			return nil, err
		}
		var defs []string
		for _, c := range cols {
			if strings.Contains(", "+PeerFullColumns+", ", ", "+c.Name+", ") {
				defs = append(defs, c.Name+" "+c.Type)
			}
		}
		e.queueColumns, e.selected = strings.Join(defs, ", "), fillSelect(cols, PeerFullColumns)
	}
	if err := db.CreatePeerTable(ctx, table, full); err != nil {
		return nil, err
	}
	q := fmt.Sprintf("CREATE TABLE %s (%s) ENGINE = Kafka('%s', '%s', '%s', 'JSONEachRow')", e.queue, e.queueColumns, broker, topic, group)
	if err := db.conn.Exec(ctx, q); err != nil {
		return nil, fmt.Errorf("create kafka engine table %s: %w", e.queue, err)
	}
	return e, nil
}

// Start creates the materialized view: the engine starts consuming.
func (e *KafkaEngine) Start(ctx context.Context) error {
	if err := e.db.conn.Exec(ctx, "CREATE MATERIALIZED VIEW "+e.view+" TO "+e.table+" AS SELECT "+e.selected+" FROM "+e.queue); err != nil {
		return fmt.Errorf("create materialized view %s: %w", e.view, err)
	}
	return nil
}

// Stop drops the view and the engine table; the table they filled stays.
func (e *KafkaEngine) Stop(ctx context.Context) error {
	return errors.Join(e.db.drop(ctx, e.view), e.db.drop(ctx, e.queue))
}

func (db *DB) drop(ctx context.Context, table string) error {
	if err := db.conn.Exec(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
		return fmt.Errorf("drop %s: %w", table, err)
	}
	return nil
}

// fillSelect is a view's select list into a table of columns cols from a
// source with the columns have: those, and a default for every other
// column (ClickHouse 18.16 wants every column of the view's table).
func fillSelect(cols []Column, have string) string {
	given := map[string]bool{}
	for _, n := range strings.Split(have, ", ") {
		given[n] = true
	}
	var list []string
	for _, c := range cols {
		switch {
		case given[c.Name]:
			list = append(list, c.Name)
		case c.Name == "ingested_at":
			list = append(list, "now() AS ingested_at")
		case strings.HasPrefix(c.Type, "Nullable"):
			list = append(list, "CAST(NULL AS "+c.Type+") AS "+c.Name)
		case c.Type == "String":
			list = append(list, "'' AS "+c.Name)
		default:
			list = append(list, "CAST(0 AS "+c.Type+") AS "+c.Name)
		}
	}
	return strings.Join(list, ", ")
}
