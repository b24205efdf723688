package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkKeygen runs keygen with bits and checks everything a merchant relies on: the private
// key parses back and has mode 0600, the printed line is the bare base64 public key of that
// very key, and a signature made with the written key verifies with the printed one.
func checkKeygen(t *testing.T, bits int) {
	dir := t.TempDir()
	priv := filepath.Join(dir, "merchant_private.pem")
	pub := filepath.Join(dir, "merchant_public.pem")
	status, out, errOut := runCLI(t, "keygen", "-bits", map[int]string{2048: "2048", 4096: "4096"}[bits], "-out", priv, "-pub", pub)
	require.Equal(t, exitOK, status, errOut)

	st, err := os.Stat(priv)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	pemBytes, err := os.ReadFile(priv)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(pemBytes), "-----BEGIN PRIVATE KEY-----\n"), "PKCS#8 PEM")
	key, err := paycools.ParsePrivateKey(pemBytes)
	require.NoError(t, err)
	assert.Equal(t, bits, key.N.BitLen())

	line := strings.TrimSuffix(out, "\n")
	require.NotContains(t, line, "\n", "stdout is the one base64 line")
	assert.NotContains(t, line, "-----")
	prefix := map[int]string{2048: "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", 4096: "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA"}[bits]
	assert.True(t, strings.HasPrefix(line, prefix), line)
	assert.Len(t, line, map[int]int{2048: 392, 4096: 736}[bits])
	printed, err := paycools.ParsePublicKey([]byte(line))
	require.NoError(t, err)
	assert.True(t, printed.Equal(&key.PublicKey))

	pubPEM, err := os.ReadFile(pub)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(pubPEM), "-----BEGIN PUBLIC KEY-----\n"))
	fromFile, err := paycools.ParsePublicKey(pubPEM)
	require.NoError(t, err)
	assert.True(t, fromFile.Equal(printed))

	param := []byte(`{"mchOrderId":"K1","timestamp":1700000000000}`)
	sign, err := paycools.SignParam(key, param)
	require.NoError(t, err)
	assert.NoError(t, paycools.VerifyParam(printed, param, sign))

	assert.Contains(t, errOut, priv)
	assert.Contains(t, errOut, pub)
	assert.Contains(t, errOut, "dashboard")
}

func TestKeygen2048(t *testing.T) { checkKeygen(t, 2048) }

func TestKeygen4096(t *testing.T) {
	if testing.Short() {
		t.Skip("4096-bit key generation is slow")
	}
	checkKeygen(t, 4096)
}

func TestKeygenRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	priv := filepath.Join(dir, "merchant_private.pem")
	require.NoError(t, os.WriteFile(priv, []byte("precious"), 0o644))

	status, out, errOut := runCLI(t, "keygen", "-out", priv)
	assert.Equal(t, exitFail, status)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "already exists")
	assert.Contains(t, errOut, "-force")
	b, _ := os.ReadFile(priv)
	assert.Equal(t, "precious", string(b))

	// An existing -pub file also stops keygen before anything is written.
	fresh := filepath.Join(dir, "new.pem")
	status, _, _ = runCLI(t, "keygen", "-out", fresh, "-pub", priv)
	assert.Equal(t, exitFail, status)
	assert.NoFileExists(t, fresh)

	// -force replaces it, and the result is 0600 whatever the old mode was.
	status, out, errOut = runCLI(t, "keygen", "-out", priv, "-force")
	require.Equal(t, exitOK, status, errOut)
	st, err := os.Stat(priv)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	b, _ = os.ReadFile(priv)
	key, err := paycools.ParsePrivateKey(b)
	require.NoError(t, err)
	printed, err := paycools.ParsePublicKey([]byte(out))
	require.NoError(t, err)
	assert.True(t, printed.Equal(&key.PublicKey))
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".paycools-keygen-*"))
	assert.Empty(t, leftovers)
}

func TestKeygenSameFileTwice(t *testing.T) {
	p := filepath.Join(t.TempDir(), "k.pem")
	status, _, errOut := runCLI(t, "keygen", "-out", p, "-pub", p)
	assert.Equal(t, exitUsage, status)
	assert.Contains(t, errOut, "same file")
}

// keygen and paycools.GenerateKeyPair follow one size rule (paycools.CheckKeyBits): 3072 was
// refused by the CLI while the library generated it.
func TestKeygenSizeRuleIsTheLibrarys(t *testing.T) {
	for _, bits := range []string{"3072", "1024", "8192"} {
		status, _, errOut := runCLI(t, "keygen", "-bits", bits, "-out", filepath.Join(t.TempDir(), "k.pem"))
		assert.Equal(t, exitUsage, status, errOut)
		assert.Contains(t, errOut, "2048- or 4096-bit")
		n := map[string]int{"3072": 3072, "1024": 1024, "8192": 8192}[bits]
		assert.Error(t, paycools.CheckKeyBits(n))
	}
}
