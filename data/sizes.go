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
		{"COG commune records", d.kept.COG},
		{"commune centres", d.kept.Centres},
		{"jurisdiction rows", d.kept.Competence},
		{"BAN addresses", d.kept.Addresses},
		{"directory records", d.kept.Directory},
	}
}

// Kept counts the rows of each kind of source kept in a dataset.
type Kept struct {
	COG, Centres, Competence, Addresses, Directory int
}

func keptOf(src *Sources, refused int) Kept {
	k := Kept{COG: len(src.COG), Centres: len(src.CommuneGeo), Addresses: len(src.Addresses) - refused, Directory: src.DirectoryRecords}
	for _, rows := range src.Competence {
		k.Competence += len(rows)
	}
	return k
}
