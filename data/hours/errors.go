package hours

import (
	"errors"
	"fmt"
)

// Sentinel errors, wrapped by *ParseError; test with errors.Is.
var (
	// ErrSyntax reports malformed opening hours.
	ErrSyntax = errors.New("hours: syntax error")
	// ErrUnsupported reports valid opening_hours syntax this package does
	// not evaluate (sunrise/sunset, open-ended ranges, …).
	ErrUnsupported = errors.New("hours: unsupported feature")
	// ErrSchoolHolidays reports the SH selector: school holidays depend on
	// the académie zone, which a station's locale does not carry.
	ErrSchoolHolidays = errors.New("hours: school holidays (SH) are not supported")
)

// ParseError describes where and why an opening-hours string failed to
// parse. Pos is a byte offset into Input.
type ParseError struct {
	Pos   int
	Msg   string
	Input string
	err   error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("hours: %s at byte %d of %q", e.Msg, e.Pos, e.Input)
}

// Unwrap returns the sentinel the error belongs to.
func (e *ParseError) Unwrap() error { return e.err }

func syntaxErr(input string, pos int, format string, args ...any) *ParseError {
	return &ParseError{Pos: pos, Msg: fmt.Sprintf(format, args...), Input: input, err: ErrSyntax}
}
