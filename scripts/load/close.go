package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// closeClient sends every request on a TCP connection of its own, as
// Tile38's HTTP clients do: dial, write the request with Connection:
// close, read the answer until the server closes, close. It does without
// net/http's Transport, whose per-connection read and write goroutines,
// request and header maps cost the client more CPU per request than the
// servers measured here spend answering; the client and the server share
// the machine's CPUs, so a heavy client caps the rate it reports.
type closeClient struct {
	dialer net.Dialer
	addr   netip.AddrPort // resolved once: the lookup is no part of a request
	prefix string         // scheme and host of every URL, cut off to get the request target
	head   string         // the request's header lines after the request line
	// slots holds one read buffer per connection allowed at once: taking
	// one bounds the open connections to -c, as MaxConnsPerHost does for
	// the open loop over net/http, and reuses its memory.
	slots chan []byte
}

const requestTimeout = 10 * time.Second

// newCloseClient prepares requests for the URLs of target, a template
// whose scheme and host do not vary: http only, the server's address
// looked up once.
func newCloseClient(target string, conns int, gz bool) (*closeClient, error) {
	u, err := url.Parse(strings.NewReplacer("{lat}", "0", "{lon}", "0").Replace(target))
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("-close sends plain http://host/... requests, not %q", target)
	}
	addr, err := resolve(u)
	if err != nil {
		return nil, err
	}
	head := "Host: " + u.Host + "\r\nUser-Agent: Go-http-client/1.1\r\nConnection: close\r\n"
	if gz {
		head += "Accept-Encoding: gzip\r\n"
	}
	c := &closeClient{
		dialer: net.Dialer{Timeout: requestTimeout, KeepAlive: -1},
		addr:   addr,
		prefix: "http://" + u.Host,
		head:   head + "\r\n",
		slots:  make(chan []byte, conns),
	}
	if !strings.HasPrefix(target, c.prefix) {
		return nil, fmt.Errorf("-close: %q does not start with %q", target, c.prefix)
	}
	for range conns {
		c.slots <- make([]byte, 0, 16<<10)
	}
	return c, nil
}

// resolve returns the address of u's host, its port or 80.
func resolve(u *url.URL) (netip.AddrPort, error) {
	port := uint16(80)
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("port %q: %v", p, err)
		}
		port = uint16(n)
	}
	ip, err := netip.ParseAddr(u.Hostname())
	if err != nil {
		ips, lerr := net.DefaultResolver.LookupNetIP(context.Background(), "ip", u.Hostname())
		if lerr != nil {
			return netip.AddrPort{}, lerr
		}
		ip = ips[0]
	}
	return netip.AddrPortFrom(ip.Unmap(), port), nil
}

// get sends one request for u, which starts with the template's scheme and
// host, and reports why it failed (dial, write or read error, status other
// than 200, incomplete body), or "" on success, after reading the answer
// to its end.
func (c *closeClient) get(u string) string {
	buf := <-c.slots
	buf, err := c.exchange(buf[:0], u)
	c.slots <- buf
	if err != nil {
		return err.Error() + " " + u
	}
	return ""
}

// exchange does one request on a new connection, reading the answer into
// buf, which it returns (grown if need be) with the error.
func (c *closeClient) exchange(buf []byte, u string) ([]byte, error) {
	path := u[len(c.prefix):]
	buf = append(buf, "GET "...)
	if !strings.HasPrefix(path, "/") {
		buf = append(buf, '/')
	}
	buf = append(buf, path...)
	buf = append(buf, " HTTP/1.1\r\n"...)
	buf = append(buf, c.head...)

	conn, err := c.dialer.DialTCP(context.Background(), "tcp", netip.AddrPort{}, c.addr)
	if err != nil {
		return buf, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(requestTimeout))
	if _, err := conn.Write(buf); err != nil {
		return buf, err
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := conn.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, checkResponse(buf)
}

// checkResponse reports whether resp, a whole HTTP/1.x response read until
// the server closed the connection, has status 200 and a complete body:
// as long as its Content-Length, or chunks up to the last one and the
// trailer, or anything when neither frames it. Header lines may end in a
// bare LF, chunk lines may not, as RFC 9112 and net/http have it.
func checkResponse(resp []byte) error {
	line, rest, ok := cutLine(resp)
	if !ok {
		return errors.New("incomplete status line")
	}
	proto, status, _ := bytes.Cut(line, []byte(" "))
	code, _, _ := bytes.Cut(bytes.TrimLeft(status, " "), []byte(" "))
	major, minor, ok := http.ParseHTTPVersion(string(proto))
	if !ok || len(code) != 3 {
		return fmt.Errorf("malformed status line %q", line)
	}
	// Before HTTP/1.1 there was no Transfer-Encoding: net/http ignores it.
	http11 := major > 1 || major == 1 && minor >= 1
	if string(code) != "200" {
		return fmt.Errorf("status %s", status)
	}
	length, chunked := int64(-1), false
	for {
		line, rest, ok = cutLine(rest)
		if !ok {
			return errors.New("incomplete header")
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return fmt.Errorf("malformed header line %q", line)
		}
		value = bytes.Trim(value, " \t")
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.ParseUint(string(value), 10, 63)
			if err != nil || length >= 0 && int64(n) != length {
				return fmt.Errorf("bad Content-Length %q", value)
			}
			length = int64(n)
		case http11 && bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if chunked || !bytes.EqualFold(value, []byte("chunked")) {
				return fmt.Errorf("unsupported Transfer-Encoding %q", value)
			}
			chunked = true
		}
	}
	switch {
	case chunked:
		return checkChunks(rest)
	case length >= 0 && int64(len(rest)) != length:
		return fmt.Errorf("body of %d bytes, Content-Length %d", len(rest), length)
	}
	return nil
}

// checkChunks reports whether body is a complete chunked body with
// nothing after it.
func checkChunks(body []byte) error {
	for {
		i := bytes.IndexByte(body, '\n')
		if i < 0 {
			return errors.New("incomplete chunk size line")
		}
		if bytes.IndexByte(body[:i+1], '\r') != i-1 {
			return errors.New("chunk size line not ended by CRLF")
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(body[:i], " \t\r"), []byte(";"))
		n, err := strconv.ParseUint(string(size), 16, 64)
		if err != nil || len(size) > 16 {
			return fmt.Errorf("bad chunk size %q", size)
		}
		body = body[i+1:]
		if n == 0 {
			break
		}
		if uint64(len(body)) < n+2 {
			return errors.New("incomplete chunk")
		}
		if string(body[n:n+2]) != "\r\n" {
			return errors.New("chunk not ended by CRLF")
		}
		body = body[n+2:]
	}
	// The trailer: header lines up to an empty one, which an answer
	// without trailer fields must end with CRLF (net/http refuses "0\r\n\n").
	if len(body) < 2 {
		return errors.New("incomplete trailer")
	}
	for {
		line, rest, ok := cutLine(body)
		if !ok {
			return errors.New("incomplete trailer")
		}
		body = rest
		if len(line) == 0 {
			break
		}
		if bytes.IndexByte(line, ':') < 0 {
			return fmt.Errorf("malformed trailer line %q", line)
		}
	}
	if len(body) > 0 {
		return fmt.Errorf("%d bytes after the last chunk", len(body))
	}
	return nil
}

// cutLine returns b's first line without its LF or CRLF, and the rest.
func cutLine(b []byte) (line, rest []byte, ok bool) {
	line, rest, ok = bytes.Cut(b, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r")), rest, ok
}
