package hours

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"time"
)

type checkIn struct {
	ID    json.RawMessage `json:"id"`
	Hours *string         `json:"hours"`
	At    string          `json:"at"`
	TZ    string          `json:"tz"`
	Dep   string          `json:"dep"`
}

type checkOut struct {
	ID         json.RawMessage `json:"id"`
	State      *string         `json:"state"`
	Open       *bool           `json:"open"`
	Unknown    *bool           `json:"unknown"`
	Comment    *string         `json:"comment"`
	NextChange *time.Time      `json:"next_change"`
	OSM        *string         `json:"osm"`
	Error      *string         `json:"error"`
}

type parsed struct {
	s   *Schedule
	err error
}

// CheckLines reads JSON lines
//
//	{"id": any, "hours": "...", "at": "RFC3339", "tz": "IANA", "dep": "38"}
//
// and writes one JSON line per input line, in order, echoing "id" and
// adding "state", "open", "unknown", "comment", "next_change" (null when
// nothing changes within five years), "osm" and "error". "at" defaults to
// now; "dep" selects the locale (LocaleFor) and "tz", when set, overrides
// its zone. When hours do not parse, "error" is set and the other fields
// are null; a malformed line gives an "error" line with a null id. Blank
// lines are skipped. Only read and write errors stop the stream. Parsed
// schedules are cached by string.
func CheckLines(r io.Reader, w io.Writer, now time.Time) error {
	br := bufio.NewReader(r)
	bw := bufio.NewWriter(w)
	cache := map[string]parsed{}
	zones := map[string]*time.Location{}
	for {
		line, rerr := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			out := checkLine(line, now, cache, zones)
			b, err := json.Marshal(out)
			if err != nil {
				return err
			}
			if _, err := bw.Write(append(b, '\n')); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return bw.Flush()
		}
		if rerr != nil {
			return errors.Join(rerr, bw.Flush())
		}
	}
}

func checkLine(line []byte, now time.Time, cache map[string]parsed, zones map[string]*time.Location) checkOut {
	fail := func(id json.RawMessage, msg string) checkOut {
		if len(id) == 0 {
			id = json.RawMessage("null")
		}
		return checkOut{ID: id, Error: &msg}
	}
	var in checkIn
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return fail(nil, "bad input line: "+err.Error())
	}
	if dec.More() {
		return fail(nil, "bad input line: trailing data")
	}
	if in.Hours == nil {
		return fail(in.ID, `missing "hours"`)
	}
	at := now
	if in.At != "" {
		t, err := time.Parse(time.RFC3339, in.At)
		if err != nil {
			return fail(in.ID, "bad \"at\": "+err.Error())
		}
		at = t
	}
	loc := LocaleFor(in.Dep)
	if in.TZ != "" {
		l, ok := zones[in.TZ]
		if !ok {
			var err error
			if l, err = time.LoadLocation(in.TZ); err != nil {
				return fail(in.ID, "bad \"tz\": "+err.Error())
			}
			zones[in.TZ] = l
		}
		loc.Location = l
	}
	p, ok := cache[*in.Hours]
	if !ok {
		p.s, p.err = Parse(*in.Hours)
		cache[*in.Hours] = p
	}
	if p.err != nil {
		return fail(in.ID, p.err.Error())
	}
	st := p.s.At(at, loc)
	state := st.Status.String()
	open, unknown := st.Status == Open, st.Status == Unknown
	osm := p.s.OSM()
	out := checkOut{ID: in.ID, State: &state, Open: &open, Unknown: &unknown, Comment: &st.Comment, OSM: &osm}
	if len(out.ID) == 0 {
		out.ID = json.RawMessage("null")
	}
	if !st.Next.IsZero() {
		out.NextChange = &st.Next
	}
	return out
}
