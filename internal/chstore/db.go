// Package chstore is parcelcast's ClickHouse storage: connections, the
// migration runner, the scan writer, the history reader, model runs, and
// every query the project sends. No other package imports the driver.
package chstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Config says where ClickHouse is and which database parcelcast owns.
type Config struct {
	Addr     string // host:port of the native protocol, comma-separated for several
	Database string
	Username string
	Password string
}

// DB is a pool of connections to one parcelcast database. Its methods are
// safe for concurrent use.
type DB struct {
	conn driver.Conn
}

// Open connects to cfg.Database and checks the connection with a ping.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	conn, err := open(ctx, cfg, cfg.Database)
	if err != nil {
		return nil, err
	}
	return &DB{conn: conn}, nil
}

// Close closes the pool's connections.
func (db *DB) Close() error { return db.conn.Close() }

// Ping checks that the server answers, within ctx's deadline.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.conn.Ping(ctx); err != nil {
		return fmt.Errorf("clickhouse ping: %w", err)
	}
	return nil
}

func open(ctx context.Context, cfg Config, db string) (driver.Conn, error) {
	user := cfg.Username
	if user == "" {
		user = "default"
	}
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        strings.Split(cfg.Addr, ","),
		Auth:        clickhouse.Auth{Database: db, Username: user, Password: cfg.Password},
		DialTimeout: 5 * time.Second,
		ReadTimeout: time.Minute,
		// Sizes tuned for batch inserts of a few thousand rows.
		MaxOpenConns:    8,
		MaxIdleConns:    4,
		ConnMaxLifetime: time.Hour,
	})
	if err != nil {
		return nil, fmt.Errorf("open clickhouse %s: %w", cfg.Addr, err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("ping clickhouse %s database %s: %w", cfg.Addr, db, err)
	}
	return conn, nil
}

// EnsureDatabase creates cfg.Database if it does not exist.
func EnsureDatabase(ctx context.Context, cfg Config) error {
	return onDefault(ctx, cfg, "CREATE DATABASE IF NOT EXISTS ", "create")
}

// DropDatabase removes cfg.Database; tests use it to clean up.
func DropDatabase(ctx context.Context, cfg Config) error {
	return onDefault(ctx, cfg, "DROP DATABASE IF EXISTS ", "drop")
}

// onDefault runs a statement about cfg.Database from the default database.
func onDefault(ctx context.Context, cfg Config, stmt, verb string) error {
	if err := CheckIdent(cfg.Database); err != nil {
		return err
	}
	conn, err := open(ctx, cfg, "default")
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Exec(ctx, stmt+cfg.Database); err != nil {
		return fmt.Errorf("%s database %s: %w", verb, cfg.Database, err)
	}
	return nil
}

// CheckIdent accepts the identifiers parcelcast uses as database names:
// they are spliced into DDL, so nothing but letters, digits and _.
func CheckIdent(s string) error {
	if s == "" || len(s) > 64 {
		return fmt.Errorf("database name %q: want 1 to 64 characters", s)
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return fmt.Errorf("database name %q: only letters, digits and _ allowed", s)
		}
	}
	return nil
}

// insertRow inserts one row through the batch protocol. ClickHouse 18.16
// does not answer an INSERT … VALUES sent as a plain query over the native
// protocol, so every insert goes through a batch with its column list.
func (db *DB) insertRow(ctx context.Context, insert string, values ...any) error {
	b, err := db.conn.PrepareBatch(ctx, insert)
	if err != nil {
		return fmt.Errorf("prepare %q: %w", firstLine(insert), err)
	}
	if err := b.Append(values...); err != nil {
		_ = b.Abort()
		return fmt.Errorf("append to %q: %w", firstLine(insert), err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("send %q: %w", firstLine(insert), err)
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
