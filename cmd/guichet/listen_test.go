package main

import (
	"context"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestListenKeepAlive checks the accepted side of a connection: no TCP
// keep-alive when the timeouts bound the connection, Go's default when a
// timeout is disabled.
func TestListenKeepAlive(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  HTTPConfig
		want bool
	}{
		{"defaults", DefaultHTTPConfig(), false},
		{"no read timeout", HTTPConfig{WriteTimeout: time.Minute}, true},
		{"no write timeout", HTTPConfig{ReadTimeout: time.Minute}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := listen(context.Background(), "127.0.0.1:0", tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			client, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			conn, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			raw, err := conn.(*net.TCPConn).SyscallConn()
			if err != nil {
				t.Fatal(err)
			}
			var on int
			var optErr error
			if err := raw.Control(func(fd uintptr) {
				on, optErr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
			}); err != nil {
				t.Fatal(err)
			}
			if optErr != nil {
				t.Fatal(optErr)
			}
			if got := on != 0; got != tc.want {
				t.Errorf("SO_KEEPALIVE = %v, want %v", got, tc.want)
			}
		})
	}
}
