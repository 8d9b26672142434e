-- instructions: the delivery instructions customers gave through
-- POST /v1/shipments/{tracking_number}/instructions, one row per change of
-- one (its creation, its cancellation); the latest row of an id (by
-- version: a cancellation above the pending rows, then the change's unix
-- nanoseconds) is where it stands. record is the
-- instruction as published on parcelcast.shipments.instructions (JSON, read
-- back by the server: 18.16 has no JSON functions to need); request_hash is
-- the digest of the request, to tell a retry with another body apart.
CREATE TABLE IF NOT EXISTS instructions (
    tracking_number String,
    id              String,
    shipment_key    String,
    carrier         String,
    type            String,
    state           String,
    created_at      DateTime('UTC'),
    idempotency_key String,
    request_hash    String,
    record          String,
    version         UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(created_at)
ORDER BY (tracking_number, id);
