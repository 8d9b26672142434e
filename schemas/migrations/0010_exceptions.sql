-- exceptions: shipments in trouble, as the exception scanner opens and
-- resolves them (predict/exceptions). id is deterministic (the shipment,
-- the type, when it opened), so a replay writes the same row again; the
-- resolved row (version 2) replaces the open one (version 1) when parts
-- merge, and readers reduce by argMax of the version until they have.
-- resolved_at is the epoch while open: 18.16 reduces no Nullable well.
CREATE TABLE IF NOT EXISTS exceptions (
    id              String,
    type            String,
    state           Enum8('open' = 1, 'resolved' = 2),
    tracking_number String,
    carrier         String,
    shipment_key    String,
    shipment_start  DateTime('UTC'),
    reason          String,
    detail          String,
    opened_at       DateTime('UTC'),
    resolved_at     DateTime('UTC'),
    order_ref       String,
    customer_ref    String,
    version         UInt8
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(opened_at)
ORDER BY (tracking_number, id);
