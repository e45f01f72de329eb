package api

import (
	"math"
	"time"

	"guichet/data"
)

// Wire types: the contract with the widget and third parties. They are kept
// apart from domain types so that renaming a field in data never changes
// the API.

type addressJSON struct {
	Street   string `json:"street"`
	Postcode string `json:"postcode"`
	City     string `json:"city"`
	Citycode string `json:"citycode,omitempty"`
}

type locationJSON struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// stationJSON is a station with every field, as /v1/stations/{id} gives
// it and fields=* selects it. Answers are written by encode.go, which a
// test holds to encoding/json's output of this type.
type stationJSON struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Force       string      `json:"force"`
	Address     addressJSON `json:"address"`
	Departement string      `json:"departement"`
	// Phone is the E.164 number to call, absent when the published text
	// is not a valid number; PhoneText is that text as published.
	Phone     string       `json:"phone,omitempty"`
	PhoneText string       `json:"phone_text,omitempty"`
	Email     string       `json:"email,omitempty"`
	URL       string       `json:"url,omitempty"`
	Location  locationJSON `json:"location"`
	DistanceM *float64     `json:"distance_m,omitempty"`
	Hours     *hoursJSON   `json:"hours"`
	Source    string       `json:"source"`
}

type competentRefJSON struct {
	ServiceID string `json:"service_id"`
	Force     string `json:"force"`
	// StationID is the service's station nearest to the point.
	StationID string `json:"station_id,omitempty"`
	// StationIDs are all the service's stations, nearest first.
	StationIDs    []string `json:"station_ids"`
	MainStationID string   `json:"main_station_id,omitempty"`
}

type fileReportJSON struct {
	File       string          `json:"file"`
	Format     string          `json:"format"`
	Encoding   string          `json:"encoding,omitempty"`
	Rows       int             `json:"rows"`
	Kept       int             `json:"kept"`
	Merged     int             `json:"merged,omitempty"`
	Ignored    int             `json:"ignored,omitempty"`
	Rejected   int             `json:"rejected"`
	Rejections []rejectionJSON `json:"rejections"`
	// Warnings are rows kept with a field left unknown, or kept but not
	// linked to the service their code names.
	Warnings []rejectionJSON `json:"warnings,omitempty"`
}

type rejectionJSON struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

type skippedJSON struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

type reportJSON struct {
	Rows             int              `json:"rows"`
	Kept             int              `json:"kept"`
	RejectedByReason map[string]int   `json:"rejected_by_reason"`
	Files            []fileReportJSON `json:"files"`
	Skipped          []skippedJSON    `json:"skipped"`
}

type metaJSON struct {
	Version  string         `json:"version"`
	LoadedAt time.Time      `json:"loaded_at"`
	AgeS     int64          `json:"age_s"`
	Counts   map[string]int `json:"counts"`
	Report   reportJSON     `json:"report"`
	Reload   *reloadJSON    `json:"last_reload,omitempty"`
}

// roundM rounds a distance to the decimetre: finer digits are noise.
func roundM(m float64) float64 { return math.Round(m*10) / 10 }

// newStationJSON returns the wire form of s with its hours evaluated at at.
func newStationJSON(s *data.Station, at time.Time) stationJSON {
	return stationJSON{
		ID:    s.ID,
		Name:  s.Name,
		Force: s.Force.String(),
		Address: addressJSON{
			Street:   s.Address.Street,
			Postcode: s.Address.Postcode,
			City:     s.Address.City,
			Citycode: s.Address.Citycode,
		},
		Departement: s.Departement,
		Phone:       s.PhoneE164,
		PhoneText:   s.Phone,
		Email:       s.Email,
		URL:         s.URL,
		Location:    locationJSON{Lat: s.Location[1], Lon: s.Location[0]},
		Hours:       newHoursJSON(s, at),
		Source:      s.Source,
	}
}

func newReportJSON(r *data.Report) reportJSON {
	out := reportJSON{
		Rows:             r.Rows(),
		Kept:             r.Kept(),
		RejectedByReason: r.RejectedByReason(),
		Files:            []fileReportJSON{},
		Skipped:          []skippedJSON{},
	}
	for _, f := range r.Files {
		fj := fileReportJSON{File: f.File, Format: f.Format, Encoding: f.Encoding, Rows: f.Rows, Kept: f.Kept, Merged: f.Merged, Ignored: f.Ignored, Rejected: len(f.Rejections), Rejections: []rejectionJSON{}}
		for _, x := range f.Rejections {
			fj.Rejections = append(fj.Rejections, rejectionJSON{Line: x.Line, Reason: x.Reason, Detail: x.Detail})
		}
		for _, x := range f.Warnings {
			fj.Warnings = append(fj.Warnings, rejectionJSON{Line: x.Line, Reason: x.Reason, Detail: x.Detail})
		}
		out.Files = append(out.Files, fj)
	}
	for _, s := range r.Skipped {
		out.Skipped = append(out.Skipped, skippedJSON{File: s.File, Reason: s.Reason})
	}
	return out
}
