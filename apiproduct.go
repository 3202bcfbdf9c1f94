package pressroom

import (
	"encoding/json"
	"regexp"
	"time"
)

// APIProduct is a complete configuration a reseller saved under its own
// customer_code, to price and order by that code with a different amount
// or size.
type APIProduct struct {
	ID           int64
	ResellerID   int64
	CustomerCode string
	ProductCode  string
	// Options is the JSON array of the chosen options, [{"code","value"}],
	// in tree order.
	Options   json.RawMessage
	CreatedAt time.Time
	UpdatedAt time.Time
}

var customerCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// CustomerCodeProblem says what is wrong with an API product's customer
// code, if anything.
func CustomerCodeProblem(code string) (FieldError, bool) {
	switch {
	case code == "":
		return FieldError{Pointer: "/customer_code", Detail: "customer_code is required", Code: "required"}, true
	case !customerCodePattern.MatchString(code):
		return FieldError{Pointer: "/customer_code", Detail: "customer_code is 1 to 100 letters, digits, '_', '.' or '-', starting with a letter or digit", Code: "invalid_customer_code"}, true
	}
	return FieldError{}, false
}

// Validate checks the fields a caller sets.
func (p *APIProduct) Validate() error {
	var fields []FieldError
	if f, bad := CustomerCodeProblem(p.CustomerCode); bad {
		fields = append(fields, f)
	}
	if p.ProductCode == "" {
		fields = append(fields, FieldError{Pointer: "/code", Detail: "code is required: the product the configuration is of", Code: "unknown_product"})
	}
	if len(fields) > 0 {
		return Invalid("The API product is not valid.", fields...)
	}
	return nil
}
