// Package snapshot keeps a compiled copy of a data directory's load in one
// file, with the list of the source files it was made from, so that the
// next process can skip parsing them when none has changed.
//
// A snapshot file is: a magic string, the format version, the identity of
// the binary that wrote it, the manifest of the source files (path, size,
// modification time and a hash of their first and last bytes), then the
// payload with its length and CRC-32C. The payload is opaque here: package
// data writes and reads it. Read refuses a file whose version, identity,
// length or checksum does not match, with the reason; Scan and Equal tell
// whether the directory still holds exactly the files of the manifest.
package snapshot

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// FileName is the snapshot's name when it is written beside the data; the
// leading dot keeps the loader from reading it as a source file.
const FileName = ".guichet-snapshot"

// FormatVersion changes whenever the layout of the file or of the payload
// changes; a file of another version is ignored and replaced.
const FormatVersion = 3

const magic = "GUICHET-SNAPSHOT\n"

// sampleSize is how much of each end of a source file the manifest hashes:
// an edit that keeps a file's size and modification time but changes its
// header or its last rows is still seen, for the cost of two small reads.
const sampleSize = 4 << 10

// RacyWindow is how recent a source file's modification time may be for
// the file to be trusted: a file written within this window of the scan
// may change again without its time changing on a file system with coarse
// timestamps, so no snapshot is written for it (git's "racy" index
// entries). A variable for tests.
var RacyWindow = 2 * time.Second

// File is one source file of a data directory as the manifest records it.
type File struct {
	Path    string // slash-separated, relative to the data directory
	Size    int64
	ModTime int64 // Unix nanoseconds
	Sample  [sha256.Size]byte
}

// Manifest lists the source files of a data directory in walk order: the
// regular files whose name and directories do not start with a dot, which
// are the files the loader reads.
type Manifest struct {
	Files []File
}

// Scan lists the source files of dir.
func Scan(dir string) (Manifest, error) {
	var m Manifest
	fsys := os.DirFS(dir)
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." && strings.HasPrefix(path.Base(p), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		f, err := scanFile(fsys, p)
		if err != nil {
			return err
		}
		m.Files = append(m.Files, f)
		return nil
	})
	return m, err
}

func scanFile(fsys fs.FS, p string) (File, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return File{}, err
	}
	out := File{Path: p, Size: st.Size(), ModTime: st.ModTime().UnixNano()}
	h := sha256.New()
	if _, err := io.CopyN(h, f, sampleSize); err != nil && err != io.EOF {
		return File{}, err
	}
	if ra, ok := f.(io.ReaderAt); ok && st.Size() > 2*sampleSize {
		buf := make([]byte, sampleSize)
		if _, err := ra.ReadAt(buf, st.Size()-sampleSize); err != nil && err != io.EOF {
			return File{}, err
		}
		h.Write(buf)
	}
	copy(out.Sample[:], h.Sum(nil))
	return out, nil
}

// Diff describes the first difference between m, the manifest of a
// snapshot, and now, the directory's; "" when they list the same files
// unchanged.
func (m Manifest) Diff(now Manifest) string {
	old := map[string]File{}
	for _, f := range m.Files {
		old[f.Path] = f
	}
	for _, f := range now.Files {
		o, ok := old[f.Path]
		switch {
		case !ok:
			return f.Path + " was added"
		case o.Size != f.Size:
			return f.Path + " changed size"
		case o.ModTime != f.ModTime:
			return f.Path + " was modified"
		case o.Sample != f.Sample:
			return f.Path + " changed content"
		}
		delete(old, f.Path)
	}
	for _, f := range m.Files {
		if _, gone := old[f.Path]; gone {
			return f.Path + " was removed"
		}
	}
	if len(m.Files) != len(now.Files) {
		return "the list of files changed"
	}
	return ""
}

// Racy reports a file modified so recently, relative to now, that a
// later change might keep its modification time.
func (m Manifest) Racy(now time.Time) (string, bool) {
	for _, f := range m.Files {
		if now.UnixNano()-f.ModTime < int64(RacyWindow) {
			return f.Path, true
		}
	}
	return "", false
}

// Identity names the binary for the snapshots it writes: its module
// version and VCS revision when the build recorded them, else the size and
// modification time of the executable. A snapshot written by another
// binary is not read, since its payload may mean something else.
var Identity = sync.OnceValue(func() string {
	var b strings.Builder
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.WriteString(bi.GoVersion + " " + bi.Main.Path + "@" + bi.Main.Version)
		clean := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.WriteString(" " + s.Value)
				clean = true
			case "vcs.modified":
				if s.Value == "true" {
					clean = false
				}
			}
		}
		if clean {
			return b.String()
		}
	}
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			fmt.Fprintf(&b, " exe %d %d", st.Size(), st.ModTime().UnixNano())
		}
	}
	return b.String()
})

// Errors Read returns; each is wrapped with the detail. A file that is not
// there is reported as fs.ErrNotExist, which is not worth a log line.
var (
	ErrCorrupt  = errors.New("snapshot is corrupt")
	ErrVersion  = errors.New("snapshot has another format version")
	ErrIdentity = errors.New("snapshot was written by another build of guichet")
)

// Read reads the snapshot at p: its manifest and payload, checked against
// its length and checksum.
func Read(p string) (Manifest, []byte, error) {
	raw, err := os.ReadFile(p)
	if err != nil {
		return Manifest{}, nil, err
	}
	return Decode(raw)
}

// Decode parses a whole snapshot file. It never panics and allocates no
// more than the input's size, whatever the bytes.
func Decode(raw []byte) (Manifest, []byte, error) {
	var m Manifest
	if !bytes.HasPrefix(raw, []byte(magic)) {
		return m, nil, fmt.Errorf("%w: not a snapshot file", ErrCorrupt)
	}
	d := NewDecoder(raw[len(magic):])
	if v := d.Uvarint(); d.Err() == nil && v != FormatVersion {
		return m, nil, fmt.Errorf("%w: file has version %d, this binary %d", ErrVersion, v, FormatVersion)
	}
	if id := d.String(); d.Err() == nil && id != Identity() {
		return m, nil, fmt.Errorf("%w (%q, this one %q)", ErrIdentity, id, Identity())
	}
	n := d.Len(8)
	m.Files = make([]File, 0, n)
	for range n {
		f := File{Path: d.String(), Size: d.Varint(), ModTime: d.Varint()}
		copy(f.Sample[:], d.Bytes(sha256.Size))
		m.Files = append(m.Files, f)
	}
	size := d.Len(1)
	sum := d.Uint32()
	payload := d.Bytes(size)
	if err := d.Err(); err != nil {
		return Manifest{}, nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if d.Remaining() != 0 {
		return Manifest{}, nil, fmt.Errorf("%w: %d bytes after the payload", ErrCorrupt, d.Remaining())
	}
	if crc32.Checksum(payload, castagnoli) != sum {
		return Manifest{}, nil, fmt.Errorf("%w: payload checksum mismatch", ErrCorrupt)
	}
	return m, payload, nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Encode returns the snapshot file of m and payload.
func Encode(m Manifest, payload []byte) []byte {
	var e Encoder
	e.buf = append(e.buf, magic...)
	e.Uvarint(FormatVersion)
	e.String(Identity())
	e.Uvarint(uint64(len(m.Files)))
	for _, f := range m.Files {
		e.String(f.Path)
		e.Varint(f.Size)
		e.Varint(f.ModTime)
		e.buf = append(e.buf, f.Sample[:]...)
	}
	e.Uvarint(uint64(len(payload)))
	e.Uint32(crc32.Checksum(payload, castagnoli))
	e.buf = append(e.buf, payload...)
	return e.buf
}

// Write stores the snapshot at p atomically: it is written to a temporary
// file of the same directory, synced, then renamed over p, so that a
// reader sees the old file or the new one, never part of one, and
// concurrent writers each install a whole file (the last one wins).
func Write(p string, m Manifest, payload []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(Encode(m, payload)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Locations returns where the snapshot of dataDir is looked for, in order,
// and where it is written, in order of preference. With dir set (the
// --snapshot-dir setting), both are a file named after dataDir in dir.
// Otherwise the snapshot is read beside the data first, then in the user's
// cache directory; it is written beside the data when the directory's
// permissions allow its owner to write there, else in the cache directory
// (a data directory mounted read-only, or shared, is left as it is).
func Locations(dataDir, dir string) (read, write []string) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = dataDir
	}
	sum := sha256.Sum256([]byte(abs))
	cached := "snapshot-" + hex.EncodeToString(sum[:8])
	if dir != "" {
		p := filepath.Join(dir, cached)
		return []string{p}, []string{p}
	}
	beside := filepath.Join(dataDir, FileName)
	read = []string{beside}
	var cache string
	if c, err := os.UserCacheDir(); err == nil {
		cache = filepath.Join(c, "guichet", cached)
		read = append(read, cache)
	}
	if st, err := os.Stat(dataDir); err == nil && st.Mode().Perm()&0o200 != 0 {
		write = append(write, beside)
	}
	if cache != "" {
		write = append(write, cache)
	}
	return read, write
}

// Encoder appends values in the snapshot's binary encoding: varints,
// length-prefixed strings, little-endian floats.
type Encoder struct {
	buf  []byte
	refs map[string]int // strings written by Ref, by order
}

// Bytes returns what was encoded.
func (e *Encoder) Bytes() []byte { return e.buf }

func (e *Encoder) Uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *Encoder) Varint(v int64)   { e.buf = binary.AppendVarint(e.buf, v) }
func (e *Encoder) Int(v int)        { e.Varint(int64(v)) }
func (e *Encoder) Uint32(v uint32)  { e.buf = binary.LittleEndian.AppendUint32(e.buf, v) }
func (e *Encoder) Float64(v float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v))
}
func (e *Encoder) Bool(v bool) {
	if v {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}
func (e *Encoder) String(s string) {
	e.Uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// Blob writes b with its length.
func (e *Encoder) Blob(b []byte) {
	e.Uvarint(uint64(len(b)))
	e.buf = append(e.buf, b...)
}

// Ref writes s once per encoding and refers to it afterwards: for the
// file names and codes repeated on thousands of rows.
func (e *Encoder) Ref(s string) {
	if i, ok := e.refs[s]; ok {
		e.Uvarint(uint64(i) + 1)
		return
	}
	if e.refs == nil {
		e.refs = map[string]int{}
	}
	e.refs[s] = len(e.refs)
	e.Uvarint(0)
	e.String(s)
}

// Strings writes a list, telling nil from empty: JSON writes them
// differently.
func (e *Encoder) Strings(ss []string) {
	if ss == nil {
		e.Uvarint(0)
		return
	}
	e.Uvarint(uint64(len(ss)) + 1)
	for _, s := range ss {
		e.String(s)
	}
}

// Decoder reads what an Encoder wrote. The first error sticks: later reads
// return zero values, and Err reports it. Lengths are checked against the
// bytes left, so that no input makes it allocate more than its own size.
//
// The strings it returns are read in place: they alias its input, which
// must not be modified afterwards. Reading a snapshot then costs no copy
// of its text, and no allocation per string.
type Decoder struct {
	b    []byte
	refs []string // strings read by Ref, by order
	err  error
}

func NewDecoder(b []byte) *Decoder { return &Decoder{b: b} }

// Err returns the first error met.
func (d *Decoder) Err() error { return d.err }

// Remaining returns the number of bytes not read yet.
func (d *Decoder) Remaining() int { return len(d.b) }

// Fail records err unless an error is already recorded.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
		d.b = nil
	}
}

var errTruncated = errors.New("truncated")

func (d *Decoder) Uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.Fail(errTruncated)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *Decoder) Varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.Fail(errTruncated)
		return 0
	}
	d.b = d.b[n:]
	return v
}

// Int reads a Varint that must fit an int32, the range of every count and
// line number of the data.
func (d *Decoder) Int() int {
	v := d.Varint()
	if v < -1<<31 || v >= 1<<31 {
		d.Fail(fmt.Errorf("integer %d out of range", v))
		return 0
	}
	return int(v)
}

func (d *Decoder) Uint32() uint32 {
	if len(d.b) < 4 {
		d.Fail(errTruncated)
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}

func (d *Decoder) Float64() float64 {
	if len(d.b) < 8 {
		d.Fail(errTruncated)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

func (d *Decoder) Bool() bool {
	if len(d.b) < 1 {
		d.Fail(errTruncated)
		return false
	}
	v := d.b[0]
	d.b = d.b[1:]
	if v > 1 {
		d.Fail(fmt.Errorf("bad boolean %d", v))
	}
	return v == 1
}

// Len reads a count of items that take at least minSize bytes each, and
// fails when fewer bytes than that are left.
func (d *Decoder) Len(minSize int) int {
	v := d.Uvarint()
	if minSize < 1 {
		minSize = 1
	}
	if v > uint64(len(d.b)/minSize) {
		d.Fail(fmt.Errorf("truncated: %d items announced, %d bytes left", v, len(d.b)))
		return 0
	}
	return int(v)
}

// SkipVarints skips n varints, failing as Varint would on any of them,
// without decoding them: for a first pass that only checks.
func (d *Decoder) SkipVarints(n int) {
	b := d.b
	for ; n > 0; n-- {
		i := 0
		for ; i < len(b) && b[i] >= 0x80; i++ {
			if i == binary.MaxVarintLen64-1 {
				d.Fail(errors.New("varint overflows"))
				return
			}
		}
		switch {
		case i == len(b):
			d.Fail(errTruncated)
			return
		case i == binary.MaxVarintLen64-1 && b[i] > 1:
			d.Fail(errors.New("varint overflows"))
			return
		}
		b = b[i+1:]
	}
	d.b = b
}

// Bytes returns the next n bytes, aliasing the input.
func (d *Decoder) Bytes(n int) []byte {
	if n < 0 || n > len(d.b) {
		d.Fail(errTruncated)
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

// String returns the next string, aliasing the input.
func (d *Decoder) String() string {
	b := d.Bytes(d.Len(1))
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Ref reads a string that Ref wrote.
func (d *Decoder) Ref() string {
	i := d.Uvarint()
	if i == 0 {
		s := d.String()
		if d.err == nil {
			d.refs = append(d.refs, s)
		}
		return s
	}
	if i > uint64(len(d.refs)) {
		d.Fail(fmt.Errorf("reference %d to an unknown string", i))
		return ""
	}
	return d.refs[i-1]
}

func (d *Decoder) Strings() []string {
	n := d.Len(1)
	if n == 0 {
		return nil
	}
	ss := make([]string, n-1)
	for i := range ss {
		ss[i] = d.String()
	}
	return ss
}
