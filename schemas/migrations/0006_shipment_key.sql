-- shipment_key: the carrier's own id of the shipment a scan belongs to,
-- where it sends one (FedEx trackingNumberUniqueId), so two shipments under
-- one reused tracking number are two journeys; '' where it sends none. One
-- statement: 18.16 has no ADD COLUMN IF NOT EXISTS.
ALTER TABLE scan_events
    ADD COLUMN shipment_key String DEFAULT '' AFTER carrier;
