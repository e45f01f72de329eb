package snapshot

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testManifest() Manifest {
	return Manifest{Files: []File{
		{Path: "a.csv", Size: 10, ModTime: 1e18},
		{Path: "geo/b.geojson", Size: 1 << 40, ModTime: -5, Sample: [32]byte{1, 2, 3}},
	}}
}

func TestEncodeDecode(t *testing.T) {
	m := testManifest()
	payload := []byte("the payload")
	gotM, gotP, err := Decode(Encode(m, payload))
	if err != nil {
		t.Fatal(err)
	}
	if gotM.Diff(m) != "" || len(gotM.Files) != 2 || !bytes.Equal(gotP, payload) {
		t.Errorf("got %+v %q", gotM, gotP)
	}
}

// TestDecodeEveryTruncation: every prefix of a snapshot is refused as
// corrupt, never read as a shorter valid one.
func TestDecodeEveryTruncation(t *testing.T) {
	raw := Encode(testManifest(), bytes.Repeat([]byte{7}, 100))
	for n := range len(raw) {
		if _, _, err := Decode(raw[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("prefix of %d bytes: %v, want ErrCorrupt", n, err)
		}
	}
}

func TestDiff(t *testing.T) {
	base := testManifest()
	change := func(fn func(*Manifest)) Manifest {
		m := Manifest{Files: append([]File(nil), base.Files...)}
		fn(&m)
		return m
	}
	for _, tc := range []struct {
		now  Manifest
		want string
	}{
		{base, ""},
		{change(func(m *Manifest) { m.Files[0].Size++ }), "a.csv changed size"},
		{change(func(m *Manifest) { m.Files[1].ModTime++ }), "geo/b.geojson was modified"},
		{change(func(m *Manifest) { m.Files[1].Sample[0]++ }), "geo/b.geojson changed content"},
		{change(func(m *Manifest) { m.Files = append(m.Files, File{Path: "c"}) }), "c was added"},
		{change(func(m *Manifest) { m.Files = m.Files[:1] }), "geo/b.geojson was removed"},
		{change(func(m *Manifest) { m.Files[0].Path = "z.csv" }), "z.csv was added"},
	} {
		if got := base.Diff(tc.now); got != tc.want {
			t.Errorf("Diff = %q, want %q", got, tc.want)
		}
	}
}

// TestScanSample: a change inside the sampled ends of a file is seen even
// when its size and time are kept; the middle of a large file is not
// sampled, which the size and time are there for.
func TestScanSample(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "big.csv")
	content := bytes.Repeat([]byte("x"), 3*sampleSize)
	os.WriteFile(p, content, 0o644)
	os.WriteFile(filepath.Join(dir, ".hidden"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, ".git"), 0o755)
	os.WriteFile(filepath.Join(dir, ".git", "x"), []byte("x"), 0o644)
	before, err := Scan(dir)
	if err != nil || len(before.Files) != 1 {
		t.Fatalf("Scan = %+v, %v; want big.csv only", before, err)
	}
	st, _ := os.Stat(p)
	for _, at := range []int{0, len(content) - 1} {
		c := bytes.Clone(content)
		c[at] = 'y'
		os.WriteFile(p, c, 0o644)
		os.Chtimes(p, st.ModTime(), st.ModTime())
		after, _ := Scan(dir)
		if got := before.Diff(after); got != "big.csv changed content" {
			t.Errorf("byte %d changed: Diff = %q", at, got)
		}
	}
}

func TestRacy(t *testing.T) {
	now := time.Now()
	m := Manifest{Files: []File{{Path: "old", ModTime: now.Add(-time.Hour).UnixNano()}}}
	if _, racy := m.Racy(now); racy {
		t.Error("an hour-old file is racy")
	}
	m.Files = append(m.Files, File{Path: "new", ModTime: now.Add(-time.Second).UnixNano()})
	if p, racy := m.Racy(now); !racy || p != "new" {
		t.Errorf("Racy = %q, %v; want new", p, racy)
	}
}

func TestLocations(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	dir := t.TempDir()
	read, write := Locations(dir, "")
	beside := filepath.Join(dir, FileName)
	if len(read) != 2 || read[0] != beside || !strings.HasPrefix(read[1], cache) || write[0] != beside || write[1] != read[1] {
		t.Errorf("writable directory: read %v, write %v", read, write)
	}
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	if _, write := Locations(dir, ""); len(write) != 1 || !strings.HasPrefix(write[0], cache) {
		t.Errorf("read-only directory: write %v, want the cache only", write)
	}
	other := t.TempDir()
	read, write = Locations(dir, other)
	if len(read) != 1 || read[0] != write[0] || filepath.Dir(read[0]) != other {
		t.Errorf("with a snapshot directory: read %v, write %v", read, write)
	}
	if r2, _ := Locations(t.TempDir(), other); r2[0] == read[0] {
		t.Error("two data directories share one snapshot file")
	}
}

// TestWriteReplaces: Write replaces a snapshot whole and leaves no
// temporary file.
func TestWriteReplaces(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "snap")
	for _, payload := range []string{"first", "second"} {
		if err := Write(p, testManifest(), []byte(payload)); err != nil {
			t.Fatal(err)
		}
		_, got, err := Read(p)
		if err != nil || string(got) != payload {
			t.Fatalf("Read = %q, %v; want %q", got, err, payload)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(p)); len(entries) != 1 {
		t.Errorf("%d files left, want 1", len(entries))
	}
}

// FuzzDecode: Decode parses bytes from a file: any input gives a snapshot
// or an error, and what it accepts survives encoding and decoding again.
func FuzzDecode(f *testing.F) {
	f.Add(Encode(testManifest(), []byte("payload")))
	f.Add(Encode(Manifest{}, nil))
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, payload, err := Decode(raw)
		if err != nil {
			return
		}
		m2, p2, err := Decode(Encode(m, payload))
		if err != nil || m.Diff(m2) != "" || len(m.Files) != len(m2.Files) || !bytes.Equal(payload, p2) {
			t.Errorf("accepted %q, but its encoding reads back as %+v %q %v", raw, m2, p2, err)
		}
	})
}
