package main

import (
	"context"

	"github.com/parcelcast/parcelcast/internal/chstore"
)

func runMigrate(ctx context.Context, args []string) error {
	fs := newFlagSet("migrate", "Create the ClickHouse database and apply pending schema migrations. Safe to run again.")
	ch := clickhouseFlags(fs)
	newLog := logFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	log := newLog()
	res, err := migrate(ctx, ch)
	if err != nil {
		return err
	}
	for _, m := range res.Applied {
		log.Info("applied migration", "version", m.Version, "name", m.Name)
	}
	log.Info("schema up to date", "database", ch.Database, "version", res.Current)
	return nil
}

func migrate(ctx context.Context, ch *chstore.Config) (chstore.MigrateResult, error) {
	if err := chstore.EnsureDatabase(ctx, *ch); err != nil {
		return chstore.MigrateResult{}, err
	}
	conn, err := openClickHouse(ctx, ch)
	if err != nil {
		return chstore.MigrateResult{}, err
	}
	defer conn.Close()
	return chstore.Migrate(ctx, conn)
}
