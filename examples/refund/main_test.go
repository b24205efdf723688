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
	for _, want := range []string{"created:  REFUND1001A PHP 100.00 PENDING", "callback: payment.refund.success REFUND1001A PHP 100.00 COMPLETE", "final:    REFUND1001A COMPLETE", "refused as ErrRefundAmount: true"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
