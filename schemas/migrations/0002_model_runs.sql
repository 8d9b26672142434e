-- One row per training run: the window it saw, how it scored on the
-- held-back slice, and the artifact it produced.
CREATE TABLE IF NOT EXISTS model_runs (
    run_id            String,
    model_version     String,
    started_at        DateTime('UTC'),
    finished_at       DateTime('UTC'),
    train_from        DateTime('UTC'),
    train_to          DateTime('UTC'),
    test_from         DateTime('UTC'),
    test_to           DateTime('UTC'),
    train_rows        UInt64,
    test_rows         UInt64,
    mae_hours         Float64,
    baseline_mae_hours Float64,
    coverage_p10_p90  Float64,
    artifact_sha256   String
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(started_at)
ORDER BY (started_at, run_id);
