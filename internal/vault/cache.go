package vault

import (
	"container/list"
	"sync"
	"time"
)

// keyCache keeps recently used unwrapped keys, least recently used first
// out, each for at most ttl after it was read from the database. The ttl
// is what bounds how long a key shredded by another process stays usable
// here; a shred in this process evicts at once.
type keyCache struct {
	mu    sync.Mutex
	max   int // 0: caching is off
	ttl   time.Duration
	now   func() time.Time
	order *list.List // of *cacheEntry, most recently used at the front
	byKey map[subjectID]*list.Element
	// gen counts evictions. A key read from the database before an
	// eviction in this process is not cached after it, so a Destroy racing
	// a Key cannot leave the destroyed key behind in the cache.
	gen uint64
}

type subjectID struct{ tenant, subject int64 }

type cacheEntry struct {
	id     subjectID
	key    *SubjectKey
	loaded time.Time
}

func newKeyCache(max int, ttl time.Duration, now func() time.Time) *keyCache {
	return &keyCache{max: max, ttl: ttl, now: now, order: list.New(), byKey: map[subjectID]*list.Element{}}
}

func (c *keyCache) get(id subjectID) *SubjectKey {
	if c.max == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[id]
	if !ok {
		return nil
	}
	e := el.Value.(*cacheEntry)
	// A clock that went back counts as expired too: the age is unknown.
	if age := c.now().Sub(e.loaded); age >= c.ttl || age < 0 {
		c.order.Remove(el)
		delete(c.byKey, id)
		return nil
	}
	c.order.MoveToFront(el)
	return e.key
}

// generation is taken, with the time, before a key is read from the
// database.
func (c *keyCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put records key as read from the database at loaded, the time taken
// before the read, so the ttl also covers the read itself; gen is the
// generation taken then.
func (c *keyCache) put(id subjectID, key *SubjectKey, loaded time.Time, gen uint64) {
	if c.max == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if el, ok := c.byKey[id]; ok {
		el.Value = &cacheEntry{id: id, key: key, loaded: loaded}
		c.order.MoveToFront(el)
		return
	}
	c.byKey[id] = c.order.PushFront(&cacheEntry{id: id, key: key, loaded: loaded})
	for c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byKey, oldest.Value.(*cacheEntry).id)
	}
}

func (c *keyCache) evict(id subjectID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if el, ok := c.byKey[id]; ok {
		c.order.Remove(el)
		delete(c.byKey, id)
	}
}

func (c *keyCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.order.Init()
	clear(c.byKey)
}
