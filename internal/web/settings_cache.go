package web

import (
	"context"
	"sync"
	"time"

	"kluis/internal/access"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// settingsTTL is how long a process trusts its copy of an agency's
// settings. A change made through this process is seen at once; one made
// through another process sharing the database within this time. The store
// checks what it is asked to write against the stored settings, always.
const settingsTTL = 2 * time.Second

// settingsCache keeps each agency's settings and the projector that hides
// what the agency does not collect.
type settingsCache struct {
	db   *store.DB
	base *access.Projector
	mu   sync.Mutex
	by   map[kluis.ID]settingsEntry
}

type settingsEntry struct {
	s    *kluis.Settings
	proj *access.Projector
	at   time.Time
}

func (c *settingsCache) get(ctx context.Context, tenant kluis.ID) (settingsEntry, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.by[tenant]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < settingsTTL {
		return e, nil
	}
	s, err := c.db.Settings(ctx, tenant)
	if err != nil {
		return settingsEntry{}, err
	}
	e = settingsEntry{s: s, proj: c.base.ForAgency(s.Off(), s.FieldAccess), at: now}
	c.mu.Lock()
	c.by[tenant] = e
	c.mu.Unlock()
	return e, nil
}

// forget drops an agency's settings after they changed here.
func (c *settingsCache) forget(tenant kluis.ID) {
	c.mu.Lock()
	delete(c.by, tenant)
	c.mu.Unlock()
}

// settings returns the settings of the caller's agency.
func (s *Server) settings(ctx context.Context) (*kluis.Settings, error) {
	e, err := s.settingsCache.get(ctx, actorFrom(ctx).TenantID)
	return e.s, err
}

// projector returns the projection for the caller's agency: the
// catalogue's access per role, without what the agency does not collect.
// Should the settings not be readable, nothing optional is shown.
func (s *Server) projector(ctx context.Context) *access.Projector {
	e, err := s.settingsCache.get(ctx, actorFrom(ctx).TenantID)
	if err != nil {
		s.log.Error("read settings", "tenant", actorFrom(ctx).TenantID, "err", err)
		return s.hideOptional
	}
	return e.proj
}

// collecting returns the caller's agency's settings for deciding what to
// ask; when they cannot be read, nothing optional is asked.
func (s *Server) collecting(ctx context.Context) *kluis.Settings {
	set, err := s.settings(ctx)
	if err != nil {
		s.log.Error("read settings", "tenant", actorFrom(ctx).TenantID, "err", err)
		off := map[string]kluis.Date{}
		for _, c := range s.catalog.Collectables() {
			off[c.Key] = ""
		}
		return &kluis.Settings{NotCollected: off}
	}
	return set
}
