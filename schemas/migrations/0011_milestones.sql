-- milestones: every milestone published on parcelcast.shipments.milestones,
-- one row per id (a shipment's milestone of a kind; the id is deterministic,
-- so a milestone written twice, as at-least-once publishing may, merges into
-- one row). The emitter reads it back at start so that a restart publishes
-- nothing twice. shipment_start_ns is the shipment's first scan in unix
-- nanoseconds: the id is computed from it and DateTime keeps only seconds
-- (18.16 has no DateTime64). Partitioned by the shipment's start, which a
-- milestone's id fixes, so that the duplicates of an id meet in one
-- partition.
CREATE TABLE IF NOT EXISTS milestones (
    id                String,
    kind              String,
    tracking_number   String,
    carrier           String,
    shipment_key      String,
    shipment_start    DateTime('UTC'),
    shipment_start_ns Int64,
    at                DateTime('UTC'),
    city              String,
    region            String,
    postal_code       String,
    country           String,
    order_ref         String,
    customer_ref      String,
    detected_at       DateTime('UTC')
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(shipment_start)
ORDER BY id;
