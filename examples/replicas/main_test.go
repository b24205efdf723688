package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, filepath.Join(t.TempDir(), "paycools.db")); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"replica A: payout sent, outcome unknown: true",
		"replica B: Recover: Payouts.Create PO20240719000777 was unknown, now created (PayCools id set: true)",
		"replica A: callback disbursement.success PO20240719000777 COMPLETED: fulfilled",
		"replica B: redelivery answered 200; fulfilled 1 time(s) in all",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
