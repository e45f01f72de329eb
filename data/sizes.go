package data

// Size is how much of one kind of data a dataset holds.
type Size struct {
	Kind string
	N    int
}

// Sizes returns how much of each kind of data d holds, always in the same
// order: stations per force, communes, boundaries, then the rows kept of
// the COG commune list, the commune centres, the jurisdiction tables, BAN
// addresses and the service-public.fr directory. A reload compares each kind with what is serving, since the
// total hides one kind lost among the others (the communes outnumber the
// stations ten to one).
func (d *Dataset) Sizes() []Size {
	byForce := d.CountByForce()
	keptOf := func(formats ...string) int {
		n := 0
		for _, f := range d.report.Files {
			for _, format := range formats {
				if f.Format == format {
					n += f.Kept
				}
			}
		}
		return n
	}
	return []Size{
		{"gendarmerie stations", byForce[Gendarmerie]},
		{"police stations", byForce[Police]},
		{"communes", d.CommuneCount()},
		{"commune boundaries", d.BoundaryCount()},
		{"COG commune records", keptOf(FormatCOGCommunesJSON)},
		{"commune centres", keptOf(FormatCommunesGeoIndex)},
		{"jurisdiction rows", keptOf(FormatCompetenceCSV, FormatCompetenceANFSI)},
		{"BAN addresses", keptOf(FormatBANCSV)},
		{"directory records", keptOf(FormatServicePublicJSON)},
	}
}
