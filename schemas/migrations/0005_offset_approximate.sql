-- offset_approximate: the scan's local time was read in a zone that may not
-- be its own (its place had none and a place of the same shipment lent one,
-- or the place lies in a state or country of several zones). One statement:
-- 18.16 has no ADD COLUMN IF NOT EXISTS, so it is applied whole or not at all.
ALTER TABLE scan_events
    ADD COLUMN offset_approximate UInt8 DEFAULT 0 AFTER offset_inferred;
