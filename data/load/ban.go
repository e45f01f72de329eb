package load

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"guichet/data"
	"guichet/geo/geocode"
)

// FormatBANCSV is the official per-département address file of the Base
// Adresse Nationale (adresses-NN.csv, plain or gzip-compressed).
const FormatBANCSV = "ban-csv"

// isBANCSV recognises the BAN layout by its header: ";"-separated with
// the street, INSEE code and WGS84 columns readBAN needs.
func isBANCSV(h head) bool {
	return h.sep == ';' && h.hasFields("id", "numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune", "lon", "lat")
}

// loadBANCSV streams the rows into the builder's addresses; the text is
// never held whole, since one département is up to 100 MB. The geocoder
// checks each address when the dataset is built: the rows it refuses are
// rejected then, and the rejections listed are bounded by
// MaxFileRejections.
func loadBANCSV(b *builder, fr *data.FileReport, r io.Reader, _ head) error {
	fr.Encoding = "utf-8"
	kept := len(b.addresses)
	reject := func(line int, reason, detail string) {
		if len(fr.Rejections) < data.MaxFileRejections {
			fr.Reject(line, reason, "%s", detail)
		}
	}
	err := readBAN(r, func(a geocode.Address) error {
		fr.Rows++
		// readBAN passes no line to fn; BAN fields never span lines, so
		// the header plus the row count is the line.
		b.addresses = append(b.addresses, data.AddressRow{File: fr.File, Line: fr.Rows + 1, Address: a})
		fr.Kept++
		return nil
	}, func(line int, err error) {
		fr.Rows++
		reason := data.ReasonBadField
		var pe *csv.ParseError
		if errors.As(err, &pe) || strings.Contains(err.Error(), " fields, want ") {
			reason = data.ReasonMalformedRow
		}
		reject(line, reason, err.Error())
	})
	if len(b.addresses) == kept {
		// No row reaches the geocoder, which would otherwise sum up.
		fr.SummariseUnlisted()
	}
	return err
}
