// Package widget holds guichet's embeddable "find your police station"
// page: its HTML template, style sheet and scripts, and the content-hashed
// bundle the API serves them from. It uses the standard library only.
package widget

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"path"
	"strings"
)

//go:embed static
var files embed.FS

// FS returns the embedded assets, rooted at the static directory.
func FS() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic("widget: " + err.Error()) // "static" is a literal embedded directory
	}
	return sub
}

// Names of the files a bundle needs.
const (
	PageTemplate = "index.html" // the page, an html/template
	LoaderScript = "loader.js"  // served unhashed as /widget.js for partners
	AppScript    = "app.js"
	StyleSheet   = "app.css"
	// MapScript and MapStyle are the opt-in map (Leaflet and its glue),
	// built by scripts/widget-map; a bundle without them has no map.
	MapScript = "map.js"
	MapStyle  = "map.css"
)

// ErrMissingFile reports that a bundle lacks one of its required files.
var ErrMissingFile = errors.New("widget: missing file")

// Asset is one file of a bundle, with its precomputed gzip form.
type Asset struct {
	// Name is the file's name in the bundle, e.g. "app.js".
	Name string
	// Hashed is Name with a content hash before the extension,
	// e.g. "app.3f2a9c1e07b4.js": it changes whenever the content does.
	Hashed string
	// ContentType is the media type derived from the extension.
	ContentType string
	Body        []byte
	// Gzip is the gzip-compressed body, or nil when compressing does not
	// make it smaller.
	Gzip []byte
	// ETag is a strong validator, quoted.
	ETag string
}

// Bundle is a loaded set of assets plus the parsed page template. It is
// immutable and safe for concurrent use.
type Bundle struct {
	byName   map[string]*Asset
	byHashed map[string]*Asset
	page     *template.Template
}

// Load reads every regular file at the root of fsys, hashes and compresses
// it, and parses the page template.
func Load(fsys fs.FS) (*Bundle, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("widget: cannot list assets: %w", err)
	}
	b := &Bundle{byName: map[string]*Asset{}, byHashed: map[string]*Asset{}}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("widget: cannot read %s: %w", e.Name(), err)
		}
		a := newAsset(e.Name(), body)
		b.byName[a.Name] = a
		b.byHashed[a.Hashed] = a
	}
	for _, name := range []string{PageTemplate, LoaderScript, AppScript, StyleSheet} {
		if b.byName[name] == nil {
			return nil, fmt.Errorf("%w: %s", ErrMissingFile, name)
		}
	}
	b.page, err = template.New(PageTemplate).Parse(string(b.byName[PageTemplate].Body))
	if err != nil {
		return nil, fmt.Errorf("widget: cannot parse %s: %w", PageTemplate, err)
	}
	return b, nil
}

func newAsset(name string, body []byte) *Asset {
	sum := sha256.Sum256(body)
	h := hex.EncodeToString(sum[:6])
	ext := path.Ext(name)
	ct := mime.TypeByExtension(ext)
	if ct == "" {
		ct = "application/octet-stream"
	}
	a := &Asset{
		Name:        name,
		Hashed:      strings.TrimSuffix(name, ext) + "." + h + ext,
		ContentType: ct,
		Body:        body,
		ETag:        `"` + h + `"`,
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(body) // writes to a bytes.Buffer cannot fail
	zw.Close()
	if buf.Len() < len(body) {
		a.Gzip = buf.Bytes()
	}
	return a
}

// Asset returns the asset with this plain name.
func (b *Bundle) Asset(name string) (*Asset, bool) {
	a, ok := b.byName[name]
	return a, ok
}

// Hashed returns the asset with this content-hashed name. An outdated hash
// is not found: hashed names are served with a long cache lifetime, so they
// must never resolve to other content.
func (b *Bundle) Hashed(hashed string) (*Asset, bool) {
	a, ok := b.byHashed[hashed]
	return a, ok
}

// loaderAllowMarker is where loader.js holds the origins allowed to frame
// the widget; Loader replaces it.
const loaderAllowMarker = `/*guichet:frame-ancestors*/["*"]/**/`

// Loader returns the partners' loader script checking the page's origin
// against allowed, CSP frame-ancestors source expressions. It fails when
// the script has lost its marker, which would leave the check always true.
func (b *Bundle) Loader(allowed []string) (*Asset, error) {
	src := b.byName[LoaderScript].Body
	if !bytes.Contains(src, []byte(loaderAllowMarker)) {
		return nil, fmt.Errorf("%w: %s has no %s", ErrMissingFile, LoaderScript, loaderAllowMarker)
	}
	list, err := json.Marshal(allowed)
	if err != nil {
		return nil, err
	}
	return newAsset(LoaderScript, bytes.Replace(src, []byte(loaderAllowMarker), list, 1)), nil
}

// Page is what the page template needs.
type Page struct {
	// Lang is the page language, "fr" or "en".
	Lang string
	// Theme is "light", "dark" or "auto" (the reader's system setting).
	Theme string
	// Title is the document title in Lang.
	Title string
	// AssetBase is the URL path prefix of hashed assets, relative to the
	// page, e.g. "widget/assets/".
	AssetBase string
	// Config is marshalled to JSON into the page for the script to read.
	Config any
}

type pageData struct {
	Page
	Script, Style string
}

// RenderPage writes the page for p.
func (b *Bundle) RenderPage(w io.Writer, p Page) error {
	return b.page.Execute(w, pageData{
		Page:   p,
		Script: p.AssetBase + b.byName[AppScript].Hashed,
		Style:  p.AssetBase + b.byName[StyleSheet].Hashed,
	})
}

// Titles are the document titles by language, set before the script runs.
var Titles = map[string]string{
	"fr": "Trouver un commissariat ou une gendarmerie",
	"en": "Find a police or gendarmerie station",
}
