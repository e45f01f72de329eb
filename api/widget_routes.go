package api

import (
	"bytes"
	"compress/gzip"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"guichet/api/widget"
	"guichet/data"
)

// Widget routes:
//
//	GET /widget                 the page, configured by its query (no-cache)
//	GET /widget/assets/{hashed} its script and style sheet (immutable, content-hashed names)
//	GET /widget.js              the partners' one-line loader (short cache)
//
// The widget may be framed by the origins of Config.WidgetFrameAncestors;
// everything else guichet serves refuses to be framed.

// widgetAssetBase is where the page finds its hashed assets, relative to
// /widget, so that guichet also works behind a path prefix.
const widgetAssetBase = "widget/assets/"

// maxWidgetLimit bounds the widget's limit parameter: a box in a partner
// page has no use for a hundred stations.
const maxWidgetLimit = 20

// widgetConfigJSON is the page's configuration, read by its script.
type widgetConfigJSON struct {
	Force   string   `json:"force,omitempty"`
	Limit   int      `json:"limit"`
	Lang    string   `json:"lang"`
	Open    bool     `json:"open,omitempty"`
	Theme   string   `json:"theme"`
	Lat     *float64 `json:"lat,omitempty"`
	Lon     *float64 `json:"lon,omitempty"`
	At      string   `json:"at,omitempty"`
	TileURL string   `json:"tile_url,omitempty"`
	// MapScript and MapStyle are the opt-in map's bundle, loaded only when
	// the reader opens the map; set with TileURL.
	MapScript string `json:"map_script,omitempty"`
	MapStyle  string `json:"map_style,omitempty"`
}

type widgetHandler struct {
	s         *Server
	bundle    *widget.Bundle // nil when assets are read from Config.WidgetDir on each request
	loaderJS  *widget.Asset  // the loader with the allowed origins, when bundle is set
	dir       string
	csp       string
	ancestors []string
	tileURL   string
}

// registerWidgetRoutes mounts the widget and the frame guard. It must run
// before the other routes are registered so that the guard applies to them.
func (s *Server) registerWidgetRoutes(e *gin.Engine) {
	h := &widgetHandler{s: s, dir: s.cfg.WidgetDir}
	tileOrigin := ""
	if s.cfg.WidgetTileURL != "" {
		if o, ok := tileSource(s.cfg.WidgetTileURL); ok {
			h.tileURL, tileOrigin = s.cfg.WidgetTileURL, o
		} else {
			s.log.Error("ignoring widget tile URL: want https://host/{z}/{x}/{y}.png", slog.String("url", s.cfg.WidgetTileURL))
		}
	}
	h.ancestors = frameAncestors(s.cfg.WidgetFrameAncestors)
	h.csp = widgetCSP(h.ancestors, tileOrigin)
	if h.dir == "" {
		b, err := widget.Load(widget.FS())
		if err != nil {
			panic(err) // the embedded files are part of the binary: tests catch this
		}
		h.bundle = b
		if h.loaderJS, err = b.Loader(h.ancestors); err != nil {
			panic(err)
		}
	}
	getAndHead(e, "/widget", h.page)
	getAndHead(e, "/widget/assets/:file", h.asset)
	getAndHead(e, "/widget.js", h.loader)
}

// isWidgetPath reports whether p is served by the widget routes.
func isWidgetPath(p string) bool {
	return p == "/widget" || p == "/widget.js" || strings.HasPrefix(p, "/widget/")
}

// frameAncestors returns the usable source expressions of the configured
// list, or "*" when there are none.
func frameAncestors(ancestors []string) []string {
	var fa []string
	for _, a := range ancestors {
		// A source expression has no space, comma, semicolon or quote
		// other than 'self': anything else would inject directives, in
		// the policy or in the loader's script.
		a = strings.TrimSpace(a)
		if a != "" && (a == "'self'" || !strings.ContainsAny(a, " ;,\t\r\n'\"\\<>")) {
			fa = append(fa, a)
		}
	}
	if len(fa) == 0 {
		fa = []string{"*"}
	}
	return fa
}

// widgetCSP builds the page's policy: only its own script and style, API
// calls to its own origin, images from itself and the tile server.
func widgetCSP(fa []string, tileOrigin string) string {
	img := "'self' data:"
	if tileOrigin != "" {
		img += " " + tileOrigin
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors " + strings.Join(fa, " ")
}

// tileSource checks a tile URL template and returns the origin to allow in
// img-src; a {s} subdomain placeholder becomes a wildcard.
func tileSource(tmpl string) (string, bool) {
	if !strings.Contains(tmpl, "{z}") || !strings.Contains(tmpl, "{x}") || !strings.Contains(tmpl, "{y}") {
		return "", false
	}
	u, err := url.Parse(strings.ReplaceAll(tmpl, "{s}", "s"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", false
	}
	host := u.Host
	if strings.HasPrefix(tmpl[len(u.Scheme)+3:], "{s}.") {
		host = "*." + strings.TrimPrefix(host, "s.")
	}
	if strings.ContainsAny(host, " ;,'") {
		return "", false
	}
	return u.Scheme + "://" + host, true
}

func (h *widgetHandler) load(c *gin.Context) *widget.Bundle {
	if h.bundle != nil {
		return h.bundle
	}
	b, err := widget.Load(os.DirFS(h.dir))
	if err != nil {
		h.s.fail(c, err)
		return nil
	}
	return b
}

func (h *widgetHandler) page(c *gin.Context) {
	c.Header("Content-Security-Policy", h.csp)
	cfg, err := widgetQuery(queryOf(c))
	if err != nil {
		if wantsHTML(c.GetHeader("Accept")) {
			h.badPage(c, err)
			return
		}
		h.s.fail(c, err)
		return
	}
	b := h.load(c)
	if b == nil {
		return
	}
	if h.tileURL != "" {
		js, okJS := b.Asset(widget.MapScript)
		css, okCSS := b.Asset(widget.MapStyle)
		if okJS && okCSS {
			cfg.TileURL, cfg.MapScript, cfg.MapStyle = h.tileURL, widgetAssetBase+js.Hashed, widgetAssetBase+css.Hashed
		}
	}
	var buf bytes.Buffer
	if err := b.RenderPage(&buf, widget.Page{
		Lang:      cfg.Lang,
		Theme:     cfg.Theme,
		Title:     widget.Titles[cfg.Lang],
		AssetBase: widgetAssetBase,
		Config:    cfg,
	}); err != nil {
		h.s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Header("Referrer-Policy", "no-referrer")
	body := buf.Bytes()
	if acceptsGzip(c.GetHeader("Accept-Encoding")) {
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		zw.Write(body) // writes to a bytes.Buffer cannot fail
		zw.Close()
		body = zb.Bytes()
		c.Header("Content-Encoding", "gzip")
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", body)
}

func (h *widgetHandler) asset(c *gin.Context) {
	b := h.load(c)
	if b == nil {
		return
	}
	a, ok := b.Hashed(c.Param("file"))
	if !ok || a.Name == widget.PageTemplate {
		h.s.fail(c, refuse(typeNotFound, "no widget asset "+c.Param("file")))
		return
	}
	serveAsset(c, a, "public, max-age=31536000, immutable")
}

func (h *widgetHandler) loader(c *gin.Context) {
	b := h.load(c)
	if b == nil {
		return
	}
	a := h.loaderJS
	if a == nil {
		var err error
		if a, err = b.Loader(h.ancestors); err != nil {
			h.s.fail(c, err)
			return
		}
	}
	// Partners' pages load the script from another origin.
	c.Header("Cross-Origin-Resource-Policy", "cross-origin")
	serveAsset(c, a, "public, max-age=3600")
}

func serveAsset(c *gin.Context, a *widget.Asset, cacheControl string) {
	c.Header("Cache-Control", cacheControl)
	c.Header("ETag", a.ETag)
	if ifNoneMatch(c.Request.Header, a.ETag) {
		c.Status(http.StatusNotModified)
		return
	}
	body := a.Body
	if a.Gzip != nil && acceptsGzip(c.GetHeader("Accept-Encoding")) {
		body = a.Gzip
		c.Header("Content-Encoding", "gzip")
	}
	c.Data(http.StatusOK, a.ContentType, body)
}

// widgetQuery validates the page's parameters.
func widgetQuery(q query) (widgetConfigJSON, error) {
	cfg := widgetConfigJSON{Lang: "fr", Theme: "auto"}
	force, err := q.force()
	if err != nil {
		return cfg, err
	}
	if force != data.AnyForce {
		cfg.Force = force.String()
	}
	if cfg.Limit, err = q.int("limit", 5, 1, maxWidgetLimit); err != nil {
		return cfg, err
	}
	lang, err := q.value("lang")
	if err != nil {
		return cfg, err
	}
	switch lang {
	case "", "fr":
	case "en":
		cfg.Lang = "en"
	default:
		return cfg, badParam("lang", "must be fr or en, got "+strconv.Quote(lang))
	}
	theme, err := q.value("theme")
	if err != nil {
		return cfg, err
	}
	switch theme {
	case "", "auto":
	case "light", "dark":
		cfg.Theme = theme
	default:
		return cfg, badParam("theme", "must be light, dark or auto, got "+strconv.Quote(theme))
	}
	// A partner's page may say yes or YES: the widget's own words.
	open, err := q.value("open")
	if err != nil {
		return cfg, err
	}
	switch strings.ToLower(open) {
	case "", "0", "false", "no":
	case "1", "true", "yes":
		cfg.Open = true
	default:
		return cfg, badParam("open", "must be true or false, got "+strconv.Quote(open))
	}
	hasLat, hasLon := q.has("lat"), q.has("lon")
	switch {
	case hasLat && hasLon:
		p, err := q.point()
		if err != nil {
			return cfg, err
		}
		cfg.Lat, cfg.Lon = &p[1], &p[0]
	case hasLat:
		return cfg, badParam("lon", "is required with lat")
	case hasLon:
		return cfg, badParam("lat", "is required with lon")
	}
	at, err := q.instant("at")
	if err != nil {
		return cfg, err
	}
	if !at.IsZero() {
		cfg.At = at.Format(time.RFC3339)
	}
	return cfg, nil
}

// wantsHTML reports whether a request is a browser's navigation, such as
// an iframe loading the page, rather than a client asking for data.
func wantsHTML(accept string) bool {
	return strings.Contains(accept, "text/html")
}

// badPage answers a navigation with invalid parameters with a neutral
// sentence for the reader and the reason for the partner, never an error
// body in the partner's page.
func (h *widgetHandler) badPage(c *gin.Context, err error) {
	lang := "fr"
	if lang, _ := queryOf(c).value("lang"); lang == "en" {
		lang = "en"
	}
	msg := map[string]string{
		"fr": "La recherche de commissariat ou de gendarmerie n’est pas disponible pour le moment.",
		"en": "The police station finder is not available at the moment.",
	}[lang]
	c.Header("Cache-Control", "no-cache")
	c.Header("Referrer-Policy", "no-referrer")
	c.Data(http.StatusBadRequest, "text/html; charset=utf-8", []byte("<!doctype html><html lang=\""+lang+"\"><head><meta charset=\"utf-8\"><title>"+
		html.EscapeString(widget.Titles[lang])+"</title></head><body><p>"+html.EscapeString(msg)+"</p><!-- guichet widget: "+
		strings.ReplaceAll(html.EscapeString(err.Error()), "--", "- -")+" --></body></html>"))
}
