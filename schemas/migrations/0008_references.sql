-- References tie a shipment to the merchant's order and customer. The feed
-- carries them on each scan (order_ref, customer_ref; '' where it does not);
-- PUT /v1/shipments/{tracking_number}/references sets them in
-- shipment_references, whose latest row (by version, the update's unix
-- nanoseconds) wins over the feed's. One ALTER: 18.16 has no ADD COLUMN IF
-- NOT EXISTS.
ALTER TABLE scan_events
    ADD COLUMN order_ref String DEFAULT '' AFTER promised_delivery,
    ADD COLUMN customer_ref String DEFAULT '' AFTER order_ref;

CREATE TABLE IF NOT EXISTS shipment_references (
    tracking_number String,
    order_ref       String,
    customer_ref    String,
    updated_at      DateTime('UTC'),
    version         UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY tracking_number;
