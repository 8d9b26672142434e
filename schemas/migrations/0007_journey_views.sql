-- The analysts' views by journey: one row per carrier, tracking number,
-- shipment key and journey, so a number a carrier reused, or two shipment
-- keys under one number, are separate rows. Every existing column keeps
-- its name and meaning; shipment_key and journey (1, 2, … in time order
-- under one carrier, number and key) come last. Views on views are
-- dropped before the views they read.
DROP TABLE IF EXISTS on_time_by_carrier;
DROP TABLE IF EXISTS lane_weekly;
DROP TABLE IF EXISTS transits;
DROP TABLE IF EXISTS shipments;

-- shipments: the latest state of every journey, latest by time and then
-- by status in journey order (the Enum's), so a delivery in the same
-- second as another scan is the current status. The journeys are split
-- by the trainer's rule (model.StartsJourney): in that order, a label or
-- pickup scan starts a new journey when the latest earlier label, pickup
-- or delivery scan is a delivery (the current journey was delivered: a
-- later label or pickup would have started a journey before it) or when
-- it follows a silence of more than 30 days (2592000 seconds,
-- model.JourneyGap). 18.16 has no window functions, so
-- the split runs on each group's scans as arrays: sorted holds their
-- (time, status) in order; kinds marks deliveries 2 and labels and
-- pickups 1; marks keeps those in order after a 0 for none; seen counts
-- them up to each scan, so marks[seen[i]] is the one before a label or
-- pickup i (every index stays within its array); starts are the scans
-- that start a journey, and a scan's journey is the number of starts at
-- or before it. ARRAY JOIN turns the columns' arrays back into rows, each
-- with its journey; the columns stay in the order groupArray read them,
-- which no aggregate below depends on. promised_delivery goes in a tuple,
-- as groupArray would skip its NULLs.
CREATE VIEW shipments AS
SELECT
    tracking_number,
    carrier,
    argMax(service, (event_time, status))                    AS service,
    argMax(status, (event_time, status))                     AS current_status,
    argMax(status_detail, (event_time, status))              AS current_status_detail,
    min(event_time)                                          AS first_scan_at,
    max(event_time)                                          AS last_scan_at,
    count()                                                  AS scans,
    uniqExactIf(city, region, country, city != '')           AS facilities,
    argMax(city, (event_time, status))                       AS last_city,
    argMax(region, (event_time, status))                     AS last_region,
    argMax(origin_postal_code, (event_time, status))         AS origin_postal_code,
    argMax(origin_region, (event_time, status))              AS origin_region,
    argMax(origin_country, (event_time, status))             AS origin_country,
    argMax(destination_postal_code, (event_time, status))    AS destination_postal_code,
    argMax(destination_region, (event_time, status))         AS destination_region,
    argMax(destination_country, (event_time, status))        AS destination_country,
    minIf(event_time, status = 'picked_up')                  AS picked_up_at,
    maxIf(event_time, status = 'delivered')                  AS delivered_at,
    countIf(status = 'delivery_attempted')                   AS attempts,
    countIf(status = 'exception')                            AS exceptions,
    max(promise.1)                                           AS promised_delivery,
    shipment_key,
    journey
FROM (
    SELECT
        carrier, tracking_number, shipment_key, journey, event_time, status, service, status_detail,
        city, region, country, origin_postal_code, origin_region, origin_country,
        destination_postal_code, destination_region, destination_country, promise
    FROM (
        SELECT
            carrier, tracking_number, shipment_key,
            groupArray(event_time) AS times, groupArray(status) AS statuses, groupArray(service) AS services,
            groupArray(status_detail) AS details, groupArray(city) AS cities, groupArray(region) AS regions,
            groupArray(country) AS countries, groupArray(origin_postal_code) AS origin_postal_codes,
            groupArray(origin_region) AS origin_regions, groupArray(origin_country) AS origin_countries,
            groupArray(destination_postal_code) AS destination_postal_codes,
            groupArray(destination_region) AS destination_regions,
            groupArray(destination_country) AS destination_countries,
            groupArray(tuple(promised_delivery)) AS promises,
            arraySort(arrayMap((t, s) -> (toUInt32(t), s), times, statuses)) AS sorted,
            arrayMap(p -> multiIf(p.2 = 'delivered', 2, p.2 = 'info_received' OR p.2 = 'picked_up', 1, 0), sorted) AS kinds,
            arrayPushFront(arrayFilter(k -> k > 0, kinds), 0)    AS marks,
            arrayCumSum(arrayMap(k -> toUInt32(k > 0), kinds))   AS seen,
            arrayFilter((p, i) -> i = 1 OR (kinds[i] = 1
                AND (p.1 - sorted[greatest(i - 1, 1)].1 > 2592000 OR marks[greatest(seen[i], 1)] = 2)),
                sorted, arrayEnumerate(sorted))                  AS starts,
            arrayMap((t, s) -> toUInt32(arrayCount(p -> p <= (toUInt32(t), s), starts)), times, statuses) AS journeys
        FROM scan_events FINAL
        GROUP BY carrier, tracking_number, shipment_key
    )
    ARRAY JOIN
        times AS event_time, statuses AS status, services AS service, details AS status_detail,
        cities AS city, regions AS region, countries AS country,
        origin_postal_codes AS origin_postal_code, origin_regions AS origin_region, origin_countries AS origin_country,
        destination_postal_codes AS destination_postal_code, destination_regions AS destination_region,
        destination_countries AS destination_country, promises AS promise, journeys AS journey
)
GROUP BY carrier, tracking_number, shipment_key, journey;

-- transits: delivered journeys with their pickup, delivery and transit
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
    promised_delivery IS NOT NULL AND delivered_at <= promised_delivery AS on_time,
    shipment_key, journey
FROM shipments
WHERE current_status = 'delivered' AND toUnixTimestamp(picked_up_at) > 0;

-- lane_weekly: transit percentiles per carrier, service and lane by the
-- week of pickup (Monday); shipments counts journeys.
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

-- on_time_by_carrier: delivered journeys against the carrier's promise by
-- month of delivery.
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
