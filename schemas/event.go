// Package schemas holds parcelcast's canonical types: the scan event every
// carrier adapter produces, the status taxonomy, and the tracking number
// normalization shared by ingest and the API.
package schemas

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// GenericScanSchema is the JSON Schema (draft 2020-12) of a generic-feed
// record, the format regional carriers, 3PLs and backfills send.
//
//go:embed generic-scan.schema.json
var GenericScanSchema []byte

// Status is the canonical scan status. Every carrier code maps to exactly
// one Status; codes with no mapping become StatusUnknown, never dropped.
type Status string

// The canonical status taxonomy.
const (
	StatusInfoReceived       Status = "info_received"
	StatusPickedUp           Status = "picked_up"
	StatusInTransit          Status = "in_transit"
	StatusArrivedAtFacility  Status = "arrived_at_facility"
	StatusDepartedFacility   Status = "departed_facility"
	StatusOutForDelivery     Status = "out_for_delivery"
	StatusDeliveryAttempted  Status = "delivery_attempted"
	StatusAvailableForPickup Status = "available_for_pickup"
	StatusDelivered          Status = "delivered"
	StatusException          Status = "exception"
	StatusReturnedToSender   Status = "returned_to_sender"
	StatusCancelled          Status = "cancelled"
	StatusUnknown            Status = "unknown"
)

// Statuses lists every canonical status in journey order. The order is
// also the order of the ClickHouse Enum8 in the scan_events table.
var Statuses = []Status{
	StatusInfoReceived, StatusPickedUp, StatusInTransit, StatusArrivedAtFacility,
	StatusDepartedFacility, StatusOutForDelivery, StatusDeliveryAttempted,
	StatusAvailableForPickup, StatusDelivered, StatusException,
	StatusReturnedToSender, StatusCancelled, StatusUnknown,
}

// Valid reports whether s is one of the canonical statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Terminal reports whether no further movement is expected after s.
func (s Status) Terminal() bool {
	return s == StatusDelivered || s == StatusReturnedToSender || s == StatusCancelled
}

// Location is where a scan happened, or a shipment's origin or destination.
// Every field is optional; Lat and Lon are meaningful only when HasCoords.
type Location struct {
	City       string  `json:"city,omitempty"`
	Region     string  `json:"region,omitempty"` // state or province code
	PostalCode string  `json:"postal_code,omitempty"`
	Country    string  `json:"country,omitempty"` // ISO 3166-1 alpha-2
	Lat        float64 `json:"lat,omitempty"`
	Lon        float64 `json:"lon,omitempty"`
	HasCoords  bool    `json:"has_coords,omitempty"`
}

// Source records where an event was read from, for lineage.
type Source struct {
	Topic      string    `json:"topic,omitempty"`
	Partition  int32     `json:"partition"`
	Offset     int64     `json:"offset"`
	IngestedAt time.Time `json:"ingested_at"`
}

// ScanEvent is one carrier scan in canonical form.
type ScanEvent struct {
	EventID        string `json:"event_id"`
	TrackingNumber string `json:"tracking_number"`
	Carrier        string `json:"carrier"`
	// ShipmentKey tells apart shipments under one tracking number: the
	// carrier's own unique id of the shipment where it sends one (FedEx
	// trackingNumberUniqueId), else empty. See model.SplitJourneys for how
	// a number's scans without a key are split into journeys.
	ShipmentKey  string `json:"shipment_key,omitempty"`
	Service      string `json:"service,omitempty"`
	Status       Status `json:"status"`
	StatusDetail string `json:"status_detail,omitempty"`
	CarrierCode  string `json:"carrier_code,omitempty"`
	Description  string `json:"description,omitempty"`
	// EventTime is the instant of the scan in UTC.
	EventTime time.Time `json:"event_time"`
	// UTCOffsetMinutes is the local offset at the scan location.
	UTCOffsetMinutes int `json:"event_utc_offset_minutes"`
	// OffsetInferred is set when the carrier gave local time without an
	// offset and the offset was resolved from the location's time zone.
	OffsetInferred bool `json:"offset_inferred,omitempty"`
	// OffsetApproximate is set when that zone may not be the scan's own:
	// the scan's place had none (a label scan with only a country, a scan
	// with no place at all) and the zone of a place of the same shipment
	// was taken, or the place lies in a state or country of several zones
	// and the main one was taken. Every adapter that reads local times
	// sets it, through carrier.SetLocalNear (UPS, USPS, FedEx, DHL and
	// EDI 214; the generic feed's times carry their offset).
	OffsetApproximate bool       `json:"offset_approximate,omitempty"`
	Location          Location   `json:"location"`
	Origin            Location   `json:"origin"`
	Destination       Location   `json:"destination"`
	Mode              string     `json:"mode,omitempty"`
	PromisedDelivery  *time.Time `json:"promised_delivery,omitempty"`
	// OrderRef and CustomerRef are the merchant's order and customer
	// references, when the feed carries them (the generic feed, imports).
	OrderRef    string `json:"order_ref,omitempty"`
	CustomerRef string `json:"customer_ref,omitempty"`
	Source      Source `json:"source"`
}

// NormalizeTrackingNumber upper-cases a tracking number and removes spaces
// and dashes, the forms people paste.
func NormalizeTrackingNumber(s string) string {
	normal := true
	for i := 0; i < len(s) && normal; i++ {
		c := s[i]
		normal = c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
	}
	if normal {
		return s // the common case, without allocating
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\t':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ErrBadTrackingNumber is returned for a tracking number that cannot be
// any carrier's.
var ErrBadTrackingNumber = errors.New("malformed tracking number")

// CheckTrackingNumber validates the shape shared by all carriers' numbers:
// 8 to 40 characters, letters and digits only, after normalization.
func CheckTrackingNumber(normalized string) error {
	if n := len(normalized); n < 8 || n > 40 {
		return fmt.Errorf("%w: length %d, want 8 to 40", ErrBadTrackingNumber, n)
	}
	for i := 0; i < len(normalized); i++ {
		c := normalized[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return fmt.Errorf("%w: character %q at %d", ErrBadTrackingNumber, c, i)
		}
	}
	return nil
}

// ComputeEventID derives the deterministic event id: the same scan seen
// twice (a replay, a duplicate from the carrier) gets the same id, so the
// ReplacingMergeTree keeps one row. A shipment key, when there is one,
// is part of the id, so two shipments' alike scans under one number stay
// two rows; without one the id is the one stored scans already have.
func ComputeEventID(e *ScanEvent) string {
	h := sha256.New()
	var buf [20]byte
	for _, s := range []string{
		e.Carrier, e.TrackingNumber, e.CarrierCode, string(e.Status),
		string(strconv.AppendInt(buf[:0], e.EventTime.UTC().Unix(), 10)),
		e.Location.City, e.Location.Region, e.Location.PostalCode, e.Location.Country,
	} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if e.ShipmentKey != "" {
		h.Write([]byte("shipment_key\x00"))
		h.Write([]byte(e.ShipmentKey))
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// Validate checks the invariants every canonical event must hold before
// it is written. It fills nothing in.
func (e *ScanEvent) Validate() error {
	if err := CheckTrackingNumber(e.TrackingNumber); err != nil {
		return err
	}
	if e.Carrier == "" {
		return errors.New("missing carrier")
	}
	if !e.Status.Valid() {
		return fmt.Errorf("status %q is not canonical", e.Status)
	}
	if e.EventTime.IsZero() {
		return errors.New("missing event time")
	}
	if y := e.EventTime.Year(); y < 1990 || y > 2100 {
		return fmt.Errorf("event time %s out of range", e.EventTime.Format(time.RFC3339))
	}
	if e.UTCOffsetMinutes < -14*60 || e.UTCOffsetMinutes > 14*60 {
		return fmt.Errorf("utc offset %d minutes out of range", e.UTCOffsetMinutes)
	}
	if err := CheckReference(e.OrderRef); err != nil {
		return fmt.Errorf("order_ref: %w", err)
	}
	if err := CheckReference(e.CustomerRef); err != nil {
		return fmt.Errorf("customer_ref: %w", err)
	}
	for _, l := range []*Location{&e.Location, &e.Origin, &e.Destination} {
		if l.HasCoords {
			if err := CheckCoords(l.Lat, l.Lon); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckCoords checks a latitude and longitude in degrees: within ±90 and
// ±180, and numbers (NaN is neither).
func CheckCoords(lat, lon float64) error {
	if !(lat >= -90 && lat <= 90) {
		return fmt.Errorf("lat: %g out of range ±90", lat)
	}
	if !(lon >= -180 && lon <= 180) {
		return fmt.Errorf("lon: %g out of range ±180", lon)
	}
	return nil
}
