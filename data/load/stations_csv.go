package load

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"guichet/data"
)

// Format names, as shown in load reports.
const (
	FormatReferentialCSV = "ministry-referential-csv"
	FormatDatagouvCSV    = "datagouv-stations-csv"
	FormatStationsJSON   = "stations-geojson"
)

// Hours formats recorded in Station.HoursFormat.
const (
	HoursMinistryText = "ministry-text"
	HoursOSM          = "osm"
)

func isReferentialCSV(h head) bool {
	return h.hasFields("unite_cu", "unite_nom", "unite_adresse", "unite_dpt", "latitude_wgs84", "longitude_wgs84")
}

func isDatagouvStationsCSV(h head) bool {
	return h.hasFields("service", "adresse_geographique", "geocodage_x_gps", "geocodage_y_gps")
}

// stationSink receives parsed stations; the dataset builder implements it.
type stationSink interface {
	addStation(fr *data.FileReport, line int, s data.Station)
}

var (
	trailingPostcodeCity = regexp.MustCompile(`^(.*?)[\s,]*\b(\d{5})\s+([^\d].*)$`)
	digitsOnly           = regexp.MustCompile(`^\d+$`)
)

// splitAddressLine splits "2 Rue Danton 38500 VOIRON" into street,
// postcode and city. A line without a postcode is all street.
func splitAddressLine(s string) data.Address {
	s = strings.Join(strings.Fields(s), " ")
	m := trailingPostcodeCity.FindStringSubmatch(s)
	if m == nil {
		return data.Address{Street: s}
	}
	return data.Address{Street: m[1], Postcode: m[2], City: m[3]}
}

// parseCoordinate parses one decimal degree value; French decimal commas are accepted.
func parseCoordinate(s string) (float64, error) {
	return strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64)
}

// parseLocation parses and validates a lon/lat pair, returning a rejection
// reason when it cannot be used.
func parseLocation(lonText, latText, dep string) (orb.Point, string, string) {
	if lonText == "" || latText == "" {
		return orb.Point{}, data.ReasonMissingCoordinates, "longitude or latitude is empty"
	}
	lon, err := parseCoordinate(lonText)
	if err != nil {
		return orb.Point{}, data.ReasonBadField, fmt.Sprintf("longitude %q is not a number", lonText)
	}
	lat, err := parseCoordinate(latText)
	if err != nil {
		return orb.Point{}, data.ReasonBadField, fmt.Sprintf("latitude %q is not a number", latText)
	}
	if reason, detail := data.CheckLocation(lon, lat, dep); reason != "" {
		return orb.Point{}, reason, fmt.Sprintf("%s (lon %s, lat %s)", detail, lonText, latText)
	}
	return orb.Point{lon, lat}, "", ""
}

func cleanEmail(s string) string {
	if strings.EqualFold(s, "NOMAIL") || !strings.Contains(s, "@") {
		return ""
	}
	return s
}

// hoursFormatOf names the format of a published opening-hours value.
func hoursFormatOf(text string) string {
	if text == "" {
		return ""
	}
	return HoursMinistryText
}

// loadReferentialCSV reads the Interior Ministry referential export
// (pwb_ref_unite_gn.csv and pwb_ref_unite_pn*.csv share one layout).
func loadReferentialCSV(text string, sep rune, fr *data.FileReport, sink stationSink) error {
	return eachCSVRow(text, sep, fr, func(r row) {
		name := r.get("unite_nom")
		force, err := referentialForce(r.get("unite_zpn"), name)
		if err != nil {
			fr.Reject(r.line, data.ReasonBadField, "%v", err)
			return
		}
		var id, code string
		switch force {
		case data.Police:
			code = r.get("unite_cu")
			if !digitsOnly.MatchString(code) {
				fr.Reject(r.line, data.ReasonBadField, "unite_cu %q is not a service code", code)
				return
			}
			id = "pn-" + strings.TrimLeft(code, "0")
		default:
			public := r.get("unite_id_anonym")
			if !digitsOnly.MatchString(public) {
				fr.Reject(r.line, data.ReasonBadField, "unite_id_anonym %q is not a public unit id", public)
				return
			}
			id = "gn-" + strings.TrimLeft(public, "0")
			code = r.get("unite_cu")
		}
		if name == "" {
			fr.Reject(r.line, data.ReasonBadField, "unite_nom is empty")
			return
		}
		dep := r.get("unite_dpt")
		loc, reason, detail := parseLocation(r.get("longitude_wgs84"), r.get("latitude_wgs84"), dep)
		if reason != "" {
			fr.Reject(r.line, reason, "%s: %s", id, detail)
			return
		}
		hoursText := r.get("horaire_ouverture")
		sink.addStation(fr, r.line, data.Station{
			ID:          id,
			Force:       force,
			Name:        name,
			Address:     splitAddressLine(r.get("unite_adresse")),
			Departement: dep,
			Phone:       r.get("unite_tph"),
			Email:       cleanEmail(r.get("unite_mail_actif")),
			Location:    loc,
			ServiceCode: code,
			HoursText:   hoursText,
			HoursFormat: hoursFormatOf(hoursText),
			Source:      fr.File,
		})
	})
}

// referentialForce reads unite_zpn: 1 gendarmerie zone, 2 police zone,
// 3 mixed commune (served by a gendarmerie unit in the national file).
func referentialForce(zpn, name string) (data.Force, error) {
	switch zpn {
	case "1", "3":
		return data.Gendarmerie, nil
	case "2":
		return data.Police, nil
	}
	return data.AnyForce, fmt.Errorf("unite_zpn %q is not 1, 2 or 3", zpn)
}

// loadDatagouvCSV reads the data.gouv.fr lists of gendarmerie units and of
// police services, which share a family of columns.
func loadDatagouvCSV(text string, sep rune, fr *data.FileReport, sink stationSink) error {
	return eachCSVRow(text, sep, fr, func(r row) {
		name := r.get("service")
		if name == "" {
			fr.Reject(r.line, data.ReasonBadField, "service is empty")
			return
		}
		force := datagouvForce(r, name)
		var id, code string
		switch force {
		case data.Police:
			code = firstNonEmpty(r.get("code_service"), r.get("id_service"), r.get("unite_cu"))
			switch {
			case code == "":
				id = derivedPoliceID(name, r.get("code_commune_insee"))
			case digitsOnly.MatchString(code):
				id = "pn-" + strings.TrimLeft(code, "0")
			default:
				fr.Reject(r.line, data.ReasonBadField, "service code %q is not numeric", code)
				return
			}
		default:
			public := r.get("identifiant_public_unite")
			if !digitsOnly.MatchString(public) {
				fr.Reject(r.line, data.ReasonBadField, "identifiant_public_unite %q is not a public unit id", public)
				return
			}
			id = "gn-" + strings.TrimLeft(public, "0")
		}
		dep := r.get("departement")
		loc, reason, detail := parseLocation(r.get("geocodage_x_gps"), r.get("geocodage_y_gps"), dep)
		if reason != "" {
			fr.Reject(r.line, reason, "%s: %s", id, detail)
			return
		}
		addr := data.Address{Street: r.get("voie"), Postcode: r.get("code_postal"), City: r.get("commune"), Citycode: r.get("code_commune_insee")}
		if addr.Street == "" {
			whole := splitAddressLine(r.get("adresse_geographique"))
			addr.Street = whole.Street
			if addr.Postcode == "" {
				addr.Postcode, addr.City = whole.Postcode, whole.City
			}
		}
		hoursText := r.get("horaires_accueil")
		sink.addStation(fr, r.line, data.Station{
			ID:          id,
			Force:       force,
			Name:        name,
			Address:     addr,
			Departement: dep,
			Phone:       r.get("telephone"),
			Email:       cleanEmail(r.get("email")),
			URL:         r.get("url"),
			Location:    loc,
			ServiceCode: code,
			HoursText:   hoursText,
			HoursFormat: hoursFormatOf(hoursText),
			Source:      fr.File,
		})
	})
}

// datagouvForce tells a police row from a gendarmerie row. Gendarmerie rows
// carry a public unit id; police rows never do.
func datagouvForce(r row, name string) data.Force {
	if r.get("identifiant_public_unite") != "" {
		return data.Gendarmerie
	}
	lower := strings.ToLower(name)
	if strings.Contains(lower, "gendarmerie") || strings.Contains(lower, "brigade") {
		return data.Gendarmerie
	}
	return data.Police
}

// derivedPoliceID names a police service from a source that gives no
// service code. It hashes the name and commune so that the id survives
// reloads; the "pn-h" prefix keeps it apart from real service codes.
func derivedPoliceID(name, citycode string) string {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(strings.Join(strings.Fields(name), " "))))
	h.Write([]byte{0})
	h.Write([]byte(citycode))
	return fmt.Sprintf("pn-h%08x", h.Sum32())
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
