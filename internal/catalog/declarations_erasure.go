package catalog

// erasureNonPersonal declares the columns of erasure records and clean-up
// runs, and the candidate's erasure state: none holds personal data. An
// erasure record names the candidate only by their pseudonymous id — the
// proof an agency shows the Autoriteit Persoonsgegevens without showing
// the person.
func erasureNonPersonal() []NonPersonal {
	const (
		key    = "surrogate key: a number that means nothing outside kluis"
		tenant = "the agency the row belongs to"
		ref    = "a reference to another row; the personal data are in that row"
		pseudo = "the pseudonymous id of an erased candidate: after the erasure nothing in kluis ties it to a person"
		stamp  = "when the row was written: bookkeeping of the record, not of the person"
		count  = "a count of rows, files or candidates"
		what   = "names of catalogue categories and retention rules, never values"
		setng  = "a setting of the agency's clean-up"
	)
	out := []NonPersonal{
		{"candidates", "restricted", "that only what a law still requires is kept, restricted to payroll (a closed list of states)"},
		{"candidates", "erased_groups", what + ": the groups of the candidate's data erased so far"},
		{"erasures", "tenant_id", tenant}, {"erasures", "id", key}, {"erasures", "candidate_id", pseudo},
		{"erasures", "complete", "whether the candidate is gone altogether"},
		{"erasures", "reason", "why: the end of a retention term, or the candidate's request (a closed list)"},
		{"erasures", "request_id", ref}, {"erasures", "run_id", ref}, {"erasures", "user_id", ref},
		{"erasures", "erased", what}, {"erasures", "kept", what + ", with the day each may go"},
		{"erasures", "rows_erased", count}, {"erasures", "files_erased", count}, {"erasures", "files_pending", count},
		{"erasures", "erased_at", stamp}, {"erasures", "key_shredded_at", stamp}, {"erasures", "verified_at", stamp},
		{"erasures", "residue_hits", count},
		{"erasure_files", "tenant_id", tenant}, {"erasure_files", "erasure_id", ref},
		{"erasure_files", "blob_key", "opaque, random key of a stored file still to remove; names nobody"},
		{"cleanup_run_items", "tenant_id", tenant}, {"cleanup_run_items", "run_id", ref}, {"cleanup_run_items", "candidate_id", ref},
		{"cleanup_run_items", "state", "where the item is: pending, done, skipped or failed"}, {"cleanup_run_items", "erasure_id", ref},
		{"tenant_settings", "cleanup_nightly", setng}, {"tenant_settings", "cleanup_grace_days", setng},
		{"tenant_settings", "cleanup_verify_sample", setng},
	}
	out = append(out, NonPersonal{"cleanup_runs", "tenant_id", tenant}, NonPersonal{"cleanup_runs", "id", key},
		NonPersonal{"cleanup_runs", "user_id", ref})
	for _, c := range []string{"state", "nightly", "run_date", "report"} {
		out = append(out, NonPersonal{"cleanup_runs", c, "how the run went: its state, kind, day and result report, by category and rule, without personal data"})
	}
	for _, c := range []string{"total", "done", "complete", "partial", "skipped", "failed", "verified", "residue"} {
		out = append(out, NonPersonal{"cleanup_runs", c, count})
	}
	for _, c := range []string{"started_at", "heartbeat_at", "finished_at"} {
		out = append(out, NonPersonal{"cleanup_runs", c, stamp})
	}
	return out
}
