package exceptions

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// ID is the deterministic id of an exception: a hash of the shipment
// (number, carrier, shipment key and first scan), the type and when it
// opened, so a replay or a restart that finds it again names it the same.
func ID(trackingNumber, carrier, shipmentKey string, shipmentStart time.Time, typ string, openedAt time.Time) string {
	h := sha256.New()
	for _, s := range []string{trackingNumber, carrier, shipmentKey,
		strconv.FormatInt(shipmentStart.Unix(), 10), typ, strconv.FormatInt(openedAt.Unix(), 10)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
