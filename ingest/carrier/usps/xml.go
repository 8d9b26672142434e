package usps

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"

	"github.com/muktihari/xmltokenizer"

	"github.com/parcelcast/parcelcast/ingest/carrier"
)

// decodeXML reads a Web Tools TrackResponse (or an <Error> reply) with a
// streaming tokenizer rather than the standard library's reflective
// decoder, which is too slow for ingest (docs/benchmarks.md has the
// figures): the response is flat and small. Elements parcelcast does not
// use are skipped.
//
// The tokenizer (v0.0.5) can panic on some malformed input (fuzzing found
// a slice bound in its tag-name scanner); such a panic is turned into a
// parse error here, so the record is dead-lettered like any other
// malformed one.
func decodeXML(b []byte) (r TrackResponse, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = TrackResponse{}, fmt.Errorf("malformed XML (tokenizer: %v)", p)
		}
	}()
	// A new tokenizer per payload: Reset (v0.0.5) keeps stale bytes of the
	// previous input in its buffer, so tokenizers cannot be pooled.
	tok := xmltokenizer.New(bytes.NewReader(b), xmltokenizer.WithReadBufferSize(max(len(b), 512)))
	var (
		stack   []string // open elements
		info    *TrackInfo
		detail  *TrackDetail
		inError bool // inside a TrackInfo's <Error>
	)
	// Only the elements at their own place are read: TrackInfo under the
	// root, its fields, TrackSummary and TrackDetail as its children, and
	// theirs. An element parcelcast does not read may hold anything, even
	// elements named like read ones, without changing the events.
	for {
		t, err := tok.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r, err
		}
		if len(t.Name.Local) == 0 {
			continue // <?xml …?>, comments, doctype
		}
		name := intern(t.Name.Local)
		if t.IsEndElement {
			if len(stack) == 0 || stack[len(stack)-1] != name {
				return r, fmt.Errorf("unexpected </%s>", name)
			}
			stack = stack[:len(stack)-1]
			switch depth := len(stack); {
			case depth == 2 && (name == "TrackSummary" || name == "TrackDetail") && detail != nil && info != nil:
				if name == "TrackSummary" {
					info.TrackSummary = detail
				} else {
					info.TrackDetail = append(info.TrackDetail, *detail)
				}
				detail = nil
			case depth == 2 && name == "Error":
				inError = false
			case depth == 1 && name == "TrackInfo" && info != nil:
				r.TrackInfo = append(r.TrackInfo, *info)
				info = nil
			}
			continue
		}
		depth := len(stack) // of this element: 0 for the root
		if depth == 0 {
			if r.XMLName.Local != "" {
				return r, fmt.Errorf("second root element <%s>", name)
			}
			r.XMLName.Local = name
		}
		if !t.SelfClosing {
			stack = append(stack, name)
		}
		text := charData(t.Data)
		switch {
		case depth == 1 && name == "TrackInfo":
			info = &TrackInfo{}
			for _, a := range t.Attrs {
				if string(a.Name.Local) == "ID" {
					info.ID = html.UnescapeString(string(a.Value))
				}
			}
			if t.SelfClosing {
				r.TrackInfo = append(r.TrackInfo, *info)
				info = nil
			}
		case info == nil:
			if depth == 1 && r.XMLName.Local == "Error" {
				setError(&r.XMLError, name, text)
			}
		case depth == 2 && (name == "TrackSummary" || name == "TrackDetail"):
			if !t.SelfClosing { // an empty one has no event
				detail = &TrackDetail{}
			}
		case depth == 3 && detail != nil:
			setDetail(detail, name, text)
		case depth == 2 && name == "Error":
			info.Error = &XMLError{}
			inError = !t.SelfClosing
		case depth == 3 && inError:
			setError(info.Error, name, text)
		case depth == 2:
			setInfo(info, name, text)
		}
	}
	if r.XMLName.Local == "" {
		return r, errors.New("no root element")
	}
	if len(stack) > 0 {
		return r, fmt.Errorf("unexpected end of document inside <%s>", stack[len(stack)-1])
	}
	return r, nil
}

// names are the element names the decoder looks at; intern returns them
// without allocating.
var names = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		"TrackResponse", "TrackInfo", "TrackSummary", "TrackDetail", "Error", "Number", "Description",
		"EventTime", "EventDate", "Event", "EventCity", "EventState", "EventZIPCode", "EventCountry",
		"FirmName", "Name", "EventCode", "GMTDate", "GMTTime", "GMTOffset", "Class", "Service",
		"OriginCity", "OriginState", "OriginZip", "DestinationCity", "DestinationState", "DestinationZip",
		"StatusCategory", "AuthorizedAgent", "ClassOfMailCode",
	} {
		m[n] = n
	}
	return m
}()

func intern(b []byte) string {
	if n, ok := names[string(b)]; ok { // the conversion does not allocate
		return n
	}
	return string(b)
}

// charData is an element's text: trimmed, entities decoded only when
// there are any, control characters stripped (so codes match clean).
func charData(b []byte) func() string {
	return func() string {
		b = bytes.TrimSpace(b)
		if bytes.IndexByte(b, '&') >= 0 {
			return carrier.StripControls(html.UnescapeString(string(b)))
		}
		return carrier.StripControls(string(b))
	}
}

func setDetail(d *TrackDetail, name string, text func() string) {
	switch name {
	case "EventTime":
		d.EventTime = text()
	case "EventDate":
		d.EventDate = text()
	case "Event":
		d.Event = text()
	case "EventCity":
		d.EventCity = text()
	case "EventState":
		d.EventState = text()
	case "EventZIPCode":
		d.EventZIPCode = text()
	case "EventCountry":
		d.EventCountry = text()
	case "FirmName":
		d.FirmName = text()
	case "Name":
		d.Name = text()
	case "EventCode":
		d.EventCode = text()
	case "GMTDate":
		d.GMTDate = text()
	case "GMTTime":
		d.GMTTime = text()
	case "GMTOffset":
		d.GMTOffset = text()
	}
}

func setInfo(i *TrackInfo, name string, text func() string) {
	switch name {
	case "Class":
		i.Class = text()
	case "Service":
		i.Service = text()
	case "OriginCity":
		i.OriginCity = text()
	case "OriginState":
		i.OriginState = text()
	case "OriginZip":
		i.OriginZip = text()
	case "DestinationCity":
		i.DestinationCity = text()
	case "DestinationState":
		i.DestinationState = text()
	case "DestinationZip":
		i.DestinationZip = text()
	case "StatusCategory":
		i.StatusCategory = text()
	}
}

func setError(e *XMLError, name string, text func() string) {
	switch name {
	case "Number":
		e.Number = text()
	case "Description":
		e.Description = text()
	}
}
