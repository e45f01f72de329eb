package fetch

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultIsValid(t *testing.T) {
	if err := validateList(Default); err != nil {
		t.Fatalf("validateList(Default) = %v", err)
	}
	formats := map[string]bool{
		FormatGendarmerieCSV: true, FormatPoliceCSV: true, FormatCompetenceCSV: true,
		FormatContoursGeoJSONGz: true, FormatCOGJSON: true, FormatCommuneCentres: true, FormatServicePublicJSON: true,
	}
	feeds := map[string]bool{FeedsStations: true, FeedsJurisdiction: true, FeedsCommunes: true}
	for _, s := range Default {
		if !strings.HasPrefix(s.URL, "https://") {
			t.Errorf("%s: URL %q is not https", s.Name, s.URL)
		}
		if !formats[s.Format] || !feeds[s.Feeds] || s.Licence == "" {
			t.Errorf("%s: format %q, feeds %q, licence %q", s.Name, s.Format, s.Feeds, s.Licence)
		}
	}
}

func TestBAN(t *testing.T) {
	tests := []struct {
		dep  string
		want string // file name, "" for an invalid code
	}{
		{"01", "adresses-01.csv.gz"},
		{"38", "adresses-38.csv.gz"},
		{"95", "adresses-95.csv.gz"},
		{"2A", "adresses-2A.csv.gz"},
		{" 2b", "adresses-2B.csv.gz"},
		{"971", "adresses-971.csv.gz"},
		{"976", "adresses-976.csv.gz"},
		{"", ""},
		{"1", ""},
		{"00", ""},
		{"20", ""},
		{"96", ""},
		{"2C", ""},
		{"970", ""},
		{"977", ""},
		{"038", ""},
		{"+1", ""},
		{"38/../x", ""},
	}
	for _, tt := range tests {
		s, err := BAN(tt.dep)
		if tt.want == "" {
			if !errors.Is(err, ErrDepartement) {
				t.Errorf("BAN(%q) error = %v, want %v", tt.dep, err, ErrDepartement)
			}
			continue
		}
		if err != nil {
			t.Errorf("BAN(%q) error = %v", tt.dep, err)
			continue
		}
		if s.File != tt.want || !strings.HasSuffix(s.URL, "/"+tt.want) || !s.Optional || s.Format != FormatBANCSVGz {
			t.Errorf("BAN(%q) = %+v, want file %s", tt.dep, s, tt.want)
		}
		if err := validateList([]Source{s}); err != nil {
			t.Errorf("BAN(%q) is not a valid source: %v", tt.dep, err)
		}
	}
}

func TestLoadListFile(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "mirror.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	list, err := LoadList(f)
	if err != nil {
		t.Fatalf("LoadList: %v", err)
	}
	want := []Source{
		{
			Name: "gendarmerie-units", URL: "https://mirror.example.org/gendarmerie.csv",
			Format: FormatGendarmerieCSV, Licence: LicenceOuverte, Feeds: FeedsStations,
			File: "gendarmerie-units.csv",
		},
		{
			Name: "ban-38", URL: "https://mirror.example.org/adresses-38.csv.gz",
			Format: FormatBANCSVGz, Feeds: FeedsGeocoder, File: "adresses-38.csv.gz", Optional: true,
		},
	}
	if !reflect.DeepEqual(list, want) {
		t.Errorf("LoadList = %+v, want %+v", list, want)
	}
}

func TestLoadList(t *testing.T) {
	const ok = `{"name":"a","url":"https://h/a","file":"a.csv"}`
	tests := []struct {
		name  string
		in    string
		valid bool
		msg   string // part of the error message
	}{
		{"one source", `[` + ok + `]`, true, ""},
		{"default round trip", mustJSON(t, Default), true, ""},
		{"empty", ``, false, "EOF"},
		{"empty array", `[]`, false, "no sources"},
		{"object not array", ok, false, "cannot unmarshal"},
		{"unknown field", `[{"name":"a","url":"https://h/a","file":"a","mirror":"x"}]`, false, `unknown field "mirror"`},
		{"missing name", `[{"url":"https://h/a","file":"a"}]`, false, "missing name"},
		{"missing url", `[{"name":"a","file":"a"}]`, false, "missing url"},
		{"missing file", `[{"name":"a","url":"https://h/a"}]`, false, "missing file"},
		{"relative url", `[{"name":"a","url":"/a","file":"a"}]`, false, "not an absolute"},
		{"ftp url", `[{"name":"a","url":"ftp://h/a","file":"a"}]`, false, "not an absolute"},
		{"file with directory", `[{"name":"a","url":"https://h/a","file":"sub/a"}]`, false, "plain file name"},
		{"file escaping", `[{"name":"a","url":"https://h/a","file":".."}]`, false, "plain file name"},
		{"hidden file", `[{"name":"a","url":"https://h/a","file":".a"}]`, false, "plain file name"},
		{"manifest name", `[{"name":"a","url":"https://h/a","file":"sources.json"}]`, false, "plain file name"},
		{"duplicate name", `[` + ok + `,{"name":"a","url":"https://h/b","file":"b"}]`, false, "duplicate name"},
		{"duplicate file", `[` + ok + `,{"name":"b","url":"https://h/b","file":"a.csv"}]`, false, "duplicate file"},
		{"wrong type", `[{"name":"a","url":"https://h/a","file":"a","optional":"yes"}]`, false, "cannot unmarshal"},
		{"trailing data", `[` + ok + `] []`, false, "after the JSON array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := LoadList(strings.NewReader(tt.in))
			if tt.valid {
				if err != nil || len(list) == 0 {
					t.Errorf("LoadList = %v, %v; want a list", list, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidList) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("LoadList error = %v, want %v mentioning %q", err, ErrInvalidList, tt.msg)
			}
		})
	}
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func FuzzLoadList(f *testing.F) {
	f.Add(mustRead(f, "mirror.json"))
	f.Add([]byte(mustJSON(f, Default)))
	f.Add([]byte(`[{"name":"a","url":"https://h/a","file":"a"}]`))
	f.Add([]byte(`[{"name":"a","url":"https://h/a","file":"../a"}]`))
	f.Add([]byte(`[{"name":"","url":"","file":""}] {}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		list, err := LoadList(bytes.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrInvalidList) {
				t.Fatalf("LoadList error %v does not wrap %v", err, ErrInvalidList)
			}
			return
		}
		for _, s := range list {
			if s.Name == "" || s.URL == "" || s.File == "" || strings.ContainsAny(s.File, `/\`) {
				t.Fatalf("LoadList accepted %+v", s)
			}
		}
		// An accepted list survives a round trip unchanged.
		again, err := LoadList(strings.NewReader(mustJSON(t, list)))
		if err != nil || !reflect.DeepEqual(again, list) {
			t.Fatalf("round trip = %+v, %v; want %+v", again, err, list)
		}
	})
}
