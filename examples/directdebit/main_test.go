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
	for _, want := range []string{"callback: token.create.success for u0009", "charged:  SUB202407u0009 PENDING", "callback: direct.debit.success SUB202407u0009 PHP 299.00", "final:    SUB202407u0009 COMPLETED PHP 299.00"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
