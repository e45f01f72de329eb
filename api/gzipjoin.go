package api

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math"
	"sync"

	"github.com/klauspost/compress/flate"
)

// Compressing a 7 KB station list costs more than finding and encoding it,
// and most of it is the same station text answer after answer. So that
// text is deflated once per dataset, and a gzipped answer is joined from
// those pieces and the few bytes computed per request, sent as stored
// (uncompressed) blocks. Deflate (RFC 1951) allows it: a piece compressed
// on its own refers to nothing before it, and a sync flush ends it on a
// byte boundary, where any block may follow.

// deflatePiece returns plain compressed as a run of non-final deflate
// blocks that ends on a byte boundary and refers to nothing outside plain.
func deflatePiece(plain []byte) []byte {
	d := deflaters.Get().(*deflater)
	defer deflaters.Put(d)
	d.buf.Reset()
	d.w.Reset(&d.buf)
	// Writes to a bytes.Buffer cannot fail.
	_, _ = d.w.Write(plain)
	_ = d.w.Flush()
	return bytes.Clone(d.buf.Bytes())
}

type deflater struct {
	buf bytes.Buffer
	w   *flate.Writer
}

var deflaters = sync.Pool{New: func() any {
	d := &deflater{}
	// On the national stations, level 5 comes within 0.3 % of the best
	// level's size in a third of its time, which a reload waits for.
	d.w, _ = flate.NewWriter(&d.buf, 5)
	return d
}}

// gzipJoin writes one gzip member (RFC 1952) from deflated pieces and
// plain bytes.
type gzipJoin struct {
	out    []byte
	crc    uint32
	size   int
	stored int // offset in out of the open stored block's header, or -1
}

// storedHeaderLen is the size of a stored block's header on a byte
// boundary: BFINAL and BTYPE padded to a byte, then LEN and NLEN.
const storedHeaderLen = 5

// gzipHeader is a member header with no name, time or extra field:
// CM = deflate, OS = unknown.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

// reset starts a member at the end of out.
func (g *gzipJoin) reset(out []byte) {
	g.out = append(out, gzipHeader...)
	g.crc = 0
	g.size = 0
	g.stored = -1
}

// plain appends bytes as they are, in stored blocks.
func (g *gzipJoin) plain(p []byte) {
	g.crc = crc32.Update(g.crc, crc32.IEEETable, p)
	g.size += len(p)
	for len(p) > 0 {
		if g.stored < 0 {
			g.stored = len(g.out)
			g.out = append(g.out, 0, 0, 0, 0, 0)
		}
		n := min(len(p), math.MaxUint16-g.storedLen())
		g.out = append(g.out, p[:n]...)
		p = p[n:]
		if g.storedLen() == math.MaxUint16 {
			g.closeStored()
		}
	}
}

// deflated appends a piece made by deflatePiece from plain.
func (g *gzipJoin) deflated(plain, piece []byte) {
	g.closeStored()
	g.crc = crc32.Update(g.crc, crc32.IEEETable, plain)
	g.size += len(plain)
	g.out = append(g.out, piece...)
}

func (g *gzipJoin) storedLen() int { return len(g.out) - g.stored - storedHeaderLen }

// closeStored writes the length of the open stored block, if any.
func (g *gzipJoin) closeStored() {
	if g.stored < 0 {
		return
	}
	n := uint16(g.storedLen())
	binary.LittleEndian.PutUint16(g.out[g.stored+1:], n)
	binary.LittleEndian.PutUint16(g.out[g.stored+3:], ^n)
	g.stored = -1
}

// finish ends the deflate stream and the member, and returns out.
func (g *gzipJoin) finish() []byte {
	g.closeStored()
	// A final block with fixed codes holding only the end-of-block code:
	// BFINAL=1, BTYPE=01, then seven zero bits.
	g.out = append(g.out, 0x03, 0x00)
	g.out = binary.LittleEndian.AppendUint32(g.out, g.crc)
	// ISIZE is the length modulo 2³².
	g.out = binary.LittleEndian.AppendUint32(g.out, uint32(g.size))
	return g.out
}
