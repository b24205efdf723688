package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// runDoctor implements "paycools doctor": why does this signature not verify?
func runDoctor(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("doctor", "-key FILE [-other-key FILE] (-body FILE | (-param STRING | -param-file FILE) -sign SIGN) [-app-id ID]", `
Say precisely why a PayCools signature does not verify. Doctor reads the key in any form and
says what it found (PEM or base64, PKCS#1 or PKCS#8 or PKIX, private or public, truncated),
repairs the sign where transport mangled it ('+' turned into a space, URL-safe base64, no
padding, hex), then tries every known signing mistake and names the one that verifies:

  - the wrong key: with -other-key, which of the two keys made the signature, by
    fingerprint (merchant key vs PayCools platform key, or the old and the new merchant
    key during a rotation; keys are never printed, only their public fingerprints)
  - param re-serialized (key order, HTML or unicode escaping, spacing), or sent as an object
  - a trailing newline signed or added
  - the outer body signed instead of param
  - "appId=...&param=..." or the legacy sorted "k=v&..." string signed instead of param
  - SHA-1 or SHA-512 instead of SHA-256, RSA-PSS instead of PKCS#1 v1.5

-key is the key that should verify: the merchant key for a request, the PayCools platform
public key for a callback. A private key is accepted (its public half is used). Exit status 0
when the signature verifies as given and nothing is wrong with the key, 1 otherwise.`, stderr)
	keyFile := fset.String("key", "", "the key that should verify (public or private; PEM or bare base64)")
	otherKey := fset.String("other-key", "", "the other key of the pair, to tell which one made the signature")
	bodyFile := fset.String("body", "", "a request or callback body (JSON) to examine")
	param := fset.String("param", "", "the param string, exactly as sent")
	paramFile := fset.String("param-file", "", "read the param bytes from this file")
	sign := fset.String("sign", "", "the sign, with -param or -param-file")
	appID := fset.String("app-id", "", `the appId, to try "appId=...&param=..." when the body has none`)
	if done, status := parseFlags(fset, args, stdout); done {
		return status
	}
	if *keyFile == "" {
		return usageError(fset, "-key is required")
	}
	if msg := inputFlags(fset, *bodyFile, *paramFile); msg != "" {
		return usageError(fset, "%s", msg)
	}
	in := Inputs{KeyName: *keyFile, OtherKeyName: *otherKey, Sign: *sign, AppID: *appID}
	var err error
	if in.Key, err = readFile(*keyFile); err != nil {
		fmt.Fprintf(stderr, "paycools doctor: %s\n", errText(err))
		return exitFail
	}
	if *otherKey != "" {
		if in.OtherKey, err = readFile(*otherKey); err != nil {
			fmt.Fprintf(stderr, "paycools doctor: %s\n", errText(err))
			return exitFail
		}
	}
	if *bodyFile != "" {
		if in.Body, err = readFile(*bodyFile); err != nil {
			fmt.Fprintf(stderr, "paycools doctor: %s\n", errText(err))
			return exitFail
		}
	} else if in.Param, err = readParam(*param, *paramFile); err != nil {
		fmt.Fprintf(stderr, "paycools doctor: %s\n", errText(err))
		return exitFail
	}

	findings := diagnose(in)
	printFindings(stdout, findings)
	n := 0
	for _, f := range findings {
		if f.Severity == SeverityProblem {
			n++
		}
	}
	switch {
	case verified(findings) && n == 0:
		fmt.Fprintln(stdout, "Verdict: the signature verifies.")
		return exitOK
	case verified(findings):
		fmt.Fprintf(stdout, "Verdict: the signature verifies, but %d problem(s) above must be fixed first.\n", n)
	default:
		fmt.Fprintf(stdout, "Verdict: the signature does not verify as given (%d problem(s) above).\n", n)
	}
	return exitFail
}

// verified reports whether the findings say the signature verifies as given.
func verified(fs []Finding) bool {
	for _, f := range fs {
		if f.Cause == CauseVerified {
			return true
		}
	}
	return false
}

// printFindings prints each finding as "[severity] cause" and its message, wrapped.
func printFindings(w io.Writer, fs []Finding) {
	for _, f := range fs {
		fmt.Fprintf(w, "[%s] %s\n", f.Severity, f.Cause)
		for _, line := range wrap(f.Message, 96) {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
}

// wrap breaks text into lines of at most width runes at spaces; a longer word (a key) stays whole.
func wrap(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		wl := len([]rune(word))
		if n > 0 && n+1+wl > width {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(word)
		n += wl
	}
	if n > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
