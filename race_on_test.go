//go:build race

package paycools

// raceEnabled reports whether the tests run with -race, which adds a few allocations.
const raceEnabled = true
