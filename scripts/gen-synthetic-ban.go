//go:build ignore

// Command gen-synthetic-ban writes a SYNTHETIC national address file in
// the layout of the official BAN per-département CSV, for benchmarks of
// the geocoder at national scale. The communes, postcodes and
// populations are real (COG 2026, BAN commune centres); every street
// name, house number, coordinate and identifier is made up. Each row
// says so in source_position and source_nom_voie ("synthetic"), x and y
// (Lambert-93) are left empty, and the output file name always
// contains "synthetic". Output is deterministic for a given -seed.
//
//	go run scripts/gen-synthetic-ban.go \
//		-communes $GUICHET_OPENDATA/cog/decoupage-administratif-6.0.0/communes.json \
//		-geo $GUICHET_OPENDATA/geo/ban-plateforme-communes-geo.json \
//		-n 1000000 -seed 1 -o out.csv.gz
//
// writes out.synthetic.csv.gz. Addresses are spread over communes in
// proportion to population, about 25 per street, inside each commune's
// bounding box.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

const header = "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;cad_parcelles\n"

var (
	streetTypes = []string{"Rue", "Rue", "Rue", "Avenue", "Chemin", "Chemin", "Impasse", "Place", "Allée", "Route", "Boulevard", "Lotissement", "Quai", "Square"}
	streetNames = []string{
		"Victor Hugo", "Jean Jaurès", "de la Gare", "de l'Église", "du Moulin", "des Écoles", "de la République",
		"Pasteur", "du Général de Gaulle", "Jean Moulin", "de la Mairie", "du Stade", "des Lilas", "de la Paix",
		"du 8 Mai 1945", "du 11 Novembre", "des Acacias", "du Château", "de la Fontaine", "des Vignes",
		"Gambetta", "Émile Zola", "Louis Pasteur", "Anatole France", "des Tilleuls", "du Lavoir", "de Verdun",
		"Saint-Martin", "Sainte-Anne", "du Maréchal Foch", "Aristide Briand", "des Peupliers", "du Puits",
		"de la Croix", "des Jardins", "du Bourg", "de la Poste", "des Prés", "du Four", "Pierre Curie",
		"Georges Clemenceau", "de la Liberté", "du Marché", "des Chênes", "de l'Industrie", "du Parc",
		"Charles de Gaulle", "Jules Ferry", "de la Forêt", "des Rosiers", "du Pont", "de la Chapelle",
	}
	reps = []string{"bis", "ter", "a", "b"}
)

type commune struct {
	Code, Nom, Type string
	CodesPostaux    []string
	Population      int
}

type geoEntry struct {
	Center [2]float64
	Bbox   [4]float64
}

func main() {
	communesPath := flag.String("communes", "", "COG communes.json (@etalab/decoupage-administratif)")
	geoPath := flag.String("geo", "", "ban-plateforme-communes-geo.json (commune centres and bounding boxes)")
	n := flag.Int("n", 1_000_000, "number of addresses")
	seed := flag.Int64("seed", 1, "random seed")
	out := flag.String("o", "ban-synthetic.csv.gz", `output file (gzip); ".synthetic" is inserted if the name lacks "synthetic"`)
	flag.Parse()
	if *communesPath == "" || *geoPath == "" || *n <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	var communes []commune
	var geo map[string]geoEntry
	mustReadJSON(*communesPath, &communes)
	mustReadJSON(*geoPath, &geo)

	name := *out
	if !strings.Contains(filepath.Base(name), "synthetic") {
		base := strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".csv")
		name = base + ".synthetic.csv.gz"
	}
	if err := write(name, communes, geo, *n, *seed); err != nil {
		log.Fatal(err)
	}
	fmt.Println(name)
}

func mustReadJSON(path string, v any) {
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
}

func write(name string, communes []commune, geo map[string]geoEntry, n int, seed int64) error {
	// Paris, Lyon and Marseille are covered by their arrondissements.
	communes = slices.DeleteFunc(communes, func(c commune) bool {
		_, located := geo[c.Code]
		whole := c.Code == "75056" || c.Code == "69123" || c.Code == "13055"
		return whole || !located || len(c.CodesPostaux) == 0 ||
			c.Type != "commune-actuelle" && c.Type != "arrondissement-municipal"
	})
	slices.SortFunc(communes, func(a, b commune) int { return strings.Compare(a.Code, b.Code) })
	rng := rand.New(rand.NewSource(seed))

	// Largest-remainder apportionment of n addresses by population.
	total := 0
	for _, c := range communes {
		total += c.Population
	}
	counts := make([]int, len(communes))
	rem := make([]int, len(communes))
	left := n
	for i, c := range communes {
		exact := float64(n) * float64(c.Population) / float64(total)
		counts[i] = int(exact)
		left -= counts[i]
		rem[i] = i
	}
	frac := func(i int) float64 {
		e := float64(n) * float64(communes[i].Population) / float64(total)
		return e - math.Floor(e)
	}
	slices.SortStableFunc(rem, func(a, b int) int { return -cmpFloat(frac(a), frac(b)) })
	for _, i := range rem[:left] {
		counts[i]++
	}

	f, err := os.Create(name)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	w := bufio.NewWriterSize(zw, 1<<20)
	w.WriteString(header)
	for i, c := range communes {
		g := geo[c.Code]
		for s := 0; counts[i] > 0; s++ {
			street := streetTypes[rng.Intn(len(streetTypes))] + " " + streetNames[rng.Intn(len(streetNames))]
			pc := c.CodesPostaux[rng.Intn(len(c.CodesPostaux))]
			fantoir := fmt.Sprintf("%s_%04x", c.Code, s)
			// A street is a short segment somewhere in the commune box.
			lon := g.Bbox[0] + rng.Float64()*(g.Bbox[2]-g.Bbox[0])
			lat := g.Bbox[1] + rng.Float64()*(g.Bbox[3]-g.Bbox[1])
			dlon, dlat := rng.NormFloat64()*1e-4, rng.NormFloat64()*1e-4
			for k := range min(counts[i], 1+rng.Intn(50)) {
				num, rep := 1+k, ""
				if rng.Intn(20) == 0 {
					rep = reps[rng.Intn(len(reps))]
				}
				id := fmt.Sprintf("%s_%05d", fantoir, num)
				if rep != "" {
					id += "_" + rep
				}
				fmt.Fprintf(w, "%s;%s;%d;%s;%s;%s;%s;%s;;;;;%.6f;%.6f;entrée;;;%s;%s;synthetic;synthetic;1;\n",
					id, fantoir, num, rep, street, pc, c.Code, c.Nom,
					lon+float64(k)*dlon, lat+float64(k)*dlat, afnor(c.Nom), afnor(street))
				counts[i]--
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// afnor writes s the AFNOR way: upper case, no accents, no punctuation.
func afnor(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToUpper(r))
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
