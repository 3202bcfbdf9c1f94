// Package delivery plans when an order ships and arrives: business days
// and public holidays per country, production times, cut-off times, the
// transit days of shipping methods, and their prices by country and weight.
package delivery

import (
	"sync"
	"time"
)

// Date is a calendar day, without time or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the day of t in its own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads 2006-01-02.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, err
	}
	return DateOf(t), nil
}

// Time is midnight of the day in UTC.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays moves by whole days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// Weekday is the day of the week.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

func (d Date) String() string { return d.Time().Format(time.DateOnly) }

// holiday is a public holiday: a fixed date, or a day relative to Easter Sunday.
type holiday struct {
	month  time.Month
	day    int
	easter int  // offset from Easter Sunday when fixed is false
	fixed  bool // month and day are set
	// years, when set, limits a holiday to years where years(y) is true.
	years func(int) bool
}

func fixed(m time.Month, d int) holiday { return holiday{month: m, day: d, fixed: true} }
func easter(offset int) holiday         { return holiday{easter: offset} }

// National public holidays on which carriers and the company do not work.
// Regional holidays are left out.
var holidays = map[string][]holiday{
	"NL": {fixed(1, 1), easter(1), fixed(4, 27), easter(39), easter(50), fixed(12, 25), fixed(12, 26),
		// Liberation Day is a national day off every fifth year.
		{month: 5, day: 5, fixed: true, years: func(y int) bool { return y%5 == 0 }}},
	"BE": {fixed(1, 1), easter(1), fixed(5, 1), easter(39), easter(50), fixed(7, 21), fixed(8, 15), fixed(11, 1), fixed(11, 11), fixed(12, 25)},
	"DE": {fixed(1, 1), easter(-2), easter(1), fixed(5, 1), easter(39), easter(50), fixed(10, 3), fixed(12, 25), fixed(12, 26)},
	"FR": {fixed(1, 1), easter(1), fixed(5, 1), fixed(5, 8), easter(39), easter(50), fixed(7, 14), fixed(8, 15), fixed(11, 1), fixed(11, 11), fixed(12, 25)},
	"IT": {fixed(1, 1), fixed(1, 6), easter(1), fixed(4, 25), fixed(5, 1), fixed(6, 2), fixed(8, 15), fixed(11, 1), fixed(12, 8), fixed(12, 25), fixed(12, 26)},
	"ES": {fixed(1, 1), fixed(1, 6), easter(-2), fixed(5, 1), fixed(8, 15), fixed(10, 12), fixed(11, 1), fixed(12, 6), fixed(12, 8), fixed(12, 25)},
	"AT": {fixed(1, 1), fixed(1, 6), easter(1), fixed(5, 1), easter(39), easter(50), easter(60), fixed(8, 15), fixed(10, 26), fixed(11, 1), fixed(12, 8), fixed(12, 25), fixed(12, 26)},
	"LU": {fixed(1, 1), easter(1), fixed(5, 1), fixed(5, 9), easter(39), easter(50), fixed(6, 23), fixed(8, 15), fixed(11, 1), fixed(12, 25), fixed(12, 26)},
}

// EasterSunday computes Western Easter (the anonymous Gregorian algorithm).
func EasterSunday(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{year, time.Month(month), day}
}

// King's Day moves to the 26th when the 27th is a Sunday.
func adjust(country string, h holiday, d Date) Date {
	if country == "NL" && h.fixed && h.month == 4 && h.day == 27 && d.Weekday() == time.Sunday {
		return d.AddDays(-1)
	}
	return d
}

type yearKey struct {
	country string
	year    int
}

var (
	yearMu    sync.RWMutex
	yearCache = map[yearKey]map[Date]bool{}
)

// Holidays returns the public holidays of a country in a year.
func Holidays(country string, year int) map[Date]bool {
	k := yearKey{country, year}
	yearMu.RLock()
	v, ok := yearCache[k]
	yearMu.RUnlock()
	if ok {
		return v
	}
	out := map[Date]bool{}
	e := EasterSunday(year)
	for _, h := range holidays[country] {
		if h.years != nil && !h.years(year) {
			continue
		}
		d := e.AddDays(h.easter)
		if h.fixed {
			d = Date{year, h.month, h.day}
		}
		out[adjust(country, h, d)] = true
	}
	yearMu.Lock()
	yearCache[k] = out
	yearMu.Unlock()
	return out
}

// IsBusinessDay reports whether d is a weekday and no public holiday in the country.
func IsBusinessDay(country string, d Date) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !Holidays(country, d.Year)[d]
}

// AddBusinessDays moves n business days forward (n > 0) or back (n < 0);
// n = 0 moves to the nearest business day forward.
func AddBusinessDays(country string, d Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for !IsBusinessDay(country, d) && step > 0 && n == 0 {
		d = d.AddDays(1)
	}
	for n > 0 {
		d = d.AddDays(step)
		if IsBusinessDay(country, d) {
			n--
		}
	}
	return d
}
