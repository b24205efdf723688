package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// noEnv is an environment with nothing set: the tour runs on its embedded gateway.
func noEnv(string) string { return "" }

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestTourEmbedded runs the whole tour as `go run ./examples/quickstart` does, so that CI
// catches any family that stops working end to end.
func TestTourEmbedded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a bound, not a timing claim
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, noEnv); err != nil {
		t.Fatalf("tour failed: %v\noutput:\n%s", err, out.String())
	}
	got := out.String()

	// Every family shows up, and every family but account (which has no callbacks) shows a
	// callback that its handler verified.
	callbacks := map[string]string{
		famPayouts:     "disbursement.success",
		famBills:       "payment.success",
		famQR:          "qrcode.payment.success",
		famBank:        "transfer.payment.success",
		famWeb:         "h5.payment.success",
		famRefunds:     "payment.refund.success",
		famCheckout:    "checkout.payment.success",
		famDirectDebit: "direct.debit.success",
		famEKYC:        "ekyc.success",
	}
	if !regexp.MustCompile(`(?m)^account +balance +PHP \d+\.\d\d`).MatchString(got) {
		t.Errorf("no account balance line in:\n%s", got)
	}
	for fam, event := range callbacks {
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(fam) + ` +callback +` + regexp.QuoteMeta(event) + ` verified and acknowledged: `)
		if !re.MatchString(got) {
			t.Errorf("%s: no verified %s callback line in:\n%s", fam, event, got)
		}
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(fam) + ` +(get|list|wait) `).MatchString(got) {
			t.Errorf("%s: no status query line", fam)
		}
	}
	for _, want := range []string{
		"token.create.success verified and acknowledged",
		"token.cancel.success verified",
		"payment.verification verified: PHP 2000.00", // the refused question
		"refused (1002",
		"accepted (2000)",
		"tour complete: 10 families, 13 verified callbacks",
		"callback lost",
		": delivered (PayCools says COMPLETED)",
		"disbursement.success delivered by Sync (Synced=true)",
		"acknowledged=true, function not run again",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// Waits of the families that have one.
	for _, fam := range []string{famPayouts, famWeb, famRefunds, famCheckout, famDirectDebit, famEKYC} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(fam) + ` +wait +final: `).MatchString(got) {
			t.Errorf("%s: no final wait line", fam)
		}
	}
	if strings.Contains(got, "skipped") {
		t.Errorf("embedded tour skipped a step:\n%s", got)
	}
}

// TestTourAgainstHost runs the tour in its real-host mode, with the four variables pointing
// at a fake gateway started here: nothing is driven, waits are bounded, the tour still
// succeeds.
func TestTourAgainstHost(t *testing.T) {
	gw := paycoolstest.NewServer()
	defer gw.Close()
	der, err := x509.MarshalPKCS8PrivateKey(gw.MerchantPrivateKey())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(gw.PlatformPublicKey())
	if err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{
		"PAYCOOLS_APP_ID":              gw.AppID(),
		"PAYCOOLS_PRIVATE_KEY":         string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"PAYCOOLS_PLATFORM_PUBLIC_KEY": base64.StdEncoding.EncodeToString(pub), // as the dashboard shows it
		"PAYCOOLS_BASE_URL":            gw.URL(),
		"PAYCOOLS_WAIT":                "150ms",
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, env); err != nil {
		t.Fatalf("tour failed: %v\noutput:\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		gw.URL() + " (appId " + gw.AppID() + ")",
		"PayCools cannot reach a loopback URL",
		"skipped (real host)",
		"not awaited (real host)",
		"not final after 150ms (bounded)",
		"no completed payment to refund",
		"no active token",
		"tour complete",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "on the fake gateway") {
		t.Errorf("an outcome was driven against a host:\n%s", got)
	}
	if n := len(gw.Callbacks()); n != 0 {
		t.Errorf("%d callbacks were sent, want none", n)
	}
}

func TestTourPartialEnvironment(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, envOf(map[string]string{"PAYCOOLS_APP_ID": "abc"}))
	if err == nil || !strings.Contains(err.Error(), "PAYCOOLS_PRIVATE_KEY") || !strings.Contains(err.Error(), "PAYCOOLS_BASE_URL") {
		t.Fatalf("err = %v, want one naming the missing variables", err)
	}
}

func TestTourRefusesProduction(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, envOf(map[string]string{
		"PAYCOOLS_APP_ID":              "abc",
		"PAYCOOLS_PRIVATE_KEY":         "x",
		"PAYCOOLS_PLATFORM_PUBLIC_KEY": "y",
		"PAYCOOLS_BASE_URL":            "https://openapi.paycools.com/",
	}))
	if err == nil || !strings.Contains(err.Error(), "production") {
		t.Fatalf("err = %v, want a refusal of the production host", err)
	}
}

// TestTourEmbeddedPH runs the whole tour in the PH dialect (`go run ./examples/quickstart
// -dialect ph`): flat k=v-signed requests, /api/v2/checkout envelopes signed over appId&param,
// and flat SHA-1 callbacks, for every family.
func TestTourEmbeddedPH(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, envOf(map[string]string{"PAYCOOLS_DIALECT": "ph"})); err != nil {
		t.Fatalf("tour failed: %v\noutput:\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"ph dialect", "tour complete: 10 families, 13 verified callbacks"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if err := run(ctx, &out, envOf(map[string]string{"PAYCOOLS_DIALECT": "legacy"})); err == nil {
		t.Error("an unknown dialect was accepted")
	}
}
