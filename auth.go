package pressroom

import (
	"context"
	"crypto/subtle"
	"sync"
	"time"
)

// Authenticator turns an API key into the caller. It caches answers for a
// short time so that requests need no database round trip; a revoked key
// stops working within that time on every node.
type Authenticator struct {
	Store Store
	TTL   time.Duration
	Clock Clock

	mu    sync.Mutex
	cache map[[32]byte]authEntry
}

type authEntry struct {
	p       *Principal
	expires time.Time
}

// DefaultAuthTTL is how long a key check is remembered.
const DefaultAuthTTL = 5 * time.Second

// NewAuthenticator returns an authenticator over the store.
func NewAuthenticator(s Store) *Authenticator {
	return &Authenticator{Store: s, TTL: DefaultAuthTTL, Clock: SystemClock{}, cache: make(map[[32]byte]authEntry)}
}

var errBadKey = &Error{Code: EUNAUTHORIZED, Message: "The API key is missing, unknown or revoked."}

// Authenticate returns the principal of key; EUNAUTHORIZED when it is empty,
// unknown or revoked, or a console sign-in (which opens the console only).
func (a *Authenticator) Authenticate(ctx context.Context, key string) (*Principal, error) {
	p, err := a.authenticate(ctx, key)
	if err == nil && p.Session {
		return nil, errBadKey
	}
	return p, err
}

// Console authenticates a console sign-in (IssueConsoleSession): the
// operator key itself, or any other key, is EUNAUTHORIZED there.
func (a *Authenticator) Console(ctx context.Context, token string) (*Principal, error) {
	p, err := a.authenticate(ctx, token)
	if err == nil && !p.Session {
		return nil, errBadKey
	}
	return p, err
}

// EndSession signs a console sign-in out: the token is revoked, at once
// on this node and within the TTL on the others. An unknown or ended one
// is nothing to do.
func (a *Authenticator) EndSession(ctx context.Context, token string) error {
	h, ok := cacheKey(token)
	if !ok {
		return nil
	}
	k, err := a.Store.FindAPIKeyByHash(ctx, h[:])
	if ErrorCode(err) == ENOTFOUND || (err == nil && (!k.ConsoleSession() || k.RevokedAt != nil)) {
		return nil
	} else if err != nil {
		return err
	}
	if err := a.Store.RevokeAPIKey(ctx, k.ID, a.Clock.Now()); err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	a.mu.Lock()
	delete(a.cache, h)
	a.mu.Unlock()
	return nil
}

// cacheKey is a key's hash, the cache's and the store's handle on it;
// false for a key that cannot be one (empty, or too long to check).
func cacheKey(key string) (h [32]byte, ok bool) {
	if key == "" || len(key) > 512 {
		return h, false
	}
	copy(h[:], HashKey(key))
	return h, true
}

func (a *Authenticator) authenticate(ctx context.Context, key string) (*Principal, error) {
	h, ok := cacheKey(key)
	if !ok {
		return nil, errBadKey
	}
	now := a.Clock.Now()
	a.mu.Lock()
	e, ok := a.cache[h]
	a.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.p, nil
	}
	k, err := a.Store.FindAPIKeyByHash(ctx, h[:])
	if ErrorCode(err) == ENOTFOUND {
		return nil, errBadKey
	} else if err != nil {
		return nil, err
	}
	// The lookup was by hash; compare again in constant time so that no
	// path depends on how much of the hash matched.
	if subtle.ConstantTimeCompare(k.Hash, h[:]) != 1 || k.RevokedAt != nil || (k.ExpiresAt != nil && !now.Before(*k.ExpiresAt)) {
		return nil, errBadKey
	}
	keyID := k.ID
	if k.ParentID != 0 { // an access token lives as long as the key that issued it
		parent, err := a.Store.FindAPIKeyByID(ctx, k.ParentID)
		if ErrorCode(err) == ENOTFOUND || (err == nil && parent.RevokedAt != nil) {
			return nil, errBadKey
		} else if err != nil {
			return nil, err
		}
		keyID = parent.ID // rate limits count per key, tokens included
	}
	p := &Principal{KeyID: keyID, KeyName: k.Name, Role: k.Role, Session: k.ConsoleSession()}
	if k.Role == RoleReseller {
		if p.Reseller, err = a.Store.FindResellerByID(ctx, k.ResellerID); err != nil {
			return nil, err
		}
	}
	a.mu.Lock()
	if len(a.cache) > 100_000 { // bounded: drop everything rather than grow
		a.cache = make(map[[32]byte]authEntry)
	}
	until := now.Add(a.TTL)
	if k.ExpiresAt != nil && k.ExpiresAt.Before(until) {
		until = *k.ExpiresAt
	}
	a.cache[h] = authEntry{p: p, expires: until}
	a.mu.Unlock()
	return p, nil
}

// Reseller authenticates a key that must be a reseller's: an operator key
// is EUNAUTHORIZED on the reseller APIs.
func (a *Authenticator) Reseller(ctx context.Context, key string) (*Principal, error) {
	p, err := a.Authenticate(ctx, key)
	if err == nil && p.Role != RoleReseller {
		return nil, errBadKey
	}
	return p, err
}

// Operator authenticates a key that must be an operator's: a reseller's
// key is EUNAUTHORIZED on the staff's console.
func (a *Authenticator) Operator(ctx context.Context, key string) (*Principal, error) {
	p, err := a.Authenticate(ctx, key)
	if err == nil && p.Role != RoleOperator {
		return nil, errBadKey
	}
	return p, err
}

// Forget drops the cached keys of a reseller, so that a change to its
// account applies on this node at once (other nodes: within the TTL).
func (a *Authenticator) Forget(resellerID int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for h, e := range a.cache {
		if e.p.Reseller != nil && e.p.Reseller.ID == resellerID {
			delete(a.cache, h)
		}
	}
}
