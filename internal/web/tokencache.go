package web

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"kluis/internal/kluis"
)

// tokenTTL is how long this process trusts a token it looked up: a token
// revoked, or a user whose role changed, is seen within this time. The
// lookup was an eighth of the CPU of reading one candidate.
const tokenTTL = 2 * time.Second

// maxCachedTokens bounds the cache; past it, it starts empty again.
const maxCachedTokens = 10000

// tokenCache remembers, for a short while, which actor a bearer token
// speaks for. It keys by the token's SHA-256, never the token itself, and
// remembers only tokens that were valid.
type tokenCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]cachedToken
}

type cachedToken struct {
	actor kluis.Actor
	at    time.Time
}

// authenticate returns the actor of a token, from the cache or from look.
func (c *tokenCache) authenticate(ctx context.Context, secret string, look func(context.Context, string) (kluis.Actor, error)) (kluis.Actor, error) {
	key := sha256.Sum256([]byte(secret))
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < tokenTTL {
		return e.actor, nil
	}
	a, err := look(ctx, secret)
	if err != nil {
		return a, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = map[[sha256.Size]byte]cachedToken{}
	}
	c.m[key] = cachedToken{actor: a, at: now}
	c.mu.Unlock()
	return a, nil
}
