package generic

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// CSVColumns are the columns of the CSV form, in the order parcelcast
// writes them. A file may order them freely and leave optional ones out;
// tracking_number, carrier, status and event_time are required.
var CSVColumns = []string{
	"tracking_number", "carrier", "service", "status", "status_detail", "carrier_code", "description",
	"event_time", "city", "region", "postal_code", "country", "lat", "lon",
	"origin_postal_code", "origin_region", "origin_country",
	"destination_postal_code", "destination_region", "destination_country",
	"mode", "promised_delivery", "order_ref", "customer_ref",
}

var requiredColumns = []string{"tracking_number", "carrier", "status", "event_time"}

// ParseCSV reads scans as CSV with a header row naming the columns.
func ParseCSV(b []byte) ([]schemas.ScanEvent, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1 // checked per row, so one short row does not stop the rest
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("generic: csv header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var missing []string
	for _, c := range requiredColumns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("generic: csv header lacks %s", strings.Join(missing, ", "))
	}
	width := len(header)
	var res carrier.Results
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			res.Fail(err) // a csv.ParseError names its line
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				continue
			}
			break
		}
		line, _ := r.FieldPos(0)
		what := carrier.Where{Kind: "csv line", Index: line}
		if len(rec) != width {
			res.Fail(fmt.Errorf("%s: %d fields, header has %d", what, len(rec), width))
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		s := Scan{
			TrackingNumber: get("tracking_number"), Carrier: get("carrier"), Service: get("service"),
			Status: get("status"), StatusDetail: get("status_detail"), CarrierCode: get("carrier_code"),
			Description: get("description"), EventTime: get("event_time"),
			Location:         Place{City: get("city"), Region: get("region"), PostalCode: get("postal_code"), Country: get("country")},
			Origin:           Place{PostalCode: get("origin_postal_code"), Region: get("origin_region"), Country: get("origin_country")},
			Destination:      Place{PostalCode: get("destination_postal_code"), Region: get("destination_region"), Country: get("destination_country")},
			Mode:             get("mode"),
			PromisedDelivery: get("promised_delivery"),
			OrderRef:         get("order_ref"),
			CustomerRef:      get("customer_ref"),
		}
		// Coordinates are checked with the scan (a pair, within range).
		errLat, errLon := coord(&s.Location.Lat, "lat", get("lat")), coord(&s.Location.Lon, "lon", get("lon"))
		if errLat != nil || errLon != nil {
			res.Fail(fmt.Errorf("%s: %w", what, errors.Join(errLat, errLon)))
			continue
		}
		e, err := s.event()
		res.Add(e, err, what)
	}
	return res.Done(Name)
}

// coord reads a coordinate column; an empty one is absent.
func coord(dst **float64, name, v string) error {
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return fmt.Errorf("location.%s: %q is not a number", name, v)
	}
	*dst = &f
	return nil
}
