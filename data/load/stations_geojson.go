package load

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"guichet/data"
)

// isStationsGeoJSON recognises a FeatureCollection whose first feature is a
// Point; commune layers are polygons and go elsewhere.
func isStationsGeoJSON(h head) bool {
	if h.jsonStart() != '{' || !strings.Contains(h.text, `"FeatureCollection"`) {
		return false
	}
	i := strings.Index(h.text, `"geometry"`)
	if i < 0 {
		return false
	}
	rest := h.text[i:]
	if j := strings.Index(rest, "}"); j > 0 {
		rest = rest[:j]
	}
	return strings.Contains(rest, `"Point"`)
}

type pointFeature struct {
	Type     string `json:"type"`
	Geometry *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// eachFeature calls fn with each feature of a FeatureCollection and the
// line it starts on.
func eachFeature(text string, fn func(line int, raw json.RawMessage) error) error {
	return streamFeatures(strings.NewReader(text), func(line, _ int, dec *json.Decoder) error {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		return fn(line, raw)
	})
}

// loadStationsGeoJSON reads a FeatureCollection of station points. Property
// names are those of our own API (id, force, name, street, postcode, city,
// citycode, departement, phone, email, url, hours) or of the data.gouv.fr
// CSV columns.
func loadStationsGeoJSON(text string, fr *data.FileReport, sink stationSink) error {
	return eachFeature(text, func(line int, raw json.RawMessage) error {
		fr.Rows++
		var f pointFeature
		if err := json.Unmarshal(raw, &f); err != nil {
			fr.Reject(line, data.ReasonMalformedRow, "feature: %v", err)
			return nil
		}
		if f.Geometry == nil || f.Geometry.Type != "Point" {
			fr.Reject(line, data.ReasonBadField, "feature geometry is not a Point")
			return nil
		}
		var coords []float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &coords); err != nil || len(coords) < 2 {
			fr.Reject(line, data.ReasonBadField, "point coordinates must be [lon, lat]")
			return nil
		}
		prop := func(keys ...string) string {
			for _, k := range keys {
				switch v := f.Properties[k].(type) {
				case string:
					if s := strings.TrimSpace(v); s != "" {
						return s
					}
				case float64:
					return strings.TrimSuffix(fmt.Sprintf("%.0f", v), ".")
				}
			}
			return ""
		}
		name := prop("name", "service", "unite_nom")
		if name == "" {
			fr.Reject(line, data.ReasonBadField, "feature has no name")
			return nil
		}
		id := prop("id")
		force, err := data.ParseForce(prop("force"))
		if err != nil {
			fr.Reject(line, data.ReasonBadField, "%v", err)
			return nil
		}
		switch {
		case id != "":
			f, ok := forceOfID(id)
			if !ok {
				fr.Reject(line, data.ReasonBadField, "id %q is not gn-<n> or pn-<n>", id)
				return nil
			}
			if force != data.AnyForce && force != f {
				fr.Reject(line, data.ReasonBadField, "id %q contradicts force %q", id, force)
				return nil
			}
			force = f
		case prop("identifiant_public_unite") != "":
			public := prop("identifiant_public_unite")
			if !digitsOnly.MatchString(public) {
				fr.Reject(line, data.ReasonBadField, "identifiant_public_unite %q is not a public unit id", public)
				return nil
			}
			id, force = "gn-"+strings.TrimLeft(public, "0"), data.Gendarmerie
		default:
			fr.Reject(line, data.ReasonBadField, "feature has no id")
			return nil
		}
		dep := prop("departement", "unite_dpt")
		lon, lat := coords[0], coords[1]
		if reason, detail := data.CheckLocation(lon, lat, dep); reason != "" {
			fr.Reject(line, reason, "%s: %s", id, detail)
			return nil
		}
		hoursText := prop("hours", "horaires_accueil", "opening_hours")
		hoursFormat := hoursFormatOf(hoursText)
		if prop("opening_hours") != "" && prop("hours", "horaires_accueil") == "" {
			hoursFormat = HoursOSM
		}
		sink.addStation(fr, line, data.Station{
			ID:    id,
			Force: force,
			Name:  name,
			Address: data.Address{
				Street:   prop("street", "voie"),
				Postcode: prop("postcode", "code_postal"),
				City:     prop("city", "commune"),
				Citycode: prop("citycode", "code_commune_insee"),
			},
			Departement: dep,
			Phone:       prop("phone", "telephone"),
			Email:       cleanEmail(prop("email")),
			URL:         prop("url"),
			Location:    orb.Point{lon, lat},
			ServiceCode: prop("service_code"),
			HoursText:   hoursText,
			HoursFormat: hoursFormat,
			Source:      fr.File,
		})
		return nil
	})
}

// forceOfID returns the force encoded in a station id.
func forceOfID(id string) (data.Force, bool) {
	switch {
	case strings.HasPrefix(id, "gn-") && digitsOnly.MatchString(id[3:]):
		return data.Gendarmerie, true
	case strings.HasPrefix(id, "pn-") && (digitsOnly.MatchString(id[3:]) || strings.HasPrefix(id, "pn-h")):
		return data.Police, true
	}
	return data.AnyForce, false
}
