// Package pressroom holds the domain types shared by every part of pressroom:
// the error type, reseller accounts and the store interface. It imports no
// net/http and names no vendor.
package pressroom

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. Each API maps them to its own status codes in one table.
const (
	ECONFLICT     = "conflict"     // the object exists already or its state forbids the action
	EINTERNAL     = "internal"     // a bug or an outage: details are logged, never sent
	EINVALID      = "invalid"      // the input is semantically wrong (see Fields)
	EMALFORMED    = "malformed"    // the input could not be parsed at all
	ENOTFOUND     = "not_found"    // no such object, or it belongs to someone else
	EUNAUTHORIZED = "unauthorized" // missing or wrong credentials
	EFORBIDDEN    = "forbidden"    // the caller may not do this (for example a free edition)
	ETOOLARGE     = "too_large"    // the input exceeds a size limit
	ERATELIMITED  = "rate_limited" // too many requests
	EUNAVAILABLE  = "unavailable"  // shutting down or not ready
)

// Error is pressroom's one error type. Message is safe to show to the caller.
type Error struct {
	Code    string
	Message string
	// Fields lists every problem with the input at once, each naming its place.
	Fields []FieldError
}

// FieldError is one problem with one part of the input. Pointer is a JSON
// Pointer (RFC 6901) into the request body, such as /products/0/options/3/value.
type FieldError struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
	Code    string `json:"code,omitempty"`
}

// PointerToken is a name as one step of a JSON Pointer (RFC 6901): "~"
// and "/" escaped, so that a custom field named "a/b" is "/custom_fields/a~1b".
func PointerToken(name string) string {
	return pointerEscaper.Replace(name)
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("pressroom error: code=%s message=%s", e.Code, e.Message)
	}
	return fmt.Sprintf("pressroom error: code=%s message=%s fields=%v", e.Code, e.Message, e.Fields)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error listing each field problem.
func Invalid(message string, fields ...FieldError) *Error {
	return &Error{Code: EINVALID, Message: message, Fields: fields}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not *Error
// and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of err; other errors get a generic one.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the field problems of err, if any.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
