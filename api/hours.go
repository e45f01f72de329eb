package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"guichet/data"
	"guichet/data/hours"
)

// maxIntervalSpan bounds /v1/stations/{id}/hours.
const maxIntervalSpan = 31 * 24 * time.Hour

type hoursStatusJSON struct {
	State      string  `json:"state"`
	NextChange *string `json:"next_change"`
	Reason     string  `json:"reason,omitempty"`
	Comment    string  `json:"comment,omitempty"`
}

type timeRangeJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type daySpecJSON struct {
	Day     string          `json:"day"`
	Open    []timeRangeJSON `json:"open"`
	Unknown []timeRangeJSON `json:"unknown,omitempty"`
	Comment string          `json:"comment,omitempty"`
}

type hoursJSON struct {
	OSM        string          `json:"osm"`
	SourceText string          `json:"source_text"`
	Timezone   string          `json:"timezone"`
	Status     hoursStatusJSON `json:"status"`
	// Today is the open ranges of the day of the instant in the station's
	// zone, holidays applied, as "HH:MM-HH:MM"; null when the hours are
	// unknown. Strings rather than week's objects: half the bytes in the
	// compact station of every list answer.
	Today []string      `json:"today"`
	Week  []daySpecJSON `json:"week"`
}

type intervalJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type intervalsJSON struct {
	ID        string         `json:"id"`
	Timezone  string         `json:"timezone"`
	From      string         `json:"from"`
	To        string         `json:"to"`
	Intervals []intervalJSON `json:"intervals"`
	// Holidays are the station's public holidays between from and to,
	// by date in its zone, so that a week shown day by day can name them.
	Holidays []holidayJSON `json:"holidays"`
}

type holidayJSON struct {
	Date string `json:"date"`
	Name string `json:"name"`
}

func newHoursJSON(s *data.Station, at time.Time) *hoursJSON {
	st := s.Hours.At(at, s.Locale)
	out := &hoursJSON{
		OSM:        s.Hours.OSM(),
		SourceText: s.HoursText,
		Timezone:   s.Locale.Location.String(),
		Status:     hoursStatusJSON{State: st.Status.String(), Reason: st.Reason, Comment: st.Comment},
		Today:      todayRanges(s, at),
		Week:       []daySpecJSON{},
	}
	if !st.Next.IsZero() {
		next := st.Next.In(s.Locale.Location).Format(time.RFC3339)
		out.Status.NextChange = &next
	}
	for _, d := range s.Hours.Week() {
		dj := daySpecJSON{Day: d.Day, Open: []timeRangeJSON{}, Comment: d.Comment}
		for _, r := range d.Open {
			dj.Open = append(dj.Open, timeRangeJSON{r.From, r.To})
		}
		for _, r := range d.Unknown {
			dj.Unknown = append(dj.Unknown, timeRangeJSON{r.From, r.To})
		}
		out.Week = append(out.Week, dj)
	}
	return out
}

// todayRanges returns the open ranges of the day of at in the station's
// zone as "HH:MM-HH:MM" wall-clock times, "24:00" ending at the next
// midnight; nil when the hours are unknown.
func todayRanges(s *data.Station, at time.Time) []string {
	day := s.DayOf(at)
	return dayRanges(&day)
}

// dayRanges writes the open intervals of day as todayRanges does.
func dayRanges(day *data.Day) []string {
	if day.Open == nil {
		return nil
	}
	out := []string{}
	for _, iv := range day.Open {
		to := "24:00"
		if iv.End.Before(day.End) {
			to = iv.End.Format("15:04")
		}
		out = append(out, iv.Start.Format("15:04")+"-"+to)
	}
	return out
}

func (s *Server) stationHours(c *gin.Context) {
	ds := s.dataset(c)
	if ds == nil {
		return
	}
	st, err := ds.Station(c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	q := queryOf(c)
	now := s.now()
	from, err := q.instantOrNow("from", now)
	if err != nil {
		s.fail(c, err)
		return
	}
	to := from.Add(7 * 24 * time.Hour)
	if q.has("to") {
		if to, err = q.instantOrNow("to", now); err != nil {
			s.fail(c, err)
			return
		}
	}
	switch {
	case !to.After(from):
		s.fail(c, badParam("to", "must be after from"))
		return
	case to.Sub(from) > maxIntervalSpan:
		s.fail(c, badParam("to", "must be at most 31 days after from"))
		return
	}
	loc := st.Locale.Location
	out := intervalsJSON{ID: st.ID, Timezone: loc.String(), From: from.In(loc).Format(time.RFC3339), To: to.In(loc).Format(time.RFC3339), Intervals: []intervalJSON{}, Holidays: []holidayJSON{}}
	for _, iv := range st.Hours.Intervals(from, to, st.Locale) {
		out.Intervals = append(out.Intervals, intervalJSON{iv.Start.In(loc).Format(time.RFC3339), iv.End.In(loc).Format(time.RFC3339)})
	}
	// Every civil day that the span touches, at most 32.
	f := from.In(loc)
	for day := time.Date(f.Year(), f.Month(), f.Day(), 12, 0, 0, 0, loc); day.Before(to.In(loc).Add(12 * time.Hour)); day = day.AddDate(0, 0, 1) {
		if name, ok := hours.HolidayOn(day, st.Locale.Region); ok {
			out.Holidays = append(out.Holidays, holidayJSON{day.Format(time.DateOnly), name})
		}
	}
	c.JSON(http.StatusOK, out)
}
