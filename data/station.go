package data

import (
	"errors"
	"fmt"
	"strings"

	"github.com/paulmach/orb"

	"guichet/data/hours"
)

// Force is the national force a station belongs to.
type Force uint8

const (
	// AnyForce matches both forces in filters; no station has it.
	AnyForce Force = iota
	Gendarmerie
	Police
)

// String returns the wire name of f: "gendarmerie", "police" or "" for AnyForce.
func (f Force) String() string {
	switch f {
	case Gendarmerie:
		return "gendarmerie"
	case Police:
		return "police"
	case AnyForce:
	}
	return ""
}

// ErrInvalid is wrapped by every error caused by a bad argument.
var ErrInvalid = errors.New("data: invalid argument")

// ErrNotFound is wrapped when a looked-up object does not exist.
var ErrNotFound = errors.New("data: not found")

// ParseForce parses the wire name of a force; the empty string is AnyForce.
func ParseForce(s string) (Force, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return AnyForce, nil
	case "gendarmerie", "gn":
		return Gendarmerie, nil
	case "police", "pn":
		return Police, nil
	}
	return AnyForce, fmt.Errorf("%w: unknown force %q (want gendarmerie or police)", ErrInvalid, s)
}

// Address is a postal address as published by the source.
type Address struct {
	Street   string
	Postcode string
	City     string
	// Citycode is the commune's INSEE code, empty when the source does not give it.
	Citycode string
}

// Station is one police or gendarmerie service that receives the public.
type Station struct {
	// ID is stable across sources: "gn-<public id>" for gendarmerie units,
	// "pn-<service code>" for police services.
	ID      string
	Force   Force
	Name    string
	Address Address
	// Departement is the département or overseas territory code ("38", "2A", "974", "988").
	Departement string
	// Phone is the phone number exactly as published.
	Phone string
	// PhoneE164 is Phone as an E.164 number ("+33476050183"), empty when
	// the published text is not a valid number: it is never offered to call.
	PhoneE164 string
	Email     string
	URL       string
	Location  orb.Point
	// ServiceCode is the ministry's internal unit code (unite_cu) when known;
	// jurisdiction tables refer to stations through it.
	ServiceCode string
	// HoursText is the opening-hours value exactly as published.
	HoursText string
	// HoursFormat names the format HoursText is written in.
	HoursFormat string
	// Hours is HoursText parsed; never nil after load. A value that does not
	// parse gives an unknown schedule and a warning in the load report,
	// because a station with unreadable hours is still a station to list.
	Hours *hours.Schedule
	// Locale is the station's time zone and public-holiday calendar.
	Locale hours.Locale
	// Source is the file the station was read from, relative to the data directory.
	Source string
}
