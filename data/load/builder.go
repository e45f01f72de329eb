package load

import (
	"time"

	"guichet/data"
	"guichet/data/hours"
)

// builder collects what the files of one load hold, refusing duplicates
// as they come, until build hands it all to data.New.
type builder struct {
	stations []data.Station
	// lines[i] is the line of its source file stations[i] starts on.
	lines  []int
	byID   map[string]int32
	report data.Report
	// schedules shares one parsed schedule between stations with the same
	// text: the national file has 3,032 units but 656 distinct values.
	schedules map[string]*hours.Schedule
	communes  communeSources
	// addresses are the BAN rows read.
	addresses []data.AddressRow
	// postal are La Poste's routing names and lignes 5.
	postal []data.PostalName
	// directory holds the service-public.fr records, merged into stations
	// once every file is read, whatever the order of the files.
	directory []directoryEntry
}

func newBuilder() *builder {
	return &builder{byID: map[string]int32{}, schedules: map[string]*hours.Schedule{}}
}

// unknownHours is the schedule of a station whose hours are not known.
var unknownHours, _ = hours.Parse("")

func (b *builder) schedule(fr *data.FileReport, line int, s *data.Station) *hours.Schedule {
	key := s.HoursFormat + "\x00" + s.HoursText
	if sc, ok := b.schedules[key]; ok {
		return sc
	}
	parse := hours.Parse
	switch s.HoursFormat {
	case HoursOSM:
		parse = hours.ParseOSM
	case HoursServicePublic:
		parse = parsePlages
	}
	sc, err := parse(s.HoursText)
	if err != nil {
		fr.Warn(line, data.ReasonBadHours, "%s: hours kept as unknown: %v", s.ID, err)
		return unknownHours
	}
	b.schedules[key] = sc
	return sc
}

func (b *builder) addStation(fr *data.FileReport, line int, s data.Station) {
	if prev, dup := b.byID[s.ID]; dup {
		fr.Reject(line, data.ReasonDuplicateID, "%s already loaded from %s", s.ID, b.stations[prev].Source)
		return
	}
	s.Hours = b.schedule(fr, line, &s)
	checkPhone(fr, line, &s)
	s.Locale = hours.LocaleFor(s.Departement)
	b.byID[s.ID] = int32(len(b.stations))
	b.stations = append(b.stations, s)
	b.lines = append(b.lines, line)
	fr.Kept++
}

// sources merges the directory into the stations and returns everything
// read, for the one constructor of a Dataset.
func (b *builder) sources(loadedAt time.Time, version string) data.Sources {
	b.mergeDirectory()
	return data.Sources{
		Version:          version,
		LoadedAt:         loadedAt,
		Stations:         b.stations,
		StationLines:     b.lines,
		Shapes:           b.communes.shapes,
		COG:              b.communes.cog,
		CommuneGeo:       b.communes.geo,
		Competence:       b.communes.competence,
		Addresses:        b.addresses,
		PostalNames:      b.postal,
		DirectoryRecords: len(b.directory),
		Report:           b.report,
	}
}

// communeSources collects what the commune and jurisdiction files hold
// until the dataset is built, refusing duplicates.
type communeSources struct {
	shapes     []data.CommuneShape
	shapeByKey map[string]int
	cog        []data.COGRecord
	cogByCode  map[string]int
	geo        map[string]data.CommuneGeo
	competence map[string][]data.CompetenceRow
}

func (c *communeSources) addShape(fr *data.FileReport, line int, s data.CommuneShape) {
	if c.shapeByKey == nil {
		c.shapeByKey = map[string]int{}
	}
	if _, dup := c.shapeByKey[s.Code]; dup {
		fr.Reject(line, data.ReasonDuplicateID, "commune %s already has a boundary", s.Code)
		return
	}
	s.File, s.Line = fr.File, line
	c.shapeByKey[s.Code] = len(c.shapes)
	c.shapes = append(c.shapes, s)
	fr.Kept++
}

func (c *communeSources) addCOG(fr *data.FileReport, line int, rec data.COGRecord) {
	if c.cogByCode == nil {
		c.cogByCode = map[string]int{}
	}
	// A delegated commune shares its code with the current commune it
	// became part of; only current communes and arrondissements must be
	// unique.
	if rec.Type == data.COGCurrent || rec.Type == data.COGCurrentFallback || rec.Type == data.COGArrondissement {
		if _, dup := c.cogByCode[rec.Code]; dup {
			fr.Reject(line, data.ReasonDuplicateID, "commune %s is listed twice", rec.Code)
			return
		}
		c.cogByCode[rec.Code] = len(c.cog)
	}
	c.cog = append(c.cog, rec)
	fr.Kept++
}

func (c *communeSources) addGeo(fr *data.FileReport, line int, code string, g data.CommuneGeo) {
	if c.geo == nil {
		c.geo = map[string]data.CommuneGeo{}
	}
	if _, dup := c.geo[code]; dup {
		fr.Reject(line, data.ReasonDuplicateID, "commune %s has two entries", code)
		return
	}
	c.geo[code] = g
	fr.Kept++
}

func (c *communeSources) addCompetence(fr *data.FileReport, code string, r data.CompetenceRow) {
	if c.competence == nil {
		c.competence = map[string][]data.CompetenceRow{}
	}
	for _, prev := range c.competence[code] {
		if prev.ServiceID == r.ServiceID && prev.Force == r.Force {
			fr.Reject(r.Line, data.ReasonDuplicateID, "commune %s: service %s already listed at %s:%d", code, r.ServiceID, prev.File, prev.Line)
			return
		}
	}
	c.competence[code] = append(c.competence[code], r)
	fr.Kept++
}
