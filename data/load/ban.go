package data

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"guichet/geo/geocode"
)

// FormatBANCSV is the official per-département address file of the Base
// Adresse Nationale (adresses-NN.csv, plain or gzip-compressed).
const FormatBANCSV = "ban-csv"

// maxBANRejections bounds the rejections kept per BAN file: a national
// file has millions of rows, and a systematic fault would otherwise keep
// one record per row in memory. The count of rows not kept stays exact
// (Rows - Kept).
const maxBANRejections = 1000

// isBANCSV recognises the BAN layout by its header: ";"-separated with
// the street, INSEE code and WGS84 columns ReadBAN needs.
func isBANCSV(h head) bool {
	return h.sep == ';' && h.hasFields("id", "numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune", "lon", "lat")
}

// loadBANCSV streams the rows into the geocoder builder; the text is never
// held whole, since one département is up to 100 MB.
func loadBANCSV(b *builder, fr *FileReport, r io.Reader, _ head) error {
	fr.Encoding = "utf-8"
	if b.ban == nil {
		b.ban = geocode.NewBuilder()
	}
	dropped := 0
	reject := func(line int, reason, detail string) {
		if len(fr.Rejections) < maxBANRejections {
			fr.reject(line, reason, "%s", detail)
		} else {
			dropped++
		}
	}
	err := geocode.ReadBAN(r, func(a geocode.Address) error {
		fr.Rows++
		// ReadBAN passes no line to fn; BAN fields never span lines, so
		// the header plus the row count is the line.
		if err := b.ban.AddAddress(a); err != nil {
			reject(fr.Rows+1, ReasonBadField, err.Error())
			return nil
		}
		fr.Kept++
		return nil
	}, func(line int, err error) {
		fr.Rows++
		reason := ReasonBadField
		var pe *csv.ParseError
		if errors.As(err, &pe) || strings.Contains(err.Error(), " fields, want ") {
			reason = ReasonMalformedRow
		}
		reject(line, reason, err.Error())
	})
	if dropped > 0 {
		fr.reject(0, ReasonBadField, "%d more rejected rows not listed", dropped)
	}
	return err
}
