-- Every canonical scan, one row per event_id. ReplacingMergeTree collapses
-- replays and duplicates that share the sorting key; read with FINAL (or
-- group by event_id) to see each scan exactly once.
CREATE TABLE IF NOT EXISTS scan_events (
    event_id                 String,
    tracking_number          String,
    carrier                  String,
    service                  String,
    status                   Enum8('info_received' = 1, 'picked_up' = 2, 'in_transit' = 3,
                                   'arrived_at_facility' = 4, 'departed_facility' = 5,
                                   'out_for_delivery' = 6, 'delivery_attempted' = 7,
                                   'available_for_pickup' = 8, 'delivered' = 9, 'exception' = 10,
                                   'returned_to_sender' = 11, 'cancelled' = 12, 'unknown' = 13),
    status_detail            String,
    carrier_code             String,
    description              String,
    event_time               DateTime('UTC'),
    event_utc_offset_minutes Int16,
    offset_inferred          UInt8,
    city                     String,
    region                   String,
    postal_code              String,
    country                  String,
    lat                      Nullable(Float64),
    lon                      Nullable(Float64),
    origin_postal_code       String,
    origin_region            String,
    origin_country           String,
    destination_postal_code  String,
    destination_region       String,
    destination_country      String,
    mode                     String,
    promised_delivery        Nullable(DateTime('UTC')),
    source_topic             String,
    source_partition         Int32,
    source_offset            Int64,
    ingested_at              DateTime('UTC')
) ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(event_time)
ORDER BY (tracking_number, event_time, event_id);
