package usps

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

// xmlReads are the Web Tools elements ParseXML reads, under TrackInfo and
// under its TrackSummary and TrackDetail.
var xmlReads = map[string]bool{
	"Class": true, "OriginCity": true, "OriginState": true, "OriginZip": true,
	"DestinationCity": true, "DestinationState": true, "DestinationZip": true,
	"EventTime": true, "EventDate": true, "Event": true, "EventCity": true, "EventState": true,
	"EventZIPCode": true, "EventCountry": true, "EventCode": true, "GMTDate": true, "GMTTime": true, "GMTOffset": true,
}

var leafElement = regexp.MustCompile(`<(\w+)(?:/>|>[^<]*</\w+>)`)

// An element ParseXML does not read may be empty, carry attributes, or
// hold elements, even ones named like those it reads, and the events stay
// the same: XML's form of a JSON value of another type.
func TestXMLUnreadElements(t *testing.T) {
	b, err := os.ReadFile("testdata/journey_xml.xml")
	if err != nil {
		t.Fatal(err)
	}
	want := carriertest.Render(t, Parse, b)
	nested := `<Event>Delivered</Event><EventDate>January 1, 2020</EventDate><EventCode>01</EventCode>` +
		`<TrackDetail><EventTime>9:00 am</EventTime><EventDate>January 1, 2020</EventDate><EventCode>01</EventCode></TrackDetail>` +
		`<Class>Priority Mail</Class><Error><Number>-2147219302</Number></Error>`
	check := func(what string, payload []byte) {
		t.Helper()
		if got := carriertest.Render(t, Parse, payload); !bytes.Equal(got, want) {
			t.Errorf("%s changed the events:\ngot:\n%s\nwant:\n%s", what, got, want)
		}
	}
	changed := 0
	for _, m := range leafElement.FindAllSubmatchIndex(b, -1) {
		name := string(b[m[2]:m[3]])
		if xmlReads[name] {
			continue
		}
		for _, v := range []string{
			"<" + name + "/>",
			"<" + name + ` kind="other">x</` + name + ">",
			"<" + name + ">" + nested + "</" + name + ">",
		} {
			payload := append(append(append([]byte(nil), b[:m[0]]...), v...), b[m[1]:]...)
			check(string(b[m[0]:m[1]])+" as "+v, payload)
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("no unread element in the payload")
	}
	// Elements the published revision 1 replies carry that parcelcast
	// does not read, holding read-named ones.
	for _, at := range []string{`<TrackInfo ID="9400111201080805483016">`, "<TrackSummary>", "<TrackDetail>"} {
		v := "<EnabledNotificationRequests><SMS><FD>false</FD></SMS>" + nested + "</EnabledNotificationRequests>"
		check("an element holding "+nested+" in "+at, bytes.ReplaceAll(b, []byte(at), []byte(at+v)))
	}
}

// A scan's date that is not text fails the scan, naming the field.
func TestXMLNeededElements(t *testing.T) {
	b, err := os.ReadFile("testdata/journey_xml.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ from, to, want string }{
		{"<EventDate>November 21, 2026</EventDate>", "<EventDate><Date>November 21, 2026</Date></EventDate>", "EventDate"},
		{"<EventDate>November 21, 2026</EventDate>", "<EventDate/>", "EventDate"},
		{`<TrackInfo ID="9400111201080805483016">`, `<TrackInfo><ID>9400111201080805483016</ID>`, "no ID"},
	} {
		payload := bytes.Replace(b, []byte(c.from), []byte(c.to), 1)
		got := string(carriertest.Render(t, Parse, payload))
		if !strings.Contains(got, "error: ") || !strings.Contains(got[strings.Index(got, "error: "):], c.want) {
			t.Errorf("%s: want an error naming %s, got:\n%s", c.to, c.want, got)
		}
	}
}
