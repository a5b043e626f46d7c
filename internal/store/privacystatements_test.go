package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

func mustPublish(t *testing.T, e *storetest.Env, nl, en string) *kluis.PrivacyStatement {
	t.Helper()
	s := &kluis.PrivacyStatement{TextNL: nl, TextEN: en}
	if err := e.DB.PublishPrivacyStatement(ctx, privacyOfficer(e), s); err != nil {
		t.Fatal(err)
	}
	return s
}

func statementMoments(t *testing.T, e *storetest.Env, cand kluis.ID) []kluis.ContactMoment {
	t.Helper()
	ms, _, err := e.DB.ListContactMoments(ctx, privacyOfficer(e), store.ContactMomentFilter{CandidateID: cand})
	if err != nil {
		t.Fatal(err)
	}
	var out []kluis.ContactMoment
	for _, m := range ms {
		if strings.HasPrefix(m.Kind, "privacy-statement-") {
			out = append(out, m)
		}
	}
	return out
}

func TestPublishedStatementsAreNumberedAndNeverChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		if _, err := e.DB.PrivacyStatement(ctx, e.Tenant.ID, 0); code(err) != kluis.ENotFound {
			t.Fatalf("before the first: %v", err)
		}
		err := e.DB.PublishPrivacyStatement(ctx, privacyOfficer(e), &kluis.PrivacyStatement{TextNL: " ", TextEN: "x"})
		if f := fields(err); f["text_nl"].NL == "" || f["text_en"].NL != "" {
			t.Fatalf("an empty text: %v", err)
		}
		one := mustPublish(t, e, kluis.DefaultStatement("nl"), kluis.DefaultStatement("en"))
		two := mustPublish(t, e, "# Versie twee\n\n{{doeleinden}}", "# Version two\n\n{{purposes}}")
		if one.Version != 1 || two.Version != 2 || two.PublishedBy != privacyOfficer(e).UserID {
			t.Fatalf("versions %d and %d, by %d", one.Version, two.Version, two.PublishedBy)
		}
		cur, err := e.DB.PrivacyStatement(ctx, e.Tenant.ID, 0)
		if err != nil || cur.Version != 2 {
			t.Fatalf("current: %+v, %v", cur, err)
		}
		old, err := e.DB.PrivacyStatement(ctx, e.Tenant.ID, 1)
		if err != nil || old.TextNL != strings.TrimSpace(kluis.DefaultStatement("nl")) {
			t.Fatalf("the old version stays readable: %+v, %v", old, err)
		}
		all, err := e.DB.PrivacyStatements(ctx, e.Tenant.ID)
		if err != nil || len(all) != 2 || all[0].Version != 2 {
			t.Fatalf("list: %+v, %v", all, err)
		}
		r, err := e.DB.RenderPrivacyStatement(ctx, e.Tenant.ID, 2, "en")
		if err != nil || strings.Contains(r.Markdown, "{{") || !strings.Contains(r.HTML, "<h1>Version two</h1>") || !strings.Contains(r.HTML, "Finding work") {
			t.Fatalf("rendered: %+v, %v", r, err)
		}
		// Nothing in the store changes a published version: the table
		// has no update path, and the raw row is as published.
		var text string
		if err := storetest.Raw(t, e).QueryRow("SELECT text_nl FROM privacy_statements WHERE tenant_id = $1 AND version = 1", e.Tenant.ID).Scan(&text); err != nil ||
			text != old.TextNL {
			t.Fatalf("raw: %q, %v", text, err)
		}
	})
}

func TestShowingAndSendingAreRecordedWithTheVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c := e.MustCreateCandidate(t, "Jansen")
		if _, err := e.DB.SendPrivacyStatement(ctx, po, c.ID, ""); code(err) != kluis.EConflict {
			t.Fatalf("nothing published yet: %v", err)
		}
		mustPublish(t, e, "# Verklaring\n\n{{rechten}}", "# Statement\n\n{{rights}}")
		shown, err := e.DB.RecordStatementShown(ctx, e.Actor, c.ID, "desk")
		if err != nil || shown.StatementVersion != 1 || shown.UserID != e.Actor.UserID || shown.Kind != "privacy-statement-shown" {
			t.Fatalf("shown: %+v, %v", shown, err)
		}
		if _, err := e.DB.RecordStatementShown(ctx, e.Actor, c.ID, "fax"); fields(err)["channel"].NL == "" {
			t.Fatalf("an unknown channel: %v", err)
		}
		sent, err := e.DB.SendPrivacyStatement(ctx, po, c.ID, "en")
		if err != nil || sent.StatementVersion != 1 || sent.Kind != "privacy-statement-sent" {
			t.Fatalf("sent: %+v, %v", sent, err)
		}
		ms := statementMoments(t, e, c.ID)
		if len(ms) != 2 || ms[0].StatementVersion != 1 || ms[1].StatementVersion != 1 || !strings.Contains(ms[0].Note+ms[1].Note, "per e-mail") {
			t.Fatalf("the history: %+v", ms)
		}
		msgs, _, err := e.DB.OutboxMessages(ctx, po, c.ID, kluis.Page{})
		if err != nil || len(msgs) != 1 {
			t.Fatalf("outbox: %+v, %v", msgs, err)
		}
		if m := msgs[0]; m.To != c.Email || m.Kind != "privacy-statement" || !strings.Contains(m.Subject, "version 1") ||
			!strings.Contains(m.HTML, "<h1>Statement</h1>") || !strings.Contains(m.Text, "Access") {
			t.Errorf("the message: %+v", m)
		}
		if shown.StatementChannel != "desk" || sent.StatementChannel != "email" || sent.OutboxID != msgs[0].ID || sent.Delivery != kluis.DeliveryPending ||
			shown.OutboxID != 0 || shown.Delivery != "" {
			t.Errorf("channel and delivery: shown %+v, sent %+v", shown, sent)
		}
	})
}

func TestTheProofOfInformingCanBeNeitherFakedNorChangedNorDeleted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		c := e.MustCreateCandidate(t, "Jansen")
		mustPublish(t, e, "# V", "# V")
		shown, err := e.DB.RecordStatementShown(ctx, e.Actor, c.ID, "desk")
		if err != nil {
			t.Fatal(err)
		}
		sent, err := e.DB.SendPrivacyStatement(ctx, po, c.ID, "nl")
		if err != nil {
			t.Fatal(err)
		}
		// Not recorded by hand, with or without a version.
		for _, kind := range []string{"privacy-statement-shown", "privacy-statement-sent"} {
			for _, v := range []int{0, 1} {
				fake := &kluis.ContactMoment{CandidateID: c.ID, Kind: kind, StatementVersion: v}
				if err := e.DB.CreateContactMoment(ctx, e.Actor, fake); fields(err)["kind"].NL == "" || fields(err)["kind"].EN == "" {
					t.Errorf("%s by hand (version %d): %v", kind, v, err)
				}
			}
		}
		phone := &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", Note: "Gebeld."}
		if err := e.DB.CreateContactMoment(ctx, e.Actor, phone); err != nil {
			t.Fatal(err)
		}
		// Nor is another moment turned into one.
		turned := *phone
		turned.Kind = "privacy-statement-shown"
		if err := e.DB.UpdateContactMoment(ctx, e.Actor, &turned, phone.Version); fields(err)["kind"].NL == "" {
			t.Errorf("a phone call made proof: %v", err)
		}
		// Neither the privacy officer nor anyone changes or deletes the proof.
		for _, a := range []kluis.Actor{e.Actor, po} {
			for _, m := range []*kluis.ContactMoment{shown, sent} {
				changed := *m
				changed.Kind, changed.Note, changed.At = "phone", "Anders.", m.At.Add(-time.Hour)
				if err := e.DB.UpdateContactMoment(ctx, a, &changed, m.Version); fields(err)["kind"].NL == "" {
					t.Errorf("%s changed by %s: %v", m.Kind, a.Role, err)
				}
				same := *m
				same.Note = "Anders."
				if err := e.DB.UpdateContactMoment(ctx, a, &same, m.Version); fields(err)["kind"].NL == "" {
					t.Errorf("%s's note changed by %s: %v", m.Kind, a.Role, err)
				}
				if err := e.DB.DeleteContactMoment(ctx, a, m.ID, m.Version); fields(err)["kind"].NL == "" {
					t.Errorf("%s deleted by %s: %v", m.Kind, a.Role, err)
				}
			}
		}
		ms := statementMoments(t, e, c.ID)
		if len(ms) != 2 || ms[0].Note != sent.Note && ms[1].Note != sent.Note {
			t.Fatalf("the proof after all that: %+v", ms)
		}
		// The candidate's erasure takes the proof with the rest.
		if _, err := e.DB.Erase(ctx, po, []kluis.ID{c.ID}, store.EraseOptions{Reason: "request"}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := storetest.Raw(t, e).QueryRow("SELECT count(*) FROM contact_moments WHERE tenant_id = $1 AND candidate_id = $2", e.Tenant.ID, c.ID).Scan(&n); err != nil || n != 0 {
			t.Fatalf("after the erasure: %d moments, %v", n, err)
		}
	})
}

func TestASendingThatFinallyFailsProvesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		ok := e.MustCreateCandidate(t, "Aankomer")
		bounced := e.MustCreateCandidate(t, "Onbereikbaar")
		mustPublish(t, e, "# V", "# V")
		for _, c := range []*kluis.Candidate{ok, bounced} {
			if _, err := e.DB.SendPrivacyStatement(ctx, po, c.ID, "nl"); err != nil {
				t.Fatal(err)
			}
		}
		if _, total, _, err := e.DB.NotInformedCandidates(ctx, po, kluis.Page{}); err != nil || total != 0 {
			t.Fatalf("while the mail waits: %d, %v", total, err)
		}
		msgs, err := e.DB.ClaimMail(ctx, 10, time.Minute)
		if err != nil || len(msgs) != 2 {
			t.Fatalf("claim: %+v, %v", msgs, err)
		}
		for _, m := range msgs {
			if m.CandidateID == ok.ID {
				err = e.DB.MailSent(ctx, m.TenantID, m.ID, e.Clock.Now())
			} else {
				err = e.DB.MailFailed(ctx, m.TenantID, m.ID, "smtp 550", nil)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if m := statementMoments(t, e, ok.ID); len(m) != 1 || m[0].Delivery != kluis.DeliverySent {
			t.Errorf("delivered: %+v", m)
		}
		m := statementMoments(t, e, bounced.ID)
		if len(m) != 1 || m[0].Delivery != kluis.DeliveryFailed || m[0].StatementVersion != 1 {
			t.Fatalf("not delivered: %+v", m)
		}
		list, total, _, err := e.DB.NotInformedCandidates(ctx, po, kluis.Page{})
		if err != nil || total != 1 || list[0].ID != bounced.ID {
			t.Fatalf("not informed after the failure: %+v, %v", list, err)
		}
		// The failed mail is listed for the privacy officer, without its contents.
		failed, n, err := e.DB.FailedMail(ctx, po, kluis.Page{})
		if err != nil || n != 1 || len(failed) != 1 || failed[0].CandidateID != bounced.ID || failed[0].Kind != "privacy-statement" ||
			failed[0].LastError != "smtp 550" || failed[0].To != "" || failed[0].Subject != "" {
			t.Fatalf("failed mail: %+v, %d, %v", failed, n, err)
		}
		// Sending to all sends it again, as the candidate has no proof.
		job, err := e.DB.StartStatementSend(ctx, po)
		if err != nil || job.Total != 1 {
			t.Fatalf("send to all: %+v, %v", job, err)
		}
	})
}

func TestSendingWritesTheMessageAndTheMomentTogetherOrNeither(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		mustPublish(t, e, "# V", "# V")
		c := &kluis.Candidate{BranchID: e.Branch.ID, LastName: "Zondermail", Source: "walk-in"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, c); err != nil {
			t.Fatal(err)
		}
		// The e-mail cannot be written: the contact moment is not either.
		if _, err := e.DB.SendPrivacyStatement(ctx, po, c.ID, "nl"); fields(err)["email"].NL == "" {
			t.Fatalf("no address: %v", err)
		}
		// The contact moment cannot be written (the candidate is gone
		// from the other branch's view): no e-mail either.
		other := e.MustCreateCandidate(t, "Elders")
		if _, err := e.DB.SendPrivacyStatement(ctx, kluis.Actor{TenantID: e.Tenant.ID, UserID: po.UserID, Role: kluis.RolePrivacy, Branch: other.BranchID + 999},
			other.ID, "nl"); code(err) != kluis.ENotFound {
			t.Fatalf("another branch: %v", err)
		}
		for _, id := range []kluis.ID{c.ID, other.ID} {
			if ms := statementMoments(t, e, id); len(ms) != 0 {
				t.Errorf("moments of %d: %+v", id, ms)
			}
			if msgs, _, _ := e.DB.OutboxMessages(ctx, po, id, kluis.Page{}); len(msgs) != 0 {
				t.Errorf("messages of %d: %+v", id, msgs)
			}
		}
		if _, err := e.DB.SendPrivacyStatement(ctx, po, c.ID, "de"); fields(err)["lang"].NL == "" {
			t.Fatalf("an unknown language: %v", err)
		}
	})
}

func TestTheNotInformedListNamesWhoHasNoRecordOfTheCurrentVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		a := e.MustCreateCandidate(t, "Aalders")
		b := e.MustCreateCandidate(t, "Bakker")
		gone := e.MustCreateCandidate(t, "Vertrokken")
		gone.Status = "left"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, gone, gone.Version); err != nil {
			t.Fatal(err)
		}
		if list, total, v, err := e.DB.NotInformedCandidates(ctx, po, kluis.Page{}); err != nil || total != 0 || v != 0 || len(list) != 0 {
			t.Fatalf("before a version: %v %d %d %v", list, total, v, err)
		}
		mustPublish(t, e, "# V1", "# V1")
		if _, err := e.DB.RecordStatementShown(ctx, e.Actor, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		list, total, v, err := e.DB.NotInformedCandidates(ctx, po, kluis.Page{Limit: 10})
		if err != nil || total != 1 || v != 1 || len(list) != 1 || list[0].ID != b.ID || list[0].Name != "Sanne Bakker" || !list[0].HasEmail {
			t.Fatalf("after showing a: %+v %d %d %v", list, total, v, err)
		}
		// A new version: a was told of the old one only.
		mustPublish(t, e, "# V2", "# V2")
		if _, total, v, _ := e.DB.NotInformedCandidates(ctx, po, kluis.Page{Limit: 1}); total != 2 || v != 2 {
			t.Fatalf("after version 2: %d, %d", total, v)
		}
		page2, _, _, _ := e.DB.NotInformedCandidates(ctx, po, kluis.Page{Limit: 1, Offset: 1})
		if len(page2) != 1 || page2[0].ID != b.ID {
			t.Fatalf("the second page: %+v", page2)
		}
	})
}

func TestSendingToAllIsResumableAndNeverSendsAVersionTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		var cands []*kluis.Candidate
		for _, n := range []string{"Een", "Twee", "Drie", "Vier", "Vijf"} {
			cands = append(cands, e.MustCreateCandidate(t, n))
		}
		noMail := &kluis.Candidate{BranchID: e.Branch.ID, LastName: "Zondermail", Source: "walk-in"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, noMail); err != nil {
			t.Fatal(err)
		}
		mustPublish(t, e, "# V1", "# V1")
		// One was informed by hand already.
		if _, err := e.DB.SendPrivacyStatement(ctx, po, cands[0].ID, ""); err != nil {
			t.Fatal(err)
		}
		job, err := e.DB.StartStatementSend(ctx, po)
		if err != nil || job.Total != 4 || job.Version != 1 {
			t.Fatalf("start: %+v, %v", job, err)
		}
		// The first process stops after the first batch of two.
		stopped := job
		cctx, cancel := contextWithCancel()
		err = e.DB.RunStatementSend(cctx, po, stopped, 2, func(j *store.StatementSend) { cancel() })
		if err == nil || stopped.Done != 2 {
			t.Fatalf("the stopped run: %+v, %v", stopped, err)
		}
		// Meanwhile one of the rest is told at the desk, and another's
		// address is removed.
		if _, err := e.DB.RecordStatementShown(ctx, e.Actor, cands[4].ID, "desk"); err != nil {
			t.Fatal(err)
		}
		gone, err := e.DB.Candidate(ctx, e.Actor, cands[3].ID)
		if err != nil {
			t.Fatal(err)
		}
		gone.Email = ""
		if err := e.DB.UpdateCandidate(ctx, e.Actor, gone, gone.Version); err != nil {
			t.Fatal(err)
		}
		// The next process takes the stale job over.
		e.Clock.T = e.Clock.T.Add(store.StaleHeartbeat + time.Second)
		jobs, err := e.DB.UnfinishedStatementSends(ctx, e.Tenant.ID, true)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("unfinished: %+v, %v", jobs, err)
		}
		if err := e.DB.RunStatementSend(ctx, po, &jobs[0], 2, nil); err != nil {
			t.Fatal(err)
		}
		done, err := e.DB.StatementSend(ctx, po, job.ID)
		if err != nil || done.State != "done" || done.Sent != 2 || done.Skipped != 2 || done.Done != 4 || done.FinishedAt == nil {
			t.Fatalf("the finished job: %+v, %v", done, err)
		}
		// Each candidate has exactly one record of version 1, and one
		// e-mail at most.
		for i, c := range cands {
			ms := statementMoments(t, e, c.ID)
			msgs, _, _ := e.DB.OutboxMessages(ctx, po, c.ID, kluis.Page{})
			want := 1
			if i == 3 {
				want = 0 // no address any more: skipped, nothing written
			}
			if len(ms) != want || (want == 1 && ms[0].StatementVersion != 1) || len(msgs) > want {
				t.Errorf("candidate %s: %d moments, %d messages", c.LastName, len(ms), len(msgs))
			}
		}
		// Running it again, or starting a new one, sends nothing.
		if err := e.DB.RunStatementSend(ctx, po, done, 2, nil); err != nil {
			t.Fatal(err)
		}
		again, err := e.DB.StartStatementSend(ctx, po)
		if err != nil || again.Total != 0 {
			t.Fatalf("a second job: %+v, %v", again, err)
		}
	})
}

func contextWithCancel() (context.Context, context.CancelFunc) { return context.WithCancel(ctx) }

// TestTheStatementIsMailedInTheCandidatesLanguage: the portal records the
// language of the check-in; a sending without a chosen language, and the
// sending to all, write to each candidate in theirs — and in Dutch, then
// English, to one whose language is not known.
func TestTheStatementIsMailedInTheCandidatesLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		po := privacyOfficer(e)
		st := mustPublish(t, e, "# Verklaring\n\nNederlandse tekst.", "# Statement\n\nEnglish text.")
		id, err := e.DB.PortalCheckIn(ctx, e.Tenant.ID, &store.CheckIn{Candidate: kluis.Candidate{FirstName: "Noor", LastName: "Abbas", Email: "abbas@example.nl"},
			StatementVersion: st.Version, Accepted: true, Lang: "en"}, portalBase)
		if err != nil {
			t.Fatal(err)
		}
		english, err := e.DB.Candidate(ctx, po, id)
		if err != nil || english.Language != "en" {
			t.Fatalf("checked in in English: %+v, %v", english, err)
		}
		dutch := e.MustCreateCandidate(t, "Dekker")
		dutch.Language = "nl"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, dutch, dutch.Version); err != nil {
			t.Fatal(err)
		}
		unknown := e.MustCreateCandidate(t, "Onbekend")
		bad := *unknown
		bad.Language = "de"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, &bad, bad.Version); fields(err)["language"].NL == "" {
			t.Fatalf("an unknown language: %v", err)
		}
		if _, err := e.DB.SendPrivacyStatement(ctx, po, unknown.ID, "fr"); fields(err)["lang"].EN == "" {
			t.Fatalf("an unknown language to send in: %v", err)
		}

		// The one who checked in already accepted it; a new version goes to all.
		mustPublish(t, e, "# Verklaring 2\n\nNederlandse tekst.", "# Statement 2\n\nEnglish text.")
		job, err := e.DB.StartStatementSend(ctx, po)
		if err != nil || job.Total != 3 {
			t.Fatalf("start: %+v, %v", job, err)
		}
		if err := e.DB.RunStatementSend(ctx, po, job, 0, nil); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			id                  kluis.ID
			subject, has, lacks string
		}{
			{id, "Privacy statement of Testbureau (version 2)", "English text.", "Nederlandse tekst."},
			{dutch.ID, "Privacyverklaring van Testbureau (versie 2)", "Nederlandse tekst.", "English text."},
			{unknown.ID, "Privacyverklaring van Testbureau (versie 2) / Privacy statement of Testbureau (version 2)", "English text.", ""},
		} {
			msgs, _, err := e.DB.OutboxMessages(ctx, po, c.id, kluis.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var m *store.OutboxMessage
			for i := range msgs {
				if msgs[i].Kind == "privacy-statement" {
					m = &msgs[i]
				}
			}
			if m == nil || m.Subject != c.subject || !strings.Contains(m.Text, c.has) || !strings.Contains(m.HTML, c.has) ||
				c.lacks != "" && strings.Contains(m.Text, c.lacks) {
				t.Errorf("the mail to %d: %+v", c.id, m)
			}
			if c.id == unknown.ID && (strings.Index(m.Text, "Nederlandse tekst.") > strings.Index(m.Text, "English text.") || !strings.Contains(m.HTML, `<div lang="en">`)) {
				t.Errorf("both languages, Dutch first: %s", m.Text)
			}
		}
		// Sent by hand without a language: the candidate's own.
		mustPublish(t, e, "# Verklaring 3", "# Statement 3")
		if _, err := e.DB.SendPrivacyStatement(ctx, po, id, ""); err != nil {
			t.Fatal(err)
		}
		msgs, _, _ := e.DB.OutboxMessages(ctx, po, id, kluis.Page{Limit: 1})
		if len(msgs) != 1 || msgs[0].Subject != "Privacy statement of Testbureau (version 3)" {
			t.Errorf("sent by hand: %+v", msgs)
		}
	})
}

// TestAnOldVersionReadsAsItWasPublished: the texts are kept with their
// placeholders filled at publishing; a later change of the agency's
// details does not reach an old version, only a new one.
func TestAnOldVersionReadsAsItWasPublished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		if err := e.DB.SaveSettings(ctx, e.Actor, &kluis.Settings{DPOName: "A. de Vries", DPOEmail: "fg@bureau.example"}, 0); err != nil {
			t.Fatal(err)
		}
		one := mustPublish(t, e, "# V1\n\n{{fg}}", "# V1\n\n{{dpo}}")
		if !strings.Contains(one.FilledNL, "A. de Vries") || !strings.Contains(one.FilledEN, "A. de Vries") {
			t.Fatalf("filled at publishing: %q / %q", one.FilledNL, one.FilledEN)
		}
		set, _ := e.DB.Settings(ctx, e.Tenant.ID)
		set.DPOName = "B. Bakker"
		if err := e.DB.SaveSettings(ctx, e.Actor, set, set.Version); err != nil {
			t.Fatal(err)
		}
		two := mustPublish(t, e, "# V2\n\n{{fg}}", "# V2\n\n{{dpo}}")
		for _, lang := range []string{"nl", "en"} {
			old, err := e.DB.RenderPrivacyStatement(ctx, e.Tenant.ID, one.Version, lang)
			if err != nil || !strings.Contains(old.Markdown, "A. de Vries") || strings.Contains(old.Markdown, "B. Bakker") {
				t.Errorf("version 1 in %s: %+v, %v", lang, old, err)
			}
			cur, err := e.DB.RenderPrivacyStatement(ctx, e.Tenant.ID, two.Version, lang)
			if err != nil || !strings.Contains(cur.Markdown, "B. Bakker") {
				t.Errorf("version 2 in %s: %+v, %v", lang, cur, err)
			}
		}
		// The raw row holds the filled text as published.
		var filled string
		if err := storetest.Raw(t, e).QueryRow("SELECT filled_nl FROM privacy_statements WHERE tenant_id = $1 AND version = 1", e.Tenant.ID).Scan(&filled); err != nil ||
			filled != one.FilledNL {
			t.Fatalf("raw: %q, %v", filled, err)
		}
	})
}
