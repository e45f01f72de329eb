package geocode

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// abbreviations expands street-type and title abbreviations found in
// French addresses. Ambiguous ones are left out on purpose: "lot" and
// "ham" are also place names (Lot, Ham), "pas" is in "Pas-de-Calais",
// "pt"/"pte" may be petit(e) as well as pont/porte; "za" and "zi" stay
// as written, as in the BAN abbreviation list.
var abbreviations = map[string]string{
	"all": "allee", "av": "avenue", "ave": "avenue", "aven": "avenue",
	"bd": "boulevard", "bld": "boulevard", "blvd": "boulevard", "boul": "boulevard",
	"bcle": "boucle", "carr": "carrefour", "ch": "chemin", "che": "chemin",
	"chem": "chemin", "cit": "cite", "crs": "cours", "ctre": "centre",
	"esp": "esplanade", "fg": "faubourg", "fbg": "faubourg", "gal": "general",
	"gde": "grande", "gd": "grand", "hle": "halle", "imp": "impasse",
	"ld": "lieu dit", "mal": "marechal", "mgr": "monseigneur", "mte": "montee",
	"nd": "notre dame", "pdt": "president", "pl": "place", "prom": "promenade",
	"psg": "passage", "qu": "quai", "qua": "quartier", "qrt": "quartier", "r": "rue", "rle": "ruelle",
	"rdpt": "rond point", "rpt": "rond point", "res": "residence",
	"rte": "route", "sen": "sentier", "sent": "sentier", "sq": "square",
	"st": "saint", "ste": "sainte", "tra": "traverse", "trav": "traverse",
	"vla": "villa", "faub": "faubourg",
	"dr": "docteur", "cdt": "commandant", "lt": "lieutenant", "vx": "vieux",
}

// repSuffixes are the BAN house-number repetition indices written as words.
var repSuffixes = map[string]bool{"bis": true, "ter": true, "quater": true, "quinquies": true}

// stopwords carry little meaning in addresses and weigh less in scoring.
var stopwords = map[string]bool{
	"a": true, "au": true, "aux": true, "d": true, "de": true, "des": true,
	"du": true, "en": true, "et": true, "l": true, "la": true, "le": true,
	"les": true, "lez": true, "sous": true, "sur": true,
}

// streetTypes are generic words that weigh less than proper names.
var streetTypes = map[string]bool{
	"allee": true, "avenue": true, "boulevard": true, "chemin": true,
	"cours": true, "faubourg": true, "impasse": true, "lieu": true, "dit": true,
	"passage": true, "place": true, "quai": true, "route": true, "rue": true,
	"ruelle": true, "sentier": true, "square": true, "traverse": true,
	"residence": true, "lotissement": true, "hameau": true, "zone": true,
}

// wayTypes are the words that open the name of a street or place in an
// address: what follows describes the street, not the commune. They are
// the way types of the BAN abbreviation list (etalab/ban-data
// abbreviations.csv, long forms, folded), without the titles, numbers and
// months it also holds, and without the words that as often begin a
// commune's name (val, mont, bourg, chateau, pont, port, ville, village,
// croix, fontaine, moulin, mas, plage, champ): taken as way types they
// would hide the commune in "Val-de-Reuil" or "Croix".
var wayTypes = map[string]bool{
	"allee": true, "allees": true, "autoroute": true, "avenue": true,
	"berge": true, "boucle": true, "boulevard": true, "bretelle": true,
	"calle": true, "camin": true, "carrer": true, "carrefour": true,
	"carriera": true, "chaussee": true, "chemin": true, "cheminement": true,
	"cite": true, "contour": true, "corniche": true, "coron": true,
	"couloir": true, "cours": true, "coursive": true, "darse": true,
	"descente": true, "digue": true, "draille": true, "enclos": true,
	"esplanade": true, "faubourg": true, "galerie": true, "gare": true,
	"halage": true, "hameau": true, "impasse": true, "jetee": true,
	"levee": true, "lieu": true, "lotissement": true, "mail": true,
	"montee": true, "parvis": true, "passage": true, "passe": true,
	"passerelle": true, "piste": true, "place": true, "placette": true,
	"placis": true, "promenade": true, "quai": true, "quartier": true,
	"raccourci": true, "raidillon": true, "rampe": true, "residence": true,
	"rocade": true, "rond": true, "rotonde": true, "route": true, "rue": true,
	"ruelle": true, "ruellette": true, "ruette": true, "sente": true,
	"sentier": true, "square": true, "terrasse": true, "traboule": true,
	"traverse": true, "venelle": true, "via": true, "voie": true,
	"voirie": true, "za": true, "zac": true, "zi": true, "zone": true, "zup": true,
}

// preposed are the adjectives French writes before a way type, which
// then make the whole street's name: "Grande Rue", "Grand'Rue",
// "Haute Rue", "Vieille Route".
var preposed = map[string]bool{
	"grand": true, "grande": true, "petit": true, "petite": true,
	"haut": true, "haute": true, "bas": true, "basse": true,
	"vieux": true, "vieil": true, "vieille": true, "ancien": true,
	"ancienne": true, "nouveau": true, "nouvelle": true,
}

// Normalize returns the canonical form of a French address or place
// name: lower case words without diacritics (ASCII for Latin letters)
// separated by single spaces, with abbreviations expanded, ordinals
// written "1er"/"2e", house-number suffixes glued to the number
// ("12 bis" → "12bis") and postal or building noise (BP, CS, CEDEX,
// bâtiment, étage, appartement, escalier) removed. Normalize is
// idempotent.
func Normalize(s string) string {
	return strings.Join(tokenize(s, nil), " ")
}

// tokenize appends the normalised words of s to dst.
func tokenize(s string, dst []string) []string {
	raw := strings.Fields(fold(s))
	// Removing noise can bring new noise together ("bp bat a 12"),
	// so it runs until nothing changes.
	for n := -1; n != len(raw); {
		n = len(raw)
		raw = denoise(raw)
	}
	start := len(dst)
	out := dst
	for i := 0; i < len(raw); i++ {
		t := raw[i]
		// A suffix word, or a lone letter right after a leading
		// number, belongs to the house number.
		if i+1 < len(raw) && isDigits(t) && len(t) <= 4 {
			next := raw[i+1]
			if repSuffixes[next] || len(out) == start && len(next) == 1 && next[0] >= 'a' && next[0] <= 'z' && abbreviations[next] == "" {
				t += next
				i++
			}
		}
		if long, ok := abbreviations[t]; ok {
			out = append(out, strings.Fields(long)...)
			continue
		}
		out = append(out, ordinal(t))
	}
	return out
}

// denoise drops postal and building noise in place: BP/CS/TSA boxes,
// CEDEX, building, floor, flat and staircase designations, and "n°".
func denoise(raw []string) []string {
	out := raw[:0]
	for i := 0; i < len(raw); i++ {
		t := raw[i]
		next := ""
		if i+1 < len(raw) {
			next = raw[i+1]
		}
		switch {
		case t == "bp" || t == "cs" || t == "tsa":
			if isDigits(next) {
				i++
				continue
			}
		case t == "cedex":
			if isDigits(next) {
				i++
			}
			continue
		case t == "bat" || t == "batiment" || t == "bt" || t == "appt" || t == "apt" ||
			t == "app" || t == "appartement" || t == "esc" || t == "escalier":
			// Only with a designation after it ("bat A", "appt 12"): alone,
			// or before a postcode, the word is a name (the commune of Apt).
			if isDesignation(next) {
				i++
				continue
			}
		case t == "etage" || t == "etg":
			// "3e étage" or "étage 3", never both: in "3e étage 10
			// rue X" the 10 is the house number.
			if len(out) > 0 && isOrdinal(ordinal(out[len(out)-1])) {
				out = out[:len(out)-1]
			} else if isDigits(next) {
				i++
			}
			continue
		case isNumeroSign(t) && isDigits(next):
			continue
		}
		out = append(out, t)
	}
	return out
}

// isDesignation reports whether t names a building, flat or staircase:
// a single character, or up to four letters and digits with at least one
// digit ("12", "12b", "c2"). A five-digit number is a postcode, and a word
// without digits is a name.
func isDesignation(t string) bool {
	if len(t) == 1 {
		return true
	}
	return len(t) <= 4 && strings.ContainsAny(t, "0123456789")
}

// fold lowers case, strips diacritics and turns every character that
// is neither a letter nor a digit into a space.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r < 0x80:
			b.WriteByte(' ')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			wrote := false
			for _, d := range norm.NFD.String(string(r)) {
				// Every kind of combining mark goes: keeping the spacing
				// ones (Mc) would let a second pass, which sees them alone,
				// turn them into spaces.
				if unicode.Is(unicode.M, d) {
					continue
				}
				wrote = true
				switch d = unicode.ToLower(d); d {
				case 'œ':
					b.WriteString("oe")
				case 'æ':
					b.WriteString("ae")
				case 'ß':
					b.WriteString("ss")
				default:
					b.WriteRune(d)
				}
			}
			if !wrote {
				b.WriteByte(' ')
			}
		case unicode.Is(unicode.M, r):
			// A combining mark already decomposed in the input.
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// ordinal writes ordinal numbers one way: "1er", "2e", "3e".
func ordinal(t string) string {
	n := 0
	for n < len(t) && t[n] >= '0' && t[n] <= '9' {
		n++
	}
	if n == 0 || n == len(t) {
		return t
	}
	switch t[n:] {
	case "er", "ere", "re", "e", "eme", "ieme", "em", "nd", "nde":
		if t[:n] == "1" {
			return "1er"
		}
		return t[:n] + "e"
	}
	return t
}

func isOrdinal(t string) bool {
	stem := ordinalStem(t)
	return stem != "" && (t == stem+"e" || t == "1er")
}

// ordinalStem returns the leading digits of t.
func ordinalStem(t string) string {
	n := 0
	for n < len(t) && t[n] >= '0' && t[n] <= '9' {
		n++
	}
	return t[:n]
}

// isNumeroSign reports whether t introduces a number, as in "n° 7".
func isNumeroSign(t string) bool { return t == "n" || t == "no" || t == "num" }

func isDigits(t string) bool {
	return t != "" && ordinalStem(t) == t
}
