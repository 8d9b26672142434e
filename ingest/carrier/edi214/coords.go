package edi214

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// coordinates reads an MS1's coordinates into l: MS1-04 longitude and
// MS1-05 latitude as DDDMMSS (or DDDMMSS.SS), with MS1-06 E or W and
// MS1-07 N or S, or, from release 005010, MS1-09 longitude and MS1-10
// latitude in decimal degrees. A coordinate that is not one, or out of
// ±90 latitude and ±180 longitude, is an error naming the element; an
// MS1 without coordinates leaves l as it is.
func coordinates(ms1 segment, l *schemas.Location) error {
	var lat, lon float64
	var err error
	switch {
	case ms1.el(4) != "" || ms1.el(5) != "":
		if lon, err = dms(ms1.el(4), "MS1-04 longitude"); err != nil {
			return err
		}
		if lat, err = dms(ms1.el(5), "MS1-05 latitude"); err != nil {
			return err
		}
		if strings.EqualFold(ms1.el(6), "W") {
			lon = -lon
		}
		if strings.EqualFold(ms1.el(7), "S") {
			lat = -lat
		}
		err = inRange(lat, lon, "MS1-05 latitude", "MS1-04 longitude")
	case ms1.el(9) != "" || ms1.el(10) != "":
		if lon, err = decimal(ms1.el(9), "MS1-09 longitude"); err != nil {
			return err
		}
		if lat, err = decimal(ms1.el(10), "MS1-10 latitude"); err != nil {
			return err
		}
		err = inRange(lat, lon, "MS1-10 latitude", "MS1-09 longitude")
	default:
		return nil
	}
	if err != nil {
		return err
	}
	l.Lat, l.Lon, l.HasCoords = lat, lon, true
	return nil
}

// dms reads degrees, minutes and seconds: DDDMMSS or DDDMMSS.SS.
func dms(s, name string) (float64, error) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if len(whole) != 7 {
		return 0, fmt.Errorf("%s %q: want DDDMMSS", name, s)
	}
	var n [3]int
	for i, span := range [3][2]int{{0, 3}, {3, 5}, {5, 7}} {
		v, err := carrier.Atoi(whole, span[0], span[1])
		if err != nil {
			return 0, fmt.Errorf("%s %q: want DDDMMSS", name, s)
		}
		n[i] = v
	}
	if n[1] > 59 || n[2] > 59 {
		return 0, fmt.Errorf("%s %q: minutes and seconds go to 59", name, s)
	}
	sec := float64(n[2])
	if hasFrac {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil || frac == "" {
			return 0, fmt.Errorf("%s %q: want DDDMMSS.SS", name, s)
		}
		sec += f
	}
	return float64(n[0]) + float64(n[1])/60 + sec/3600, nil
}

func decimal(s, name string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q: not a number", name, s)
	}
	return f, nil
}

func inRange(lat, lon float64, latName, lonName string) error {
	if !(lat >= -90 && lat <= 90) {
		return fmt.Errorf("%s %g: out of range ±90", latName, lat)
	}
	if !(lon >= -180 && lon <= 180) {
		return fmt.Errorf("%s %g: out of range ±180", lonName, lon)
	}
	return nil
}
