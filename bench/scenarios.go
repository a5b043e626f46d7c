package main

// Scenarios beyond reads and searches. One without a measure function is
// listed in results.json and in docs/PERFORMANCE.md as "not yet measured"
// until its feature exists; then whoever builds the feature gives it a
// measure function (see measure in driver.go for the pattern: start kluis,
// drive a target with openLoop or closedLoop next to a bare baseline, and
// return the steps; or, as later.go does for the retention plan and the
// erasure, call kluis's store in process next to raw SQL) and the driver
// runs it for every size and database, after the reads and searches.
//
// Keep the names stable: they are the keys in results.json.

type laterScenario struct {
	Name   string `json:"name"`
	What   string `json:"what"`
	Goal   string `json:"goal,omitempty"`
	Status string `json:"status"`
	// measure runs the scenario; nil while the feature does not exist.
	measure func(r *runEnv) (any, error)
}

var laterScenarios = []laterScenario{
	{
		Name:    "retention-plan",
		What:    "compute the retention plan (which data of which candidate are due for deletion) over the whole data set, in process with kluis's store (EachRetentionFacts + retention.Plan + Due, as `kluis cleanup plan` does), vs. a raw SQL scan of the same columns grouped per candidate",
		Goal:    "1M candidates in ≤ 10 s (≥ 100,000 candidates/s)",
		Status:  "measured",
		measure: measureRetentionPlan,
	},
	{
		Name:    "erasure",
		What:    "erase every candidate with data due today (at most 100,000) as one clean-up run (cleanup.Runner over store.DB.Erase, as `kluis cleanup apply` does), on a copy of the data set, vs. raw SQL DELETEs of the same candidates' rows on another copy",
		Goal:    "≥ 2,000 candidates/s",
		Status:  "measured",
		measure: measureErasure,
	},
	{
		Name:    "stamkaart",
		What:    "fetch one candidate's stamkaart (the record card with everything held about them: 1,000 contact moments, 50 documents, 7 years of monthly pay slips, made on a copy of the data set) through the API as JSON and as PDF at a low fixed rate, vs. the bare server reading the same rows with plain SQL and writing them as JSON or into a plain fpdf document",
		Goal:    "PDF ≤ 100 ms, JSON ≤ 20 ms (p50)",
		Status:  "measured",
		measure: measureStamkaart,
	},
}
