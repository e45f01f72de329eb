package load

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
	"guichet/data"
)

// ReasonBadPhone is a warning: the station is kept, its phone number shown
// as published but not offered as a number to call.
const ReasonBadPhone = "invalid_phone"

// maxPhoneText bounds the published text handed to the parser: a phone
// number, even with an extension and spacing, is far shorter.
const maxPhoneText = 64

// phoneRegions are the ISO 3166 regions of the overseas départements and
// territories whose numbers are dialled without a country code locally.
var phoneRegions = map[string]string{
	"971": "GP", "972": "MQ", "973": "GF", "974": "RE", "975": "PM", "976": "YT",
	"977": "BL", "978": "MF", "986": "WF", "987": "PF", "988": "NC",
}

// normalisePhone returns text as an E.164 number ("+33476050183"), read as
// dialled in the département dep, and why it cannot be called when it is
// not a valid number there (a truncated "+590 41 14 20", a word).
func normalisePhone(text, dep string) (e164, why string) {
	text = strings.TrimSpace(text)
	if len(text) > maxPhoneText {
		return "", "longer than a phone number"
	}
	region := phoneRegions[dep]
	if region == "" {
		region = "FR"
	}
	n, err := phonenumbers.Parse(text, region)
	if err != nil {
		return "", err.Error()
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", "not a valid number of any numbering plan"
	}
	return phonenumbers.Format(n, phonenumbers.E164), ""
}

// checkPhone sets s.PhoneE164 from s.Phone and warns when the published
// number cannot be called; the published text is kept either way.
func checkPhone(fr *data.FileReport, line int, s *data.Station) {
	s.PhoneE164 = ""
	if strings.TrimSpace(s.Phone) == "" {
		return
	}
	e164, why := normalisePhone(s.Phone, s.Departement)
	if why != "" {
		fr.Warn(line, ReasonBadPhone, "%s: phone %q not linked: %s", stationLabel(s), s.Phone, why)
		return
	}
	s.PhoneE164 = e164
}

// stationLabel names a station in a warning: its id, or its name when it
// has none yet (a directory record).
func stationLabel(s *data.Station) string {
	if s.ID != "" {
		return s.ID
	}
	return s.Name
}
