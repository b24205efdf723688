package main

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// runSandbox implements "paycools sandbox": the fake PayCools gateway of package paycoolstest
// on a TCP address, for integration tests written in any language. It prints what a client
// needs (base URL, appId, the throwaway merchant private key, the platform public key) and
// serves until ctx ends or SIGINT/SIGTERM arrives.
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("sandbox", "[-addr 127.0.0.1:PORT] [-dialect open-api|ph] [-json]", `
Serve a fake PayCools gateway (package paycoolstest) for integration tests in any language. It
verifies signatures like PayCools, answers in the PayCools envelope, keeps state and sends
signed callbacks. It prints the base URL, the appId, the merchant private key to sign requests
with, and the platform public key to verify callbacks with. The keys are throwaway test keys
made for this run: never use them for anything else. The gateway moves no money. With
-dialect ph it speaks the PayCools Philippine host's dialect (flat k=v-signed requests, flat
SHA-1 callbacks signed with the callback secret it prints).

It stops cleanly on SIGINT (Ctrl-C) or SIGTERM.`, stderr)
	addr := fset.String("addr", "127.0.0.1:0", "address to listen on (port 0 picks a free port; the URL is printed)")
	dialectName := fset.String("dialect", "open-api", "wire dialect: open-api or ph")
	asJSON := fset.Bool("json", false, "print the connection details as one JSON object line (baseUrl, appId, merchantPrivateKey, merchantPublicKey, platformPublicKey)")
	if done, status := parseFlags(fset, args, stdout); done {
		return status
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	dialect, err := paycools.ParseDialect(*dialectName)
	if err != nil {
		fmt.Fprintf(stderr, "paycools sandbox: %s\n", errText(err))
		return exitUsage
	}
	// Warnings only (a callback with no URL to go to, ...): one line per request would drown
	// the output; /sandbox/requests and /sandbox/callbacks have the details.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := paycoolstest.NewServerAt(*addr, paycoolstest.WithDialect(dialect), paycoolstest.WithLogger(logger))
	if err != nil {
		fmt.Fprintf(stderr, "paycools sandbox: %s\n", errText(err))
		return exitFail
	}
	defer srv.Close()

	info, err := sandboxDetails(srv.URL(), srv.AppID(), srv.MerchantPrivateKey(), srv.PlatformPrivateKey())
	if err != nil {
		fmt.Fprintf(stderr, "paycools sandbox: %s\n", errText(err))
		return exitFail
	}
	info.Dialect, info.CallbackSecret = srv.Dialect().String(), srv.CallbackSecret()
	info.GoOptions = fmt.Sprintf("paycools.WithBaseURL(%q), paycools.WithDialect(%#v), paycools.WithEnvelopeSigning(%#v), paycools.WithCallbackSecret(%q)",
		srv.URL(), srv.Dialect(), srv.Client().EnvelopeSigning(), srv.CallbackSecret())
	if *asJSON {
		b, err := marshalNoEscape(info)
		if err != nil {
			fmt.Fprintf(stderr, "paycools sandbox: %s\n", errText(err))
			return exitFail
		}
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		printSandbox(stdout, info)
	}
	fmt.Fprintln(stderr, "paycools sandbox: serving; stop with Ctrl-C (SIGINT) or SIGTERM.")

	<-ctx.Done()
	srv.Close()
	fmt.Fprintln(stderr, "paycools sandbox: stopped.")
	return exitOK
}

// sandboxInfo is what a client of the sandbox needs, as printed by -json.
type sandboxInfo struct {
	BaseURL            string `json:"baseUrl"`
	AppID              string `json:"appId"`
	MerchantPrivateKey string `json:"merchantPrivateKey"`
	MerchantPublicKey  string `json:"merchantPublicKey"`
	PlatformPublicKey  string `json:"platformPublicKey"`
	Dialect            string `json:"dialect"`
	CallbackSecret     string `json:"callbackSecret"`
	GoOptions          string `json:"goOptions"`
	Note               string `json:"note"`
}

// throwawayNote is said wherever the sandbox prints its keys.
const throwawayNote = "throwaway test keys made for this sandbox run: never use them for anything else"

// sandboxDetails encodes the sandbox's keys as PayCools hands them out: the merchant private
// key as PKCS#8 PEM, the public keys as bare base64 PKIX.
func sandboxDetails(url, appID string, merchant, platform *rsa.PrivateKey) (*sandboxInfo, error) {
	if merchant == nil || platform == nil {
		return nil, errors.New("the gateway has no keys")
	}
	priv, err := x509.MarshalPKCS8PrivateKey(merchant)
	if err != nil {
		return nil, err
	}
	return &sandboxInfo{
		BaseURL:            url,
		AppID:              appID,
		MerchantPrivateKey: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})),
		MerchantPublicKey:  pkixBase64(&merchant.PublicKey),
		PlatformPublicKey:  pkixBase64(&platform.PublicKey),
		Note:               throwawayNote,
	}, nil
}

// printSandbox prints the connection details for people.
func printSandbox(w io.Writer, info *sandboxInfo) {
	fmt.Fprintf(w, `PayCools sandbox: a fake gateway for tests (it moves no money).

Base URL: %[1]s
App ID:   %[2]s
Dialect:  %[7]s (callback secret %[8]s)
Go:       %[9]s

Drive outcomes with the control API (no authentication: keep --addr on loopback):
  curl -X POST %[1]s/sandbox/complete-payout/MCH_ORDER_ID   (routes: go doc paycoolstest.SandboxPrefix)
  curl %[1]s/sandbox/requests      curl %[1]s/sandbox/callbacks
  curl -X POST %[1]s/sandbox/redeliver/0   (send callback 0 of /sandbox/callbacks again)
  (an id is one escaped path segment: CART7#B is CART7%%23B)
Or open the links the API hands out (payData, checkoutUrl, qrLink, ...) in a browser: each
payer page has the Pay / Fail or Approve / Reject buttons.

Platform public key (base64; verify callbacks with it):
%[3]s

Merchant public key (base64; the gateway verifies requests with it):
%[4]s

Merchant private key (PKCS#8 PEM; sign requests with it). These are %[5]s.
%[6]s`, info.BaseURL, info.AppID, info.PlatformPublicKey, info.MerchantPublicKey, throwawayNote, info.MerchantPrivateKey,
		info.Dialect, info.CallbackSecret, info.GoOptions)
}
