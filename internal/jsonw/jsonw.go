// Package jsonw writes JSON by appending to a byte slice, byte for byte as
// encoding/json writes the same values, for the few hot answers and rows
// where encoding/json's reflection cost more than building them.
package jsonw

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// String quotes s as encoding/json does: control characters, quotes
// and backslashes escaped, <, > and & too when esc, invalid UTF-8 as
// U+FFFD, and U+2028/U+2029 escaped.
func String(b []byte, s string, esc bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!esc || (c != '<' && c != '>' && c != '&')) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Slice writes s with f writing each element; nil is null.
func Slice[T any](b []byte, s []T, esc bool, f func(*T, []byte, bool) []byte) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = f(&s[i], b, esc)
	}
	return append(b, ']')
}

// Strings writes a list of strings; nil is null.
func Strings(b []byte, s []string, esc bool) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = String(b, v, esc)
	}
	return append(b, ']')
}

// StringPtr writes *s, or null.
func StringPtr(b []byte, s *string, esc bool) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return String(b, *s, esc)
}

// BoolPtr writes *v, or null.
func BoolPtr(b []byte, v *bool) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendBool(b, *v)
}

// IntPtr writes *v, or null.
func IntPtr(b []byte, v *int) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(*v), 10)
}

// Number writes a number as encoding/json does: an empty one is 0.
// The writers' numbers come from decimals, so they are valid JSON
// numbers; a number of unknown origin goes through ValidNumber first.
func Number(b []byte, n json.Number) []byte {
	if n == "" {
		return append(b, '0')
	}
	return append(b, n...)
}

// Raw writes a raw JSON value as encoding/json does (compacted, HTML
// escaped when asked); a plain number or null, what ids usually are, is
// copied as it is.
func Raw(b []byte, raw json.RawMessage, esc bool) []byte {
	if raw == nil {
		return append(b, "null"...)
	}
	if string(raw) == "null" || ValidNumber(string(raw)) {
		return append(b, raw...)
	}
	return Encoded(b, raw, esc)
}

// Encoded is the slow path: encoding/json itself. A value it cannot
// encode (no answer of ours holds one) is written as null.
func Encoded(b []byte, v any, esc bool) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(esc)
	if err := enc.Encode(v); err != nil {
		return append(b, "null"...)
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// ValidNumber reports whether s is a JSON number (encoding/json's rule).
func ValidNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
		if s == "" {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = s[1:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[2:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	return s == ""
}
