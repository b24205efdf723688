package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestRun runs the example as `go run ./examples/directdebit -dialect ph|open-api` does, in both
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
				`link:     send user u0009 to http://127\.0\.0\.1:\d+/authorize/AUTH0001`,
				`callback: token\.create\.success for u0009 \[` + tc.form + `\]`,
				`charged:  SUB202407u0009 PENDING`,
				`callback: direct\.debit\.success SUB202407u0009 PHP 299\.00 \[` + tc.form + `\]`,
				`final:    SUB202407u0009 COMPLETED PHP 299\.00`,
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
