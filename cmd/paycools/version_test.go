package main

import (
	"regexp"
	"runtime"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/assert"
)

// TestVersion: "paycools version", "-version" and "--version" print one line on stdout with
// the module version the binary was built with, the source's Version and the Go release.
func TestVersion(t *testing.T) {
	want := "paycools " + paycools.ModuleVersion() + " (paycools-go Version " + paycools.Version + ", " + runtime.Version() + ")\n"
	assert.Regexp(t, regexp.MustCompile(`^paycools \d+\.\d+\.\d+\S* \(paycools-go Version \d+\.\d+\.\d+\S*, go\S+\)\n$`), want)
	for _, arg := range []string{"version", "-version", "--version"} {
		status, out, errOut := runCLI(t, arg)
		assert.Equal(t, exitOK, status, arg)
		assert.Equal(t, want, out, arg)
		assert.Empty(t, errOut, arg)
	}

	status, out, errOut := runCLI(t, "version", "extra")
	assert.Equal(t, exitUsage, status, "a stray argument is a usage error")
	assert.Empty(t, out)
	assert.Contains(t, errOut, `unexpected argument "extra"`)

	status, out, _ = runCLI(t, "version", "-h")
	assert.Equal(t, exitOK, status)
	assert.Contains(t, out, "Usage: paycools version\n", "no trailing space after a command without flags")
}
