package fetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// Errors returned when a source list or a département code is invalid.
var (
	ErrInvalidList = errors.New("source: invalid source list")
	ErrDepartement = errors.New("source: unknown département code")
)

// Format keys name the layout a downloaded file must have; a Verify function
// dispatches on them.
const (
	FormatGendarmerieCSV    = "datagouv-gendarmerie-csv"
	FormatPoliceCSV         = "datagouv-police-csv"
	FormatCompetenceCSV     = "competence-territoriale-csv"
	FormatContoursGeoJSONGz = "etalab-communes-geojson-gz"
	FormatCOGJSON           = "cog-communes-json"
	FormatCommuneCentres    = "ban-communes-geo-json"
	FormatBANCSVGz          = "ban-csv-gz"
	FormatServicePublicJSON = "service-public-json"
)

// Feeds values say which part of the product a source feeds.
const (
	FeedsStations     = "stations"
	FeedsJurisdiction = "jurisdiction"
	FeedsCommunes     = "communes"
	FeedsGeocoder     = "geocoder"
)

// LicenceOuverte is the licence of every default source: the Etalab
// Licence Ouverte / Open Licence 2.0.
const LicenceOuverte = "Licence Ouverte / Open Licence 2.0"

// A Source is one file to download into the data directory.
type Source struct {
	Name     string `json:"name"`    // stable key, also the manifest key
	URL      string `json:"url"`     // absolute http or https URL
	Format   string `json:"format"`  // expected layout, one of the Format keys
	Licence  string `json:"licence"` // licence of the published data
	Feeds    string `json:"feeds"`   // what it feeds, one of the Feeds values
	File     string `json:"file"`    // file name inside the data directory
	Optional bool   `json:"optional,omitempty"`
}

// datagouv is the stable download address of a data.gouv.fr resource: it
// redirects to the resource's current file, so it survives re-uploads.
func datagouv(resource string) string {
	return "https://www.data.gouv.fr/fr/datasets/r/" + resource
}

// Default is the list of sources guichet needs, in download order.
//
// The COG communes come from the @etalab/decoupage-administratif npm package
// rather than geo.api.gouv.fr: that API is built from the same package but
// serves only current communes and drops anciensCodes, which are needed to
// map the older commune codes used by the jurisdiction file.
var Default = []Source{
	{
		Name:    "gendarmerie-units",
		URL:     datagouv("061a5736-8fc2-4388-9e55-8cc31be87fa0"),
		Format:  FormatGendarmerieCSV,
		Licence: LicenceOuverte,
		Feeds:   FeedsStations,
		File:    "gendarmerie-units.csv",
	},
	{
		Name:    "police-services",
		URL:     datagouv("2cb2f356-42b2-4195-a35c-d4e4d986c62b"),
		Format:  FormatPoliceCSV,
		Licence: LicenceOuverte,
		Feeds:   FeedsStations,
		File:    "police-services.csv",
	},
	{
		// Opening hours for the police stations of the file above, most of
		// which have none there. The directory's API exports the
		// commissariats as JSON; without it the stations stay, hours
		// unknown.
		Name:     "police-directory",
		URL:      "https://api-lannuaire.service-public.gouv.fr/api/explore/v2.1/catalog/datasets/api-lannuaire-administration/exports/json?where=pivot%20like%20%22commissariat_police%22",
		Format:   FormatServicePublicJSON,
		Licence:  LicenceOuverte,
		Feeds:    FeedsStations,
		File:     "police-directory.json",
		Optional: true,
	},
	{
		Name:    "competence-territoriale",
		URL:     datagouv("c53cd4d4-4623-4772-9b8c-bc72a9cdf4c2"),
		Format:  FormatCompetenceCSV,
		Licence: LicenceOuverte,
		Feeds:   FeedsJurisdiction,
		File:    "competence-territoriale.csv",
	},
	{
		Name:    "commune-contours",
		URL:     "https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/latest/geojson/communes-100m.geojson.gz",
		Format:  FormatContoursGeoJSONGz,
		Licence: LicenceOuverte,
		Feeds:   FeedsCommunes,
		File:    "communes-100m.geojson.gz",
	},
	{
		Name:    "cog-communes",
		URL:     "https://unpkg.com/@etalab/decoupage-administratif/data/communes.json",
		Format:  FormatCOGJSON,
		Licence: LicenceOuverte,
		Feeds:   FeedsCommunes,
		File:    "cog-communes.json",
	},
	{
		// Centres and bounding boxes only speed up lookups; the contours
		// alone are enough, so the fetch goes on without them.
		Name:     "commune-centres",
		URL:      "https://raw.githubusercontent.com/BaseAdresseNationale/ban-plateforme/master/geo.json",
		Format:   FormatCommuneCentres,
		Licence:  LicenceOuverte,
		Feeds:    FeedsCommunes,
		File:     "commune-centres.json",
		Optional: true,
	},
}

// BAN returns the Base Adresse Nationale address file of one département,
// such as "38", "2A" or "974". The file feeds the street-level geocoder and
// is optional: without it guichet still geocodes to the commune.
func BAN(dep string) (Source, error) {
	dep = strings.ToUpper(strings.TrimSpace(dep))
	if !validDepartement(dep) {
		return Source{}, fmt.Errorf("%w: %q", ErrDepartement, dep)
	}
	return Source{
		Name:     "ban-" + dep,
		URL:      "https://adresse.data.gouv.fr/data/ban/adresses/latest/csv/adresses-" + dep + ".csv.gz",
		Format:   FormatBANCSVGz,
		Licence:  LicenceOuverte,
		Feeds:    FeedsGeocoder,
		File:     "adresses-" + dep + ".csv.gz",
		Optional: true,
	}, nil
}

// validDepartement reports whether dep is a département code the BAN
// publishes: 01 to 95 without 20 (Corsica is 2A and 2B), and 971 to 976.
func validDepartement(dep string) bool {
	if dep == "2A" || dep == "2B" {
		return true
	}
	// Atoi alone would accept signs such as "+1".
	if strings.Trim(dep, "0123456789") != "" {
		return false
	}
	n, err := strconv.Atoi(dep)
	switch {
	case err != nil:
		return false
	case len(dep) == 2:
		return n >= 1 && n <= 95 && n != 20
	case len(dep) == 3:
		return n >= 971 && n <= 976
	}
	return false
}

// LoadList reads a source list that replaces Default, for example to
// download from a mirror. The list is a JSON array of Source objects; unknown
// fields, missing names, URLs or files, and duplicates are rejected.
func LoadList(r io.Reader) ([]Source, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var list []Source
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidList, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: unexpected data after the JSON array", ErrInvalidList)
	}
	if err := validateList(list); err != nil {
		return nil, err
	}
	return list, nil
}

// validateList checks what downloading needs: a name for the manifest, a
// URL to fetch and a plain file name that cannot escape the directory.
func validateList(list []Source) error {
	if len(list) == 0 {
		return fmt.Errorf("%w: no sources", ErrInvalidList)
	}
	names := make(map[string]bool, len(list))
	files := make(map[string]bool, len(list))
	for i, s := range list {
		where := fmt.Sprintf("source %d (%q)", i, s.Name)
		switch {
		case s.Name == "":
			return fmt.Errorf("%w: source %d: missing name", ErrInvalidList, i)
		case names[s.Name]:
			return fmt.Errorf("%w: %s: duplicate name", ErrInvalidList, where)
		case s.URL == "":
			return fmt.Errorf("%w: %s: missing url", ErrInvalidList, where)
		case s.File == "":
			return fmt.Errorf("%w: %s: missing file", ErrInvalidList, where)
		case files[s.File]:
			return fmt.Errorf("%w: %s: duplicate file %q", ErrInvalidList, where, s.File)
		case s.File == ManifestFile || filepath.Base(s.File) != s.File || !filepath.IsLocal(s.File) || strings.HasPrefix(s.File, "."):
			return fmt.Errorf("%w: %s: file %q must be a plain file name", ErrInvalidList, where, s.File)
		}
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: %s: url %q is not an absolute http(s) URL", ErrInvalidList, where, s.URL)
		}
		names[s.Name] = true
		files[s.File] = true
	}
	return nil
}
