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
	for _, want := range []string{"callback: ekyc.success u0009 APPROVED", "callback: ekyc.failed u0010 REJECTED", "result:   u0009 APPROVED\n", "result:   u0010 REJECTED (-10002 document unreadable)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
