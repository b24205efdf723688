package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestRun runs the example as `go run ./examples/refund -dialect ph|open-api` does, in both
// dialects (no -dialect means ph), and compares its output line by line: ids and ports are
// patterns, everything else is exact.
func TestRun(t *testing.T) {
	for _, tc := range []struct{ arg, dialect, form string }{
		{"", "ph", "flat-sha1"},
		{"open-api", "open-api", "envelope"},
	} {
		t.Run(tc.dialect, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(context.Background(), &out, tc.arg); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			want := []string{
				`gateway:  embedded fake PayCools gateway, ` + tc.dialect + ` dialect`,
				`created:  REFUND1001A PHP 100\.00 PENDING`,
				`callback: payment\.refund\.success REFUND1001A PHP 100\.00 COMPLETE \[` + tc.form + `\]`,
				`final:    REFUND1001A COMPLETE`,
				`too much: refused as ErrRefundAmount: true`,
			}
			if !regexp.MustCompile("^" + strings.Join(want, "\n") + "\n$").MatchString(out.String()) {
				t.Errorf("output:\n%s\nwant lines matching:\n%s", out.String(), strings.Join(want, "\n"))
			}
		})
	}
}

// TestRunUnknownDialect: a dialect name that is neither ph nor open-api is refused before
// anything runs.
func TestRunUnknownDialect(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, "legacy")
	if err == nil || !strings.Contains(err.Error(), `"legacy"`) || out.Len() != 0 {
		t.Fatalf("err = %v, output %q: want the unknown dialect refused, nothing run", err, out.String())
	}
}
