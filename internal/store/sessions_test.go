package store_test

import (
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

func TestASessionLivesWhileUsedAndEndsWhenIdleOrOld(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		secret, err := e.DB.CreateSession(ctx, e.Tenant.ID, e.Actor.UserID)
		if err != nil {
			t.Fatal(err)
		}
		u, err := e.DB.SessionUser(ctx, secret)
		if err != nil || u.ID != e.Actor.UserID || u.Language != "nl" {
			t.Fatalf("session user: %+v %v", u, err)
		}
		if _, err := e.DB.SessionUser(ctx, secret+"x"); code(err) != kluis.EUnauthorized {
			t.Fatalf("a wrong secret: %v", err)
		}
		// Used every 20 minutes, it lives until its maximum age.
		for i := 0; i < 5; i++ {
			e.Clock.Advance(20 * time.Minute)
			if _, err := e.DB.SessionUser(ctx, secret); err != nil {
				t.Fatalf("after %d uses: %v", i+1, err)
			}
		}
		e.Clock.Advance(store.SessionMaxAge)
		if _, err := e.DB.SessionUser(ctx, secret); code(err) != kluis.EUnauthorized {
			t.Fatalf("past its maximum age: %v", err)
		}
		idle, _ := e.DB.CreateSession(ctx, e.Tenant.ID, e.Actor.UserID)
		e.Clock.Advance(store.SessionIdleTimeout + time.Second)
		if _, err := e.DB.SessionUser(ctx, idle); code(err) != kluis.EUnauthorized {
			t.Fatalf("idle too long: %v", err)
		}
	})
}

func TestLoggingOutEverywhereEndsEverySessionOfTheUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		a, _ := e.DB.CreateSession(ctx, e.Tenant.ID, e.Actor.UserID)
		b, _ := e.DB.CreateSession(ctx, e.Tenant.ID, e.Actor.UserID)
		if err := e.DB.EndSession(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.SessionUser(ctx, a); code(err) != kluis.EUnauthorized {
			t.Fatalf("ended session: %v", err)
		}
		if _, err := e.DB.SessionUser(ctx, b); err != nil {
			t.Fatalf("the other session ended too: %v", err)
		}
		if err := e.DB.EndUserSessions(ctx, e.Tenant.ID, e.Actor.UserID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.SessionUser(ctx, b); code(err) != kluis.EUnauthorized {
			t.Fatalf("after log out everywhere: %v", err)
		}
	})
}

func TestALoginFindsTheUserInEveryAgencyThatKnowsTheAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		other, _, err := e.DB.CreateTenant(ctx, "tweede-bureau", "Tweede bureau", "Breda", "Breda")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.DB.CreateUser(ctx, other.ID, &kluis.User{Email: "Recruiter@test.kluis.test", Role: kluis.RoleManager}); err != nil {
			t.Fatal(err)
		}
		us, ts, err := e.DB.LoginCandidates(ctx, " RECRUITER@test.kluis.test ")
		if err != nil || len(us) != 2 || ts[0].Slug != "test-bureau" || ts[1].Slug != "tweede-bureau" || us[1].Role != kluis.RoleManager {
			t.Fatalf("%+v %+v %v", us, ts, err)
		}
		if err := e.DB.SetLanguage(ctx, e.Tenant.ID, e.Actor.UserID, "de"); code(err) != kluis.EInvalid {
			t.Fatalf("language de: %v", err)
		}
	})
}
