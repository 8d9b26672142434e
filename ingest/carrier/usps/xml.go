package usps

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"

	"github.com/muktihari/xmltokenizer"
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
		stack  []string // open elements
		info   *TrackInfo
		detail *TrackDetail
	)
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
			switch {
			case (name == "TrackSummary" || name == "TrackDetail") && detail != nil && info != nil:
				if name == "TrackSummary" {
					info.TrackSummary = detail
				} else {
					info.TrackDetail = append(info.TrackDetail, *detail)
				}
				detail = nil
			case name == "TrackInfo" && info != nil:
				r.TrackInfo = append(r.TrackInfo, *info)
				info = nil
			}
			continue
		}
		if len(stack) == 0 {
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
		case name == "TrackInfo" && len(stack) <= 2:
			info = &TrackInfo{}
			for _, a := range t.Attrs {
				if string(a.Name.Local) == "ID" {
					info.ID = html.UnescapeString(string(a.Value))
				}
			}
		case name == "TrackSummary" || name == "TrackDetail":
			detail = &TrackDetail{}
		case detail != nil:
			setDetail(detail, name, text)
		case name == "Error" && info != nil:
			info.Error = &XMLError{}
		case info != nil && info.Error != nil:
			setError(info.Error, name, text)
		case info != nil:
			setInfo(info, name, text)
		case r.XMLName.Local == "Error":
			setError(&r.XMLError, name, text)
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
// there are any.
func charData(b []byte) func() string {
	return func() string {
		b = bytes.TrimSpace(b)
		if bytes.IndexByte(b, '&') >= 0 {
			return html.UnescapeString(string(b))
		}
		return string(b)
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
