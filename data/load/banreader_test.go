package load

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"guichet/geo/geocode"
)

const banHeader = "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;cad_parcelles\n"

// banRows are written in the layout of the real BAN rows for commune
// 01002 (same columns, encodings and empty fields), with our own values.
const banRows = `01002_a1b2c3_00007;;7;;Place du Four;01640;01002;L'Abergement-de-Varey;;;887650.12;6547955.10;5.425260;46.005400;entrée;;;ABERGEMENT-DE-VAREY (L );PLACE DU FOUR;commune;commune;1;01002000AE0007
01002_0060_00012;01002_0060;12;bis;Boucle des Vignes;01640;01002;L'Abergement-de-Varey;;;887840.00;6547870.00;5.427700;46.004600;entrée;;;ABERGEMENT-DE-VAREY (L );BOUCLE DES VIGNES;commune;commune;1;01002000AE0051|01002000AE0052
`

func TestReadBAN(t *testing.T) {
	var plain bytes.Buffer
	plain.WriteString(banHeader + banRows)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain.Bytes())
	zw.Close()
	for name, data := range map[string][]byte{"plain": plain.Bytes(), "gzip": gz.Bytes()} {
		t.Run(name, func(t *testing.T) {
			var got []geocode.Address
			err := readBAN(bytes.NewReader(data), func(a geocode.Address) error { got = append(got, a); return nil },
				func(line int, err error) { t.Errorf("line %d: %v", line, err) })
			if err != nil {
				t.Fatal(err)
			}
			want := geocode.Address{ID: "01002_0060_00012", Number: "12", Rep: "bis", Street: "Boucle des Vignes", Postcode: "01640",
				Citycode: "01002", City: "L'Abergement-de-Varey", Point: [2]float64{5.4277, 46.0046}}
			if len(got) != 2 || got[1] != want {
				t.Errorf("readBAN = %+v, want 2 rows, the second %+v", got, want)
			}
		})
	}
}

func TestReadBANBadRows(t *testing.T) {
	rows := banHeader +
		"a;;1;;Rue A;01640;01002;X;;;0;0;5.4;46.0;entrée;;;X;RUE A;c;c;1;\n" +
		"b;;x;;Rue B;01640;01002;X;;;0;0;5.4;46.0;entrée;;;X;RUE B;c;c;1;\n" + // bad number
		"c;;1;;Rue C;01640;01002;X;;;0;0;east;46.0;entrée;;;X;RUE C;c;c;1;\n" + // bad lon
		"d;;1;;Rue D;01640;01002;X\n" + // short row
		"e;;1;;\"Rue \"E;01640;01002;X;;;0;0;5.4;46.0;entrée;;;X;RUE E;c;c;1;\n" + // bad quote
		"f;;1;;;01640;01002;X;;;0;0;5.4;46.0;entrée;;;X;;c;c;1;\n" + // no street
		"g;;2;;Rue G;01640;01002;X;;;0;0;5.4;91;entrée;;;X;RUE G;c;c;1;\n" + // lat out of range
		"h;;3;;Rue H;01640;01002;X;;;0;0;5.4;46.0;entrée;;;X;RUE H;c;c;1;\n"
	var ok []string
	var bad []int
	err := readBAN(strings.NewReader(rows), func(a geocode.Address) error { ok = append(ok, a.ID); return nil },
		func(line int, err error) { bad = append(bad, line) })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ok, ",") != "a,h" {
		t.Errorf("readBAN kept %v, want a,h", ok)
	}
	if want := []int{3, 4, 5, 6, 7, 8}; !slices.Equal(bad, want) {
		t.Errorf("readBAN reported bad lines %v, want %v", bad, want)
	}

	// Without onErr the first bad row stops the read.
	if err := readBAN(strings.NewReader(rows), func(geocode.Address) error { return nil }, nil); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("readBAN without onErr = %v, want an error at line 3", err)
	}
	stop := errors.New("stop")
	if err := readBAN(strings.NewReader(rows), func(geocode.Address) error { return stop }, nil); !errors.Is(err, stop) {
		t.Errorf("readBAN = %v, want fn's error", err)
	}
	if err := readBAN(strings.NewReader("id;numero\n1;2\n"), func(geocode.Address) error { return nil }, nil); err == nil {
		t.Error("readBAN accepted a header without the BAN columns")
	}
}

func FuzzReadBAN(f *testing.F) {
	fixture, err := os.ReadFile("../../geo/geocode/testdata/ban-fixture.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte(banHeader + banRows))
	f.Add([]byte(banHeader + "e;;1;;\"Rue \"E;01640;01002;X;;;0;0;5.4;46.0;entrée;;;X;RUE E;c;c;1;\n"))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(banHeader + banRows))
	zw.Close()
	f.Add(gz.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		b := geocode.NewBuilder()
		rows, bad := 0, 0
		err := readBAN(bytes.NewReader(data), func(a geocode.Address) error {
			rows++
			// Every row readBAN accepts must be indexable.
			if err := b.AddAddress(a); err != nil {
				t.Errorf("readBAN accepted %+v, AddAddress: %v", a, err)
			}
			return nil
		}, func(line int, err error) {
			bad++
			if line < 1 || err == nil {
				t.Errorf("onErr(%d, %v)", line, err)
			}
		})
		// Only a broken gzip stream can fail after the header.
		if isGzip := len(data) > 1 && data[0] == 0x1f && data[1] == 0x8b; err != nil && rows+bad > 0 && !isGzip {
			t.Errorf("readBAN failed after reading rows: %v", err)
		}
		if ix := b.Build(); ix.Len() != rows {
			t.Errorf("index has %d addresses, want %d", ix.Len(), rows)
		}
	})
}
