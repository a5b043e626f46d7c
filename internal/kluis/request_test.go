package kluis

import "testing"

func TestARequestIsDueOneMonthAfterReceipt(t *testing.T) {
	for _, c := range []struct{ received, due Date }{
		{"2026-01-15", "2026-02-15"},
		{"2026-01-31", "2026-02-28"},
		{"2028-01-31", "2028-02-29"}, // leap year
		{"2026-01-30", "2026-02-28"},
		{"2028-01-30", "2028-02-29"},
		{"2026-01-29", "2026-02-28"},
		{"2028-01-29", "2028-02-29"},
		{"2026-03-31", "2026-04-30"},
		{"2026-12-31", "2027-01-31"},
		{"2026-12-15", "2027-01-15"},
		{"2026-02-28", "2026-03-28"},
		{"2100-01-31", "2100-02-28"}, // not a leap year
		{"2000-01-31", "2000-02-29"}, // a leap year
	} {
		if got := RequestDue(c.received); got != c.due {
			t.Errorf("received %s: due %s, want %s", c.received, got, c.due)
		}
	}
}

func TestAnExtensionAddsTwoMonthsToTheOriginalDueDate(t *testing.T) {
	for _, c := range []struct{ received, extended Date }{
		{"2026-01-31", "2026-04-28"}, // due 28 February, + 2 months from that day
		{"2026-12-31", "2027-03-31"},
		{"2026-10-31", "2027-01-30"}, // due 30 November
		{"2027-11-30", "2028-02-29"}, // due 30 December, leap February
		{"2026-06-15", "2026-09-15"},
	} {
		q := &Request{CandidateID: 1, Kind: "access", Channel: "email", ReceivedOn: c.received}
		if err := q.Validate(c.received); err != nil {
			t.Fatal(err)
		}
		if err := q.Extend("Veel gegevens uit het oude systeem", c.received, c.received); err != nil {
			t.Fatal(err)
		}
		if q.DueOn != c.extended || q.Status != "extended" {
			t.Errorf("received %s: extended to %s (%s), want %s", c.received, q.DueOn, q.Status, c.extended)
		}
	}
}

func TestTheRulesOfAnExtension(t *testing.T) {
	fresh := func() *Request {
		q := &Request{CandidateID: 1, Kind: "erasure", Channel: "letter", ReceivedOn: "2026-01-31"}
		if err := q.Validate("2026-02-01"); err != nil {
			t.Fatal(err)
		}
		return q
	}
	for _, c := range []struct {
		name          string
		reason        string
		notice, today Date
		field         string // "" when it is allowed
	}{
		{"allowed on the last day of the first month", "Complex", "2026-02-27", "2026-02-28", ""},
		{"not allowed after the first month", "Complex", "2026-02-27", "2026-03-01", "extension_reason"},
		{"a reason is required", "", "2026-02-10", "2026-02-10", "extension_reason"},
		{"the notice to the candidate is required", "Complex", "", "2026-02-10", "notice_sent_on"},
		{"the notice cannot be in the future", "Complex", "2026-02-11", "2026-02-10", "notice_sent_on"},
		{"the notice cannot precede the request", "Complex", "2026-01-30", "2026-02-10", "notice_sent_on"},
		{"a reason is one line", "a\nb", "2026-02-10", "2026-02-10", "extension_reason"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := fresh().Extend(c.reason, c.notice, c.today)
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Code != EInvalid || e.Fields[c.field] == (Msg{}) {
				t.Fatalf("want a problem with %s, got %v", c.field, err)
			}
			if e.Fields[c.field].NL == "" || e.Fields[c.field].EN == "" {
				t.Fatalf("the problem speaks only one language: %+v", e.Fields[c.field])
			}
		})
	}
	t.Run("only once", func(t *testing.T) {
		q := fresh()
		if err := q.Extend("Complex", "2026-02-10", "2026-02-10"); err != nil {
			t.Fatal(err)
		}
		if err := q.Extend("Nog complexer", "2026-02-11", "2026-02-11"); ErrorCode(err) != EInvalid {
			t.Fatalf("a second extension: %v", err)
		}
		if q.DueOn != "2026-04-28" {
			t.Fatalf("due %s", q.DueOn)
		}
	})
}

func TestARequestIsOnlyDoneOrErasedOnceTheIdentityIsVerified(t *testing.T) {
	q := &Request{CandidateID: 1, Kind: "erasure", Channel: "email"}
	if err := q.Validate("2026-03-02"); err != nil {
		t.Fatal(err)
	}
	if q.Status != "received" || q.DueOn != "2026-04-02" || q.ReceivedOn != "2026-03-02" {
		t.Fatalf("new request: %+v", q)
	}
	if err := q.ReadyToErase(); ErrorCode(err) != EInvalid {
		t.Fatalf("unverified erasure request ready to erase: %v", err)
	}
	if err := q.Close("done", "Gewist", "2026-03-03"); ErrorCode(err) != EInvalid {
		t.Fatalf("unverified request done: %v", err)
	}
	if err := q.Verify("passport", "", 7, "2026-03-03"); ErrorCode(err) != EInvalid {
		t.Fatalf("an unknown method: %v", err)
	}
	if err := q.Verify("id-document-shown", "2026-03-01", 7, "2026-03-03"); ErrorCode(err) != EInvalid {
		t.Fatalf("verified before receipt: %v", err)
	}
	if err := q.Verify("id-document-shown", "", 7, "2026-03-03"); err != nil {
		t.Fatal(err)
	}
	if q.Status != "verified" || q.VerifiedOn != "2026-03-03" || q.VerifiedBy != 7 {
		t.Fatalf("verified: %+v", q)
	}
	if err := q.ReadyToErase(); err != nil {
		t.Fatal(err)
	}
	if err := q.Close("done", "", "2026-03-03"); ErrorCode(err) != EInvalid {
		t.Fatalf("done without an outcome: %v", err)
	}
	if err := q.Close("done", "Gewist; de loonadministratie blijft (R5).", "2026-03-03"); err != nil {
		t.Fatal(err)
	}
	if err := q.Verify("known-email", "", 7, "2026-03-03"); ErrorCode(err) != EConflict {
		t.Fatalf("a closed request changed: %v", err)
	}
}

func TestARefusalNeedsNoVerification(t *testing.T) {
	q := &Request{CandidateID: 1, Kind: "access", Channel: "phone", ReceivedOn: "2026-03-02"}
	if err := q.Validate("2026-03-02"); err != nil {
		t.Fatal(err)
	}
	if err := q.Close("refused", "De identiteit kon niet worden vastgesteld.", "2026-03-10"); err != nil {
		t.Fatal(err)
	}
	if !q.Closed() || q.Overdue("2026-05-01") {
		t.Fatalf("closed request: %+v", q)
	}
}

func TestANewRequestIsChecked(t *testing.T) {
	q := &Request{Kind: "wish", Channel: "pigeon", ReceivedOn: "2026-12-01"}
	err := q.Validate("2026-11-30")
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("got %v", err)
	}
	for _, f := range []string{"candidate_id", "kind", "channel", "received_on"} {
		if _, ok := e.Fields[f]; !ok {
			t.Errorf("no problem with %s: %v", f, err)
		}
	}
}

func TestOverdueAndDueSoon(t *testing.T) {
	q := &Request{Status: "received", DueOn: "2026-03-10"}
	if q.Overdue("2026-03-10") || !q.Overdue("2026-03-11") {
		t.Error("overdue is the day after the due date")
	}
	if !q.DueWithin("2026-03-03", 7) || q.DueWithin("2026-03-02", 7) || q.DueWithin("2026-03-11", 7) {
		t.Error("due within 7 days")
	}
}
