package main

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/require"
)

// testKeyFile reads a test key of the SDK (../../testdata/keys: test-only keys, never
// registered with PayCools).
func testKeyFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "keys", name))
	require.NoError(t, err)
	return b
}

// testKeyPath is the path of a test key, for command lines.
func testKeyPath(name string) string {
	return filepath.Join("..", "..", "testdata", "keys", name)
}

func merchantKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := paycools.ParsePrivateKey(testKeyFile(t, "test_merchant_2048_pkcs8.pem"))
	require.NoError(t, err)
	return k
}

func platformKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := paycools.ParsePrivateKey(testKeyFile(t, "test_platform_2048_pkcs1.pem"))
	require.NoError(t, err)
	return k
}

// signRaw signs msg with key, hash and padding of choice, standard base64: the signer's side of
// every mistake doctor names.
func signRaw(t testing.TB, key *rsa.PrivateKey, msg []byte, hash crypto.Hash, pss bool) string {
	t.Helper()
	var digest []byte
	switch hash {
	case crypto.SHA1:
		s := sha1.Sum(msg)
		digest = s[:]
	default:
		s := sha256.Sum256(msg)
		digest = s[:]
	}
	var sig []byte
	var err error
	if pss {
		sig, err = rsa.SignPSS(rand.Reader, key, hash, digest, nil)
	} else {
		sig, err = rsa.SignPKCS1v15(nil, key, hash, digest)
	}
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(sig)
}

// sign256 is the correct signature: SHA256withRSA, PKCS#1 v1.5.
func sign256(t testing.TB, key *rsa.PrivateKey, msg string) string {
	t.Helper()
	return signRaw(t, key, []byte(msg), crypto.SHA256, false)
}

// envelopeBody is a JSON body {"appId","param","sign"} with param as a string (appId left
// out when empty).
func envelopeBody(t testing.TB, appID, param, sign string) []byte {
	t.Helper()
	m := map[string]string{"param": param, "sign": sign}
	if appID != "" {
		m["appId"] = appID
	}
	b, err := marshalNoEscape(m)
	require.NoError(t, err)
	return b
}

// runCLI runs one command line in-process and returns its status and output.
func runCLI(t testing.TB, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	status = run(args, &out, &errb)
	return status, out.String(), errb.String()
}

// writeTemp writes a file in a per-test directory and returns its path.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

// causes lists the causes of findings, for assertions.
func causes(fs []Finding) []Cause {
	out := make([]Cause, len(fs))
	for i, f := range fs {
		out[i] = f.Cause
	}
	return out
}

// finding returns the first finding with cause c, failing the test when there is none.
func finding(t testing.TB, fs []Finding, c Cause) Finding {
	t.Helper()
	for _, f := range fs {
		if f.Cause == c {
			return f
		}
	}
	t.Fatalf("no %s finding in:\n%s", c, dump(fs))
	return Finding{}
}

func dump(fs []Finding) string {
	var b strings.Builder
	printFindings(&b, fs)
	return b.String()
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
}

func parsePriv(b []byte) (*rsa.PrivateKey, error) { return paycools.ParsePrivateKey(b) }
