-- predictions: the ETAs the API served, sampled (the first per shipment and
-- UTC day, and at each status change), so that once a shipment is delivered
-- the error of what customers were told is known. Lane areas are the
-- model's region areas (model.Area); p10, p50, p90 and p95 are the served
-- instants; hours_to_go is from served_at to p50.
CREATE TABLE IF NOT EXISTS predictions (
    tracking_number   String,
    shipment_key      String,
    carrier           String,
    service           String,
    origin_area       String,
    destination_area  String,
    snapshot_time     DateTime('UTC'),
    status            Enum8('info_received' = 1, 'picked_up' = 2, 'in_transit' = 3,
                            'arrived_at_facility' = 4, 'departed_facility' = 5,
                            'out_for_delivery' = 6, 'delivery_attempted' = 7,
                            'available_for_pickup' = 8, 'delivered' = 9, 'exception' = 10,
                            'returned_to_sender' = 11, 'cancelled' = 12, 'unknown' = 13),
    served_at         DateTime('UTC'),
    model_version     String,
    p10               DateTime('UTC'),
    p50               DateTime('UTC'),
    p90               DateTime('UTC'),
    p95               DateTime('UTC'),
    hours_to_go       Float64,
    promised_delivery Nullable(DateTime('UTC'))
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(served_at)
ORDER BY (tracking_number, shipment_key, served_at);

-- prediction_errors: one row per sample (replicas that sampled the same
-- shipment, day and status count once: the earliest) whose shipment has
-- been delivered since the snapshot, with the first such delivery.
-- error_hours is delivered minus p50 (positive: later than said);
-- days_to_go buckets the true time from served_at to the delivery as the
-- backtest does (model.DaysToGoBuckets).
CREATE VIEW IF NOT EXISTS prediction_errors AS
SELECT
    tracking_number, shipment_key, carrier, service, origin_area, destination_area,
    status, served_day, snapshot_time, served_at, model_version,
    p10, p50, p90, p95, hours_to_go, promised_delivery,
    min(delivered) AS delivered_at,
    (toInt64(delivered_at) - toInt64(served_at)) / 3600     AS hours_left,
    multiIf(hours_left < 24, '0-1d', hours_left < 48, '1-2d', hours_left < 72, '2-3d',
            hours_left < 120, '3-5d', '5d+')                  AS days_to_go,
    (toInt64(delivered_at) - toInt64(p50)) / 3600            AS error_hours,
    abs(error_hours)                                         AS abs_error_hours,
    delivered_at >= p10 AND delivered_at <= p90               AS in_p10_p90,
    delivered_at <= p95                                      AS by_p95
FROM (
    SELECT tracking_number, shipment_key, carrier, service, origin_area, destination_area,
           status, toDate(served_at) AS served_day, snapshot_time, served_at, model_version,
           p10, p50, p90, p95, hours_to_go, promised_delivery
    FROM predictions
    ORDER BY served_at
    LIMIT 1 BY tracking_number, shipment_key, status, served_day
) ALL INNER JOIN (
    SELECT tracking_number, shipment_key, event_time AS delivered
    FROM scan_events FINAL
    WHERE status = 'delivered' AND tracking_number IN (SELECT tracking_number FROM predictions)
) USING (tracking_number, shipment_key)
WHERE delivered >= snapshot_time
GROUP BY tracking_number, shipment_key, carrier, service, origin_area, destination_area,
         status, served_day, snapshot_time, served_at, model_version,
         p10, p50, p90, p95, hours_to_go, promised_delivery;

-- prediction_accuracy: the online figures next to the backtest's, by
-- carrier, days to go and model version.
CREATE VIEW IF NOT EXISTS prediction_accuracy AS
SELECT
    carrier, days_to_go, model_version,
    count()                                           AS predictions,
    uniqExact(tracking_number, shipment_key)          AS shipments,
    avg(abs_error_hours)                              AS mae_hours,
    avg(error_hours)                                  AS bias_hours,
    quantileExact(0.5)(abs_error_hours)               AS median_abs_error_hours,
    avg(in_p10_p90)                                   AS coverage_p10_p90,
    avg(by_p95)                                       AS p95_on_time
FROM prediction_errors
GROUP BY carrier, days_to_go, model_version;
