package load

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/paulmach/orb"

	"guichet/geo/geocode"
)

// banColumns are the BAN CSV columns readBAN needs.
var banColumns = [...]string{"id", "numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune", "lon", "lat"}

const (
	colID = iota
	colNumero
	colRep
	colVoie
	colPostcode
	colInsee
	colCommune
	colLon
	colLat
)

// readBAN streams one BAN per-département CSV file (";"-separated, with
// the official header), plain or gzip-compressed (detected from the
// content), and calls fn for each row in order. A row that cannot be
// parsed is passed to onErr with its 1-based line number and skipped;
// if onErr is nil, readBAN stops at the first bad row and returns its
// error. readBAN stops and returns the error if fn returns one.
func readBAN(r io.Reader, fn func(geocode.Address) error, onErr func(line int, err error)) error {
	br := bufio.NewReaderSize(r, 1<<16)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("geocode: BAN gzip: %w", err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	cr := csv.NewReader(r)
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("geocode: BAN header: %w", err)
	}
	var cols [len(banColumns)]int
	for i, name := range banColumns {
		cols[i] = -1
		for j, h := range header {
			if h == name || j == 0 && h == "\ufeff"+name {
				cols[i] = j
			}
		}
		if cols[i] < 0 {
			return fmt.Errorf("geocode: BAN header: missing column %q", name)
		}
	}
	width := len(header)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return fmt.Errorf("geocode: BAN: %w", err)
		}
		line := 0
		if err == nil {
			line, _ = cr.FieldPos(0)
			if len(rec) != width {
				err = fmt.Errorf("geocode: BAN line %d: %d fields, want %d", line, len(rec), width)
			}
		} else {
			line = pe.StartLine
		}
		var a geocode.Address
		if err == nil {
			a, err = banRow(rec, &cols)
			if err != nil {
				err = fmt.Errorf("geocode: BAN line %d: %w", line, err)
			}
		}
		if err != nil {
			if onErr == nil {
				return err
			}
			onErr(line, err)
			continue
		}
		if err := fn(a); err != nil {
			return err
		}
	}
}

func banRow(rec []string, cols *[len(banColumns)]int) (geocode.Address, error) {
	f := func(c int) string { return rec[cols[c]] }
	a := geocode.Address{
		ID:       f(colID),
		Number:   f(colNumero),
		Rep:      f(colRep),
		Street:   f(colVoie),
		Postcode: f(colPostcode),
		Citycode: f(colInsee),
		City:     f(colCommune),
	}
	if a.ID == "" || a.Street == "" || a.Citycode == "" {
		return a, errors.New("empty id, nom_voie or code_insee")
	}
	if err := geocode.CheckHouseNumber(a.Number, a.Rep); err != nil {
		return a, err
	}
	lon, err1 := strconv.ParseFloat(f(colLon), 64)
	lat, err2 := strconv.ParseFloat(f(colLat), 64)
	if err := errors.Join(err1, err2); err != nil {
		return a, err
	}
	if !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) {
		return a, fmt.Errorf("%w: coordinates %g,%g", geocode.ErrBadAddress, lon, lat)
	}
	a.Point = orb.Point{lon, lat}
	return a, nil
}
