package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"guichet/data"
	"guichet/data/hours"
	"guichet/geo"
)

// FormatServicePublicJSON is the service-public.fr directory (Annuaire de
// l'administration, DILA) as its API exports it: an array of records, or
// an object holding one under "results" (the records endpoint) or
// "service" (the bulk export). The records of police stations and
// gendarmerie units carry the opening hours the other sources lack for
// most police stations.
const FormatServicePublicJSON = "service-public-json"

// HoursServicePublic is the hours format of directory records: their
// plage_ouverture ranges as a JSON array.
const HoursServicePublic = "service-public"

// Directory service types (pivot.type_service_local) read as stations.
const (
	directoryPolice      = "commissariat_police"
	directoryGendarmerie = "gendarmerie"
)

// directoryMatchMetres is how far a directory record may lie from a station
// of the same force already loaded to be taken as that station: the
// sources geocode the same entrance independently.
const directoryMatchMetres = 250

func isServicePublicJSON(h head) bool {
	s := h.jsonStart()
	return (s == '[' || s == '{') && strings.Contains(h.text, `"pivot"`) && strings.Contains(h.text, "type_service_local")
}

// jsonList is a directory field holding a list: the API encodes it as a
// JSON string containing the array, the bulk export as the array itself;
// a single value stands for a list of one (adresse_courriel is often a
// plain string), and null and "" are an empty list.
type jsonList[T any] []T

func (l *jsonList[T]) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		switch t := strings.TrimSpace(s); {
		case t == "":
			*l = nil
			return nil
		case t[0] == '[' || t[0] == '{':
			b = []byte(t)
		}
		// Otherwise a plain string: b, still quoted, is the one value.
	}
	if string(b) == "null" {
		*l = nil
		return nil
	}
	var items []T
	if err := json.Unmarshal(b, &items); err == nil {
		*l = items
		return nil
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*l = jsonList[T]{one}
	return nil
}

type directoryRecord struct {
	ID    string `json:"id"`
	Nom   string `json:"nom"`
	Pivot jsonList[struct {
		Type string `json:"type_service_local"`
	}] `json:"pivot"`
	Adresse jsonList[struct {
		Type        string `json:"type_adresse"`
		NumeroVoie  string `json:"numero_voie"`
		Complement1 string `json:"complement1"`
		Complement2 string `json:"complement2"`
		CodePostal  string `json:"code_postal"`
		NomCommune  string `json:"nom_commune"`
		Longitude   string `json:"longitude"`
		Latitude    string `json:"latitude"`
	}] `json:"adresse"`
	Telephone jsonList[struct {
		Valeur string `json:"valeur"`
	}] `json:"telephone"`
	AdresseCourriel jsonList[string] `json:"adresse_courriel"`
	SiteInternet    jsonList[struct {
		Valeur string `json:"valeur"`
	}] `json:"site_internet"`
	PlageOuverture   jsonList[hours.Plage] `json:"plage_ouverture"`
	CodeInseeCommune string                `json:"code_insee_commune"`
	// URLServicePublic is the record's page on service-public.fr.
	URLServicePublic string `json:"url_service_public"`
}

// directoryEntry is a directory record read as a station, merged into the
// stations of the other sources once every file is read.
type directoryEntry struct {
	station data.Station
	file    int // index of its FileReport
	line    int
}

// loadServicePublicJSON reads the police and gendarmerie records of a
// directory export; records of other services are counted, not loaded.
func loadServicePublicJSON(b *builder, fr *data.FileReport, r io.Reader, _ head) error {
	fr.Encoding = "utf-8"
	file := len(b.report.Files) // loadFile appends fr next
	return streamRecords(r, func(line int, raw json.RawMessage) {
		var rec directoryRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			fr.Rows++
			fr.Reject(line, data.ReasonMalformedRow, "record: %v", err)
			return
		}
		force := data.AnyForce
		for _, p := range rec.Pivot {
			switch p.Type {
			case directoryPolice:
				force = data.Police
			case directoryGendarmerie:
				force = data.Gendarmerie
			}
		}
		if force == data.AnyForce {
			fr.Ignored++
			return
		}
		fr.Rows++
		s, reason, detail := directoryStation(rec, force, fr.File)
		if reason != "" {
			fr.Reject(line, reason, "%s", detail)
			return
		}
		if _, err := hours.FromPlages(rec.PlageOuverture); err != nil {
			fr.Warn(line, data.ReasonBadHours, "%s: hours kept as unknown: %v", s.Name, err)
			s.HoursText, s.HoursFormat = "", ""
		}
		b.directory = append(b.directory, directoryEntry{station: s, file: file, line: line})
		fr.Kept++
	})
}

// directoryStation builds the station of a police or gendarmerie record,
// or says why the record cannot be one.
func directoryStation(rec directoryRecord, force data.Force, file string) (s data.Station, reason, detail string) {
	name := strings.TrimSpace(rec.Nom)
	if name == "" {
		return s, data.ReasonBadField, "record has no nom"
	}
	if len(rec.Adresse) == 0 {
		return s, data.ReasonMissingCoordinates, name + ": no adresse"
	}
	// The first address is the one the public goes to; a postal
	// address, if any, follows it.
	a := rec.Adresse[0]
	for _, cand := range rec.Adresse {
		if strings.EqualFold(strings.TrimSpace(cand.Type), "Adresse") {
			a = cand
			break
		}
	}
	if strings.TrimSpace(a.Latitude) == "" || strings.TrimSpace(a.Longitude) == "" {
		return s, data.ReasonMissingCoordinates, name + ": address without latitude and longitude"
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a.Latitude), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(a.Longitude), 64)
	if err1 != nil || err2 != nil {
		return s, data.ReasonBadField, fmt.Sprintf("%s: latitude %q, longitude %q", name, a.Latitude, a.Longitude)
	}
	citycode := strings.TrimSpace(rec.CodeInseeCommune)
	dep := departementOfCitycode(citycode)
	if reason, detail := data.CheckLocation(lon, lat, dep); reason != "" {
		return s, reason, name + ": " + detail
	}
	street := strings.Join(strings.Fields(strings.Join([]string{a.NumeroVoie, a.Complement1, a.Complement2}, " ")), " ")
	s = data.Station{
		Force: force,
		Name:  name,
		Address: data.Address{
			Street:   street,
			Postcode: strings.TrimSpace(a.CodePostal),
			City:     strings.TrimSpace(a.NomCommune),
			Citycode: citycode,
		},
		Departement: dep,
		Location:    orb.Point{lon, lat},
		Source:      file,
	}
	if len(rec.Telephone) > 0 {
		s.Phone = strings.TrimSpace(rec.Telephone[0].Valeur)
	}
	if len(rec.AdresseCourriel) > 0 {
		s.Email = cleanEmail(strings.TrimSpace(rec.AdresseCourriel[0]))
	}
	if len(rec.SiteInternet) > 0 {
		s.URL = strings.TrimSpace(rec.SiteInternet[0].Valeur)
	}
	// Without a site of its own, the directory's page still gives the
	// hours, the access and the phone numbers.
	s.URL = firstNonEmpty(s.URL, strings.TrimSpace(rec.URLServicePublic))
	if len(rec.PlageOuverture) > 0 {
		text, _ := json.Marshal(rec.PlageOuverture)
		s.HoursText, s.HoursFormat = string(text), HoursServicePublic
	}
	// A gendarmerie record keeps no id: without a public unit id in the
	// directory, it can only complete a unit of the other sources.
	if force == data.Police {
		s.ID = derivedPoliceID(name, citycode)
	}
	return s, "", ""
}

// parsePlages parses the hours of a directory record, kept as the JSON
// array of its plage_ouverture.
func parsePlages(text string) (*hours.Schedule, error) {
	var p []hours.Plage
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return nil, err
	}
	return hours.FromPlages(p)
}

// departementOfCitycode returns the département of an INSEE commune code:
// its first two characters, three overseas.
func departementOfCitycode(code string) string {
	switch {
	case len(code) != 5:
		return ""
	case strings.HasPrefix(code, "97") || strings.HasPrefix(code, "98"):
		return code[:3]
	}
	return code[:2]
}

// mergeDirectory adds the directory's stations to those of the other
// sources. A record within directoryMatchMetres of a station of the same
// force is that station: it gives the opening hours, phone, e-mail and web
// page the station lacks, and no second station. Any other police record
// is a station of its own.
func (b *builder) mergeDirectory() {
	for _, e := range b.directory {
		fr := &b.report.Files[e.file]
		s := e.station
		if i := b.nearestOfForce(s.Location, s.Force, directoryMatchMetres); i >= 0 {
			b.enrich(fr, e.line, &b.stations[i], s)
			fr.Merged++
			continue
		}
		if s.ID == "" {
			fr.Kept--
			fr.Reject(e.line, data.ReasonBadField, "%s: a gendarmerie record matches no unit within %d m, and the directory gives no unit id", s.Name, directoryMatchMetres)
			continue
		}
		b.addStation(fr, e.line, s)
		fr.Kept-- // addStation counts it again
	}
	b.directory = nil
}

// nearestOfForce returns the index of the station of force f nearest to p
// within maxMetres, or -1.
func (b *builder) nearestOfForce(p orb.Point, f data.Force, maxMetres float64) int {
	best, bestD := -1, maxMetres
	for i := range b.stations {
		if b.stations[i].Force != f {
			continue
		}
		if d := geo.Distance(p, b.stations[i].Location); d <= bestD {
			best, bestD = i, d
		}
	}
	return best
}

// enrich fills what st lacks from the directory's record of it. Hours
// already known are kept: the ministry's own publication comes first.
func (b *builder) enrich(fr *data.FileReport, line int, st *data.Station, from data.Station) {
	if st.Hours.Unknown() && from.HoursText != "" {
		st.HoursText, st.HoursFormat = from.HoursText, from.HoursFormat
		st.Hours = b.schedule(fr, line, st)
	}
	if st.PhoneE164 == "" && from.Phone != "" {
		checkPhone(fr, line, &from)
		if from.PhoneE164 != "" || st.Phone == "" {
			st.Phone, st.PhoneE164 = from.Phone, from.PhoneE164
		}
	}
	st.Email = firstNonEmpty(st.Email, from.Email)
	st.URL = firstNonEmpty(st.URL, from.URL)
}

// streamRecords calls fn with each record of a directory export and the
// line it starts on, reading one record at a time: a whole-directory
// export is hundreds of megabytes.
func streamRecords(r io.Reader, fn func(line int, raw json.RawMessage)) error {
	nl := &newlineIndex{r: r}
	dec := json.NewDecoder(nl)
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); ok && d == '{' {
		found := false
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return err
			}
			if key == "results" || key == "service" {
				if tok, err = dec.Token(); err != nil {
					return err
				}
				found = true
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
		if !found {
			return errors.New(`no "results" or "service" array of records`)
		}
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return errors.New("records must be a JSON array")
	}
	for dec.More() {
		line := nl.lineAt(valueStart(dec))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		fn(line, raw)
	}
	_, err = dec.Token()
	return err
}
