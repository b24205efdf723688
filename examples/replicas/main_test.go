package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun runs the example as `go run ./examples/replicas -dialect ph|open-api` does, in both
// dialects (no -dialect means ph): in each, the redelivery to the other replica (a flat SHA-1
// body in ph, the {param, sign} envelope in open-api) is acknowledged and fulfils nothing again.
func TestRun(t *testing.T) {
	for _, tc := range []struct{ arg, dialect, form string }{
		{"", "ph", "flat-sha1"},
		{"open-api", "open-api", "envelope"},
	} {
		t.Run(tc.dialect, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(context.Background(), &out, filepath.Join(t.TempDir(), "paycools.db"), tc.arg); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			want := strings.Join([]string{
				"gateway:   embedded fake PayCools gateway, " + tc.dialect + " dialect",
				"replica A: payout sent, outcome unknown: true",
				"replica B: Recover: Payouts.Create PO20240719000777 was unknown, now created (PayCools id set: true)",
				"replica A: callback disbursement.success PO20240719000777 COMPLETED: fulfilled [" + tc.form + "]",
				"replica B: redelivery answered 200; fulfilled 1 time(s) in all",
			}, "\n") + "\n"
			if got := out.String(); got != want {
				t.Errorf("output:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestRunUnknownDialect: a dialect name that is neither ph nor open-api is refused before
// anything runs.
func TestRunUnknownDialect(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, filepath.Join(t.TempDir(), "paycools.db"), "legacy")
	if err == nil || !strings.Contains(err.Error(), `"legacy"`) || out.Len() != 0 {
		t.Fatalf("err = %v, output %q: want the unknown dialect refused, nothing run", err, out.String())
	}
}
