package schemas

import "time"

// ServedPrediction is one ETA the API served, as the predictions table
// keeps it: the shipment, the snapshot it was made from, the model that
// made it and the instants it gave. predict samples them; internal/chstore
// stores them.
type ServedPrediction struct {
	TrackingNumber string
	ShipmentKey    string
	Carrier        string
	Service        string
	// OriginArea and DestArea are the lane's region areas as the model
	// names them (model.Area).
	OriginArea, DestArea string
	// SnapshotAt is the scan the prediction was made after; Status the
	// shipment's status then.
	SnapshotAt time.Time
	Status     Status
	ServedAt   time.Time
	// ModelVersion is the version of the model that made it.
	ModelVersion       string
	P10, P50, P90, P95 time.Time
	// HoursToGo is from ServedAt to P50.
	HoursToGo float64
	// Promised is the carrier's promised delivery, nil when unknown.
	Promised *time.Time
}
