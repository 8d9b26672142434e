-- Analysts' entry points, as plain views over scan_events (each scan once,
-- through FINAL), so they are always current and need no backfill.

-- shipments: the latest state of every tracking number.
CREATE VIEW IF NOT EXISTS shipments AS
SELECT
    tracking_number,
    argMax(carrier, event_time)                              AS carrier,
    argMax(service, event_time)                              AS service,
    argMax(status, event_time)                               AS current_status,
    argMax(status_detail, event_time)                        AS current_status_detail,
    min(event_time)                                          AS first_scan_at,
    max(event_time)                                          AS last_scan_at,
    count()                                                  AS scans,
    argMax(city, event_time)                                 AS last_city,
    argMax(region, event_time)                               AS last_region,
    argMax(origin_postal_code, event_time)                   AS origin_postal_code,
    argMax(origin_region, event_time)                        AS origin_region,
    argMax(origin_country, event_time)                       AS origin_country,
    argMax(destination_postal_code, event_time)              AS destination_postal_code,
    argMax(destination_region, event_time)                   AS destination_region,
    argMax(destination_country, event_time)                  AS destination_country,
    minIf(event_time, status = 'picked_up')                  AS picked_up_at,
    maxIf(event_time, status = 'delivered')                  AS delivered_at,
    countIf(status = 'delivery_attempted')                   AS attempts,
    countIf(status = 'exception')                            AS exceptions,
    max(promised_delivery)                                   AS promised_delivery
FROM scan_events FINAL
GROUP BY tracking_number;

-- transits: delivered shipments with their pickup, delivery and transit time.
CREATE VIEW IF NOT EXISTS transits AS
SELECT
    tracking_number, carrier, service,
    origin_region, origin_postal_code, origin_country,
    destination_region, destination_postal_code, destination_country,
    picked_up_at, delivered_at,
    dateDiff('minute', picked_up_at, delivered_at) / 60       AS transit_hours,
    scans, attempts, exceptions, promised_delivery,
    promised_delivery IS NOT NULL AND delivered_at <= promised_delivery AS on_time
FROM shipments
WHERE current_status = 'delivered' AND toUnixTimestamp(picked_up_at) > 0;
