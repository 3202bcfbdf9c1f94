package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pressroom/pressroom"
)

// params reads a list's query parameters and gathers every problem, so
// that one 400 names them all rather than one per try.
type params struct {
	q      url.Values
	fields []pressroom.FieldError
	msgs   []string
}

func paramsOf(r *http.Request) *params { return &params{q: r.URL.Query()} }

func (p *params) get(name string) string { return p.q.Get(name) }

// bad records a problem with the parameter name; msg is the sentence
// the answer gives when it is the only one.
func (p *params) bad(name, code, detail, msg string) {
	p.fields = append(p.fields, pressroom.FieldError{Pointer: "?" + name, Code: code, Detail: detail})
	p.msgs = append(p.msgs, msg)
}

// add records problems found elsewhere (the core's), whose Detail says
// what the parameter must be; each is its own sentence when it is the only one.
func (p *params) add(fs ...pressroom.FieldError) {
	for _, f := range fs {
		p.fields = append(p.fields, f)
		p.msgs = append(p.msgs, fmt.Sprintf("%s must be %s.", strings.TrimPrefix(f.Pointer, "?"), f.Detail))
	}
}

// take records the problem of a parameter read elsewhere (an error with
// its field, such as languageParam's).
func (p *params) take(err error) {
	for _, f := range pressroom.ErrorFields(err) {
		p.fields = append(p.fields, f)
		p.msgs = append(p.msgs, pressroom.ErrorMessage(err))
	}
}

// int reads a whole number from 1 to max, def when absent or bad.
func (p *params) int(name string, def, max int) int {
	v := p.q.Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		p.bad(name, "invalid_number", fmt.Sprintf("a whole number from 1 to %d", max),
			fmt.Sprintf("%s must be a whole number from 1 to %d, not %q.", name, max, v))
		return def
	}
	return n
}

// page reads ?page (from 1) and ?per_page (1 to 100, default 20).
func (p *params) page() pager {
	return pager{page: p.int("page", 1, 1_000_000), perPage: p.int("per_page", 20, 100)}
}

// pager is a list's page.
type pager struct{ page, perPage int }

func (g pager) offset() int { return (g.page - 1) * g.perPage }

// meta describes the page of a list of total.
func (g pager) meta(total int) pageMeta {
	return pageMeta{Page: g.page, Pages: (total + g.perPage - 1) / g.perPage, Items: total, PerPage: g.perPage}
}

// id reads a positive id, 0 when absent or bad.
func (p *params) id(name, what string) int64 {
	v := p.q.Get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		p.bad(name, "invalid_id", "a "+what, fmt.Sprintf("%s is a %s, not %q.", name, what, v))
		return 0
	}
	return n
}

// err is nil, or EMALFORMED naming every problem.
// oneOf reads parameter name: one of values, or none (""); another is
// a problem ("status is requested, approved or rejected.").
func (p *params) oneOf(name string, values ...string) string {
	v := p.get(name)
	if v != "" && !slices.Contains(values, v) {
		list := strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
		p.bad(name, "invalid_"+name, list, name+" is "+list+".")
	}
	return v
}

func (p *params) err() error {
	switch len(p.fields) {
	case 0:
		return nil
	case 1:
		return &pressroom.Error{Code: pressroom.EMALFORMED, Message: p.msgs[0], Fields: p.fields}
	}
	return &pressroom.Error{Code: pressroom.EMALFORMED, Message: fmt.Sprintf("%d query parameters are not valid.", len(p.fields)), Fields: p.fields}
}
