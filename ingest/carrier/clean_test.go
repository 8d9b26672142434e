package carrier

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

func TestCleanString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Delivered", "Delivered"},
		{"", ""},
		{"Deliv\x00ered", "Delivered"},
		{"\x00\x00", ""},
		{"Front\x07 door\x1b", "Front door"},
		{"DEL\x7f", "DEL"},
		{"Left at\ndoor", "Left at door"},
		{"Left at \r\n\tdoor", "Left at door"},
		{"\nLeft at door\n", "Left at door"},
		{"caf\u00e9 \u0085next", "café next"},  // U+0085 (NEL) is a line break
		{"a\u0080b\u009fc", "abc"},             // the other C1 controls go
		{"Zürich – Köln ✓", "Zürich – Köln ✓"}, // other UTF-8 is kept
		{"bad \xff byte", "bad \xff byte"},     // as are bytes that are not UTF-8
	} {
		if got := StripControls(c.in); got != c.want {
			t.Errorf("StripControls(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Every text field of an event reaches the database without control
// characters, whichever adapter made it: Results.Add and Finish strip
// them. The fields are found by reflection, so a field added to
// ScanEvent later is covered or fails here.
func TestAddStripsEveryTextField(t *testing.T) {
	var e schemas.ScanEvent
	var fields []string
	setStrings(reflect.ValueOf(&e).Elem(), "", &fields, func(name string) string {
		switch name {
		case "TrackingNumber":
			return "1Z999AA1\x0001234\x1f56784"
		case "Carrier":
			return "ups\x00"
		case "Status":
			return "deliv\x00ered"
		case "EventID", "Source.Topic":
			return "" // set by the pipeline, not by an adapter
		}
		return "a\x00b\x01c\nd\u0085e"
	})
	e.EventTime = time.Date(2026, 3, 9, 21, 12, 0, 0, time.UTC)
	var r Results
	r.Add(e, nil, Where{Kind: "scan", Index: 0})
	events, err := r.Done("test")
	if err != nil || len(events) != 1 {
		t.Fatalf("%d events, %v", len(events), err)
	}
	got := reflect.ValueOf(&events[0]).Elem()
	for _, f := range fields {
		v := fieldByPath(got, f).String()
		if hasControl(v) {
			t.Errorf("%s = %q still holds a control character", f, v)
		}
	}
	if events[0].TrackingNumber != "1Z999AA10123456784" || events[0].Status != schemas.StatusDelivered || events[0].Description != "abc d e" {
		t.Errorf("got %q, %q, %q", events[0].TrackingNumber, events[0].Status, events[0].Description)
	}
	fin := e
	if err := Finish(&fin); err != nil || fin.EventID != events[0].EventID {
		t.Errorf("Finish: %v, id %s, want %s", err, fin.EventID, events[0].EventID)
	}
}

func setStrings(v reflect.Value, prefix string, names *[]string, value func(string) string) {
	for i := 0; i < v.NumField(); i++ {
		f, sf := v.Field(i), v.Type().Field(i)
		name := prefix + sf.Name
		switch f.Kind() {
		case reflect.String:
			f.SetString(value(name))
			*names = append(*names, name)
		case reflect.Struct:
			if f.Type() != reflect.TypeOf(time.Time{}) {
				setStrings(f, name+".", names, value)
			}
		}
	}
}

func fieldByPath(v reflect.Value, path string) reflect.Value {
	for _, p := range strings.Split(path, ".") {
		v = v.FieldByName(p)
	}
	return v
}

// An event without control characters is not copied.
func TestCleanTextAllocatesNothing(t *testing.T) {
	e := schemas.ScanEvent{
		TrackingNumber: "1Z999AA10123456784", Carrier: "ups", Status: schemas.StatusDelivered, Description: "DELIVERED",
		Location: schemas.Location{City: "Zürich", Country: "CH"}, Origin: schemas.Location{City: "Phoenix", Region: "AZ"},
	}
	if n := testing.AllocsPerRun(100, func() { CleanText(&e) }); n != 0 {
		t.Errorf("CleanText allocates %.0f times on clean text", n)
	}
}
