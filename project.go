package pressroom

import (
	"time"
	"unicode/utf8"
)

// Project groups a reseller's orders under a name (Probo's projects).
type Project struct {
	ID         int64
	ResellerID int64
	Name       string
	Number     string
	Note       string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Validate checks the fields a caller sets.
func (p *Project) Validate() error {
	var fields []FieldError
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 50 {
		fields = append(fields, FieldError{Pointer: "/name", Code: "invalid_name", Detail: "name is required, at most 50 characters"})
	}
	if utf8.RuneCountInString(p.Number) > 50 {
		fields = append(fields, FieldError{Pointer: "/number", Code: "too_long", Detail: "number is at most 50 characters"})
	}
	if utf8.RuneCountInString(p.Note) > 1000 {
		fields = append(fields, FieldError{Pointer: "/note", Code: "too_long", Detail: "note is at most 1000 characters"})
	}
	if len(fields) > 0 {
		return Invalid("The project is not valid.", fields...)
	}
	return nil
}
