-- A training run keeps its whole backtest: the other two baselines, the
-- p95 commit's on-time rate, the feature schema and every metric as JSON.
ALTER TABLE model_runs
    ADD COLUMN p95_on_time Float64 DEFAULT 0,
    ADD COLUMN standard_mae_hours Float64 DEFAULT 0,
    ADD COLUMN lane_mode_mae_hours Float64 DEFAULT 0,
    ADD COLUMN feature_schema String DEFAULT '',
    ADD COLUMN metrics_json String DEFAULT '';

-- The analysts' views, again with the places a parcel was scanned at and
-- its transit in business days, plus weekly lane statistics and on-time
-- performance against the carriers' promises.
DROP TABLE IF EXISTS transits;
DROP TABLE IF EXISTS shipments;

-- shipments: the latest state of every tracking number.
CREATE VIEW shipments AS
SELECT
    tracking_number,
    argMax(carrier, event_time)                              AS carrier,
    argMax(service, event_time)                              AS service,
    argMax(status, event_time)                               AS current_status,
    argMax(status_detail, event_time)                        AS current_status_detail,
    min(event_time)                                          AS first_scan_at,
    max(event_time)                                          AS last_scan_at,
    count()                                                  AS scans,
    uniqExactIf(city, region, country, city != '')           AS facilities,
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

-- transits: delivered shipments with their pickup, delivery and transit
-- time in hours and in business days (Monday to Friday after the pickup
-- day up to the delivery day, by UTC date; holidays are not excluded).
-- origin and destination are the state or province, else the country and
-- the first three characters of the postal code, else the country.
CREATE VIEW transits AS
SELECT
    tracking_number, carrier, service,
    origin_region, origin_postal_code, origin_country,
    destination_region, destination_postal_code, destination_country,
    multiIf(origin_region != '', origin_region, origin_postal_code != '',
            concat(origin_country, ' ', substring(origin_postal_code, 1, 3)), origin_country) AS origin,
    multiIf(destination_region != '', destination_region, destination_postal_code != '',
            concat(destination_country, ' ', substring(destination_postal_code, 1, 3)), destination_country) AS destination,
    picked_up_at, delivered_at,
    dateDiff('minute', picked_up_at, delivered_at) / 60       AS transit_hours,
    length(arrayFilter(d -> toDayOfWeek(addDays(toDate(picked_up_at), d + 1)) < 6,
        range(toUInt32(greatest(dateDiff('day', picked_up_at, delivered_at), 0))))) AS business_days,
    scans, facilities, greatest(facilities, 1) - 1            AS hops,
    attempts, exceptions, promised_delivery,
    promised_delivery IS NOT NULL AND delivered_at <= promised_delivery AS on_time
FROM shipments
WHERE current_status = 'delivered' AND toUnixTimestamp(picked_up_at) > 0;

-- lane_weekly: transit percentiles per carrier, service and lane by the
-- week of pickup (Monday).
CREATE VIEW lane_weekly AS
SELECT
    toMonday(picked_up_at)                                   AS ship_week,
    carrier, service, origin, destination,
    count()                                                  AS shipments,
    quantileExact(0.5)(transit_hours)                        AS p50_hours,
    quantileExact(0.9)(transit_hours)                        AS p90_hours,
    quantileExact(0.95)(transit_hours)                       AS p95_hours,
    avg(business_days)                                       AS avg_business_days,
    avgIf(on_time, promised_delivery IS NOT NULL)            AS on_time_rate
FROM transits
GROUP BY ship_week, carrier, service, origin, destination;

-- on_time_by_carrier: deliveries against the carrier's promise by month
-- of delivery.
CREATE VIEW on_time_by_carrier AS
SELECT
    toStartOfMonth(delivered_at)                             AS month,
    carrier, service,
    count()                                                  AS delivered,
    countIf(promised_delivery IS NOT NULL)                   AS with_promise,
    avgIf(on_time, promised_delivery IS NOT NULL)            AS on_time_rate,
    avgIf(dateDiff('minute', assumeNotNull(promised_delivery), delivered_at) / 60,
          promised_delivery IS NOT NULL AND delivered_at > promised_delivery) AS avg_hours_late
FROM transits
GROUP BY month, carrier, service;
