package main

// Scenarios for features that kluis does not have yet. Each is listed in
// results.json and in docs/PERFORMANCE.md as "not yet measured" until its
// feature exists; then whoever builds the feature gives it a measure
// function (see measureRun in driver.go for the pattern: start kluis, drive
// a target with openLoop or closedLoop next to a bare baseline, and return
// the steps) and the driver runs it for every size and database.
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
		Name:   "retention-plan",
		What:   "compute the retention plan (which records of which candidates are due for deletion, and when) over the whole data set, and page through it",
		Goal:   "to be set with the feature; compare with a bare SQL scan of the same dates",
		Status: "not yet measured: the feature does not exist yet",
	},
	{
		Name:   "erasure",
		What:   "erase one candidate on request (art. 17 GDPR): delete what may go, lock away what a law requires, record the proof; latency per erasure and throughput of a batch",
		Goal:   "to be set with the feature; compare with a bare DELETE … CASCADE of the same candidate",
		Status: "not yet measured: the feature does not exist yet",
	},
	{
		Name:   "stamkaart",
		What:   "produce a candidate's stamkaart (the record card with everything held about them) through the API",
		Goal:   "to be set with the feature; compare with the bare reads of the same rows",
		Status: "not yet measured: the feature does not exist yet",
	},
}
