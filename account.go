package pressroom

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"
)

func isCountryCode(s string) bool {
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return false
	}
	r, err := language.ParseRegion(s)
	return err == nil && r.IsCountry() && r.String() == s // not XX, EU or ZZ
}

// normalVATID writes a VAT number as registers do: capitals, without the
// spaces, dots and hyphens people type ("be 0123.456.789": BE0123456789).
func normalVATID(v string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '-' {
			return -1
		}
		return r
	}, v))
}

var vatIDPattern = regexp.MustCompile(`^[A-Z]{2}[A-Z0-9]{2,14}$`)

// vatIDProblem says what is wrong with a (normalised) VAT number, if
// anything: it is the country's prefix (Greece's is EL, Northern
// Ireland's XI) and 2 to 14 letters and digits. A VAT number makes an EU
// reseller's purchases reverse-charged, so one that cannot be the
// reseller's is refused rather than stored. (Whether it is registered is
// for VIES, which staff consult.)
func vatIDProblem(v, country string) (FieldError, bool) {
	bad := func(detail string) (FieldError, bool) {
		return FieldError{Pointer: "/vat_id", Code: "invalid_vat_id", Detail: detail}, true
	}
	switch {
	case v == "":
		return FieldError{}, false
	case !vatIDPattern.MatchString(v):
		return bad("vat_id is a VAT number: the country's two-letter prefix and 2 to 14 letters and digits, such as BE0123456789")
	case country == "":
		return bad("a reseller with a vat_id needs its country (the VAT number's prefix)")
	}
	prefix := v[:2]
	if prefix == country || (prefix == "EL" && country == "GR") || (prefix == "XI" && country == "GB") {
		return FieldError{}, false
	}
	return bad(fmt.Sprintf("vat_id %s is not a VAT number of country %s (its prefix would be %s)", v, country, country))
}

// IsHTTPURL reports whether s is an absolute http(s) URL: where a callback
// goes, a file is fetched from, a shop is.
func IsHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// CallbackURLProblem says what is wrong with a reseller's callback URL, if
// anything ("" is none: callbacks go only to the URLs orders give).
func CallbackURLProblem(u string) (FieldError, bool) {
	if u == "" || (IsHTTPURL(u) && len(u) <= 2000) {
		return FieldError{}, false
	}
	return FieldError{Pointer: "/callback_url", Code: "invalid_url", Detail: "callback_url is where status callbacks go: an http(s) URL of at most 2000 characters"}, true
}

// Edition decides what a reseller may do.
type Edition string

const (
	// EditionFree may read the catalog, configure and price, but change nothing.
	EditionFree Edition = "free"
	// EditionStandard may do everything a reseller can.
	EditionStandard Edition = "standard"
)

// Valid reports whether e is a known edition.
func (e Edition) Valid() bool { return e == EditionFree || e == EditionStandard }

// Reseller is a tenant: everything it creates is visible to it alone.
type Reseller struct {
	ID          int64
	Name        string
	Edition     Edition
	CallbackURL string
	// Markup turns purchase prices into suggested sales prices (2.5: sales
	// is 2.5 times purchase).
	Markup decimal.Decimal
	// Country and VATID are the reseller's VAT profile: a business with a VAT
	// id in another EU country than the company's pays no VAT (reverse charge).
	// An empty Country is the company's own.
	Country string
	VATID   string
	// ShopName and ShopURL are the shop the reseller's customers know: the
	// tracking pages name it and link to it (empty: they name no one).
	ShopName string
	ShopURL  string
	// WebhookSecret signs callbacks (Standard Webhooks, "whsec_..."); during
	// a rotation PreviousSecret signs too, until PreviousUntil.
	WebhookSecret  string
	PreviousSecret string
	PreviousUntil  *time.Time
	CreatedAt      time.Time
}

// NewWebhookSecret returns a fresh signing secret: "whsec_" and 32 random
// bytes in base64, as Standard Webhooks libraries expect.
func NewWebhookSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b[:])
}

// ValidWebhookSecret reports whether s is "whsec_" and base64 of 24 to 64 bytes.
func ValidWebhookSecret(s string) bool {
	raw, ok := strings.CutPrefix(s, "whsec_")
	if !ok {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	return err == nil && len(b) >= 24 && len(b) <= 64
}

// RotateSecret gives the reseller a new signing secret; the one it had
// signs too for overlap, so that receivers can switch without losing a
// callback. While an earlier rotation's overlap runs, a second one with an
// overlap is refused: it would stop the secret that still signs at once,
// and receivers not yet switched would lose every callback. With no
// overlap (a secret that leaked) only the new one signs, at once.
func (r *Reseller) RotateSecret(now time.Time, overlap time.Duration) error {
	if overlap > 0 && len(r.SigningSecrets(now)) > 1 {
		return Errorf(ECONFLICT, "The secret was rotated already, and the one before it signs too until %s: a rotation now would stop that one at once. Rotate again after that, or with \"overlap\": \"0s\" to have only a new secret sign from now on.",
			r.PreviousUntil.UTC().Format(time.RFC3339))
	}
	until := now.Add(overlap)
	r.PreviousSecret, r.PreviousUntil, r.WebhookSecret = r.WebhookSecret, &until, NewWebhookSecret()
	return nil
}

// SigningSecrets are the secrets that sign a callback now: the current one,
// and during a rotation the previous one.
func (r *Reseller) SigningSecrets(now time.Time) []string {
	out := []string{r.WebhookSecret}
	if r.PreviousSecret != "" && r.PreviousUntil != nil && now.Before(*r.PreviousUntil) {
		out = append(out, r.PreviousSecret)
	}
	return out
}

// DefaultMarkup is the markup of a reseller that sets none.
var DefaultMarkup = decimal.RequireFromString("2.5")

// Validate checks the fields a caller sets; a zero Markup becomes DefaultMarkup.
func (r *Reseller) Validate() error {
	var fields []FieldError
	if r.Markup.IsZero() {
		r.Markup = DefaultMarkup
	}
	if r.WebhookSecret == "" {
		r.WebhookSecret = NewWebhookSecret()
	}
	if !ValidWebhookSecret(r.WebhookSecret) || (r.PreviousSecret != "" && !ValidWebhookSecret(r.PreviousSecret)) {
		fields = append(fields, FieldError{Pointer: "/webhook_secret", Detail: `a webhook secret is "whsec_" and the base64 of 24 to 64 random bytes`})
	}
	if r.Markup.LessThan(decimal.NewFromInt(1)) || r.Markup.GreaterThan(decimal.NewFromInt(100)) || r.Markup.Exponent() < -4 {
		fields = append(fields, FieldError{Pointer: "/markup", Detail: "markup is a factor from 1 to 100 with at most 4 decimals (2.5: sales price is 2.5 times purchase)"})
	}
	if r.Country != "" && !isCountryCode(r.Country) {
		fields = append(fields, FieldError{Pointer: "/country", Detail: "country is the ISO 3166 code of a country, two capital letters, such as NL"})
	}
	r.VATID = normalVATID(r.VATID)
	if f, bad := vatIDProblem(r.VATID, r.Country); bad {
		fields = append(fields, f)
	}
	if strings.TrimSpace(r.Name) == "" {
		fields = append(fields, FieldError{Pointer: "/name", Detail: "name is required"})
	} else if len(r.Name) > 200 {
		fields = append(fields, FieldError{Pointer: "/name", Detail: "name is longer than 200 characters"})
	}
	if !r.Edition.Valid() {
		fields = append(fields, FieldError{Pointer: "/edition", Detail: `edition must be "free" or "standard"`})
	}
	if f, bad := CallbackURLProblem(r.CallbackURL); bad {
		fields = append(fields, f)
	}
	r.ShopName, r.ShopURL = strings.TrimSpace(r.ShopName), strings.TrimSpace(r.ShopURL)
	if len(r.ShopName) > 100 || strings.ContainsFunc(r.ShopName, unicode.IsControl) {
		fields = append(fields, FieldError{Pointer: "/shop_name", Detail: "shop_name is the shop's name as its customers know it: at most 100 characters, on one line"})
	}
	if r.ShopURL != "" {
		if !IsHTTPURL(r.ShopURL) || len(r.ShopURL) > 500 {
			fields = append(fields, FieldError{Pointer: "/shop_url", Detail: "shop_url is the shop's address on the web: an http(s) URL of at most 500 characters"})
		}
	}
	if len(fields) > 0 {
		return Invalid("The reseller is not valid.", fields...)
	}
	return nil
}

// Customer is an end-customer account of a reseller; orders may be placed for one.
type Customer struct {
	ID         int64
	ResellerID int64
	Name       string
	Email      string
	// Reference is the reseller's own id for this customer, unique per reseller when set.
	Reference string
	CreatedAt time.Time
}

// Validate checks the fields a caller sets.
func (c *Customer) Validate() error {
	var fields []FieldError
	if strings.TrimSpace(c.Name) == "" {
		fields = append(fields, FieldError{Pointer: "/name", Detail: "name is required"})
	} else if len(c.Name) > 200 {
		fields = append(fields, FieldError{Pointer: "/name", Detail: "name is longer than 200 characters"})
	}
	if c.Email != "" && (!strings.Contains(c.Email, "@") || len(c.Email) > 254) {
		fields = append(fields, FieldError{Pointer: "/email", Detail: "email is not an e-mail address"})
	}
	if len(c.Reference) > 100 {
		fields = append(fields, FieldError{Pointer: "/reference", Detail: "reference is longer than 100 characters"})
	}
	if len(fields) > 0 {
		return Invalid("The customer is not valid.", fields...)
	}
	return nil
}

// KeyRole says what a key opens.
type KeyRole string

const (
	// RoleReseller keys open a reseller's APIs.
	RoleReseller KeyRole = "reseller"
	// RoleOperator keys open the operator API.
	RoleOperator KeyRole = "operator"
)

// APIKey is a credential. Only the SHA-256 hash of the secret is stored: keys
// are long random strings, so a fast hash is as safe as a slow one here and
// keeps authentication cheap.
type APIKey struct {
	ID         int64
	ResellerID int64 // 0 for operator keys
	Role       KeyRole
	Name       string
	Hash       []byte
	// Hint is the last four characters of the key, to tell keys apart in lists.
	Hint      string
	CreatedAt time.Time
	RevokedAt *time.Time
	// ExpiresAt ends an access token (nil: a key, valid until revoked).
	ExpiresAt *time.Time
	// ParentID is the key that issued an access token; the token dies with it.
	ParentID int64
}

// ConsoleSession reports whether the key is a staff member's console
// sign-in (IssueConsoleSession): an operator's token, since operators get
// no OAuth access tokens.
func (k *APIKey) ConsoleSession() bool { return k.Role == RoleOperator && k.ParentID != 0 }

// Validate checks that the key has a hash and a role that fits its owner.
func (k *APIKey) Validate() error {
	switch {
	case len(k.Hash) != 32:
		return Errorf(EINVALID, "An API key hash is 32 bytes.")
	case k.Role == RoleOperator && k.ResellerID != 0:
		return Errorf(EINVALID, "An operator key belongs to no reseller.")
	case k.Role == RoleReseller && k.ResellerID == 0:
		return Errorf(EINVALID, "A reseller key belongs to a reseller.")
	case k.Role != RoleOperator && k.Role != RoleReseller:
		return Errorf(EINVALID, "Unknown key role %q.", k.Role)
	}
	return nil
}

// HashKey returns the stored form of a key.
func HashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// NewKey returns a fresh random key with the given prefix ("pr_" for resellers,
// "pro_" for operators): 160 random bits in base32.
func NewKey(prefix string) string {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// KeyHint returns the part of a key that may be shown in lists.
func KeyHint(key string) string {
	if len(key) <= 4 {
		return ""
	}
	return key[len(key)-4:]
}

// Principal is the authenticated caller of a request.
type Principal struct {
	KeyID int64
	// KeyName is what the key is for: for staff, who they are.
	KeyName  string
	Role     KeyRole
	Reseller *Reseller // nil for operators
	// Session marks a staff member's console sign-in (IssueConsoleSession),
	// which opens the console only, not the operator API.
	Session bool
}

type principalKey struct{}

// NewContextWithPrincipal returns ctx carrying p.
func NewContextWithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the caller set by NewContextWithPrincipal, or nil.
func PrincipalFromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// CreateResellerWithKey creates a reseller and a first API key, which is
// returned once (only its hash is kept).
func CreateResellerWithKey(ctx context.Context, s Store, res *Reseller) (*Reseller, string, error) {
	if err := s.CreateReseller(ctx, res); err != nil {
		return nil, "", err
	}
	_, key, err := IssueKey(ctx, s, res.ID, "first key")
	return res, key, err
}

// IssueKey creates a new key for a reseller; the key is returned once.
func IssueKey(ctx context.Context, s Store, resellerID int64, name string) (*APIKey, string, error) {
	if len(name) > 200 {
		return nil, "", Invalid("The key is not valid.", FieldError{Pointer: "/name", Detail: "name is longer than 200 characters"})
	}
	secret := NewKey("pr_")
	k := &APIKey{ResellerID: resellerID, Role: RoleReseller, Name: name, Hash: HashKey(secret), Hint: KeyHint(secret)}
	if err := s.CreateAPIKey(ctx, k); err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// Missing names what k refers to that is gone, when a store's write of k
// answers ENOTFOUND (a foreign key): its reseller, or the key that issued
// an access token. Other errors are returned as they are.
func (k *APIKey) Missing(err error) error {
	if ErrorCode(err) != ENOTFOUND {
		return err
	}
	if k.ParentID != 0 {
		return Errorf(ENOTFOUND, "The key that issues this token, or its reseller, no longer exists.")
	}
	return Errorf(ENOTFOUND, "Reseller not found.")
}

// IssueOperatorKey issues a staff member's own operator key: the name says
// who they are, and the changes they make carry it in the order's events.
// The key is returned once; only its hash is stored.
func IssueOperatorKey(ctx context.Context, s Store, name string) (*APIKey, string, error) {
	switch {
	case strings.TrimSpace(name) == "":
		return nil, "", Invalid("An operator key needs a name.", FieldError{Pointer: "/name", Code: "required", Detail: "who the key is for: the changes made with it carry the name"})
	case len(name) > 200:
		return nil, "", Invalid("The key is not valid.", FieldError{Pointer: "/name", Detail: "name is longer than 200 characters"})
	}
	secret := NewKey("pro_")
	k := &APIKey{Role: RoleOperator, Name: strings.TrimSpace(name), Hash: HashKey(secret), Hint: KeyHint(secret)}
	if err := s.CreateAPIKey(ctx, k); err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// AccessTokenTTL is how long an OAuth access token is valid.
const AccessTokenTTL = time.Hour

// IssueAccessToken issues an OAuth access token for a reseller key: a
// short-lived key that authenticates as the key that issued it, expires
// after ttl, and stops working when that key is revoked. The token itself
// is returned once; only its hash is stored.
func IssueAccessToken(ctx context.Context, s Store, p *Principal, ttl time.Duration, now time.Time) (string, time.Time, error) {
	if p.Role != RoleReseller || p.Reseller == nil {
		return "", time.Time{}, Errorf(EFORBIDDEN, "Only reseller keys get access tokens.")
	}
	token := NewKey("pat_")
	exp := now.Add(ttl).UTC()
	k := &APIKey{ResellerID: p.Reseller.ID, Role: RoleReseller, Name: "access token", Hash: HashKey(token), Hint: KeyHint(token),
		ExpiresAt: &exp, ParentID: p.KeyID}
	if err := s.CreateAPIKey(ctx, k); err != nil {
		return "", time.Time{}, err
	}
	return token, exp, nil
}

// ConsoleSessionTTL is how long a console sign-in lasts: a working day.
const ConsoleSessionTTL = 12 * time.Hour

// IssueConsoleSession signs a staff member in to the console: a token that
// acts as their operator key, with its name, on the console only. It
// expires after ttl, ends at sign-out (Authenticator.EndSession) and when
// the key is revoked. So the browser never holds the operator key itself.
// The token is returned once; only its hash is stored.
func IssueConsoleSession(ctx context.Context, s Store, p *Principal, ttl time.Duration, now time.Time) (string, time.Time, error) {
	if p.Role != RoleOperator || p.Session {
		return "", time.Time{}, Errorf(EFORBIDDEN, "Only an operator key signs in to the console.")
	}
	token := NewKey("pcs_")
	exp := now.Add(ttl).UTC()
	k := &APIKey{Role: RoleOperator, Name: p.KeyName, Hash: HashKey(token), Hint: KeyHint(token), ExpiresAt: &exp, ParentID: p.KeyID}
	if err := s.CreateAPIKey(ctx, k); err != nil {
		return "", time.Time{}, err
	}
	return token, exp, nil
}
