package load

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/paulmach/orb"

	"guichet/data"
	"guichet/data/opendatatest"
	"guichet/geo"
	"guichet/geo/geotest"
)

// TestDirectoryAtNationalScale merges a directory export built from the
// national stations: a record near every unit and police service, at a
// random bearing and up to 120 m away as the two sources geocode the same
// entrance, and 500 police records at random places far from any police
// station. Every near record must complete its station, every far one
// must add one, and hours must only fill unknown ones.
func TestDirectoryAtNationalScale(t *testing.T) {
	dir := filepath.Join(opendatatest.Dir(t), "forces-de-l-ordre", "pel-referentiels")
	national := fstest.MapFS{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		national[e.Name()] = &fstest.MapFile{Data: b}
	}
	before, err := FS(national, Options{})
	if err != nil {
		t.Fatal(err)
	}

	type record map[string]any
	plages := []map[string]string{{"nom_jour_debut": "Lundi", "nom_jour_fin": "Vendredi", "valeur_heure_debut_1": "09:00:00", "valeur_heure_fin_1": "12:00:00"}}
	newRecord := func(n int, pivot, name string, p orb.Point) record {
		return record{
			"id": fmt.Sprintf("r%d", n), "nom": name, "pivot": []map[string]string{{"type_service_local": pivot}},
			"adresse": []map[string]string{{"type_adresse": "Adresse", "numero_voie": "1 place de la Mairie",
				"latitude": fmt.Sprintf("%.6f", p.Lat()), "longitude": fmt.Sprintf("%.6f", p.Lon())}},
			"plage_ouverture": plages,
		}
	}
	rng := geotest.Rand(t)
	var records []record
	// ambiguous stations have another of their force close enough for a
	// record meant for them to complete that other one instead.
	ambiguous := map[string]bool{}
	stations := before.Stations(data.StationFilter{})
	for i := range stations {
		s := stations[i]
		d, bearing := rng.Float64()*120, rng.Float64()*2*math.Pi
		lat := s.Location.Lat() + d*math.Cos(bearing)/geo.EarthRadius*180/math.Pi
		lon := s.Location.Lon() + d*math.Sin(bearing)/(geo.EarthRadius*math.Cos(s.Location.Lat()*math.Pi/180))*180/math.Pi
		pivot := directoryGendarmerie
		if s.Force == data.Police {
			pivot = directoryPolice
		}
		records = append(records, newRecord(len(records), pivot, s.Name, orb.Point{lon, lat}))
		for j := range stations {
			if j != i && stations[j].Force == s.Force && geo.Distance(s.Location, stations[j].Location) <= 120+directoryMatchMetres {
				ambiguous[s.ID] = true
			}
		}
	}
	var far []orb.Point
	for len(far) < 500 {
		p := orb.Point{-1 + rng.Float64()*8, 43.5 + rng.Float64()*5.5}
		ok := true
		for i := range stations {
			ok = ok && (stations[i].Force != data.Police || geo.Distance(p, stations[i].Location) > 2*directoryMatchMetres)
		}
		for _, q := range far {
			ok = ok && geo.Distance(p, q) > 2*directoryMatchMetres
		}
		if ok {
			far = append(far, p)
			records = append(records, newRecord(len(records), directoryPolice, fmt.Sprintf("Commissariat de police %d", len(far)), p))
		}
	}
	export, err := json.Marshal(map[string]any{"service": records})
	if err != nil {
		t.Fatal(err)
	}
	national["annuaire.json"] = &fstest.MapFile{Data: export}

	start := time.Now()
	after, err := FS(national, Options{})
	t.Logf("national stations and %d directory records loaded and merged in %v", len(records), time.Since(start))
	if err != nil {
		t.Fatal(err)
	}
	var fr data.FileReport
	for _, f := range after.Report().Files {
		if f.File == "annuaire.json" {
			fr = f
		}
	}
	if fr.Rows != len(records) || fr.Kept != len(records) || fr.Merged != len(stations) || len(fr.Rejections) != 0 {
		t.Fatalf("directory report: %d rows, %d kept, %d merged, rejections %v; want %d rows, all kept, %d merged",
			fr.Rows, fr.Kept, fr.Merged, fr.Rejections, len(records), len(stations))
	}
	if after.Len() != before.Len()+len(far) {
		t.Errorf("%d stations, want the %d national ones and %d new", after.Len(), before.Len(), len(far))
	}
	filled := 0
	for i := range stations {
		was := stations[i]
		now, err := after.Station(was.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case ambiguous[was.ID]:
		case !was.Hours.Unknown() && now.HoursText != was.HoursText:
			t.Errorf("%s: known hours %q replaced by %q", was.ID, was.HoursText, now.HoursText)
		case was.Hours.Unknown() && now.HoursFormat != HoursServicePublic:
			t.Errorf("%s: unknown hours not completed by the directory", was.ID)
		case was.Hours.Unknown():
			filled++
		}
	}
	for _, p := range far {
		hits, _, err := after.Nearest(data.NearestQuery{Point: p, Limit: 1, Force: data.Police}, nil)
		if err != nil || len(hits) != 1 || hits[0].DistanceM > 1 || hits[0].Station.HoursFormat != HoursServicePublic {
			t.Fatalf("no directory station at %v: %+v, %v", p, hits, err)
		}
	}
	t.Logf("%d stations with unknown hours completed, %d left out of the per-station check as ambiguous", filled, len(ambiguous))
}
