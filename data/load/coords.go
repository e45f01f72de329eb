package load

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/paulmach/orb"
)

// parsePolygonal decodes the coordinates of a GeoJSON Polygon or
// MultiPolygon. It reads the nested arrays directly: decoding millions of
// positions through reflection took most of the load of a national layer.
func parsePolygonal(typ string, raw []byte) (orb.MultiPolygon, error) {
	c := coordParser{b: raw}
	var mp orb.MultiPolygon
	var err error
	switch typ {
	case "Polygon":
		var poly orb.Polygon
		poly, err = c.polygon()
		mp = orb.MultiPolygon{poly}
	case "MultiPolygon":
		err = c.list(func() error {
			poly, err := c.polygon()
			mp = append(mp, poly)
			return err
		})
	default:
		return nil, fmt.Errorf("geometry is %s, not a polygon", typ)
	}
	if err == nil {
		c.space()
		if c.i != len(c.b) {
			err = c.fail("end of coordinates")
		}
	}
	return mp, err
}

// coordParser reads nested JSON arrays of numbers.
type coordParser struct {
	b []byte
	i int
}

var errCoordinates = errors.New("malformed coordinates")

func (c *coordParser) fail(want string) error {
	return fmt.Errorf("%w: want %s at byte %d", errCoordinates, want, c.i)
}

func (c *coordParser) space() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\r', '\n':
			c.i++
		default:
			return
		}
	}
}

// list reads "[", then items separated by commas, then "]".
func (c *coordParser) list(item func() error) error {
	c.space()
	if c.i >= len(c.b) || c.b[c.i] != '[' {
		return c.fail("[")
	}
	c.i++
	c.space()
	if c.i < len(c.b) && c.b[c.i] == ']' {
		c.i++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		c.space()
		if c.i >= len(c.b) {
			return c.fail("] or ,")
		}
		switch c.b[c.i] {
		case ',':
			c.i++
		case ']':
			c.i++
			return nil
		default:
			return c.fail("] or ,")
		}
	}
}

func (c *coordParser) polygon() (orb.Polygon, error) {
	var poly orb.Polygon
	err := c.list(func() error {
		ring, err := c.ring()
		poly = append(poly, ring)
		return err
	})
	return poly, err
}

func (c *coordParser) ring() (orb.Ring, error) {
	var ring orb.Ring
	err := c.list(func() error {
		p, err := c.position()
		ring = append(ring, p)
		return err
	})
	return ring, err
}

// position reads [lon, lat] and ignores any altitude.
func (c *coordParser) position() (orb.Point, error) {
	var p orb.Point
	n := 0
	err := c.list(func() error {
		v, err := c.number()
		if n < 2 {
			p[n] = v
		}
		n++
		return err
	})
	if err == nil && n < 2 {
		err = c.fail("a position of at least 2 numbers")
	}
	return p, err
}

func (c *coordParser) number() (float64, error) {
	c.space()
	start := c.i
	for c.i < len(c.b) {
		switch ch := c.b[c.i]; {
		case ch >= '0' && ch <= '9', ch == '-', ch == '+', ch == '.', ch == 'e', ch == 'E':
			c.i++
			continue
		}
		break
	}
	if start == c.i {
		return 0, c.fail("a number")
	}
	// The character set above admits what JSON forbids ("+1", "1.",
	// "01"): strconv then decides, which accepts a little more than JSON
	// but never a non-number.
	v, err := strconv.ParseFloat(string(c.b[start:c.i]), 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errCoordinates, err)
	}
	return v, nil
}
