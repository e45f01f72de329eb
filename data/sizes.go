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
	return []Size{
		{"gendarmerie stations", byForce[Gendarmerie]},
		{"police stations", byForce[Police]},
		{"communes", d.CommuneCount()},
		{"commune boundaries", d.BoundaryCount()},
		{"COG commune records", d.kept.cog},
		{"commune centres", d.kept.centres},
		{"jurisdiction rows", d.kept.competence},
		{"BAN addresses", d.kept.addresses},
		{"directory records", d.kept.directory},
	}
}

// keptRows counts the rows of each kind of source kept in a dataset.
type keptRows struct {
	cog, centres, competence, addresses, directory int
}

func keptOf(src *Sources, refused int) keptRows {
	k := keptRows{cog: len(src.COG), centres: len(src.CommuneGeo), addresses: len(src.Addresses) - refused, directory: src.DirectoryRecords}
	for _, rows := range src.Competence {
		k.competence += len(rows)
	}
	return k
}
