package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"paycools.client.attempts Payouts.Create status=200 outcome=ok: 1",
		"paycools.client.attempts Payouts.Get status=503 outcome=unknown: 1",
		"paycools.client.attempts Payouts.Get status=200 outcome=ok: 1",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
