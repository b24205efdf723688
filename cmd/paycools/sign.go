package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	paycools "github.com/paycools-sdk/paycools-go"
)

// runSign implements "paycools sign": the PayCools sign of the exact param bytes.
func runSign(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("sign", "-key FILE (-param STRING | -param-file FILE) [-app-id ID]", `
Sign the exact bytes of a param as PayCools wants: RSASSA-PKCS1-v1_5 over SHA-256 with the
merchant private key, standard base64 with padding. The sign is printed on stdout. With
-app-id, the whole request envelope {"appId","param","sign"} is printed instead, as the JSON
body of a POST.

The bytes are signed exactly as given: a trailing newline in -param-file is signed too (a
warning says so), nothing is re-serialized and no timestamp is added (param.timestamp, in
milliseconds, is yours to include).`, stderr)
	keyFile := fset.String("key", "", "merchant private key: PEM (PKCS#1 or PKCS#8) or bare base64 DER")
	param := fset.String("param", "", "the param string (the business JSON, as sent)")
	paramFile := fset.String("param-file", "", "read the param bytes from this file")
	appID := fset.String("app-id", "", "print the full envelope with this appId")
	if done, status := parseFlags(fset, args, stdout); done {
		return status
	}
	if *keyFile == "" {
		return usageError(fset, "-key is required")
	}
	given, problem := paramFlags(fset, *paramFile)
	if problem != "" {
		return usageError(fset, "%s", problem)
	}
	if !given {
		return usageError(fset, "give the param with -param or -param-file")
	}
	p, err := readParam(*param, *paramFile)
	if err != nil {
		fmt.Fprintf(stderr, "paycools sign: %s\n", errText(err))
		return exitFail
	}
	keyBytes, err := readFile(*keyFile)
	if err != nil {
		fmt.Fprintf(stderr, "paycools sign: %s\n", errText(err))
		return exitFail
	}
	key, err := paycools.ParsePrivateKey(keyBytes)
	if err != nil {
		fmt.Fprintf(stderr, "paycools sign: %s: %s\n", *keyFile, sdkReason(err))
		return exitFail
	}
	for _, w := range paramWarnings(p) {
		fmt.Fprintf(stderr, "paycools sign: warning: %s\n", w)
	}
	sign, err := paycools.SignParam(key, p)
	if err != nil {
		fmt.Fprintf(stderr, "paycools sign: %s\n", sdkReason(err))
		return exitFail
	}
	if *appID == "" {
		fmt.Fprintln(stdout, sign)
		return exitOK
	}
	env, err := marshalNoEscape(struct {
		AppID string `json:"appId"`
		Param string `json:"param"`
		Sign  string `json:"sign"`
	}{*appID, string(p), sign})
	if err != nil {
		fmt.Fprintf(stderr, "paycools sign: %s\n", errText(err))
		return exitFail
	}
	fmt.Fprintf(stdout, "%s\n", env)
	return exitOK
}

// paramWarnings names what in a param is probably a mistake: a trailing newline (from an
// editor or echo), a param that is not a JSON object, or one without a timestamp.
func paramWarnings(p []byte) []string {
	var ws []string
	if bytes.HasSuffix(p, []byte("\n")) {
		ws = append(ws, "the param ends with a newline, which is signed as part of it; PayCools params carry none, so send exactly these bytes or remove it (printf '%s', not echo)")
	}
	v, err := parseOrdered(p)
	switch {
	case err != nil || v.kind != 'o':
		ws = append(ws, "the param is not a JSON object; PayCools expects the business fields as a JSON object serialized into a string")
	case !containsKey(v, "timestamp"):
		ws = append(ws, "the param has no timestamp; PayCools wants param.timestamp, milliseconds since the epoch as a number, close to its own clock")
	}
	return ws
}

// marshalNoEscape is compact JSON without HTML escaping and without the trailing newline of
// json.Encoder: how the SDK writes envelopes.
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// sdkReason is an SDK error without its "paycools: " prefix, for messages that already say
// which command failed.
func sdkReason(err error) string {
	return strings.TrimPrefix(err.Error(), "paycools: ")
}

// runVerify implements "paycools verify": does a request or callback signature verify?
func runVerify(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("verify", "-key PUBFILE (-body FILE | (-param STRING | -param-file FILE) -sign SIGN)", `
Verify a PayCools signature the way the SDK does: SHA256withRSA (PKCS#1 v1.5) over the exact
param bytes, sign in standard base64. Give either a whole body (a request envelope or a
callback, {"param": "<JSON string>", "sign": "..."}, appId optional) or the param and sign
separately.

For a callback, -key is the PayCools platform public key; for a request, the merchant public
key. Prints OK and exits 0 when the signature verifies; otherwise prints the reason and exits
1. Run "paycools doctor" with the same arguments to find out why a signature fails.`, stderr)
	keyFile := fset.String("key", "", "public key: PEM (PKIX or PKCS#1), bare base64 DER, or a certificate")
	bodyFile := fset.String("body", "", "a request or callback body (JSON) to verify")
	param := fset.String("param", "", "the param string, exactly as signed")
	paramFile := fset.String("param-file", "", "read the param bytes from this file")
	sign := fset.String("sign", "", "the sign (base64), with -param or -param-file")
	if done, status := parseFlags(fset, args, stdout); done {
		return status
	}
	if *keyFile == "" {
		return usageError(fset, "-key is required")
	}
	if msg := inputFlags(fset, *bodyFile, *paramFile); msg != "" {
		return usageError(fset, "%s", msg)
	}
	keyBytes, err := readFile(*keyFile)
	if err != nil {
		fmt.Fprintf(stderr, "paycools verify: %s\n", errText(err))
		return exitFail
	}
	pub, err := paycools.ParsePublicKey(keyBytes)
	if err != nil {
		fmt.Fprintf(stderr, "paycools verify: %s: %s\n", *keyFile, sdkReason(err))
		fmt.Fprintln(stderr, `Run "paycools doctor" with the same arguments: it says what form the key is in and derives the public key from a private one.`)
		return exitFail
	}
	p, s := []byte(nil), *sign
	if *bodyFile == "" {
		if p, err = readParam(*param, *paramFile); err != nil {
			fmt.Fprintf(stderr, "paycools verify: %s\n", errText(err))
			return exitFail
		}
	} else {
		body, err := readFile(*bodyFile)
		if err != nil {
			fmt.Fprintf(stderr, "paycools verify: %s\n", errText(err))
			return exitFail
		}
		env, err := parseEnvelope(body)
		if err != nil {
			fmt.Fprintf(stderr, "paycools verify: %s: %s\n", *bodyFile, errText(err))
			return exitFail
		}
		p, s = []byte(env.Param), env.Sign
	}
	if err := paycools.VerifyParam(pub, p, s); err != nil {
		fmt.Fprintf(stderr, "paycools verify: FAILED: %s\n", sdkReason(err))
		fmt.Fprintln(stderr, `Run "paycools doctor" with the same arguments for a diagnosis.`)
		return exitFail
	}
	fmt.Fprintln(stdout, "OK")
	return exitOK
}

// inputFlags checks the input flags shared by verify and doctor: -body, or -param (or
// -param-file) with -sign. It returns a usage message, or "" when they are consistent.
func inputFlags(fset *flag.FlagSet, bodyFile, paramFile string) string {
	given, problem := paramFlags(fset, paramFile)
	signSet := flagWasSet(fset, "sign")
	switch {
	case problem != "":
		return problem
	case bodyFile != "" && (given || signSet):
		return "give -body, or -param/-param-file with -sign, not both"
	case bodyFile == "" && !given:
		return "give -body FILE, or -param (or -param-file) with -sign"
	case bodyFile == "" && !signSet:
		return "-sign is required with -param or -param-file"
	}
	return ""
}

// envelope is the decoded body of a request or callback whose param is a JSON string.
type envelope struct {
	AppID string
	Param string
	Sign  string
}

// parseEnvelope reads a request or callback body strictly, as the SDK does (docs/envelope.md §9): a
// JSON object whose param and sign are strings; appId is optional. A param that is an object
// is refused: its original bytes are lost, so no signature can be checked over them.
func parseEnvelope(body []byte) (*envelope, error) {
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(body, &outer); err != nil || outer == nil {
		return nil, errors.New("the body is not a JSON object")
	}
	rawParam, okP := outer["param"]
	rawSign, okS := outer["sign"]
	if !okP || !okS {
		return nil, errors.New(`the body has no "param" or no "sign"`)
	}
	env := &envelope{}
	if err := json.Unmarshal(rawParam, &env.Param); err != nil {
		return nil, errors.New(`"param" is not a JSON string (an object in its place was re-serialized and cannot be verified; run "paycools doctor")`)
	}
	if err := json.Unmarshal(rawSign, &env.Sign); err != nil {
		return nil, errors.New(`"sign" is not a JSON string`)
	}
	if a, ok := outer["appId"]; ok {
		_ = json.Unmarshal(a, &env.AppID)
	}
	return env, nil
}
